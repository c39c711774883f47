// The `slc` target (see SluiceFuzz.swift for the driver): a packed file decoded in memory through the
// format readers the tool uses, the three ways the tool reads one, and a range restored from it.
#if canImport(Glibc)
import Glibc
#endif
@testable import Sluice
import SystemPackage

/// The key file and the passphrase the seed corpus was encrypted with (Tests/Fuzz/make-corpus.sh).
let fuzzKey = [UInt8](repeating: 0x5A, count: 32)
let fuzzPassphrase = Array("sluice fuzz".utf8)
/// The identity of the age seeds and of the `.slc` recipient seeds.
let fuzzIdentity = try! AgeIdentity(parsing: "AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0")

/// The secret for whatever the header asks.
func fuzzKeys(_ request: KeyRequest) -> KeySource? {
    switch request.wrappings.first {
    case .keyFile: .keyFile(fuzzKey)
    case .passphrase: .passphrase(fuzzPassphrase)
    case .recipients: .identities([fuzzIdentity])
    case nil: nil
    }
}

/// scrypt at 2^10 at most (what the seeds use) keeps one execution in about a millisecond.
let fuzzLimits = DecodeLimits(maxScryptLogN: 10)
/// A batch takes a file whole in memory only when its index's plaintext fits its budget; above this
/// the harness leaves it (the large-file path is the same reader, frame by frame).
private let plainLimit = 64 << 20

private let unpacker = MemoryUnpacker(limits: fuzzLimits)
private let slot = UnpackSlot()
private let plain = RawBuffer()
nonisolated(unsafe) private let context = WorkerContext()
nonisolated(unsafe) private let file = MemoryFile()

func fuzzContainer(_ data: UnsafeRawBufferPointer) {
    decodeContainer(data)
    var fixed = Array(data)
    if fixCheckValues(&fixed) { fixed.withUnsafeBytes { decodeContainer($0) } }
}

/// The three reads of a packed file: `sluice inspect` (header without a key, then the index), a batch's
/// in-memory decode through the index, and a walk from the front as a pipe is read. A file that both
/// decodes accept must give the same plaintext size both ways, and the size the index declares.
func decodeContainer(_ image: UnsafeRawBufferPointer, keys: KeyProvider = fuzzKeys) {
    // A zstd or LZ4 file is read by its own reader (the `zstd` and `lz4` targets), never by these.
    if let kind = ContainerKind.detect(Array(image.prefix(ContainerKind.signatureSize))), kind.isStandard { return }
    file.hold(image)
    // (An armored age file is unarmored by a thread of its own: the in-memory reads below refuse it.)
    if !AgeArmor.isArmored(image.prefix(ContainerKind.signatureSize)) {
        do {
                let opened = try Pipeline.readHeader(
                from: file.fd, key: { _ in nil }, limits: DecodeLimits(maxScryptLogN: 64), requireKey: false)
            _ = try Pipeline.readIndex(opened.reader, file.fd, fileSize: UInt64(image.count))
        } catch {
            expectDecodeError(error)
        }
    }

    let opened: OpenedContainer
    do {
        opened = try unpacker.open(image, key: keys, requireKey: true)
    } catch {
        expectDecodeError(error, allowing: [.corrupt, .wrongKey, .invalidArgument])
        return
    }
    var indexed: Int?
    let declared = unpacker.declaredPlainSize(of: image, opened: opened)
    if (declared ?? 0) <= plainLimit {
        do {
            try unpacker.decode(image, opened: opened, slot: slot, into: plain, context: context)
            indexed = plain.count
            guard declared == plain.count else { fatalError("the index declares \(declared ?? -1) bytes, the decode gave \(plain.count)") }
        } catch {
            expectDecodeError(error)
        }
    }
    if let walked = walk(image, reader: opened.reader), let indexed, walked != indexed {
        fatalError("the index gave \(indexed) bytes, the walk \(walked)")
    }
    if indexed != nil, opened.reader.info.format.traits.indexedFromTheEnd { checkRange(image, reader: opened.reader) }
}

/// `--range` as range restore makes one (Pipeline.unpackRange), in memory, once the whole file decoded
/// into `plain`: the index read again, the frames that hold a range picked by the input decoded and
/// clipped. Inside the plaintext it must succeed and keep exactly those bytes of `plain`; past its
/// end it must refuse the range (`.invalidArgument`).
private func checkRange<Reader: FormatReader>(_ image: UnsafeRawBufferPointer, reader: Reader) {
    let total = UInt64(plain.count)
    let range = pickedRange(image, total: total)
    var offset = Int(range.lowerBound)
    do {
        let index = try MemoryUnpacker.index(image, reader)
        let kept = try restoreRange(range, of: index, in: image, reader: reader) { piece in
            guard offset + piece.count <= plain.count,
                  piece.isEmpty || memcmp(piece.baseAddress!, plain.bytes.baseAddress! + offset, piece.count) == 0
            else { fatalError("range \(range) kept other bytes than the whole decode at \(offset)") }
            offset += piece.count
        }
        guard range.upperBound <= total, kept == UInt64(range.count) else {
            fatalError("range \(range) of \(total) bytes kept \(kept)")
        }
    } catch let error as SluiceError where error.code == .invalidArgument && range.upperBound > total {
    } catch {
        fatalError("range \(range) of a file that decodes (\(total) bytes) failed: \(error)")
    }
}

