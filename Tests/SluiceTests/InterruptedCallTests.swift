#if canImport(Glibc)
import Glibc
#endif
import Foundation
@testable import Sluice
import Synchronization
import SystemPackage
import Testing

/// Signals that interrupt system calls. Reads and writes on pipes are interruptible, so with a handler
/// installed without `SA_RESTART`, a signal landing on a thread blocked in `read` or `write` makes the
/// call fail with EINTR; every one of Sluice's reads and writes must retry. The signals are sent with
/// `tgkill` to exactly the threads that do Sluice's I/O (the `sluice-*` threads, the calling thread and
/// this test's feeder and drain), never to the rest of the test process.
@Suite struct InterruptedCallTests {
    /// Signals the handler saw.
    static let deliveries = Atomic<Int>(0)

    /// `tgkill` and `gettid` from the C library (Swift's Glibc module does not declare them).
    static let tgkill: @convention(c) (pid_t, pid_t, Int32) -> Int32 = {
        unsafeBitCast(dlsym(dlopen(nil, RTLD_NOW), "tgkill"), to: (@convention(c) (pid_t, pid_t, Int32) -> Int32).self)
    }()
    static let gettid: @convention(c) () -> pid_t = {
        unsafeBitCast(dlsym(dlopen(nil, RTLD_NOW), "gettid"), to: (@convention(c) () -> pid_t).self)
    }()

