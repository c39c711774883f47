#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SystemPackage

/// A read-only mapping of a whole regular file, unmapped in `deinit`: how the frame scanners of the
/// standard formats walk a file's frame and block headers without reading the data between them
/// (the pages they touch are the only ones faulted in).
final class MappedFile {
    let bytes: UnsafeRawBufferPointer

    /// Maps `size` bytes of `fd` (its size when opened); an empty file maps to an empty buffer.
    init(_ fd: FileDescriptor, size: Int) throws {
        guard size > 0 else {
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd.rawValue, 0)
        guard let address, address != MAP_FAILED else {
            throw SluiceError(.io, "cannot map the input", cause: Errno(rawValue: errno))
        }
        bytes = UnsafeRawBufferPointer(start: address, count: size)
    }

    deinit {
        if let base = bytes.baseAddress { munmap(UnsafeMutableRawPointer(mutating: base), bytes.count) }
    }
}
