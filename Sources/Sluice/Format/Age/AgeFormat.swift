/// age v1 as a container format (docs/format.md, "age v1"): the header (stanzas + MAC) and the payload
/// nonce, then the STREAM chunks. A frame is a run of whole 64 KiB STREAM chunks — the chunk size a
/// plan picks, a multiple of 64 KiB — sealed on a worker with the nonce counter of its first chunk, so
/// the engine seals and opens age's chunks on every core. There is no compression and no tail.
///
/// Reading, frames carry no length: a seekable file's frames are computed from its size, a pipe's are
/// read whole until the input ends (``FormatTraits/lastFrameEndsAtEndOfInput``).
enum AgeFormat: ContainerFormat {
    static let kind = ContainerKind.age
    static let traits = FormatTraits(
        chunkSizes: Age.chunkSize...(256 << 20), chunkSizeMultiple: Age.chunkSize, lastFrameEndsAtEndOfInput: true)
    static let signatureSize = 8
    /// STREAM chunks per frame when reading: 1 MiB of plaintext per job.
    static let readChunksPerFrame = 16

    /// A binary age file starts with its version line; an armored one is unwrapped before it gets here.
    static func recognises(_ prefix: [UInt8]) -> Bool { Age.versionLine.starts(with: prefix) && !prefix.isEmpty }

    static func writer(for request: WriteRequest) throws -> AgeWriter { try AgeWriter(request) }

    static func reader(from input: HeaderInput, keys: KeyProvider, limits: DecodeLimits, requireKey: Bool) throws -> AgeReader {
        var bytes = input.prefix
        var header: AgeHeader?
        while true {
            header = try AgeHeader.parse(bytes)
            if header != nil { break }
            guard bytes.count <= Age.maxHeaderSize else { throw Age.Failure.header.error("longer than \(Age.maxHeaderSize) bytes") }
            do {
                bytes += try input.readMore(1, "the age header")
                // Then a line at a time is enough: read up to the next LF in small steps.
                while bytes.last != UInt8(ascii: "\n"), bytes.count <= Age.maxHeaderSize {
                    bytes += try input.readMore(1, "the age header")
                }
            } catch let error as SluiceError where error.code == .corrupt {
                throw Age.Failure.header.error("the header is truncated")
            }
        }
        let parsed = header!
        let nonce: [UInt8]
        do {
            let extra = bytes.count - parsed.length
            nonce = Array(bytes[parsed.length...]) + (extra < Age.nonceSize ? try input.readMore(Age.nonceSize - extra, "the payload nonce") : [])
        } catch let error as SluiceError where error.code == .corrupt {
            throw Age.Failure.header.error("the payload nonce is missing or short")
        }
        var payloadKey: [UInt8]?
        if requireKey {
            let source = try keys(KeyRequest(format: .age, wrappings: wrappings(of: parsed.stanzas)))
            var identities: [AgeIdentity] = []
            var passphrase: [UInt8]?
            switch source {
            case .identities(let given): identities = given
            case .passphrase(let given): passphrase = given
            case .keyFile: throw Age.noMatch("an age file is opened with an identity (-i) or a passphrase, not a key file")
            case .recipients, nil: break
            }
            let fileKey = try AgeStanza.unwrap(
                parsed.stanzas, identities: identities, passphrase: passphrase, maxWorkFactor: limits.maxScryptLogN)
            try parsed.authenticate(fileKey: fileKey)
            payloadKey = try AgeKeySchedule.payloadKey(fileKey, nonce: nonce)
        }
        return AgeReader(header: parsed, headerSize: parsed.length + Age.nonceSize, payloadKey: payloadKey)
    }

    /// How `stanzas` wrap the file key, for the key request and the key policy: a scrypt stanza is a
    /// passphrase wrapping, X25519 stanzas recipients (opened by `-i`). Never empty — an age file is
    /// always encrypted. A header mixing scrypt with X25519 (invalid) lists both, so the policy admits it
    /// for either kind and the stanza rules then refuse it as a bad header; a header of only unknown
    /// stanza types (a plugin's, or `Scrypt`) names no kind of secret, so it lists both too and any
    /// secret given ends in "no identity matches", as age says.
    static func wrappings(of stanzas: [AgeStanza]) -> [KeyWrapping] {
        let x25519 = stanzas.filter { $0.type == AgeStanza.x25519Type }.count
        let scrypt = stanzas.first { $0.type == AgeStanza.scryptType }
        let passphrase = KeyWrapping.passphrase(ScryptCost(logN: scrypt.flatMap { Int($0.arguments.last ?? "") } ?? 0))
        switch (scrypt != nil, x25519 > 0) {
        case (true, false): return [passphrase]
        case (false, true): return [.recipients(x25519)]
        default: return [.recipients(x25519), passphrase]
        }
    }

    /// age has no compression: `store`, which cannot fail to build.
    static let store = try! CodecSettings(.store)

    /// What `inspect` shows for an age header.
    static func info(stanzas: [AgeStanza]) -> ContainerInfo {
        let kinds = Dictionary(grouping: stanzas, by: \.type).map { "\($0.value.count) \($0.key)" }.sorted()
        return ContainerInfo(
            format: .age, version: 1, codec: store, cipher: .chacha20poly1305, checksum: .none,
            chunkSize: Age.chunkSize, keyDerivation: "age stanzas: " + kinds.joined(separator: ", "), metadata: nil,
            stanzas: Dictionary(grouping: stanzas, by: \.type).mapValues(\.count))
    }
}
