import Foundation
import SystemPackage

/// A new regular file that the I/O pool's threads write at offsets, in whatever order its pieces are
/// ready (the frames of a pack, the chunks of an unpack): one write at a time, optionally leaving
/// zero blocks as holes (``SparseOutput``), with write-back kept behind the writes (``WriteBack``).
///
/// One write at a time because the kernel allows no more: ext4, XFS and Btrfs hold the inode's lock
/// (`i_rwsem`, exclusively) for the whole copy of a buffered write into the page cache, so two threads
/// writing one file never copy at once; the second one spins on that lock while the first copies
/// (`rwsem_spin_on_owner`: 12–13% of the CPU of an age pack or unpack to a file in a profile, with two
/// I/O threads writing) before it sleeps. Waiting here instead, on a mutex that sleeps at once, costs no
/// CPU, and the copies still run back to back (docs/performance.md, "One writer per file").
///
/// Only the system calls are serialised: the zero scan of a sparse output runs outside the lock.
final class PositionalOutput: Sendable {
    /// The file being written.
    let descriptor: FileDescriptor
    /// Zero blocks are left as holes and the file's size is set by ``finish(size:)``.
    let sparse: Bool
    private let writeBack: WriteBack?
    /// Held for each write system call on ``descriptor``. A plain lock: a `Locked(())` has no storage for
    /// its value, so ThreadSanitizer reported the `inout` access to it as a Swift access race.
    private let turn = NSLock()

    /// - Parameters:
    ///   - descriptor: a new regular file (with `sparse`, nothing written before reads as zeros).
    ///   - writeBack: started behind the writes; `nil`: none.
    init(_ descriptor: FileDescriptor, sparse: Bool, writeBack: WriteBack?) {
        self.descriptor = descriptor
        self.sparse = sparse
        self.writeBack = writeBack
    }

    /// Writes `bytes` at `offset`, waiting for any other write to this file to return first, then
    /// records the range with the write-back.
    ///
    /// - Throws: ``SluiceError/Code/io``.
    func write(_ bytes: UnsafeRawBufferPointer, at offset: UInt64) throws {
        if sparse {
            try SparseOutput.write(bytes, at: offset) { run, start in try writeAlone(run, at: start) }
        } else {
            try writeAlone(bytes, at: offset)
        }
        writeBack?.wrote(offset..<offset + UInt64(bytes.count))
    }

    /// Once every piece is written: a sparse file gets its final `size` (a trailing hole counts).
    ///
    /// - Throws: ``SluiceError/Code/io``.
    func finish(size: UInt64) throws {
        if sparse { try SparseOutput.finish(descriptor, size: size) }
    }

    private func writeAlone(_ bytes: UnsafeRawBufferPointer, at offset: UInt64) throws {
        turn.lock()
        defer { turn.unlock() }
        try Pipeline.write(bytes, to: descriptor, at: Int64(offset))
    }
}
