@testable import Sluice
import SystemPackage

/// Hand-made `.slc` bytes for the hostile-input tests: headers, frames and trailers with whatever
/// lengths and counts a test wants, and with valid check values (XXH3 without a cipher, HMAC with one)
/// so that the decoder's limits, not a checksum, are what refuses them.
enum Crafted {
    static let masterKey = [UInt8](repeating: 0x42, count: 32)

    /// An unencrypted header with XXH3 frame checksums and no metadata.
    static func header(chunkSize: Int = 4096, codec: CodecSettings = try! CodecSettings(.zstd)) -> (Header, [UInt8]) {
        let header = Header(codec: codec, cipher: .none, checksum: .xxh3, chunkSize: chunkSize, keyBlock: nil, metadata: nil)
        return (header, try! header.encoded(keys: nil))
    }

    /// An AES-GCM header whose key block asks for scrypt at 2^`logN`, correctly authenticated.
    static func scryptHeader(logN: Int) throws -> [UInt8] {
        let salt = [UInt8](repeating: 7, count: KeyBlock.saltSize)
        let keys = try FileKeys.derive(master: masterKey, salt: salt, cipher: .aes256gcm)
        let block = KeyBlock(derivation: .scrypt, cost: ScryptCost(logN: logN), salt: salt, keyCheck: keys.keyCheck)
        let header = Header(codec: try CodecSettings(.zstd), cipher: .aes256gcm, checksum: .none, chunkSize: 4096,
                            keyBlock: block, metadata: nil)
        return try header.encoded(keys: keys)
    }

    /// A frame: fixed part, checksum, payload, exactly as given (nothing is checked).
    static func frame(stored: UInt32, plain: UInt32, flags: UInt8, checksum: [UInt8] = [UInt8](repeating: 0, count: 8),
                      payload: [UInt8] = []) -> [UInt8] {
        var out = ByteWriter()
        out.append(stored)
        out.append(plain)
        out.append(flags)
        // The payload check of an unencrypted frame (docs/format.md): crafted frames are all unencrypted,
        // and a right check lets each one reach the defect it carries.
        out.append(UInt32(truncatingIfNeeded: XXH3.hash64(payload)))
        out.append(checksum)
        out.append(payload)
        return out.bytes
    }

    /// The XXH3-64 frame checksum of `plain`.
    static func checksum(_ plain: [UInt8]) -> [UInt8] {
        var out = ByteWriter()
        out.append(XXH3.hash64(plain))
        return out.bytes
    }

    /// A trailer with XXH3 tag whose count field says `count` but that holds `entries`, then a footer.
    static func tail(at offset: Int, count: UInt64, entries: [IndexEntry], digest: [UInt8] = [UInt8](repeating: 0, count: 16))
        -> [UInt8]
    {
        var out = ByteWriter()
        out.append(Trailer.magic)
        out.append(count)
        for entry in entries {
            out.append(entry.offset)
            out.append(entry.storedSize)
            out.append(entry.plainSize)
        }
        out.append(digest)
        var trailer = out.bytes
        trailer += try! Header.tag(over: trailer, cipher: .none, keys: nil)
        return trailer + Footer(trailerOffset: UInt64(offset), trailerSize: UInt64(trailer.count)).encoded
    }

    /// A footer alone, pointing wherever it is told.
    static func footer(trailerOffset: UInt64, trailerSize: UInt64) -> [UInt8] {
        Footer(trailerOffset: trailerOffset, trailerSize: trailerSize).encoded
    }
}
