#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Sluice

/// Ctrl-C and SIGTERM: every thread blocks them, and one thread waits for them with `sigwait`; when one
/// arrives it removes every temporary output file and exits with 130 or 143. Because the work never
/// sees the signal, no handler runs in an async-signal context.
///
/// The clean-up runs on a thread of its own while the waiter goes back to waiting: if it blocks (a hung
/// network file system, stderr on a full pipe), a second Ctrl-C exits at once.
///
/// `SIGWINCH` is waited for the same way: it only tells ``TerminalSize`` to measure the terminal again.
enum Signals {
    static func install() {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        sigaddset(&set, SIGHUP)
        sigaddset(&set, SIGWINCH)
        pthread_sigmask(SIG_BLOCK, &set, nil)
        let blocked = set
        let waiter = Thread {
            var signal: Int32 = 0
            var set = blocked
            func next() -> Int32 {
                while true {
                    sigwait(&set, &signal)
                    guard signal == SIGWINCH else { return signal }
                    TerminalSize.resized()
                }
            }
            let first = exitCode(for: next())
            let cleanup = Thread {
                TemporaryFiles.removeAll()
                Terminal.printError("sluice: interrupted")
                _exit(first)
            }
            cleanup.name = "sluice-cleanup"
            cleanup.start()
            _exit(exitCode(for: next()))
        }
        waiter.name = "sluice-signals"
        waiter.start()
    }

    static func exitCode(for signal: Int32) -> Int32 {
        signal == SIGINT ? ExitCodes.interrupted : signal == SIGTERM ? ExitCodes.terminated : 128 + signal
    }
}
