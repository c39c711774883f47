/// What a packed file's header says: its format and how its frames are made, read without a key.
public struct ContainerInfo: Equatable, Sendable {
    /// Which registered format the file is in.
    public var format: ContainerKind
    /// The version of the format the file declares.
    public var version: Int
    /// The compression stage and its level.
    public var codec: CodecSettings
    /// The AEAD cipher, `.none` when not encrypted.
    public var cipher: Cipher
    /// The per-frame plaintext checksum.
    public var checksum: ChecksumKind
    /// Plaintext bytes per frame (the final frame may hold fewer).
    public var chunkSize: Int
    /// How the file key is wrapped, for `inspect` (`nil` without a cipher).
    public var keyDerivation: String?
    /// Name, size, mode and mtime, when the file records them.
    public var metadata: FileMetadata?
    /// The key-wrapping stanzas the header lists, counted by type (`["X25519": 3]` for a `.slc` or an
    /// age file encrypted to three recipients, `["scrypt": 1]` for an age passphrase file); empty when
    /// there are none. Public keys and wrapped keys are not shown.
    public var stanzas: [String: Int] = [:]
}
