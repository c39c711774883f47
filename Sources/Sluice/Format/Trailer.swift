/// One entry of the trailer's chunk index.
struct IndexEntry: Equatable, Sendable {
    var offset: UInt64
    var storedSize: UInt32
    var plainSize: UInt32

    static let encodedSize = 16
}

/// The trailer (docs/format.md, "Trailer"): the chunk index and the whole-file digest.
struct Trailer: Equatable, Sendable {
    static let magic: [UInt8] = Array("SLCX".utf8)

    var entries: [IndexEntry]
    var digest: [UInt8]

    /// The trailer's size for `count` frames under `header`.
    static func size(count: Int, header: Header) -> Int {
        4 + 8 + IndexEntry.encodedSize * count + header.checksum.digestSize + header.tagSize
    }

    func encoded(header: Header, keys: FileKeys?) throws -> [UInt8] {
        var out = ByteWriter(capacity: Trailer.size(count: entries.count, header: header))
        out.append(Trailer.magic)
        out.append(UInt64(entries.count))
        for entry in entries {
            out.append(entry.offset)
            out.append(entry.storedSize)
            out.append(entry.plainSize)
        }
        out.append(digest)
        return out.bytes + (try Header.tag(over: out.bytes, cipher: header.cipher, keys: keys))
    }

    /// Parses a trailer and checks its tag; the caller compares it with the frames.
    ///
    /// With a cipher and no `keys` (`inspect` without a key) the tag cannot be checked and is skipped.
    static func decode(_ bytes: [UInt8], header: Header, keys: FileKeys?) throws -> Trailer {
        guard bytes.count >= size(count: 0, header: header), Array(bytes[0..<4]) == magic else {
            throw SluiceError.corrupt("trailer is missing or malformed")
        }
        let body = Array(bytes[0..<bytes.count - header.tagSize])
        let checkable = header.cipher == .none || keys != nil
        let expected = checkable ? try Header.tag(over: body, cipher: header.cipher, keys: keys) : []
        guard !checkable || LibCrypto.constantTimeEqual(expected, bytes[(bytes.count - header.tagSize)...]) else {
            throw SluiceError.corrupt("trailer authentication failed: the index was corrupted or tampered with")
        }
        var reader = ByteReader(body, offset: 4, what: "trailer")
        let count = try reader.read(UInt64.self)
        guard count >= 1, count <= UInt64(reader.remaining / IndexEntry.encodedSize),
              bytes.count == size(count: Int(count), header: header)
        else { throw SluiceError.corrupt("trailer chunk count \(count) does not match its length") }
        var entries: [IndexEntry] = []
        entries.reserveCapacity(Int(count))
        for _ in 0..<count {
            entries.append(IndexEntry(offset: try reader.read(), storedSize: try reader.read(), plainSize: try reader.read()))
        }
        return Trailer(entries: entries, digest: try reader.read(count: header.checksum.digestSize))
    }
}
