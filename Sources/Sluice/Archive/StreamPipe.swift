#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import SystemPackage

/// A thread that writes a stream into a pipe while the caller reads the other end: the decoder
/// feeding the tar reader of an extraction (packing needs none: ``ChunkSink``). The thread's error, if any, is
/// the one to report: the reading side sees only an early end.
final class StreamPipe: Sendable {
    /// The end the caller reads.
    let readEnd: FileDescriptor
    private let done = Monitor<Result<any Sendable, SluiceError>?>(nil)

    private init(readEnd: FileDescriptor) { self.readEnd = readEnd }

    /// Starts `body` on a new thread with the pipe's write end, which is closed when `body` returns.
    static func start(name: String, _ body: @escaping @Sendable (FileDescriptor) throws -> any Sendable) throws -> StreamPipe {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { throw SluiceError(.io, "cannot create a pipe", cause: Errno(rawValue: errno)) }
        #if os(Linux)
        _ = fcntl(ends[1], 1031, Int32(1 << 20))  // F_SETPIPE_SZ: fewer hand-overs than 64 KiB at a time
        #endif
        let read = FileDescriptor(rawValue: ends[0]), write = FileDescriptor(rawValue: ends[1])
        let stream = StreamPipe(readEnd: read)
        let thread = Thread { [done = stream.done] in
            Thread.current.name = name
            // A write to a pipe whose reader gave up fails with EPIPE here instead of killing the process.
            var blocked = sigset_t()
            sigemptyset(&blocked)
            sigaddset(&blocked, SIGPIPE)
            pthread_sigmask(SIG_BLOCK, &blocked, nil)
            let result: Result<any Sendable, SluiceError>
            do {
                result = .success(try body(write))
            } catch let error as SluiceError {
                result = .failure(error)
            } catch {
                result = .failure(SluiceError(.io, name, cause: SendableError(error)))
            }
            _ = try? write.close()
            done.withLock { $0 = result }
        }
        thread.start()
        return stream
    }

    /// Waits for the thread; returns what `body` returned or throws what it threw.
    func finish() throws -> any Sendable {
        try done.wait { $0 }.get()
    }
}
