/// age's payload encryption (STREAM, age v1 spec "Payload"): the plaintext in 64 KiB chunks, each
/// sealed with ChaCha20-Poly1305 under the payload key with the nonce = 11-byte big-endian chunk
/// counter ‖ a byte that is 1 for the last chunk and 0 otherwise. Chunks are independent, so any run
/// of them can be sealed or opened on any core given its first chunk's index and whether it ends the
/// file.
///
/// Layout rules: every chunk but the last holds exactly 64 KiB; the last holds 1…64 KiB, or 0 only
/// when it is the only chunk (an empty file). A payload thus always has at least one chunk.
enum AgeStream {
    /// The 12-byte nonce of chunk `index`.
    static func nonce(chunk index: UInt64, last: Bool) -> [UInt8] {
        var nonce = [UInt8](repeating: 0, count: 12)
        for byte in 0..<8 { nonce[10 - byte] = UInt8(truncatingIfNeeded: index >> (8 * UInt64(byte))) }
        nonce[11] = last ? 1 : 0
        return nonce
    }

    /// Chunks in a payload of `plainSize` bytes.
    static func chunkCount(plainSize: UInt64) -> UInt64 {
        max(1, (plainSize + UInt64(Age.chunkSize) - 1) / UInt64(Age.chunkSize))
    }

    /// Sealed payload bytes (after the nonce) for `plainSize` bytes of plaintext.
    static func sealedSize(plainSize: UInt64) -> UInt64 {
        plainSize + chunkCount(plainSize: plainSize) * UInt64(Age.tagSize)
    }

    /// Plaintext bytes of a sealed run of `sealedSize` bytes that ends the payload (`isFinal`) or
    /// not; `nil` when no valid run has that size.
    static func plainSize(sealedSize: Int, isFinal: Bool, firstChunk: UInt64) -> Int? {
        let full = sealedSize / Age.sealedChunkSize, rest = sealedSize % Age.sealedChunkSize
        guard isFinal else { return rest == 0 && full > 0 ? full * Age.chunkSize : nil }
        if rest == 0 { return full > 0 ? full * Age.chunkSize : nil }
        // The last chunk needs its tag, and may be empty only when it is the payload's only chunk.
        guard rest > Age.tagSize || (rest == Age.tagSize && firstChunk == 0 && full == 0) else { return nil }
        return full * Age.chunkSize + rest - Age.tagSize
    }

    /// Seals `plaintext` — chunks `firstChunk`, `firstChunk + 1`, … — into `sealed`
    /// (``sealedSize(plainSize:)`` bytes). `isFinal`: the run ends the file, so its last chunk gets
    /// the last-chunk flag; otherwise `plaintext` must be whole chunks.
    static func seal(
        _ plaintext: UnsafeRawBufferPointer, into sealed: UnsafeMutableRawBufferPointer, firstChunk: UInt64,
        isFinal: Bool, key: [UInt8], context: AEADContext
    ) throws {
        let count = Int(chunkCount(plainSize: UInt64(plaintext.count)))
        precondition(isFinal || plaintext.count % Age.chunkSize == 0)
        precondition(sealed.count == Int(sealedSize(plainSize: UInt64(plaintext.count))))
        for chunk in 0..<count {
            let start = chunk * Age.chunkSize, end = min(start + Age.chunkSize, plaintext.count)
            let out = chunk * Age.sealedChunkSize
            let length = end - start
            try context.seal(
                UnsafeMutableRawBufferPointer(rebasing: sealed[out..<(out + length)]),
                from: UnsafeRawBufferPointer(rebasing: plaintext[start..<end]),
                tag: UnsafeMutableRawBufferPointer(rebasing: sealed[(out + length)..<(out + length + Age.tagSize)]),
                cipher: .chacha20poly1305, key: key,
                nonce: nonce(chunk: firstChunk + UInt64(chunk), last: isFinal && chunk == count - 1),
                authenticating: UnsafeRawBufferPointer(start: nil, count: 0))
        }
    }

    /// Opens a sealed run — chunks `firstChunk`, … — into `plaintext`, which must hold
    /// ``plainSize(sealedSize:isFinal:firstChunk:)`` bytes; returns that count.
    ///
    /// - Throws: the ``Age/Failure/payload`` failure when the run's size is impossible or a chunk does
    ///   not authenticate (changed, reordered, truncated, or a last chunk that is not flagged as
    ///   last); nothing of `plaintext` may be used then.
    @discardableResult
    static func open(
        _ sealed: UnsafeRawBufferPointer, into plaintext: UnsafeMutableRawBufferPointer, firstChunk: UInt64,
        isFinal: Bool, key: [UInt8], context: AEADContext
    ) throws -> Int {
        guard let size = plainSize(sealedSize: sealed.count, isFinal: isFinal, firstChunk: firstChunk) else {
            throw Age.Failure.payload.error(
                sealed.isEmpty ? "the payload has no chunks" : isFinal ? "the last chunk is truncated or empty" : "a chunk is truncated")
        }
        precondition(plaintext.count >= size)
        let count = (sealed.count + Age.sealedChunkSize - 1) / Age.sealedChunkSize
        for chunk in 0..<count {
            let start = chunk * Age.sealedChunkSize, end = min(start + Age.sealedChunkSize, sealed.count)
            let length = end - start - Age.tagSize
            let index = firstChunk + UInt64(chunk)
            do {
                try context.open(
                    UnsafeMutableRawBufferPointer(rebasing: plaintext[(chunk * Age.chunkSize)..<(chunk * Age.chunkSize + length)]),
                    from: UnsafeRawBufferPointer(rebasing: sealed[start..<(start + length)]),
                    tag: UnsafeRawBufferPointer(rebasing: sealed[(start + length)..<end]),
                    cipher: .chacha20poly1305, key: key, nonce: nonce(chunk: index, last: isFinal && chunk == count - 1),
                    authenticating: UnsafeRawBufferPointer(start: nil, count: 0))
            } catch let error as SluiceError where error.code == .corrupt {
                throw Age.Failure.payload.error(
                    "chunk \(index) failed authentication (changed, reordered, truncated, or a missing last chunk)")
            }
        }
        return size
    }
}