    /// A no-op handler for SIGURG without `SA_RESTART`. Left installed: a late signal must find it.
    static let installed: Bool = {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in InterruptedCallTests.deliveries.add(1, ordering: .relaxed) }
        action.sa_flags = 0
        sigemptyset(&action.sa_mask)
        return sigaction(SIGURG, &action, nil) == 0
    }()

    /// Unblocks SIGURG in the calling thread. Threads inherit their creator's mask, and the test runner's
    /// threads (libdispatch workers) block every signal: a signal sent to them would stay pending.
    static func takeSIGURG() {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGURG)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }

    /// Runs `body` on a new thread that takes SIGURG (and so do the threads it starts).
    static func onThreadTakingSIGURG(_ body: @escaping @Sendable () throws -> Void) throws {
        let result = Locked<Result<Void, any Error>?>(nil)
        Thread {
            takeSIGURG()
            let outcome = Result { try body() }
            result.withLock { $0 = outcome }
        }.start()
        while true {
            if let outcome = result.withLock({ $0 }) { return try outcome.get() }
            usleep(1_000)
        }
    }

    /// The threads whose name starts with `sluice-`, and their names.
    static func sluiceThreads() -> [(pid_t, String)] {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        return tasks.compactMap { task in
            guard case let name = TestSupport.readText("/proc/self/task/\(task)/comm"),
                  name.hasPrefix("sluice-"), let tid = pid_t(task) else { return nil }
            return (tid, name.trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }

    /// Sends SIGURG to `extra` and every `sluice-*` thread, about every 100 µs, until `finish()`.
    final class Spammer: Sendable {
        private let stop = Atomic<Bool>(false)
        private let stopped = Atomic<Bool>(false)
        let sent = Atomic<Int>(0)
        /// The names of the `sluice-*` threads signalled.
        let names = Locked<Set<String>>([])

        init(extra: @escaping @Sendable () -> [pid_t]) {
            Thread { [self] in
                while !stop.load(ordering: .relaxed) {
                    for (tid, name) in InterruptedCallTests.sluiceThreads() + extra().map({ ($0, "") }) where tid > 0 {
                        if InterruptedCallTests.tgkill(getpid(), tid, SIGURG) == 0 {
                            sent.add(1, ordering: .relaxed)
                            if !name.isEmpty { names.withLock { _ = $0.insert(name) } }
                        }
                    }
                    usleep(100)
                }
                stopped.store(true, ordering: .releasing)
            }.start()
        }

        func finish() {
            stop.store(true, ordering: .relaxed)
            while !stopped.load(ordering: .acquiring) { usleep(1_000) }
        }
    }

    @Test(arguments: [Codec.zstd, Codec.lz4], [Cipher.none, Cipher.chacha20poly1305])
    func packAndUnpackThroughPipesUnderSignals(codec: Codec, cipher: Cipher) throws {
        try #require(Self.installed)
        let original = TestSupport.data(count: 6 << 20, seed: UInt64(codec.id) * 7 + UInt64(cipher.id))
        let tids = Locked<[pid_t]>([])
        let before = Self.deliveries.load(ordering: .relaxed)
        let spammer = Spammer(extra: { tids.withLock { $0 } })
        defer { spammer.finish() }

        try Self.onThreadTakingSIGURG {
          tids.withLock { $0.append(Self.gettid()) }
          // A pool of its own, started from this thread, so that its workers take SIGURG too.
          let pool = WorkerPool(workers: 2)
          try TestSupport.withTemporaryDirectory { directory in
            // pack: a feeder thread writes the input into a pipe in small pieces.
            let pipeIn = try TestSupport.pipe()
            let input = [pipeIn.read, pipeIn.write]
            let feedEnd = input[1]
            let feeder = Thread {
                InterruptedCallTests.takeSIGURG()
                tids.withLock { $0.append(InterruptedCallTests.gettid()) }
                defer { close(feedEnd) }
                var offset = 0
                while offset < original.count {
                    let piece = min(16 << 10, original.count - offset)
                    let written = original.withUnsafeBytes { write(feedEnd, $0.baseAddress! + offset, piece) }
                    if written < 0, errno == EINTR { continue }
                    guard written > 0 else { return }
                    offset += written
                    usleep(100)  // so that the reader often waits in read(2) when a signal lands
                }
            }
            feeder.start()
            var options = PackOptions(codec: try CodecSettings(codec))
            options.cipher = cipher
            if cipher != .none { options.key = .keyFile(Crafted.masterKey) }
            options.chunkSize = 64 << 10
            options.workers = 2
            let packedPath = FilePath("\(directory)/data.slc")
            let packed = try FileDescriptor.open(packedPath, .readWrite, options: [.create, .truncate], permissions: .ownerReadWrite)
            defer { _ = try? packed.close() }
            let plan = try options.plan(inputSize: nil)
            let report = try Pipeline.pack(
                from: FileDescriptor(rawValue: input[0]), inputSize: nil, to: packed, options: options, metadata: nil,
                plan: plan, pool: pool)
            close(input[0])
            while !feeder.isFinished { usleep(1_000) }
            #expect(report.plainBytes == UInt64(original.count))

            // unpack: chunks are written in order into a pipe that a drain thread empties.
            let pipeOut = try TestSupport.pipe()
            let output = [pipeOut.read, pipeOut.write]
            let drainEnd = output[0]
            let restored = Locked<[UInt8]>([])
            let drain = Thread {
                InterruptedCallTests.takeSIGURG()
                tids.withLock { $0.append(InterruptedCallTests.gettid()) }
                var block = [UInt8](repeating: 0, count: 16 << 10)
                var collected: [UInt8] = []
                while true {
                    let count = block.withUnsafeMutableBytes { read(drainEnd, $0.baseAddress, $0.count) }
                    if count < 0, errno == EINTR { continue }
                    guard count > 0 else { break }
                    collected += block[0..<count]
                    usleep(100)  // so that the writer often waits in write(2) on a full pipe
                }
                restored.withLock { $0 = collected }
            }
            drain.start()
            _ = try packed.seek(offset: 0, from: .start)
            let opened = try Pipeline.readHeader(from: packed, key: { _ in .keyFile(Crafted.masterKey) })
            let unpacked = try Pipeline.unpack(
                opened, from: packed, to: FileDescriptor(rawValue: output[1]), workers: 2, pool: pool)
            close(output[1])
            while !drain.isFinished { usleep(1_000) }
            close(drainEnd)
            #expect(unpacked.plainBytes == UInt64(original.count))
            #expect(restored.withLock { $0 } == original)
          }
        }
        spammer.finish()
        #expect(spammer.sent.load(ordering: .relaxed) > 0)
        // Which sluice-* threads were hit depends on scheduling (on a loaded machine the reader may come and
        // go between two rounds), so it is not asserted; with the EINTR retry removed from `readFully`
        // this test fails every time (docs/reliability.md).
        let delivered = Self.deliveries.load(ordering: .relaxed) - before
        #expect(delivered > 0, "no signal was delivered")
        print("EINTR \(codec)/\(cipher): \(spammer.sent.load(ordering: .relaxed)) signals sent, \(delivered) handled (all cases so far)")
    }

    /// The CLI installs no handler for SIGWINCH or SIGCHLD (their default is to ignore them), so a storm
    /// of them cannot interrupt it; a round trip under one must still be exact.
    @Test func cliIgnoresWindowAndChildSignals() throws {
        try TestSupport.withTemporaryDirectory { directory in
            let input = "\(directory)/input"
            let original = TestSupport.data(count: 8 << 20)
            try TestSupport.write(original, to: input)
            for arguments in [["pack", "--chunk-size", "64K", "--codec", "brotli", "-l", "6", input],
                              ["unpack", "\(input).slc", "-o", "\(directory)/back"]] {
                let child = try Child([TestSupport.sluice] + arguments)
                var sent = 0
                while !child.hasExited {
                    child.send(sent % 2 == 0 ? SIGWINCH : SIGCHLD)
                    sent += 1
                    usleep(200)
                }
                let outcome = child.wait()
                #expect(outcome.exitCode == 0, "\(arguments[0]) after \(sent) signals: \(outcome.standardError)")
            }
            #expect(try TestSupport.read("\(directory)/back") == original)
        }
    }
}
