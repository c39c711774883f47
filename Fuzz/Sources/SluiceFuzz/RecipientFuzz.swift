// The `recipient` target (see SluiceFuzz.swift for the driver): the bytes as the recipient block of a
// .slc header (docs/format.md, "Recipient block"), read as SlcFormat's header reader reads it.
@testable import Sluice

func fuzzRecipientBlock(_ data: UnsafeRawBufferPointer) {
    let bytes = Array(data)
    var reader = ByteReader(bytes, what: "the recipient block")
    let stanzas: [AgeStanza]
    do {
        stanzas = try RecipientBlock.decode(&reader)
    } catch {
        expectDecodeError(error, allowing: [.corrupt])
        return
    }
    // What was read re-encodes to exactly the bytes it was read from.
    var writer = ByteWriter(capacity: reader.offset)
    do {
        try RecipientBlock.encode(stanzas, into: &writer)
    } catch {
        fatalError("a decoded recipient block does not encode: \(error)")
    }
    guard writer.bytes == Array(bytes[..<reader.offset]) else { fatalError("a recipient block that does not re-encode to its bytes") }
    // The stanzas unwrapped with the fuzz identity, as the header reader does.
    do {
        let fileKey = try AgeStanza.unwrap(stanzas, identities: [fuzzIdentity], passphrase: nil, maxWorkFactor: fuzzLimits.maxScryptLogN)
        guard fileKey.count == Age.fileKeySize else { fatalError("a file key of \(fileKey.count) bytes") }
    } catch {
        expectDecodeError(error)
    }
}
