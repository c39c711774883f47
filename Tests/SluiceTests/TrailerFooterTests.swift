import Testing
@testable import Sluice

/// The trailer (chunk index, digest, tag) and the fixed footer (docs/format.md, "Trailer", "Footer").
@Suite struct TrailerFooterTests {
    static let entries = [
        IndexEntry(offset: 80, storedSize: 1000, plainSize: 4096),
        IndexEntry(offset: 1097, storedSize: 4096, plainSize: 4096),
        IndexEntry(offset: 5210, storedSize: 7, plainSize: 5),
    ]
    static let digest = (0..<16).map { UInt8($0) }

    static let plainHeader = HeaderTests.header(try! CodecSettings(.zstd), chunkSize: 4096, metadata: nil)

    @Test func footerLayoutAndRoundTrip() throws {
        let footer = Footer(trailerOffset: 0x0102_0304_0506_0708, trailerSize: 99)
        let bytes = footer.encoded
        #expect(bytes.count == 24)
        #expect(bytes.littleEndian(at: 0, as: UInt64.self) == 0x0102_0304_0506_0708)
        #expect(bytes.littleEndian(at: 8, as: UInt64.self) == 99)
        #expect(Array(bytes[16...]) == [0x89, 0x53, 0x4C, 0x43, 0x45, 0x4E, 0x44, 0x0A])
        #expect(try Footer.decode(bytes) == footer)
    }

    @Test func footerRejectsDamage() throws {
        let bytes = Footer(trailerOffset: 10, trailerSize: 20).encoded
        for index in 16..<24 {
            var damaged = bytes
            damaged[index] ^= 0x20
            #expect(Outcome { _ = try Footer.decode(damaged) } == .rejected(.corrupt))
        }
        #expect(Outcome { _ = try Footer.decode(Array(bytes.dropFirst())) } == .rejected(.corrupt))
        #expect(Outcome { _ = try Footer.decode(bytes + [0]) } == .rejected(.corrupt))
    }

    @Test func layoutWithoutCipher() throws {
        let bytes = try Trailer(entries: Self.entries, digest: Self.digest).encoded(header: Self.plainHeader, keys: nil)
        #expect(bytes.count == 4 + 8 + 16 * 3 + 16 + 8)
        #expect(bytes.count == Trailer.size(count: 3, header: Self.plainHeader))
        #expect(Array(bytes[0..<4]) == Array("SLCX".utf8))
        #expect(bytes.littleEndian(at: 4, as: UInt64.self) == 3)
        for (i, entry) in Self.entries.enumerated() {
            #expect(bytes.littleEndian(at: 12 + 16 * i, as: UInt64.self) == entry.offset)
            #expect(bytes.littleEndian(at: 20 + 16 * i, as: UInt32.self) == entry.storedSize)
            #expect(bytes.littleEndian(at: 24 + 16 * i, as: UInt32.self) == entry.plainSize)
        }
        #expect(Array(bytes[60..<76]) == Self.digest)
        #expect(bytes.littleEndian(at: 76, as: UInt64.self) == XXH3.hash64(Array(bytes[0..<76])))

        #expect(try Trailer.decode(bytes, header: Self.plainHeader, keys: nil) == Trailer(entries: Self.entries, digest: Self.digest))
    }

    @Test func encryptedTrailerIsAuthenticated() throws {
        let (block, keys) = try FileKeys.create(source: Harness.key, cipher: .aes256gcm, cost: Harness.cheapCost)
        let header = HeaderTests.header(try CodecSettings(.zstd), cipher: .aes256gcm, checksum: .sha256, keyBlock: block, metadata: nil)
        let digest = [UInt8](repeating: 0xAB, count: 32)
        let trailer = Trailer(entries: Self.entries, digest: digest)
        let bytes = try trailer.encoded(header: header, keys: keys)
        #expect(bytes.count == 4 + 8 + 48 + 32 + 32)
        let body = Array(bytes.dropLast(32))
        #expect(Array(bytes.suffix(32)) == (try body.withUnsafeBytes { try LibCrypto.hmacSHA256(key: keys.headerKey, $0) }))
        #expect(try Trailer.decode(bytes, header: header, keys: keys) == trailer)

        // Another file's keys, or any flipped bit, fail authentication.
        let (_, otherKeys) = try FileKeys.create(source: Harness.key, cipher: .aes256gcm, cost: Harness.cheapCost)
        #expect(Outcome { _ = try Trailer.decode(bytes, header: header, keys: otherKeys) } == .rejected(.corrupt))
        var damaged = bytes
        damaged[20] ^= 0x01
        #expect(Outcome { _ = try Trailer.decode(damaged, header: header, keys: keys) } == .rejected(.corrupt))
        // Without keys (inspect) the tag cannot be checked, but the structure still is.
        #expect(try Trailer.decode(bytes, header: header, keys: nil) == trailer)
    }

    /// Structural damage is refused even when the tag is recomputed to match.
    @Test func rejectsInconsistentStructure() throws {
        let header = Self.plainHeader
        func retagged(_ body: [UInt8]) -> [UInt8] {
            var tag = [UInt8](repeating: 0, count: 8)
            tag.setLittleEndian(XXH3.hash64(body), at: 0)
            return body + tag
        }
        let body = Array(try Trailer(entries: Self.entries, digest: Self.digest).encoded(header: header, keys: nil).dropLast(8))

        var zero = body
        zero.setLittleEndian(UInt64(0), at: 4)
        zero.removeSubrange(12..<60)
        #expect(Outcome { _ = try Trailer.decode(retagged(zero), header: header, keys: nil) } == .rejected(.corrupt))

        var more = body
        more.setLittleEndian(UInt64(4), at: 4)
        #expect(Outcome { _ = try Trailer.decode(retagged(more), header: header, keys: nil) } == .rejected(.corrupt))

        // A count that would need exabytes must be refused before anything is reserved for it.
        var huge = body
        huge.setLittleEndian(UInt64.max / 2, at: 4)
        #expect(Outcome { _ = try Trailer.decode(retagged(huge), header: header, keys: nil) } == .rejected(.corrupt))

        var magic = body
        magic[3] = UInt8(ascii: "Y")
        #expect(Outcome { _ = try Trailer.decode(retagged(magic), header: header, keys: nil) } == .rejected(.corrupt))

        #expect(Outcome { _ = try Trailer.decode(Array(retagged(body).prefix(10)), header: header, keys: nil) } == .rejected(.corrupt))
        #expect(Outcome { _ = try Trailer.decode([], header: header, keys: nil) } == .rejected(.corrupt))
    }
}
