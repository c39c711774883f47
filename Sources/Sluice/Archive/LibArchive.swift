#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
private import CArchive
import SystemPackage

/// libarchive, the one file that talks to it: a pax tar writer that hands its bytes to a closure, and a
/// tar reader over a file descriptor (docs/architecture.md, "Archives": why libarchive).
///
/// Every status code becomes a ``SluiceError`` in ``LibArchive/check(_:_:what:)``; a warning
/// (`ARCHIVE_WARN`) is not an error.
enum LibArchive {
    /// The version string libarchive reports, for `--explain` and the docs' figures.
    static var version: String { String(cString: archive_version_string()) }

    /// Makes the calling thread's character set UTF-8 (`uselocale`, this thread only): libarchive
    /// converts names between the locale's character set and the UTF-8 of pax headers, and in the
    /// C locale every non-ASCII name would fall back to `hdrcharset=BINARY`. Names that are not UTF-8
    /// still do (kept as the bytes they are; GNU tar reads them with a warning).
    static func useUTF8Names() {
        guard let locale = utf8Locale else { return }
        _ = uselocale(locale)
    }

    nonisolated(unsafe) private static let utf8Locale: locale_t? = newlocale(LC_CTYPE_MASK, "C.UTF-8", nil)

    fileprivate static func check(_ status: Int32, _ handle: OpaquePointer, what: @autoclosure () -> String) throws {
        guard status < ARCHIVE_WARN else { return }
        let message = archive_error_string(handle).map { String(cString: $0) } ?? "error \(archive_errno(handle))"
        throw SluiceError.corrupt("\(what()): \(message)")
    }
}

/// Owns a `struct archive_entry`, built from or read into an ``ArchiveMember``.
private final class Entry {
    let pointer: OpaquePointer

    init() throws {
        guard let pointer = archive_entry_new() else { throw SluiceError(.library, "libarchive: out of memory") }
        self.pointer = pointer
    }

    deinit { archive_entry_free(pointer) }

    func set(_ member: ArchiveMember, xattrs: [ExtendedAttribute]) {
        member.path.withCString { archive_entry_copy_pathname(pointer, $0) }
        archive_entry_set_filetype(pointer, UInt32(member.kind.fileType))
        archive_entry_set_perm(pointer, mode_t(member.mode & 0o7777))
        archive_entry_set_uid(pointer, la_int64_t(member.owner))
        archive_entry_set_gid(pointer, la_int64_t(member.group))
        archive_entry_set_mtime(pointer, time_t(member.modificationSeconds), Int(member.modificationNanoseconds))
        archive_entry_set_size(pointer, member.kind == .file ? la_int64_t(member.size) : 0)
        if let target = member.linkTarget {
            target.withCString {
                if member.kind == .hardlink { archive_entry_copy_hardlink(pointer, $0) } else { archive_entry_copy_symlink(pointer, $0) }
            }
        }
        if member.kind == .characterDevice || member.kind == .blockDevice { archive_entry_set_rdev(pointer, dev_t(member.device)) }
        for attribute in xattrs {
            attribute.value.withUnsafeBytes { archive_entry_xattr_add_entry(pointer, attribute.name, $0.baseAddress, $0.count) }
        }
    }

}

