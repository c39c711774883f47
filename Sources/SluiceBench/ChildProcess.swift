#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Sluice

/// Runs a program to completion, for file mode's memory column: the peak of a real `sluice pack` or
/// `unpack` process, unaffected by what the benchmark process itself has allocated before.
///
/// The child reports its own peak (`sluice bench peak-rss`, which reads `VmHWM`): the `ru_maxrss`
/// that `wait4` returns cannot be used, because Linux carries the parent's peak into a child started
/// with `vfork` (as `posix_spawn` does) when it calls `exec`.
enum ChildProcess {
    /// Runs `executable` with `arguments`, standard input and output on `/dev/null`, and waits for it.
    /// The corresponding C functions are `posix_spawn` and `waitpid`.
    ///
    /// - Throws: ``SluiceError/Code/io`` when it cannot be started or does not exit with 0.
    static func run(_ executable: String, _ arguments: [String]) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard spawned == 0 else { throw SluiceError(.io, "cannot start \(executable) (errno \(spawned))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw SluiceError(.io, "lost track of \(executable)") }
        }
        // WIFEXITED and WEXITSTATUS are macros Swift cannot import: exited normally ⇔ low 7 bits are 0.
        guard status & 0x7F == 0, (status >> 8) & 0xFF == 0 else {
            throw SluiceError(.io, "\(executable) \(arguments.joined(separator: " ")) failed (wait status \(status))")
        }
    }
}