/// Decodes `image` front to back as the engine reads a pipe (Pipeline.unpack's walk, on this thread):
/// each frame located by ``FormatReader/walk(prefix:index:offset:)`` (or ended by the input), decoded,
/// checked in order by the verifier, then the tail. Returns the plaintext size, or nil for an error
/// a decoder may give.
private func walk<Reader: FormatReader>(_ image: UnsafeRawBufferPointer, reader: Reader) -> Int? {
    let traits = reader.info.format.traits
    guard traits.walkable else { return nil }
    var offset = reader.headerSize
    var index: UInt64 = 0
    var entries: [FrameEntry] = []
    var produced = 0
    do {
        var verifier = try reader.verifier()
        while true {
            let entry: FrameEntry
            let isLast: Bool
            let rest = image.count - offset
            if traits.lastFrameEndsAtEndOfInput {
                isLast = rest <= reader.maxFrameSize
                entry = try reader.frameEndedByInput(
                    size: min(rest, reader.maxFrameSize), isLast: isLast, index: index, offset: UInt64(offset))
            } else {
                let prefixSize = reader.framePrefixSize
                guard rest >= prefixSize else { throw SluiceError.corrupt("truncated input: frame \(index) is incomplete") }
                let walked = try reader.walk(
                    prefix: UnsafeRawBufferPointer(rebasing: image[offset..<offset + prefixSize]), index: index, offset: UInt64(offset))
                entry = walked.entry
                isLast = walked.isLast
                // The engine reads the prefix, then the rest of the frame into a slot of maxFrameSize bytes.
                guard entry.size >= prefixSize, entry.size <= reader.maxFrameSize else {
                    fatalError("walk gave a frame of \(entry.size) bytes (prefix \(prefixSize), most \(reader.maxFrameSize))")
                }
                guard rest >= entry.size else { throw SluiceError.corrupt("truncated input: frame \(index) is incomplete") }
            }
            slot.frame.reserve(entry.size)
            if entry.size > 0 { slot.frame.bytes.baseAddress!.copyMemory(from: image.baseAddress! + offset, byteCount: entry.size) }
            slot.frame.count = entry.size
            slot.entry = entry
            try slot.decode(with: reader, index: index, context: context)
            try verifier.add(frame: slot.frame.contents, entry: entry, plain: slot.plaintext)
            produced += slot.plaintext.count
            entries.append(entry)
            offset += entry.size
            index += 1
            if isLast { break }
        }
        let tailSize = reader.streamTailSize(frames: entries.count)
        guard image.count - offset >= tailSize else { throw SluiceError.corrupt("truncated input: the trailer is incomplete") }
        guard image.count - offset == tailSize else { throw SluiceError.corrupt("unexpected data after the end of the file") }
        _ = try verifier.finish(entries: entries, tail: .streamed(Array(image[offset...])))
        return produced
    } catch {
        expectDecodeError(error)
        return nil
    }
}

private func load<T: FixedWidthInteger>(_ bytes: [UInt8], _ offset: Int, as: T.Type) -> T {
    bytes.withUnsafeBytes { $0.loadLittleEndian(at: offset, as: T.self) }
}

/// Recomputes the XXH3 check values of a plain (unencrypted) header and trailer, where the bytes still
/// say where they are, so that mutations reach the fields behind them; returns whether anything changed.
private func fixCheckValues(_ bytes: inout [UInt8]) -> Bool {
    guard bytes.count >= 33, Array(bytes[0..<8]) == Header.magic, bytes[18] == 0 else { return false }
    let original = bytes
    let headerLength = Int(load(bytes, 10, as: UInt16.self))
    if headerLength >= 33, headerLength <= bytes.count {
        let tag = try! Header.tag(over: Array(bytes[0..<headerLength - 8]), cipher: .none, keys: nil)
        bytes.replaceSubrange(headerLength - 8..<headerLength, with: tag)
    }
    guard bytes.count >= headerLength + Footer.size else { return bytes != original }
    let footerStart = bytes.count - Footer.size
    let trailerOffset = load(bytes, footerStart, as: UInt64.self)
    let trailerSize = load(bytes, footerStart + 8, as: UInt64.self)
    guard trailerSize >= 12, trailerSize <= UInt64(footerStart), trailerOffset == UInt64(footerStart) - trailerSize
    else { return bytes != original }
    let start = Int(trailerOffset)
    let end = footerStart
    let tag = try! Header.tag(over: Array(bytes[start..<end - 8]), cipher: .none, keys: nil)
    bytes.replaceSubrange(end - 8..<end, with: tag)
    return bytes != original
}
