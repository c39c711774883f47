/// Sluice's own container, `.slc` version 1 (docs/format.md): header, length-prefixed frames with a
/// checksum and (encrypted) an AEAD tag bound to their index, then a trailer with the chunk index and the
/// whole-file digest, and a footer pointing at it. The only code that knows these bytes is in this file,
/// its `SlcFormat+Write.swift` and `SlcFormat+Read.swift`, and the structures it uses (``Header``,
/// ``FrameHeader``, ``Trailer``, ``Footer``).
enum SlcFormat: ContainerFormat {
    static let kind = ContainerKind.slc
    static let traits = FormatTraits(chunkSizes: Header.chunkSizes)
    static let signatureSize = Header.magic.count

    static func recognises(_ prefix: [UInt8]) -> Bool { prefix == Header.magic }

    static func writer(for request: WriteRequest) throws -> SlcWriter { try SlcWriter(request) }

    static func reader(from input: HeaderInput, keys: KeyProvider, limits: DecodeLimits, requireKey: Bool) throws -> SlcReader {
        var bytes = input.prefix
        if bytes.count < Header.prefixSize { bytes += try input.readMore(Header.prefixSize - bytes.count, "the header") }
        let length = try Header.length(fromPrefix: bytes)
        if bytes.count < length { bytes += try input.readMore(length - bytes.count, "the header") }
        let header = try Header.decode(bytes, limits: limits)
        var fileKeys: FileKeys?
        if let block = header.keyBlock, requireKey {
            let request = KeyRequest(format: .slc, wrappings: [block.wrapping], boundToContext: block.hasContext)
            guard let source = try keys(request) else {
                if block.derivation == .recipients {
                    throw Age.noMatch("this file is encrypted to \(block.stanzas.count) age recipient(s); give an identity with -i")
                }
                throw SluiceError.invalid("this file is encrypted (\(header.cipher.rawValue)): give --key-file or a passphrase")
            }
            fileKeys = try FileKeys.open(block, source: source, cipher: header.cipher, context: limits.keys.context)
            try header.authenticate(bytes, keys: fileKeys!)
        }
        return SlcReader(header: header, headerSize: bytes.count, keys: fileKeys)
    }
}

extension KeyBlock {
    /// How this block wraps the file key, as a ``KeyRequest`` lists it.
    var wrapping: KeyWrapping {
        switch derivation {
        case .scrypt: .passphrase(cost ?? .default)
        case .keyFile: .keyFile
        case .recipients: .recipients(stanzas.count)
        }
    }
}

extension Header {
    /// The header as ``ContainerInfo``.
    var info: ContainerInfo {
        ContainerInfo(
            format: .slc, version: Int(Header.version), codec: codec, cipher: cipher, checksum: checksum, chunkSize: chunkSize,
            keyDerivation: keyDerivation, metadata: metadata,
            stanzas: keyBlock?.stanzas.isEmpty == false ? [AgeStanza.x25519Type: keyBlock!.stanzas.count] : [:])
    }
}