extension ArchiveMember {
    /// The member `pointer` describes; `offset` is where its header starts in the stream.
    fileprivate init(entry pointer: OpaquePointer, offset: UInt64) {
        let type = Int32(archive_entry_filetype(pointer))
        let hardlink = archive_entry_hardlink(pointer)
        let kind: ArchiveMember.Kind =
            hardlink != nil ? .hardlink : (ArchiveMember.Kind(fileType: type) ?? .other)
        let link = hardlink ?? archive_entry_symlink(pointer)
        var xattrs: [ExtendedAttribute] = []
        if archive_entry_xattr_reset(pointer) > 0 {
            var name: UnsafePointer<CChar>?
            var value: UnsafeRawPointer?
            var size = 0
            while archive_entry_xattr_next(pointer, &name, &value, &size) == ARCHIVE_OK, let name {
                xattrs.append(ExtendedAttribute(
                    name: String(cString: name), value: value.map { Array(UnsafeRawBufferPointer(start: $0, count: size)) } ?? []))
            }
        }
        self.init(
            path: archive_entry_pathname(pointer).map { ArchivePath(cString: $0) } ?? ArchivePath(bytes: []),
            kind: kind, size: UInt64(max(0, archive_entry_size(pointer))),
            mode: UInt32(archive_entry_perm(pointer)),
            owner: UInt32(truncatingIfNeeded: archive_entry_uid(pointer)),
            group: UInt32(truncatingIfNeeded: archive_entry_gid(pointer)),
            modificationSeconds: Int64(archive_entry_mtime(pointer)),
            modificationNanoseconds: UInt32(max(0, archive_entry_mtime_nsec(pointer))),
            linkTarget: link.map { ArchivePath(cString: $0) },
            device: UInt64(archive_entry_rdev(pointer)), headerOffset: offset, xattrs: xattrs)
        // tar names a directory `name/`; the index and the walk do not.
        while kind == .directory, path.bytes.count > 1, path.bytes.last == UInt8(ascii: "/") { path.bytes.removeLast() }
    }
}

/// Receives the bytes of a ``TarWriter`` and keeps the first error the receiver threw (libarchive
/// only sees "-1").
private final class WriteSink {
    let receive: (UnsafeRawBufferPointer) throws -> Void
    var failure: (any Error)?
    init(_ receive: @escaping (UnsafeRawBufferPointer) throws -> Void) { self.receive = receive }
}

/// A POSIX pax tar stream written member by member; its bytes go to a closure as they are made (no
/// blocking into 10 KiB records), so ``bytesWritten`` after ``finishMember()`` is where the next
/// member's header starts.
final class TarWriter {
    private let handle: OpaquePointer
    private let sink: WriteSink
    private var closed = false

    /// - Parameter receive: called with every run of bytes, in order; an error it throws stops the
    ///   writer and is rethrown by the call that wrote.
    init(_ receive: @escaping (UnsafeRawBufferPointer) throws -> Void) throws {
        LibArchive.useUTF8Names()
        guard let handle = archive_write_new() else { throw SluiceError(.library, "libarchive: out of memory") }
        self.handle = handle
        sink = WriteSink(receive)
        try LibArchive.check(archive_write_set_format_pax(handle), handle, what: "tar writer")
        try LibArchive.check(archive_write_set_bytes_per_block(handle, 0), handle, what: "tar writer")
        let callback: @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?, UnsafeRawPointer?, Int) -> Int = { _, context, bytes, count in
            let sink = Unmanaged<WriteSink>.fromOpaque(context!).takeUnretainedValue()
            do {
                try sink.receive(UnsafeRawBufferPointer(start: bytes, count: count))
                return count
            } catch {
                sink.failure = sink.failure ?? error
                return -1
            }
        }
        try rethrowing(archive_write_open(handle, Unmanaged.passUnretained(sink).toOpaque(), nil, callback, nil), what: "tar writer")
    }

    deinit { archive_write_free(handle) }

    /// Bytes of the stream handed to the receiver so far.
    var bytesWritten: UInt64 { UInt64(max(0, archive_filter_bytes(handle, -1))) }

    /// Writes a member's header (a pax extended header first when the name, a time or an attribute
    /// needs one).
    func begin(_ member: ArchiveMember, xattrs: [ExtendedAttribute] = []) throws {
        let entry = try Entry()
        entry.set(member, xattrs: xattrs)
        try rethrowing(archive_write_header(handle, entry.pointer), what: "cannot write the tar header of \(member.path)")
    }

    /// Writes the next bytes of a regular file's contents.
    func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard bytes.count > 0 else { return }
        let written = archive_write_data(handle, bytes.baseAddress, bytes.count)
        if let failure = sink.failure { throw failure }
        guard written == bytes.count else {
            try LibArchive.check(ARCHIVE_FATAL, handle, what: "tar writer")
            return
        }
    }

    /// Pads the member's contents to the next 512-byte block.
    func finishMember() throws {
        try rethrowing(archive_write_finish_entry(handle), what: "tar writer")
    }

    /// Writes the end-of-archive blocks.
    func close() throws {
        guard !closed else { return }
        closed = true
        try rethrowing(archive_write_close(handle), what: "tar writer")
    }

    private func rethrowing(_ status: Int32, what: @autoclosure () -> String) throws {
        if let failure = sink.failure { throw failure }
        try LibArchive.check(status, handle, what: what())
    }
}

