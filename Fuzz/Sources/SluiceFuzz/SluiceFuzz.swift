// libFuzzer entry point for Sluice. One binary, four targets, chosen with SLUICE_FUZZ_TARGET:
//
//   stream    the bytes as they are, through a pipe: Pipeline.readHeader + Pipeline.unpack front to back
//   seekable  the bytes in a temporary file, header and trailer check values recomputed first (so the
//             fuzzer gets past them): unpack with positional writes, inspect, range restore, and the
//             two decoders cross-checked against each other
//   inspect   the bytes in a temporary file as they are: Pipeline.inspect and what `sluice inspect`
//             prints, then a range restore
//   parsers   the bytes as text: ByteCount(parsing:) and ByteRange.parse (`--range`)
//
// Every target decodes with and without a key: an encrypted header gets the fixed fuzz key file or
// passphrase (the seed corpus is made with them, see Tests/Fuzz/make-corpus.sh), a plain one none.
// A crash, a sanitizer report, an error that is not a SluiceError, or an error code a decoder must never
// give for bad input is a finding.
#if canImport(Glibc)
import Glibc
#endif
@testable import Sluice
import SystemPackage

private enum Target: String {
    case stream, seekable, inspect, parsers
}

private let target: Target = {
    guard let name = getenv("SLUICE_FUZZ_TARGET").map({ String(cString: $0) }) else { return .stream }
    guard let target = Target(rawValue: name) else { fatalError("SLUICE_FUZZ_TARGET=\(name) is not a target") }
    return target
}()

/// The key file and the passphrase the seed corpus was encrypted with.
let fuzzKey = [UInt8](repeating: 0x5A, count: 32)
let fuzzPassphrase = Array("sluice fuzz".utf8)

/// scrypt at 2^12 at most keeps one execution in milliseconds; the seeds use 2^10.
private let limits = DecodeLimits(maxScryptLogN: 12)
private let pool = WorkerPool.shared(workers: 2)

private func key(for request: KeyRequest) -> KeySource? {
    switch request.wrappings.first {
    case .keyFile: .keyFile(fuzzKey)
    case .passphrase: .passphrase(fuzzPassphrase)
    case nil: nil
    }
}

/// A bad input may be reported as corrupt, as opened with the wrong key, or (range restore only) as an
/// impossible request; never as an I/O or library failure, and never by anything but a SluiceError.
private func expectDecodeError(_ error: any Error, allowing allowed: Set<SluiceError.Code> = [.corrupt, .wrongKey]) {
    guard let error = error as? SluiceError else { fatalError("not a SluiceError: \(error)") }
    guard allowed.contains(error.code) else { fatalError("unexpected \(error.code) for bad input: \(error)") }
}

// MARK: - stream

private func decodeStream(_ data: UnsafeRawBufferPointer) {
    var ends: [Int32] = [0, 0]
    guard pipe(&ends) == 0 else { fatalError("pipe: \(errno)") }
    // F_SETPIPE_SZ (1031): room for the whole input, so it can be written before it is read.
    _ = fcntl(ends[1], 1031, Int32(1 << 20))
    var rest = data
    while !rest.isEmpty {
        let written = write(ends[1], rest.baseAddress, rest.count)
        guard written > 0 else { fatalError("pipe write: \(errno) (run with -max_len ≤ 1048576)") }
        rest = UnsafeRawBufferPointer(rebasing: rest[written...])
    }
    close(ends[1])
    let input = FileDescriptor(rawValue: ends[0])
    defer { _ = try? input.close() }
    do {
        let opened = try Pipeline.readHeader(from: input, key: key(for:), limits: limits)
        // isStream: false waits for the reader thread, which is safe here (the write end is closed, so
        // no read can block), and keeps it from outliving this descriptor.
        _ = try Pipeline.unpack(
            opened, from: input, to: nil, workers: 2, memoryLimit: .mebibytes(8), pool: pool, isStream: false)
    } catch {
        expectDecodeError(error)
    }
}

