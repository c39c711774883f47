/// The container formats Sluice writes and reads. Registering a format is one case here and its line
/// in ``format``; pack, unpack, verify, inspect and range restore then find it by its first bytes.
public enum ContainerKind: String, CaseIterable, Sendable {
    /// Sluice's own `.slc` (docs/format.md).
    case slc

    /// The type that implements the format.
    var format: any ContainerFormat.Type {
        switch self {
        case .slc: SlcFormat.self
        }
    }

    /// What the engine needs to know to drive the format.
    var traits: FormatTraits { format.traits }

    /// Bytes to read before ``detect(_:)`` can tell every registered format apart.
    static let signatureSize = allCases.map { $0.format.signatureSize }.max() ?? 0

    /// The format a file starting with `prefix` is in; `nil` when no registered format recognises it.
    static func detect(_ prefix: [UInt8]) -> ContainerKind? {
        allCases.first { $0.format.recognises(Array(prefix.prefix($0.format.signatureSize))) }
    }
}

extension ContainerKind {
    /// Finds the format of the file whose header `input` reads, and opens it: the one place every read
    /// path (unpack from a file or a pipe, verify, range restore, inspect, a batch's small and large
    /// files) opens a file, so the caller's key policy (`limits.keys`, no unencrypted file when a key is
    /// given) applies to every path and every format — checked against the wrappings a format asks a key
    /// for (before any derivation), and against the header once read.
    ///
    /// - Throws: ``SluiceError/Code/corrupt`` when no registered format recognises the first bytes or
    ///   the header is invalid; ``SluiceError/Code/wrongKey`` when the policy refuses the file or the key
    ///   does not open it.
    static func open(_ input: HeaderInput, keys: KeyProvider, limits: DecodeLimits, requireKey: Bool) throws -> any FormatReader {
        guard let kind = detect(input.prefix) else { throw SluiceError.corrupt("not a Sluice file (bad magic)") }
        let policy = limits.keys
        let reader = try kind.format.reader(
            from: input,
            keys: { request in
                try policy.admit(request.wrappings, boundToContext: request.boundToContext)
                return try keys(request)
            },
            limits: limits, requireKey: requireKey)
        try policy.admit(reader.keyWrappings, boundToContext: reader.boundToContext)
        return reader
    }
}
