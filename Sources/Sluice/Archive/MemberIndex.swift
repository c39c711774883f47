/// The member index of an archive (docs/format.md, "Archives"): every member's name, type, size,
/// mode, owner, mtime, the offset of its header in the tar stream and its digest, bound to the content
/// it describes. It is the plaintext of the archive's second `.slc` part.
public struct MemberIndex: Equatable, Sendable {
    static let magic: [UInt8] = Array("SLCI".utf8)
    static let version: UInt16 = 1
    /// A record's fixed part before its digest and names: kind … device.
    private static let fixedRecordSize = 1 + 4 + 4 + 4 + 8 + 4 + 8 + 8 + 8
    /// The largest index read (decoded): about eight million members of 100-byte names. A hostile index
    /// that says it decodes to more is refused before anything is allocated for it (exit 65).
    static let maxDecodedSize = 1 << 30
    /// Names longer than this are refused before allocation (Linux's PATH_MAX is 4096; pax allows more).
    static let maxPathSize = 1 << 20

    /// SHA-256 of the content part's header: an index copied from another archive does not open.
    var binding: [UInt8]
    /// Where the tar stream's end-of-archive blocks start: the end of the last member.
    var streamEnd: UInt64
    /// In stream order.
    public var members: [ArchiveMember]

    /// The byte range of member `index` in the tar stream: from its header to the next member's.
    func range(of index: Int) -> Range<UInt64> {
        members[index].headerOffset..<(index + 1 < members.count ? members[index + 1].headerOffset : streamEnd)
    }

    func encoded() -> [UInt8] {
        var out = ByteWriter(capacity: 64 + members.count * 64)
        Self.appendHeader(binding: binding, streamEnd: streamEnd, count: members.count, to: &out)
        for member in members { Self.appendRecord(member, to: &out) }
        return out.bytes
    }

    /// The index's start: everything before the first member's record.
    static func appendHeader(binding: [UInt8], streamEnd: UInt64, count: Int, to out: inout ByteWriter) {
        out.append(magic)
        out.append(version)
        out.append(binding)
        out.append(streamEnd)
        out.append(UInt64(count))
    }

    /// One member's record.
    static func appendRecord(_ member: ArchiveMember, to out: inout ByteWriter) {
        out.append(member.kind.rawValue)
        out.append(member.mode)
        out.append(member.owner)
        out.append(member.group)
        out.append(member.modificationSeconds)
        out.append(member.modificationNanoseconds)
        out.append(member.size)
        out.append(member.headerOffset)
        out.append(member.device)
        out.append(UInt8(member.digest.count))
        out.append(member.digest)
        out.append(UInt32(member.path.bytes.count))
        out.append(member.path.bytes)
        if let target = member.linkTarget {
            out.append(UInt32(target.bytes.count))
            out.append(target.bytes)
        } else {
            out.append(UInt32.max)
        }
    }

    /// Parses an index and checks that its records are well formed and in stream order.
    ///
    /// - Throws: ``SluiceError/Code/corrupt`` naming what is wrong.
    static func decode(_ bytes: [UInt8]) throws -> MemberIndex {
        var reader = ByteReader(bytes, what: "the member index")
        guard bytes.count >= 4, try reader.read(count: 4) == magic else { throw SluiceError.corrupt("the member index has a bad magic") }
        let version = try reader.read(UInt16.self)
        guard version == Self.version else { throw SluiceError.corrupt("member index version \(version) is not supported (this Sluice reads 1)") }
        let binding = try reader.read(count: 32)
        let streamEnd = try reader.read(UInt64.self)
        let count = try reader.read(UInt64.self)
        guard count <= UInt64(reader.remaining / (fixedRecordSize + 9)) else {
            throw SluiceError.corrupt("the member index lists \(count) members, more than its length holds")
        }
        var members: [ArchiveMember] = []
        members.reserveCapacity(Int(count))
        var previous: UInt64 = 0
        for number in 0..<Int(count) {
            guard let kind = ArchiveMember.Kind(rawValue: try reader.read(UInt8.self)) else {
                throw SluiceError.corrupt("member \(number) of the index has an unknown type")
            }
            var member = ArchiveMember(
                path: ArchivePath(bytes: []), kind: kind, size: 0, mode: try reader.read(), owner: try reader.read(),
                group: try reader.read(), modificationSeconds: try reader.read(), modificationNanoseconds: try reader.read(),
                linkTarget: nil, headerOffset: 0)
            member.size = try reader.read()
            member.headerOffset = try reader.read()
            member.device = try reader.read()
            member.digest = try reader.read(count: Int(try reader.read(UInt8.self)))
            member.path = ArchivePath(bytes: try readName(&reader, number: number))
            let linkSize = try reader.read(UInt32.self)
            if linkSize != UInt32.max {
                guard Int(linkSize) <= maxPathSize else { throw SluiceError.corrupt("member \(number) of the index has a link target too long") }
                member.linkTarget = ArchivePath(bytes: try reader.read(count: Int(linkSize)))
            }
            guard member.headerOffset >= previous, member.headerOffset % 512 == 0, member.headerOffset < streamEnd || streamEnd == 0 else {
                throw SluiceError.corrupt("member \(number) of the index is out of stream order")
            }
            guard member.modificationNanoseconds < 1_000_000_000, member.mode <= 0o7777 else {
                throw SluiceError.corrupt("member \(number) of the index has an invalid mode or time")
            }
            previous = member.headerOffset + 512
            members.append(member)
        }
        guard reader.remaining == 0 else { throw SluiceError.corrupt("the member index has \(reader.remaining) bytes after its last member") }
        return MemberIndex(binding: binding, streamEnd: streamEnd, members: members)
    }

    private static func readName(_ reader: inout ByteReader, number: Int) throws -> [UInt8] {
        let size = try reader.read(UInt32.self)
        guard Int(size) <= maxPathSize else { throw SluiceError.corrupt("member \(number) of the index has a name too long") }
        let name = try reader.read(count: Int(size))
        guard !name.contains(0) else { throw SluiceError.corrupt("member \(number) of the index has a NUL in its name") }
        return name
    }
}
