#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Sluice
import Synchronization

/// Restored data bound for a terminal (`unpack -c`, `sluice -dc FILE`, `sluice -d < FILE`): shown when it
/// is text, refused when it is not — binary bytes on a terminal scramble it and can send it escape
/// sequences. zstd refuses to write compressed data to a terminal (so does `pack -c`); for the
/// original, the first bytes decide, as `less` and `grep` decide "binary", and `-f` shows it anyway.
///
/// Standard output is swapped for a pipe while the input is unpacked; a thread reads the first
/// ``sampleSize`` bytes (or all of them, if fewer), and then either passes everything on to the
/// terminal or closes the pipe, which stops the unpack at its next write.
enum BinaryOutputGuard {
    /// How many restored bytes decide (fewer when the whole output is shorter).
    static let sampleSize = 1024

    /// Runs `body`, which writes `input`'s original to standard output when `active`, through the guard
    /// when standard output is a terminal and `force` (`-f`) is not given.
    ///
    /// - Throws: the refusal (``SluiceError/Code/invalidArgument``, exit 64) when the output is not
    ///   text; otherwise what `body` throws.
    static func guarding<T>(_ input: String, when active: Bool, force: Bool, _ body: () throws -> T) throws -> T {
        guard active, !force, Terminal.standardOutputIsTerminal else { return try body() }
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { return try body() }
        let terminal = dup(1)
        guard terminal >= 0, dup2(ends[1], 1) >= 0 else {
            close(ends[0]); close(ends[1])
            if terminal >= 0 { close(terminal) }
            return try body()
        }
        close(ends[1])
        // A write into the closed pipe must fail (EPIPE), not kill the process; put back afterwards.
        let previous = signal(SIGPIPE, SIG_IGN)
        let forwarder = Forwarder(from: ends[0], to: terminal)
        let result = Result { try body() }
        dup2(terminal, 1)  // drops the pipe's last write end: the forwarder sees its end
        let refused = forwarder.finish()
        close(terminal)
        signal(SIGPIPE, previous)
        if refused {
            let name = input == "-" ? "standard input" : input
            throw SluiceError(.invalidArgument,
                "refusing to write binary data to a terminal: what \(name) holds is not text (use -o FILE, a pipe, or -f to show it anyway)")
        }
        return try result.get()
    }

    /// Whether `bytes` (the start of an output, maybe cut in the middle of a character) read as text:
    /// UTF-8 without NUL or control characters other than tab, line and page breaks, backspace, bell and
    /// escape (colours).
    static func isText(_ bytes: [UInt8]) -> Bool {
        let allowed: Set<UInt8> = [0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1B]
        guard bytes.allSatisfy({ $0 >= 0x20 && $0 != 0x7F || allowed.contains($0) }) else { return false }
        // A character cut by the sample's end (at most 3 bytes of one) is not a fault.
        for cut in 0...min(3, bytes.count) where String(validating: bytes.dropLast(cut), as: UTF8.self) != nil {
            return cut == 0 || bytes.suffix(cut).first.map { $0 >= 0xC0 } == true
        }
        return false
    }

    /// The thread between the pipe and the terminal.
    private final class Forwarder: Sendable {
        private let source: Int32
        private let terminal: Int32
        private let refused = Atomic<Bool>(false)
        private let finished = DispatchSemaphore(value: 0)

        init(from source: Int32, to terminal: Int32) {
            self.source = source
            self.terminal = terminal
            let thread = Thread { [self] in
                Thread.current.name = "sluice-tty-guard"
                forward()
                close(source)  // the unpack's next write fails, if it is still writing
                finished.signal()
            }
            thread.start()
        }

        /// Waits for the thread (standard output must be the terminal again) and says whether it refused.
        func finish() -> Bool {
            finished.wait()
            return refused.load(ordering: .acquiring)
        }

        /// Reads the sample, then passes everything on, or refuses.
        private func forward() {
            var block = [UInt8](repeating: 0, count: 1 << 16)
            func next() -> Int {
                while true {
                    let count = block.withUnsafeMutableBytes { read(source, $0.baseAddress, $0.count) }
                    if count < 0, errno == EINTR { continue }
                    return max(count, 0)
                }
            }
            func show(_ bytes: ArraySlice<UInt8>) -> Bool {
                var rest = bytes
                while !rest.isEmpty {
                    let written = rest.withUnsafeBytes { write(terminal, $0.baseAddress, $0.count) }
                    if written < 0, errno == EINTR { continue }
                    guard written > 0 else { return false }
                    rest = rest.dropFirst(written)
                }
                return true
            }
            var sample: [UInt8] = []
            var open = true
            while sample.count < BinaryOutputGuard.sampleSize {
                let count = next()
                if count == 0 { open = false; break }
                sample += block[..<count]
            }
            guard BinaryOutputGuard.isText(Array(sample.prefix(BinaryOutputGuard.sampleSize))) else {
                return refused.store(true, ordering: .releasing)
            }
            guard show(sample[...]) else { return }
            while open {
                let count = next()
                if count == 0 || !show(block[..<count]) { return }
            }
        }
    }
}