// MARK: - files

private let scratchPath: FilePath = {
    let directory = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
    return FilePath("\(directory)/sluice-fuzz-\(getpid()).slc")
}()

private let scratchFile: FileDescriptor = {
    let fd = try! FileDescriptor.open(
        scratchPath, .readWrite, options: [.create, .truncate, .closeOnExec], permissions: [.ownerReadWrite])
    atexit { _ = try? FileSystem.remove(scratchPath) }
    return fd
}()

private let devNull = try! FileDescriptor.open("/dev/null", .writeOnly, options: [.closeOnExec])

private func writeScratch(_ bytes: [UInt8]) {
    guard ftruncate(scratchFile.rawValue, 0) == 0 else { fatalError("ftruncate: \(errno)") }
    _ = try! bytes.withUnsafeBytes { try scratchFile.writeAll(toAbsoluteOffset: 0, $0) }
}

private func load<T: FixedWidthInteger>(_ bytes: [UInt8], _ offset: Int, as: T.Type) -> T {
    bytes.withUnsafeBytes { $0.loadLittleEndian(at: offset, as: T.self) }
}

/// Recomputes the XXH3 check values of a plain (unencrypted) header and trailer, where the bytes still
/// say where they are, so that mutations reach the fields behind them.
private func fixCheckValues(_ bytes: inout [UInt8]) {
    guard bytes.count >= 33, Array(bytes[0..<8]) == Header.magic, bytes[18] == 0 else { return }
    let headerLength = Int(load(bytes, 10, as: UInt16.self))
    if headerLength >= 33, headerLength <= bytes.count {
        let tag = try! Header.tag(over: Array(bytes[0..<headerLength - 8]), cipher: .none, keys: nil)
        bytes.replaceSubrange(headerLength - 8..<headerLength, with: tag)
    }
    guard bytes.count >= headerLength + Footer.size else { return }
    let footerStart = bytes.count - Footer.size
    let trailerOffset = load(bytes, footerStart, as: UInt64.self)
    let trailerSize = load(bytes, footerStart + 8, as: UInt64.self)
    guard trailerSize >= 12, trailerSize <= UInt64(footerStart), trailerOffset == UInt64(footerStart) - trailerSize
    else { return }
    let start = Int(trailerOffset)
    let end = footerStart
    let tag = try! Header.tag(over: Array(bytes[start..<end - 8]), cipher: .none, keys: nil)
    bytes.replaceSubrange(end - 8..<end, with: tag)
}

/// What `sluice inspect` computes from an inspection, so that its formatting runs too.
private func describe(_ info: Inspection) -> String {
    let header = info.info
    var text = "\(header.codec) \(header.cipher.rawValue) \(header.checksum.rawValue) \(ByteCount(bytes: header.chunkSize))"
    text += " \(info.chunks) \(info.rawChunks) \(info.plainSize) \(info.fileSize) \(info.ratio)"
    if let kdf = header.keyDerivation { text += kdf }
    if let metadata = header.metadata {
        text += "\(metadata.name) \(String(metadata.mode, radix: 8)) \(metadata.modificationSeconds)"
        if let size = metadata.size { text += " \(ByteCount(bytes: Int(clamping: size)))" }
    }
    return text
}

/// Restores `range` through the index; returns the bytes written, or nil when it failed as it may.
@discardableResult
private func restore(_ range: Range<UInt64>, opened: OpenedContainer, size: Int) -> UInt64? {
    do {
        let report = try Pipeline.unpackRange(
            opened, from: scratchFile, fileSize: UInt64(size), range: range, to: devNull, workers: 2,
            memoryLimit: .mebibytes(8), pool: pool)
        guard report.plainBytes == UInt64(range.count) else {
            fatalError("range \(range) restored \(report.plainBytes) bytes")
        }
        return report.plainBytes
    } catch {
        expectDecodeError(error, allowing: [.corrupt, .wrongKey, .invalidArgument])
        return nil
    }
}

