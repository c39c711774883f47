#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// The width of the terminal stderr is on, read with `TIOCGWINSZ` once and again after each
/// `SIGWINCH` (``Signals`` waits for it and calls ``resized()``), so the progress line is cut to the
/// width the terminal has now.
enum TerminalSize {
    private static let counter = Atomic<Int>(0)
    private static let cached = Atomic<Int>(0)

    /// Changes at every resize: a line drawn for an older generation may now span several rows.
    static var generation: Int { counter.load(ordering: .acquiring) }

    /// Columns of stderr's terminal; `$COLUMNS`, else 80, when it reports none.
    static var columns: Int {
        let known = cached.load(ordering: .relaxed)
        if known > 0 { return known }
        let measured = measure()
        cached.store(measured, ordering: .relaxed)
        return measured
    }

    /// Called on `SIGWINCH` (from the signal-waiting thread, not a handler).
    static func resized() {
        cached.store(measure(), ordering: .relaxed)
        counter.add(1, ordering: .releasing)
    }

    private static func measure() -> Int {
        var size = winsize()
        if ioctl(2, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        if let text = getenv("COLUMNS"), let value = Int(String(cString: text)), value > 0 { return value }
        return 80
    }
}
