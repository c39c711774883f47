import Foundation
import Testing
@testable import Sluice
@testable import SluiceBench

/// Reads files the library wrote byte by byte as docs/format.md specifies, with the primitives the
/// known-answer tests vouch for, but none of the library's format decoders: what the writer produces
/// must be what the spec says, so that another implementation could read it.
@Suite struct FormatConformanceTests {
    static let chunk = Harness.chunkSize
    static let data = DataKind.text.bytes(count: 3 * chunk + 777, seed: 42)

    private func sha256(_ bytes: some Collection<UInt8>) throws -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 32)
        try digest.withUnsafeMutableBytes { out in try Array(bytes).withUnsafeBytes { try LibCrypto.sha256($0, into: out.baseAddress!) } }
        return digest
    }

    private func hmac(_ key: [UInt8], _ bytes: some Collection<UInt8>) throws -> [UInt8] {
        try Array(bytes).withUnsafeBytes { try LibCrypto.hmacSHA256(key: key, $0) }
    }

    private func xxh3(_ bytes: some Collection<UInt8>) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 8)
        out.setLittleEndian(XXH3.hash64(Array(bytes)), at: 0)
        return out
    }

    private func chunk(_ i: Int) -> ArraySlice<UInt8> {
        Self.data[i * Self.chunk..<min(Self.data.count, (i + 1) * Self.chunk)]
    }

    /// Checks the parts every file shares (frames' lengths and flags, the index, the footer) and returns
    /// the layout; `payloadCheck` sees each frame's (index, frame bytes, payload bytes, plain chunk).
    private func checkCommonStructure(_ file: [UInt8], checksumSize k: Int, tagSize t: Int, digestSize d: Int) throws -> SlcLayout {
        let layout = try SlcLayout(file)
        let count = (Self.data.count + Self.chunk - 1) / Self.chunk
        let s = t == 8 ? 4 : 0  // the payload check exists only without a cipher (8-byte XXH3 tags)
        #expect(layout.frames.count == count)
        #expect(layout.frameHeaderSize == 9 + s + k)
        #expect(layout.frames.first?.lowerBound == layout.headerLength)
        for (i, frame) in layout.frames.enumerated() {
            let isLast = i == count - 1
            #expect(Int(file.littleEndian(at: frame.lowerBound + 4, as: UInt32.self)) == chunk(i).count)
            #expect(file[frame.lowerBound + 8] & 1 == (isLast ? 1 : 0), "only the last frame is final")
            #expect(file[frame.lowerBound + 8] & ~3 == 0)
        }
        // Trailer: magic, count, one entry per frame, digest, tag.
        let trailer = Array(file[layout.trailer])
        #expect(trailer.count == 4 + 8 + 16 * count + d + t)
        #expect(Array(trailer[0..<4]) == Array("SLCX".utf8))
        #expect(trailer.littleEndian(at: 4, as: UInt64.self) == UInt64(count))
        for (i, frame) in layout.frames.enumerated() {
            #expect(trailer.littleEndian(at: 12 + 16 * i, as: UInt64.self) == UInt64(frame.lowerBound))
            #expect(Int(trailer.littleEndian(at: 20 + 16 * i, as: UInt32.self)) == frame.count - (9 + s + k))
            #expect(Int(trailer.littleEndian(at: 24 + 16 * i, as: UInt32.self)) == chunk(i).count)
        }
        // Footer: trailer offset, trailer length, magic, and nothing after it.
        #expect(Array(file.suffix(8)) == [0x89, 0x53, 0x4C, 0x43, 0x45, 0x4E, 0x44, 0x0A])
        #expect(file.count == layout.trailer.upperBound + 24)
        return layout
    }

    /// Without a cipher: XXH3 header/trailer tags, per-frame checksums of the plaintext, the file digest
    /// over the checksums and the total size; `store` frames carry the plaintext itself.
    @Test(arguments: [ChecksumKind.xxh3, .sha256])
    func unencryptedFile(checksum: ChecksumKind) throws {
        let (file, _) = try Harness.pack(Self.data, options: try Harness.options(.store, checksum: checksum))
        let k = checksum == .xxh3 ? 8 : 32, d = checksum == .xxh3 ? 16 : 32
        let layout = try checkCommonStructure(file, checksumSize: k, tagSize: 8, digestSize: d)

        let h = layout.headerLength
        #expect(Array(file[h - 8..<h]) == xxh3(file[0..<h - 8]))
        var checksums: [UInt8] = []
        for (i, frame) in layout.frames.enumerated() {
            let sum = Array(file[frame.lowerBound + 13..<frame.lowerBound + 13 + k])
            // The payload check: the low 32 bits of XXH3-64 of the stored payload.
            let check = Array(file[frame.lowerBound + 9..<frame.lowerBound + 13])
            #expect(check == Array(xxh3Checksum(file[layout.payload(of: i)]).prefix(4)), "frame \(i) payload check")
            let expected = checksum == .xxh3 ? xxh3Checksum(chunk(i)) : try sha256(chunk(i))
            #expect(sum == expected, "frame \(i) checksum")
            #expect(file[frame.lowerBound + 8] & 2 == 2, "store frames are raw")
            #expect(Array(file[layout.payload(of: i)]) == Array(chunk(i)))
            checksums += sum
        }
        var size = [UInt8](repeating: 0, count: 8)
        size.setLittleEndian(UInt64(Self.data.count), at: 0)
        let trailer = Array(file[layout.trailer])
        let digest = Array(trailer[(trailer.count - 8 - d)..<(trailer.count - 8)])
        if checksum == .sha256 {
            #expect(digest == (try sha256(checksums + size)))
        } else {
            let stream = try XXH3Stream()
            (checksums + size).withUnsafeBytes { stream.update($0) }
            #expect(digest == stream.finish())
        }
        #expect(Array(trailer.suffix(8)) == xxh3(trailer.dropLast(8)))
    }

    private func xxh3Checksum(_ bytes: ArraySlice<UInt8>) -> [UInt8] { xxh3(bytes) }

    /// With a cipher: keys derived per the spec from the key file and the header's salt, the key-check
    /// value, HMAC tags, and every frame opening under nonce = index ‖ 000 ‖ final with AAD = frame
    /// bytes 4 ..< 9+k.
    @Test(arguments: [Cipher.aes256gcm, .chacha20poly1305], [ChecksumKind.none, .sha256])
    func encryptedFile(cipher: Cipher, checksum: ChecksumKind) throws {
        let (file, _) = try Harness.pack(Self.data, options: try Harness.options(.store, cipher, checksum: checksum))
        let k = checksum == .none ? 0 : 32
        let layout = try checkCommonStructure(file, checksumSize: k, tagSize: 32, digestSize: k)
        #expect(file[SlcLayout.HeaderField.cipher] == (cipher == .aes256gcm ? 1 : 2))
        #expect(Array(file[SlcLayout.HeaderField.kdf...SlcLayout.HeaderField.scryptP]) == [2, 0, 0, 0])

        guard case .keyFile(let master) = Harness.key else { Issue.record("the harness key is a key file"); return }
        let salt = Array(file[SlcLayout.HeaderField.salt])
        func derive(_ label: String, _ count: Int) throws -> [UInt8] {
            try LibCrypto.hkdfSHA256(key: master, salt: salt, info: Array("sluice v1 \(label)".utf8) + [file[SlcLayout.HeaderField.cipher]], count: count)
        }
        let payloadKey = try derive("payload key", 32), headerKey = try derive("header key", 32)
        #expect(Array(file[SlcLayout.HeaderField.keyCheck]) == (try derive("key check", 16)))

        let h = layout.headerLength
        #expect(Array(file[h - 32..<h]) == (try hmac(headerKey, file[0..<h - 32])))
        let context = try AEADContext()
        for (i, frame) in layout.frames.enumerated() {
            let isFinal = i == layout.frames.count - 1
            var payload = Array(file[layout.payload(of: i)].dropLast(16))
            let tag = Array(file[layout.payload(of: i)].suffix(16))
            let aad = Array(file[frame.lowerBound + 4..<frame.lowerBound + 9 + k])
            var nonce = [UInt8](repeating: 0, count: 12)
            for b in 0..<8 { nonce[b] = UInt8(truncatingIfNeeded: UInt64(i) >> (8 * (7 - b))) }
            nonce[11] = isFinal ? 1 : 0
            try payload.withUnsafeMutableBytes { text in
                try tag.withUnsafeBytes { tag in
                    try aad.withUnsafeBytes { aad in
                        try context.open(text, tag: tag, cipher: cipher, key: payloadKey, nonce: nonce, authenticating: aad)
                    }
                }
            }
            #expect(payload == Array(chunk(i)), "frame \(i) opens to its plaintext")
            if k == 32 { #expect(Array(file[frame.lowerBound + 9..<frame.lowerBound + 41]) == (try sha256(chunk(i)))) }
        }
        let trailer = Array(file[layout.trailer])
        #expect(Array(trailer.suffix(32)) == (try hmac(headerKey, trailer.dropLast(32))))
    }

    /// A compressed frame's payload is a standard stream of its codec: zstd's is a zstd frame that
    /// the `zstd` tool decodes to exactly the chunk.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/zstd")))
    func zstdPayloadIsAZstdFrame() throws {
        let (file, _) = try Harness.pack(Self.data, options: try Harness.options(.zstd))
        let layout = try SlcLayout(file)
        #expect(file[layout.frames[1].lowerBound + 8] & 2 == 0, "text compresses, so frame 1 is not raw")
        try withTemporaryDirectory { directory in
            let path = directory.appending("frame1.zst")
            try writeFile(path, Array(file[layout.payload(of: 1)]))
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/zstd")
            process.arguments = ["-d", "-q", "-f", path.string, "-o", directory.appending("frame1").string]
            try process.run()
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
            #expect(try readFile(directory.appending("frame1")) == Array(chunk(1)))
        }
    }
}
