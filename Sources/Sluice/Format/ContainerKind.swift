/// The container formats Sluice writes and reads. Registering a format is one case here and its line
/// in ``format``; pack, unpack, verify, inspect and range restore then find it by its first bytes.
public enum ContainerKind: String, CaseIterable, Sendable {
    /// Sluice's own `.slc` (docs/format.md).
    case slc
    /// age v1 (age-encryption.org/v1): X25519 recipients or a passphrase, 64 KiB STREAM chunks, no
    /// compression (docs/format.md, "age v1").
    case age

    /// The type that implements the format.
    var format: any ContainerFormat.Type {
        switch self {
        case .slc: SlcFormat.self
        case .age: AgeFormat.self
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
