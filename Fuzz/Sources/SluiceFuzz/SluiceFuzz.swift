// libFuzzer entry point for Sluice. One binary, one target per reader, chosen with SLUICE_FUZZ_TARGET:
//
//   slc         the bytes as a packed file (.slc, or age in binary), decoded in memory the ways the tool
//               reads one: through its index (MemoryUnpacker, the batch's small-file path) and front to
//               back by walking its frames (as from a pipe); then, with the XXH3 check values of a plain
//               header and trailer recomputed, both again, so mutations reach the fields behind them
//               (SlcFuzz.swift)
//   zstd, lz4   the bytes as a standard .zst / .lz4 file, named and opened as the tool opens one (its
//               StandardReader): the jobs it locates, decoded and checked in order by its verifier, its
//               stream decoder, and a range from either; the targets differ by their seeds and
//               dictionaries (StandardFuzz.swift)
//   seek-table  the bytes as the end of a seekable zstd file: the seek table footer, frame and placements
//               (SeekTableFuzz.swift)
//   archive     the bytes as a Sluice archive: footer, member index part, the index records, and the
//               content part's tar stream checked member by member against the index (ArchiveFuzz.swift)
//   recipient   the bytes as a .slc recipient block, re-encoded and unwrapped with the fuzz identity
//               (RecipientFuzz.swift)
//   age-text    the bytes as age's text codings: strict Base64, Bech32, keys, armor, header (AgeFuzz.swift)
//   age-file    the bytes as an age file, decrypted with the seeds' identity or passphrase (AgeFuzz.swift)
//   parsers     the bytes as text: ByteCount(parsing:) and ByteRange.parse (`--range`)
//   keys        the bytes as an age identity file, a recipients file and a key file, read by their
//               readers from an in-memory file (KeysFuzz.swift)
//
// Every target runs in memory on this thread (so the harness state it reuses between inputs is
// `nonisolated(unsafe)`): no worker pool, no reader thread, no file on disk. Readers
// whose entry point takes a file descriptor get an anonymous in-memory file (``MemoryFile``). A crash, a
// sanitizer report, an error that is not a SluiceError, or an error code a decoder must never give for
// bad input is a finding.
#if canImport(Glibc)
import Glibc
#endif
@testable import Sluice

private enum Target: String {
    case slc, zstd, lz4, parsers, archive, recipient, keys
    case seekTable = "seek-table", ageText = "age-text", ageFile = "age-file"
}

private let target: Target = {
    guard let name = getenv("SLUICE_FUZZ_TARGET").map({ String(cString: $0) }) else { return .slc }
    guard let target = Target(rawValue: name) else { fatalError("SLUICE_FUZZ_TARGET=\(name) is not a target") }
    return target
}()

/// A bad input may be reported as corrupt, as opened with the wrong key, or (range restore only) as an
/// impossible request; never as an I/O or library failure, and never by anything but a SluiceError.
func expectDecodeError(_ error: any Error, allowing allowed: Set<SluiceError.Code> = [.corrupt, .wrongKey]) {
    guard let error = error as? SluiceError else { fatalError("not a SluiceError: \(error)") }
    guard allowed.contains(error.code) else { fatalError("unexpected \(error.code) for bad input: \(error)") }
}

/// A range picked by the input's last bytes, somewhere in `0 ..< total + 2` (so past the end too).
func pickedRange(_ bytes: UnsafeRawBufferPointer, total: UInt64) -> Range<UInt64> {
    let seed = bytes.suffix(8).reduce(UInt64(0x9E37_79B9)) { ($0 &* 31) &+ UInt64($1) }
    let lower = seed % (total + 2)
    let length = (seed >> 32) % (total + 2)
    return lower..<(lower + length)
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
    case .slc: fuzzContainer(data)  // SlcFuzz.swift
    case .zstd, .lz4: fuzzStandard(data)  // StandardFuzz.swift
    case .seekTable: fuzzSeekTable(data)  // SeekTableFuzz.swift
    case .archive: fuzzArchive(data)  // ArchiveFuzz.swift
    case .recipient: fuzzRecipientBlock(data)  // RecipientFuzz.swift
    case .ageText: fuzzAgeText(data)  // AgeFuzz.swift
    case .ageFile: fuzzAgeFile(data)
    case .parsers: parse(data)
    case .keys: fuzzKeyFiles(data)  // KeysFuzz.swift
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
