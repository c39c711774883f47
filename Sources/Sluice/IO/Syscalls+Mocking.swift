#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// What tests arm in ``Syscalls``: faults (a call fails with an `errno` instead of running) and a
/// recording of the calls made on files under a directory, for the crash-consistency replay.
///
/// Tests run in parallel in one process, so every fault and every recording is scoped to paths that
/// contain a given string (a test's own scratch directory); a call on a descriptor is matched by the
/// path the kernel reports for it (`/proc/self/fd/N`; an anonymous `O_TMPFILE` file shows as
/// `DIR/#INODE (deleted)` until it is linked).
enum SyscallMocking {
    /// Makes matching calls fail.
    struct Fault: Sendable {
        var call: Syscalls.Call
        /// The `errno` the call fails with.
        var error: Int32
        /// Only calls whose path (or whose descriptor's path) contains this.
        var pathContaining: String
        /// Lets this many matching calls through before failing.
        var skip = 0
        /// Fails this many matching calls, then lets them through again.
        var times = Int.max
        /// For ``Syscalls/Call/open``: only calls with all these flags.
        var flags: Int32 = 0
    }

    /// One call, as recorded.
    struct Event: Sendable, Equatable, CustomStringConvertible {
        var call: Syscalls.Call
        /// The path, or the path of the descriptor the call was made on.
        var path: String
        /// The new name of a link or rename.
        var to: String?
        /// An `open` that could create a file (`O_CREAT` or `O_TMPFILE`).
        var creates = false
        var offset: Int64?
        var count = 0

        var description: String {
            "\(call.rawValue) \(path)" + (to.map { " → \($0)" } ?? "") + (count > 0 ? " (\(count) bytes)" : "")
        }
    }

    private struct State {
        var faults: [Fault] = []
        var recordingUnder: String?
        var events: [Event] = []
    }

    private static let armed = Atomic<Bool>(false)
    private static let state = Locked(State())

    /// Whether any fault or recording is armed (else ``Syscalls`` calls straight through).
    static var isArmed: Bool { armed.load(ordering: .relaxed) }

    /// Arms `fault` until ``disarm(_:)``.
    static func inject(_ fault: Fault) {
        state.withLock { $0.faults.append(fault) }
        armed.store(true, ordering: .relaxed)
    }

    /// Starts recording the calls on paths that contain `scope`.
    static func record(under scope: String) {
        state.withLock {
            $0.recordingUnder = scope
            $0.events = []
        }
        armed.store(true, ordering: .relaxed)
    }

    /// Removes every fault and the recording on paths that contain `scope`; returns what was recorded.
    @discardableResult
    static func disarm(_ scope: String) -> [Event] {
        state.withLock { state in
            state.faults.removeAll { $0.pathContaining == scope }
            var events: [Event] = []
            if state.recordingUnder == scope {
                events = state.events
                state.recordingUnder = nil
                state.events = []
            }
            armed.store(!state.faults.isEmpty || state.recordingUnder != nil, ordering: .relaxed)
            return events
        }
    }

    /// The path the kernel reports for `fd`.
    static func path(of fd: Int32) -> String {
        var buffer = [CChar](repeating: 0, count: 4097)
        let count = readlink("/proc/self/fd/\(fd)", &buffer, 4096)
        return count > 0 ? String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self) : ""
    }

    /// The `errno` a call fails with, or `nil` to let it run (recorded when it matches the recording).
    static func intercept(
        _ call: Syscalls.Call, path: String? = nil, to: String? = nil, fd: Int32? = nil, flags: Int32 = 0,
        offset: Int64? = nil, count: Int = 0
    ) -> Int32? {
        // `linkat` of an anonymous file names it by its /proc/self/fd entry: record the file it stands for.
        var path = path ?? fd.map(Self.path(of:)) ?? ""
        if path.hasPrefix("/proc/self/fd/"), let number = Int32(path.dropFirst("/proc/self/fd/".count)) {
            path = Self.path(of: number)
        }
        return state.withLock { state in
            let target = path + (to.map { "\n" + $0 } ?? "")
            for index in state.faults.indices {
                let fault = state.faults[index]
                guard fault.call == call, target.contains(fault.pathContaining), flags & fault.flags == fault.flags,
                      fault.times > 0
                else { continue }
                if fault.skip > 0 {
                    state.faults[index].skip -= 1
                    continue
                }
                state.faults[index].times -= 1
                return fault.error
            }
            if call != .open, let scope = state.recordingUnder, target.contains(scope) {
                state.events.append(Event(call: call, path: path, to: to, offset: offset, count: count))
            }
            return nil
        }
    }

    /// Records a successful `open` (by the path of the descriptor it returned, so that an anonymous
    /// file gets its `#INODE (deleted)` name).
    static func opened(_ fd: Int32, path: String, flags: Int32) {
        let creates = flags & O_CREAT != 0 || flags & Syscalls.temporaryFileFlag == Syscalls.temporaryFileFlag
        guard creates else { return }
        let name = Self.path(of: fd)
        state.withLock { state in
            if let scope = state.recordingUnder, name.contains(scope) {
                state.events.append(Event(call: .open, path: name, creates: true))
            }
        }
    }
}
