#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Sluice

/// Every signal whose default action ends the process, handled or made harmless.
///
/// The asynchronous ones (Ctrl-C, SIGTERM, a hang-up, Ctrl-\, timers, a CPU-time limit, user and
/// real-time signals, ``ending``): every thread blocks them, and one thread waits for them with `sigwait`;
/// when one arrives it removes every temporary output file and exits with 128 + its number (130 for
/// SIGINT, 143 for SIGTERM). Because the work never sees the signal, no handler runs in an async-signal
/// context.
///
/// SIGPIPE and SIGXFSZ get a handler that does nothing, so the write that provoked them fails with
/// `EPIPE` or `EFBIG` and the run ends through its error path (a reader of `-c` that went away: exit 141
/// without a message; a file-size limit: exit 74, "File too large"). A handler, unlike ignoring them, is
/// reset in the processes `sluice` starts. The synchronous signals (SIGSEGV, SIGBUS, SIGILL, SIGFPE,
/// SIGABRT, SIGTRAP, SIGSYS) are crashes: they, like SIGKILL, end the process with no code run; the
/// output is an anonymous file until it is complete, so nothing is left under any name.
///
/// The clean-up runs on a thread of its own while the waiter goes back to waiting: if it blocks (a hung
/// network file system, stderr on a full pipe), a second signal exits at once.
///
/// `SIGWINCH` is waited for the same way: it only tells ``TerminalSize`` to measure the terminal again.
enum Signals {
    /// The signals taken by the waiting thread that end the run.
    static let ending: [Int32] = {
        var signals = [SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGALRM, SIGUSR1, SIGUSR2, SIGXCPU, SIGVTALRM, SIGPROF]
        #if os(Linux)
        signals += [SIGIO, SIGPWR, SIGSTKFLT]
        signals += Array(__libc_current_sigrtmin()...__libc_current_sigrtmax())
        #endif
        return signals
    }()

    static func install() {
        signal(SIGPIPE) { _ in }
        signal(SIGXFSZ) { _ in }
        var set = sigset_t()
        sigemptyset(&set)
        for number in ending { sigaddset(&set, number) }
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

    /// 128 + the signal's number, as a shell reports a process the signal killed: 130 for SIGINT, 143 for SIGTERM.
    static func exitCode(for signal: Int32) -> Int32 { 128 + signal }
}
