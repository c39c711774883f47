/// The recipient block of a `.slc` header (docs/format.md, "Recipient block"): after the key block when
/// the KDF is `3` (header flags bit 2), one age X25519 stanza per recipient, each wrapping the file's
/// 16-byte file key exactly as an age file's X25519 stanza does, so any one identity opens the file.
/// The block is covered by the header HMAC like every other header byte.
///
/// Bytes: stanza count (2), then per stanza: type (1; `1` = X25519), ephemeral share (32), wrapped
/// file key (32: ChaCha20-Poly1305 ciphertext ‖ tag).
enum RecipientBlock {
    /// The most recipients one file takes: 512 stanzas are 33 KiB of the 64 KiB a header may hold.
    static let maxStanzas = 512
    /// The type byte of an X25519 stanza; no other is defined.
    static let x25519TypeID: UInt8 = 1
    private static let shareSize = 32
    private static let bodySize = Age.fileKeySize + Age.tagSize

    /// Appends the block for `stanzas` (X25519 stanzas as ``AgeStanza/x25519(wrapping:for:)`` makes them).
    static func encode(_ stanzas: [AgeStanza], into out: inout ByteWriter) throws {
        guard (1...maxStanzas).contains(stanzas.count) else {
            throw SluiceError.invalid("a .slc file takes 1 to \(maxStanzas) recipients, not \(stanzas.count)")
        }
        out.append(UInt16(stanzas.count))
        for stanza in stanzas {
            guard stanza.type == AgeStanza.x25519Type, stanza.arguments.count == 1,
                  let share = Base64.decode(Array(stanza.arguments[0].utf8), padded: false), share.count == shareSize,
                  stanza.body.count == bodySize
            else { throw SluiceError(.library, "a .slc recipient block holds X25519 stanzas only") }
            out.append(x25519TypeID)
            out.append(share)
            out.append(stanza.body)
        }
    }

    /// Reads the block, refusing a count outside 1…``maxStanzas`` and any type but X25519.
    ///
    /// - Throws: ``SluiceError/Code/corrupt``.
    static func decode(_ reader: inout ByteReader) throws -> [AgeStanza] {
        let count = Int(try reader.read(UInt16.self))
        guard (1...maxStanzas).contains(count) else {
            throw SluiceError.corrupt("recipient count \(count) is outside 1…\(maxStanzas)")
        }
        var stanzas: [AgeStanza] = []
        stanzas.reserveCapacity(count)
        for index in 0..<count {
            guard try reader.read(UInt8.self) == x25519TypeID else {
                throw SluiceError.corrupt("recipient stanza \(index) has an unknown type")
            }
            let share = try reader.read(count: shareSize)
            stanzas.append(AgeStanza(
                type: AgeStanza.x25519Type, arguments: [Base64.encodeString(share)], body: try reader.read(count: bodySize)))
        }
        return stanzas
    }
}
