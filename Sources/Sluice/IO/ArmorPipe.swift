#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import SystemPackage

/// age's ASCII armor as a filter thread between the engine and the real input or output: the engine
/// reads or writes binary age through a pipe, and this thread turns it into armor or back (serially;
/// the STREAM chunks still run on every core). Its error, if any, is the one to report: an armor
/// failure shows up in the engine only as a truncated payload.
final class ArmorPipe: Sendable {
    /// The end the engine uses: the pipe's write end when armoring, its read end when unarmoring.
    let engineEnd: FileDescriptor
    private let done = Monitor<Result<Void, SluiceError>?>(nil)

    private init(engineEnd: FileDescriptor) { self.engineEnd = engineEnd }

    private static func makePipe() throws -> (read: FileDescriptor, write: FileDescriptor) {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { throw SluiceError(.io, "cannot create a pipe for the armor", cause: Errno(rawValue: errno)) }
        return (FileDescriptor(rawValue: ends[0]), FileDescriptor(rawValue: ends[1]))
    }

    /// Runs `body` on the armor thread, then records how it ended and only then closes `end` — so
    /// whoever sees the pipe end also sees the thread's error.
    private func start(closing end: FileDescriptor, _ body: @escaping @Sendable () throws -> Void) {
        let thread = Thread { [done] in
            Thread.current.name = "sluice-armor"
            // A write to a pipe whose reader gave up fails with EPIPE here instead of killing the process.
            var blocked = sigset_t()
            sigemptyset(&blocked)
            sigaddset(&blocked, SIGPIPE)
            pthread_sigmask(SIG_BLOCK, &blocked, nil)
            let result: Result<Void, SluiceError>
            do {
                try body()
                result = .success(())
            } catch let error as SluiceError {
                result = .failure(error)
            } catch {
                result = .failure(SluiceError(.io, "armor", cause: SendableError(error)))
            }
            done.withLock { $0 = result }
            _ = try? end.close()
        }
        thread.start()
    }

    /// Armors what the engine writes to ``engineEnd`` onto `output`.
    static func armoring(to output: FileDescriptor) throws -> ArmorPipe {
        let (read, write) = try makePipe()
        let pipe = ArmorPipe(engineEnd: write)
        pipe.start(closing: read) {
            var encoder = AgeArmor.Encoder()
            var block = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let count = try block.withUnsafeMutableBytes { buffer in
                    do { return try read.read(into: buffer) } catch {
                        throw SluiceError(.io, "cannot read the armor pipe", cause: error)
                    }
                }
                let text = count == 0 ? encoder.finish() : block.withUnsafeBytes { encoder.add(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
                try text.withUnsafeBytes { try Pipeline.write($0, to: output) }
                if count == 0 { return }
            }
        }
        return pipe
    }

    /// Unarmors `prefix` and then the rest of `input` into ``engineEnd``.
    static func unarmoring(_ input: FileDescriptor, prefix: [UInt8]) throws -> ArmorPipe {
        let (read, write) = try makePipe()
        let pipe = ArmorPipe(engineEnd: read)
        pipe.start(closing: write) {
            var decoder = AgeArmor.Decoder()
            var block = [UInt8](repeating: 0, count: 1 << 16)
            var binary = try prefix.withUnsafeBytes { try decoder.add($0) }
            while true {
                if !binary.isEmpty {
                    // The engine stopped reading (it failed): that error is the one reported.
                    do { try binary.withUnsafeBytes { try write.writeFully($0) } } catch { return }
                }
                let count = try block.withUnsafeMutableBytes { try Pipeline.readInput(input, into: $0) }
                if count == 0 {
                    let rest = try decoder.finish()
                    if !rest.isEmpty { do { try rest.withUnsafeBytes { try write.writeFully($0) } } catch { return } }
                    return
                }
                binary = try block.withUnsafeBytes { try decoder.add(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
            }
        }
        return pipe
    }

    /// Closes the engine's end of an armoring pipe (the end of the binary) and waits for the armor to
    /// be written; throws the thread's error.
    func finishArmoring() throws {
        _ = try? engineEnd.close()
        try done.wait { $0 }.get()
    }

    /// The armor thread's error once it has ended, if it failed; `nil` while it runs or when it
    /// succeeded (an unarmoring thread may still be blocked reading a pipe input).
    var failure: SluiceError? {
        done.withLock { state in if case .failure(let error) = state { return error } else { return nil } }
    }

    /// Waits for an unarmoring thread that has delivered everything (the engine read to the end).
    func finishUnarmoring() throws {
        try done.wait { $0 }.get()
    }
}
