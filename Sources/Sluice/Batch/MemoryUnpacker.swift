/// Decodes a whole packed file held in memory, on one worker: the small-file half of an unpack batch.
///
/// The same format reader as ``Pipeline/unpack(_:from:to:workers:memoryLimit:pool:io:isStream:positional:reads:sparse:progress:)``
/// opens the header, locates the frames from the index (checked once), decodes each and checks the tail,
/// so every rule of the format applies here too.
struct MemoryUnpacker: Sendable {
    let limits: DecodeLimits

    /// Opens the header at the start of `image`, in whichever registered format it is; with
    /// `requireKey`, obtains and checks the key through `key`.
    ///
    /// - Throws: ``SluiceError/Code/corrupt`` when it is not a valid header; key errors as
    ///   ``Pipeline/readHeader(from:key:limits:requireKey:)``.
    func open(_ image: UnsafeRawBufferPointer, key: KeyProvider, requireKey: Bool) throws -> OpenedContainer {
        guard image.count >= ContainerKind.signatureSize else { throw SluiceError.corrupt("not a Sluice file (too short)") }
        let prefix = Array(image[0..<ContainerKind.signatureSize])
        try Self.refuseArmor(prefix)
        var cursor = prefix.count
        let input = HeaderInput(prefix: prefix) { count, what in
            guard image.count - cursor >= count else { throw SluiceError.corrupt("truncated input: \(what) is incomplete") }
            defer { cursor += count }
            return Array(image[cursor..<cursor + count])
        }
        return OpenedContainer(reader: try ContainerKind.open(input, keys: key, limits: limits, requireKey: requireKey))
    }

    /// Refuses an armored age file (its first bytes are `prefix`): a batch reads files as binary
    /// containers, in memory or from their index, and unarmoring is a stream of its own; `sluice unpack
    /// FILE` reads it (docs/cli.md, "age files").
    static func refuseArmor(_ prefix: some Collection<UInt8>) throws {
        if AgeArmor.isArmored(prefix) {
            throw SluiceError.invalid("an armored age file is not unpacked in a directory batch: unpack it alone (sluice unpack FILE)")
        }
    }

    /// The plaintext size the index declares; `nil` when it is malformed (``decode`` then reports
    /// exactly what).
    func declaredPlainSize(of image: UnsafeRawBufferPointer, opened: OpenedContainer) -> Int? {
        guard let index = try? Self.index(image, opened.reader) else { return nil }
        return index.entries.reduce(0) { $0 + $1.plainSize }
    }

    /// The index of `image`, read and checked by `reader` (a seekable format).
    static func index(_ image: UnsafeRawBufferPointer, _ reader: some FormatReader) throws -> FrameIndex {
        try reader.index(fileSize: UInt64(image.count)) { offset, count in
            guard offset <= UInt64(image.count), UInt64(count) <= UInt64(image.count) - offset else {
                throw SluiceError.corrupt("truncated input")
            }
            return Array(image[Int(offset)..<Int(offset) + count])
        }
    }

    /// Verifies and decodes the frames of `image`, opened with its key, into `plain`.
    ///
    /// - Parameter slot: scratch space for one frame, reused.
    /// - Throws: ``SluiceError/Code/corrupt`` naming the first problem; `plain` then holds garbage.
    func decode(
        _ image: UnsafeRawBufferPointer, opened: OpenedContainer, slot: UnpackSlot, into plain: RawBuffer, context: WorkerContext
    ) throws {
        try decode(image, reader: opened.reader, slot: slot, into: plain, context: context)
    }

    private func decode(
        _ image: UnsafeRawBufferPointer, reader: some FormatReader, slot: UnpackSlot, into plain: RawBuffer, context: WorkerContext
    ) throws {
        let index = try Self.index(image, reader)
        let total = index.entries.reduce(0) { $0 + $1.plainSize }
        plain.reserve(total)
        var verifier = try reader.verifier()
        var produced = 0
        for (number, entry) in index.entries.enumerated() {
            slot.frame.reserve(entry.size)
            slot.frame.bytes.baseAddress!.copyMemory(from: image.baseAddress! + Int(entry.offset), byteCount: entry.size)
            slot.frame.count = entry.size
            try reader.check(frame: slot.frame.contents, against: entry, index: UInt64(number), isLast: number == index.entries.count - 1)
            slot.entry = entry
            try slot.decode(with: reader, index: UInt64(number), context: context)
            let text = slot.plaintext
            if text.count > 0 { (plain.bytes.baseAddress! + produced).copyMemory(from: text.baseAddress!, byteCount: text.count) }
            produced += text.count
            try verifier.add(frame: slot.frame.contents, entry: entry, plain: text)
        }
        _ = try verifier.finish(entries: index.entries, tail: .indexed(index))
        plain.count = produced
    }
}