/// A tar stream read member by member from a file descriptor (a pipe the decoder fills).
final class TarReader {
    private let handle: OpaquePointer
    private let name: String

    /// - Parameter name: the archive's name, for error messages.
    init(_ input: FileDescriptor, name: String) throws {
        LibArchive.useUTF8Names()
        guard let handle = archive_read_new() else { throw SluiceError(.library, "libarchive: out of memory") }
        self.handle = handle
        self.name = name
        try LibArchive.check(archive_read_support_format_tar(handle), handle, what: name)
        try LibArchive.check(archive_read_open_fd(handle, input.rawValue, 64 * 1024), handle, what: name)
    }

    deinit { archive_read_free(handle) }

    /// The next member's header; `nil` at the end of the archive.
    func next() throws -> ArchiveMember? {
        var pointer: OpaquePointer?
        let status = archive_read_next_header(handle, &pointer)
        if status == ARCHIVE_EOF { return nil }
        try LibArchive.check(status, handle, what: "\(name): not a valid tar stream")
        guard let pointer else { return nil }
        // The entry belongs to the reader: it is read, not freed.
        return ArchiveMember(entry: pointer, offset: UInt64(max(0, archive_read_header_position(handle))))
    }

    /// Reads the current member's next bytes into `buffer`; `0` at its end.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let got = archive_read_data(handle, buffer.baseAddress, buffer.count)
        if got < 0 { try LibArchive.check(Int32(got), handle, what: "\(name): not a valid tar stream") }
        return max(0, got)
    }
}

extension ExtendedAttribute {
    /// `llistxattr`/`lgetxattr`; none where the file system has none or refuses (a missing attribute
    /// is not an error: tar treats them the same way).
    static func list(of path: ArchivePath) -> [ExtendedAttribute] {
        path.withCString { cPath in
            let size = llistxattr(cPath, nil, 0)
            guard size > 0 else { return [] }
            var names = [CChar](repeating: 0, count: size)
            let got = llistxattr(cPath, &names, size)
            guard got > 0 else { return [] }
            var attributes: [ExtendedAttribute] = []
            for raw in names[0..<got].split(separator: 0) {
                let name = String(decoding: raw.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                let length = lgetxattr(cPath, name, nil, 0)
                guard length >= 0 else { continue }
                var value = [UInt8](repeating: 0, count: length)
                let read = lgetxattr(cPath, name, &value, length)
                guard read >= 0 else { continue }
                attributes.append(ExtendedAttribute(name: name, value: Array(value[0..<read])))
            }
            return attributes
        }
    }
}

extension ExtendedAttribute {
    /// Sets these attributes on the open file `fd` (`fsetxattr`); returns the names the file system
    /// refused (not an error: a file system without `user.*` attributes, or `security.*` without the
    /// privilege).
    static func apply(_ attributes: [ExtendedAttribute], to fd: FileDescriptor) -> [String] {
        attributes.compactMap { attribute in
            let status = attribute.value.withUnsafeBytes { fsetxattr(fd.rawValue, attribute.name, $0.baseAddress, $0.count, 0) }
            return status == 0 ? nil : attribute.name
        }
    }

    /// Sets `attributes` on what `path` names itself, a link not followed (`lsetxattr`: a directory or a
    /// symbolic link); returns the names the file system refused (Linux takes no `user.*` on a link).
    @discardableResult
    static func apply(_ attributes: [ExtendedAttribute], toPath path: FilePath) -> [String] {
        attributes.compactMap { attribute in
            let status = attribute.value.withUnsafeBytes { value in
                path.withPlatformString { lsetxattr($0, attribute.name, value.baseAddress, value.count, 0) }
            }
            return status == 0 ? nil : attribute.name
        }
    }
}