/// A range picked by the input's last bytes, somewhere in `0 ..< total + 2` (so past the end too).
private func pickedRange(_ bytes: [UInt8], total: UInt64) -> Range<UInt64> {
    let seed = bytes.suffix(8).reduce(UInt64(0x9E37_79B9)) { ($0 &* 31) &+ UInt64($1) }
    let lower = seed % (total + 2)
    let length = (seed >> 32) % (total + 2)
    return lower..<(lower + length)
}

private func decodeFile(_ data: UnsafeRawBufferPointer, fixingCheckValues: Bool) {
    var bytes = Array(data)
    if fixingCheckValues { fixCheckValues(&bytes) }
    writeScratch(bytes)

    var inspected: Inspection?
    do {
        let info = try Pipeline.inspect(scratchPath, limits: DecodeLimits(maxScryptLogN: 64))
        _ = describe(info)
        inspected = info
    } catch {
        expectDecodeError(error)
    }

    // One key derivation per input: the header is read once, then decoded front to back (from the
    // descriptor's position) and through the index (positional reads).
    let opened: OpenedContainer
    do {
        _ = try scratchFile.seek(offset: 0, from: .start)
        opened = try Pipeline.readHeader(from: scratchFile, key: key(for:), limits: limits)
    } catch {
        expectDecodeError(error)
        return
    }
    var unpacked: UnpackReport?
    if fixingCheckValues {
        do {
            unpacked = try Pipeline.unpack(
                opened, from: scratchFile, to: devNull, workers: 2, memoryLimit: .mebibytes(8), pool: pool,
                positional: true)
        } catch {
            expectDecodeError(error)
        }
    }
    // The front-to-back decoder and the index reader must agree on every file the first accepts.
    if let unpacked {
        guard let inspected else { fatalError("unpack accepted a file that inspect rejects") }
        guard inspected.plainSize == unpacked.plainBytes, inspected.chunks == unpacked.chunks else {
            fatalError("inspect says \(inspected.plainSize) bytes in \(inspected.chunks) chunks, unpack decoded \(unpacked.plainBytes) in \(unpacked.chunks)")
        }
    }

    guard let inspected else { return }
    let total = inspected.plainSize
    let whole = restore(0..<total, opened: opened, size: bytes.count)
    if unpacked != nil, whole == nil { fatalError("range restore of a whole valid file failed") }
    restore(pickedRange(bytes, total: total), opened: opened, size: bytes.count)
}

// MARK: - parsers

private func parse(_ data: UnsafeRawBufferPointer) {
    let text = String(decoding: data, as: UTF8.self)
    if let count = ByteCount(parsing: text) {
        guard count.bytes >= 0 else { fatalError("ByteCount(parsing: \(text)) = \(count.bytes)") }
        _ = count.description
    }
    do {
        let range = try ByteRange.parse(text)
        guard range.lowerBound <= range.upperBound else { fatalError("inverted range from \(text)") }
    } catch let error as SluiceError {
        guard error.code == .invalidArgument else { fatalError("unexpected \(error.code) from ByteRange.parse") }
    } catch {
        fatalError("not a SluiceError: \(error)")
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let data = UnsafeRawBufferPointer(start: start, count: count)
    switch target {
    case .stream: decodeStream(data)
    case .seekable: decodeFile(data, fixingCheckValues: true)
    case .inspect: decodeFile(data, fixingCheckValues: false)
    case .parsers: parse(data)
    }
    return 0
}

// SwiftPM links an executable target with its entry point renamed (`main` = `SluiceFuzz_main`), so
// libFuzzer's own `main` is not used: this one hands the command line to libFuzzer's driver.
@_silgen_name("LLVMFuzzerRunDriver")
private func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

@main
enum SluiceFuzzMain {
    static func main() {
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(runFuzzerDriver(&argc, &argv) { fuzz($0, $1) })
    }
}
