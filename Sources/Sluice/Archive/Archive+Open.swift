import Foundation
import SystemPackage

/// An archive whose member index was read and checked: enough to list it, and to decode its content.
public struct OpenedArchive {
    /// The members, in stream order.
    public let index: MemberIndex
    /// What the index part's header records (codec, cipher, …; the content part uses the same options).
    public let info: ContainerInfo
    /// Bytes of the content part, from the start of the file.
    let contentSize: UInt64
    /// Bytes of the whole file.
    public let fileSize: UInt64
    /// The key as it opened the index, given again to the content part (no second prompt).
    let key: KeyProvider
    let limits: DecodeLimits
}

extension Archive {
    /// Whether the file open at `fd` (of `size` bytes) is an archive: its last bytes are an archive footer.
    ///
    /// - Throws: ``SluiceError/Code/corrupt`` when the footer is there but does not fit the file.
    static func footer(of fd: FileDescriptor, size: UInt64) throws -> ArchiveFooter? {
        guard size >= UInt64(ArchiveFooter.size) else { return nil }
        return try ArchiveFooter.decode(try Pipeline.pread(fd, at: size - UInt64(ArchiveFooter.size), count: ArchiveFooter.size), fileSize: size)
    }

    /// Whether `path` names an archive (a regular file ending in an archive footer's magic; one whose
    /// sizes do not fit the file is a damaged archive, which ``open(_:name:key:limits:)`` refuses).
    public static func isArchive(_ path: FilePath) -> Bool {
        guard let fd = try? FileDescriptor.open(path, .readOnly, options: [.closeOnExec]) else { return false }
        defer { _ = try? fd.close() }
        guard let status = try? FileSystem.status(of: fd), status.isRegular else { return false }
        do { return try footer(of: fd, size: UInt64(status.size)) != nil } catch { return true }
    }

    /// Opens the archive at `fd`: reads the footer and the index part only (decoded and checked, with
    /// the key when it is encrypted), and checks that the index belongs to this content.
    ///
    /// - Throws: ``SluiceError/Code/corrupt`` for a file that is not an archive or whose index does
    ///   not check out; key errors as ``Pipeline/readHeader(from:key:limits:requireKey:consumed:)``.
    public static func open(_ fd: FileDescriptor, name: String, key: @escaping KeyProvider, limits: DecodeLimits = DecodeLimits()) throws -> OpenedArchive {
        let status = try FileSystem.status(of: fd)
        guard status.isRegular else { throw SluiceError.invalid("\(name) is not a regular file: an archive is read from its end") }
        let size = UInt64(status.size)
        guard let footer = try footer(of: fd, size: size) else {
            throw SluiceError.corrupt("\(name) is not a Sluice archive (no archive footer; unpack it without --only, or list it with inspect)")
        }
        if footer.layout == .zstd { return try openZstd(fd, name: name, footer: footer, fileSize: size, key: key, limits: limits) }
        // One secret for both parts: a prompt is answered once.
        let remembered = Locked<KeySource?>(nil)
        let key: KeyProvider = { request in
            if let known = remembered.withLock({ $0 }) { return known }
            let source = try key(request)
            remembered.withLock { $0 = source }
            return source
        }
        // A hostile footer or index must not make this allocate without bound: the index part is read
        // whole, then decoded whole.
        guard footer.indexSize <= UInt64(MemberIndex.maxDecodedSize + MemberIndex.maxDecodedSize / 8) else {
            throw SluiceError.corrupt("\(name): the member index part is \(footer.indexSize) bytes, more than an index may be")
        }
        let image = try Pipeline.pread(fd, at: footer.contentSize, count: Int(footer.indexSize))
        let unpacker = MemoryUnpacker(limits: limits)
        let plain = RawBuffer()
        let info: ContainerInfo
        do {
            let opened = try image.withUnsafeBytes { try unpacker.open($0, key: key, requireKey: true) }
            info = opened.info
            let declared = image.withUnsafeBytes { unpacker.declaredPlainSize(of: $0, opened: opened) } ?? 0
            guard declared <= MemberIndex.maxDecodedSize else {
                throw SluiceError.corrupt("the index would decode to \(declared) bytes, more than the \(MemberIndex.maxDecodedSize) an index may have")
            }
            try image.withUnsafeBytes { try unpacker.decode($0, opened: opened, slot: UnpackSlot(), into: plain, context: WorkerContext()) }
        } catch let error as SluiceError where error.code == .corrupt {
            throw SluiceError.corrupt("\(name): the member index: \(error.message)")
        }
        let index = try MemberIndex.decode(Array(plain.contents))
        guard index.binding == (try headerBinding(fd)) else {
            throw SluiceError.corrupt("\(name): the member index belongs to another archive")
        }
        return OpenedArchive(index: index, info: info, contentSize: footer.contentSize, fileSize: size, key: key, limits: limits)
    }

    /// ``open(_:name:key:limits:)`` of a `.tar.zst`: the index is the zstd data inside the skippable
    /// frame before the footer (``ArchiveIndexFrame``), bound to the content's seek table.
    private static func openZstd(
        _ fd: FileDescriptor, name: String, footer: ArchiveFooter, fileSize: UInt64, key: @escaping KeyProvider, limits: DecodeLimits
    ) throws -> OpenedArchive {
        guard footer.indexSize <= UInt64(MemberIndex.maxDecodedSize + MemberIndex.maxDecodedSize / 8) else {
            throw SluiceError.corrupt("\(name): the member index part is \(footer.indexSize) bytes, more than an index may be")
        }
        let index: MemberIndex
        do {
            try ArchiveIndexFrame.check(header: try Pipeline.pread(fd, at: footer.contentSize, count: ArchiveIndexFrame.headerSize), footer: footer)
            let packed = try Pipeline.pread(fd, at: footer.indexOffset, count: Int(footer.indexSize))
            index = try MemberIndex.decode(try ArchiveIndexFrame.decode(packed, limit: MemberIndex.maxDecodedSize))
        } catch let error as SluiceError where error.code == .corrupt {
            throw SluiceError.corrupt("\(name): the member index: \(error.message)")
        }
        guard index.binding == (try seekTableBinding(fd, contentSize: footer.contentSize)) else {
            throw SluiceError.corrupt("\(name): the member index belongs to another archive")
        }
        let info = ContainerInfo.standard(.zstd, codec: try CodecSettings(.zstd))
        return OpenedArchive(index: index, info: info, contentSize: footer.contentSize, fileSize: fileSize, key: key, limits: limits)
    }
}
