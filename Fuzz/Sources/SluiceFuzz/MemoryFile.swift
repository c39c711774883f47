// An anonymous in-memory file for the readers whose entry point takes a file descriptor.
#if canImport(Glibc)
import Glibc
#endif
import SystemPackage

@_silgen_name("memfd_create")
private func memfdCreate(_ name: UnsafePointer<CChar>, _ flags: CUnsignedInt) -> CInt

/// A file that lives in memory only (`memfd_create`): no name in any directory, nothing left behind,
/// freed with the process. Its contents are replaced for every input.
final class MemoryFile {
    let fd: FileDescriptor

    init() {
        let raw = memfdCreate("sluice-fuzz", 1)  // MFD_CLOEXEC
        guard raw >= 0 else { fatalError("memfd_create: \(errno)") }
        fd = FileDescriptor(rawValue: raw)
    }

    deinit { _ = try? fd.close() }

    /// Makes the file hold exactly `bytes`, positioned at `position`.
    func hold(_ bytes: UnsafeRawBufferPointer, position: Int64 = 0) {
        guard ftruncate(fd.rawValue, 0) == 0 else { fatalError("ftruncate: \(errno)") }
        if !bytes.isEmpty { _ = try! fd.writeAll(toAbsoluteOffset: 0, bytes) }
        _ = try! fd.seek(offset: position, from: .start)
    }
}
