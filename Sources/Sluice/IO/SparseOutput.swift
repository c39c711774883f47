#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SystemPackage

/// Writing plaintext into a new regular file so that runs of zeros become holes, as `zstd --sparse`,
/// `cp --sparse=auto` and `tar -S` leave them (docs/performance.md, "Sparse files").
///
/// Every aligned block of ``blockSize`` bytes that is all zeros is skipped instead of written; a chunk
/// from the ``ZeroRegion`` is skipped whole without looking at it. The file must be new (nothing
/// written there before reads as zeros), and its size is set at the end (``finish(_:size:)``), since a
/// file that ends in zeros would otherwise end early. `--no-sparse` writes every byte instead.
enum SparseOutput {
    /// The granule of a hole: the page size, which is also ext4's, XFS's and Btrfs's block size.
    static let blockSize = 4096

    /// Writes `bytes` at `offset` of `output`, leaving out its zero blocks (whole aligned blocks, and the
    /// zero parts of the first and last blocks, which a new file already reads as zeros).
    ///
    /// - Throws: ``SluiceError/Code/io``.
    static func write(_ bytes: UnsafeRawBufferPointer, to output: FileDescriptor, at offset: UInt64) throws {
        try write(bytes, at: offset) { run, start in try Pipeline.write(run, to: output, at: Int64(start)) }
    }

    /// Finds the runs of `bytes` (the plaintext at `offset`) that are not zero blocks and hands each,
    /// with its file offset, to `writeRun`, which writes it (``PositionalOutput`` holds its lock there).
    ///
    /// - Throws: what `writeRun` throws.
    static func write(
        _ bytes: UnsafeRawBufferPointer, at offset: UInt64, _ writeRun: (UnsafeRawBufferPointer, UInt64) throws -> Void
    ) throws {
        if bytes.isEmpty || ZeroRegion.contains(bytes) { return }
        var runStart: Int?
        var position = 0
        func flush(upTo end: Int) throws {
            guard let start = runStart else { return }
            try writeRun(UnsafeRawBufferPointer(rebasing: bytes[start..<end]), offset + UInt64(start))
            runStart = nil
        }
        while position < bytes.count {
            let intoBlock = Int((offset + UInt64(position)) % UInt64(blockSize))
            let end = min(bytes.count, position + blockSize - intoBlock)
            if ZeroRegion.isZero(UnsafeRawBufferPointer(rebasing: bytes[position..<end])) {
                try flush(upTo: position)
            } else if runStart == nil {
                runStart = position
            }
            position = end
        }
        try flush(upTo: bytes.count)
    }

    /// Gives `output` its final `size`, so that a trailing hole counts.
    ///
    /// - Throws: ``SluiceError/Code/io``.
    static func finish(_ output: FileDescriptor, size: UInt64) throws {
        guard ftruncate(output.rawValue, off_t(size)) == 0 else {
            throw SluiceError(.io, "cannot set the size of the output", cause: Errno(rawValue: errno))
        }
    }
}

/// An output written front to back: with `write(2)`, or, into a new regular file when holes are
/// wanted, at the running offset through ``SparseOutput``.
struct SequentialOutput {
    let descriptor: FileDescriptor
    /// Leave holes for zero blocks (the output is a new regular file, and `--no-sparse` was not given).
    let sparse: Bool
    /// Bytes written (or skipped as holes) so far.
    private(set) var offset: UInt64 = 0

    init(_ descriptor: FileDescriptor, sparse: Bool) {
        self.descriptor = descriptor
        self.sparse = sparse
    }

    /// Appends `bytes`.
    ///
    /// - Throws: ``SluiceError/Code/io``.
    mutating func write(_ bytes: UnsafeRawBufferPointer) throws {
        if sparse {
            try SparseOutput.write(bytes, to: descriptor, at: offset)
        } else {
            try Pipeline.write(bytes, to: descriptor)
        }
        offset += UInt64(bytes.count)
    }

    /// Once everything is written: the file's final size when holes were left.
    func finish() throws {
        if sparse { try SparseOutput.finish(descriptor, size: offset) }
    }
}
