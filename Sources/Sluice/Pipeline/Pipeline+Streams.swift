import SystemPackage

extension Pipeline {
    /// Packs everything read from `input` (a pipe, a socket, or a file read from its current offset) and
    /// writes the packed stream to `output`, in order, as the chunks are done.
    ///
    /// Neither descriptor is closed. No name, mode or mtime is recorded; a file whose size is known up
    /// front (a regular file) gets its chunk size planned from it.
    ///
    /// ```swift
    /// var options = PackOptions(codec: try CodecSettings(.zstd, level: 3))
    /// let report = try Pipeline.packStream(from: .standardInput, to: .standardOutput, options: options)
    /// print(report.plainBytes, "→", report.packedBytes)
    /// ```
    ///
    /// - Parameters:
    ///   - options: the format, codec, cipher, key and sizes (``PackOptions``).
    ///   - progress: called on the calling thread with the plaintext bytes done so far.
    /// - Returns: what was written (``PackReport``).
    /// - Throws: ``SluiceError``; bytes already written to `output` stay written.
    public static func packStream(
        from input: FileDescriptor, to output: FileDescriptor, options: PackOptions,
        progress: (UInt64) -> Void = { _ in }
    ) throws -> PackReport {
        try pack(
            opening(input), nil, to: .standardOutput, stream: output, options: options, keepMetadata: false,
            armored: false, policy: OutputPolicy(), io: nil, storage: nil, explain: { _ in }, progress: progress)
    }

    /// Unpacks the `.slc`, `.zst`, `.lz4` or age stream read from `input` (its format told by its first
    /// bytes) and writes the restored bytes to `output`.
    ///
    /// Neither descriptor is closed. A stream's bytes are written as they verify: when this throws,
    /// `output` may hold a verified prefix, never a byte that did not verify.
    ///
    /// - Parameters:
    ///   - key: answers the file's key request (``KeyProvider``); return `nil` for an unencrypted file.
    ///   - limits: what an untrusted input may ask for (``DecodeLimits``).
    ///   - workers: CPU threads; `nil`: one per core.
    ///   - memoryLimit: the bound on the run's buffers; `nil`: a quarter of the machine's memory.
    ///   - progress: called on the calling thread with the plaintext bytes done so far.
    /// - Returns: what was read and restored (``UnpackReport``).
    /// - Throws: ``SluiceError``.
    public static func unpackStream(
        from input: FileDescriptor, to output: FileDescriptor, key: KeyProvider, limits: DecodeLimits = DecodeLimits(),
        workers: Int? = nil, memoryLimit: ByteCount? = nil, progress: (UInt64) -> Void = { _ in }
    ) throws -> UnpackReport {
        try unpack(
            opening(input), nil, to: .standardOutput, stream: output, key: key, workers: workers, memoryLimit: memoryLimit,
            limits: limits, restoreMetadata: false, policy: OutputPolicy(), range: nil, io: nil, storage: nil,
            opened: { _ in }, explain: { _ in }, progress: progress)
    }

    /// Decodes the stream read from `input` completely and checks every frame, the index and the digest,
    /// writing nothing. `input` is not closed.
    ///
    /// - Parameters:
    ///   - key: answers the file's key request (``KeyProvider``).
    ///   - limits: what an untrusted input may ask for (``DecodeLimits``).
    /// - Returns: what was read (``UnpackReport``), with the digest for a `.slc` file.
    /// - Throws: ``SluiceError``: ``SluiceError/Code/corrupt`` or ``SluiceError/Code/wrongKey`` when
    ///   the stream does not verify.
    public static func verifyStream(
        from input: FileDescriptor, key: KeyProvider, limits: DecodeLimits = DecodeLimits(), workers: Int? = nil,
        memoryLimit: ByteCount? = nil
    ) throws -> UnpackReport {
        try verify(opening(input), key: key, workers: workers, memoryLimit: memoryLimit, limits: limits, io: nil, storage: nil)
    }

    /// An already open descriptor as a run's input, with its status when it has one.
    private static func opening(_ descriptor: FileDescriptor) -> OpenInput {
        OpenInput(fd: descriptor, status: try? FileSystem.status(of: descriptor))
    }
}
