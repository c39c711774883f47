/// What a packed file's header says: its format and how its frames are made, read without a key.
public struct ContainerInfo: Equatable, Sendable {
    public var format: ContainerKind
    /// The version of the format the file declares.
    public var version: Int
    public var codec: CodecSettings
    public var cipher: Cipher
    public var checksum: ChecksumKind
    /// Plaintext bytes per frame (the final frame may hold fewer).
    public var chunkSize: Int
    /// How the file key is wrapped, for `inspect` (`nil` without a cipher).
    public var keyDerivation: String?
    /// Name, size, mode and mtime, when the file records them.
    public var metadata: FileMetadata?
}
