private import CLinux
import Synchronization

/// Keeps secrets out of core dumps (docs/security.md, "Keys in memory"): from the first time a key or
/// passphrase is read or a file key derived, the process is made non-dumpable
/// (`prctl(PR_SET_DUMPABLE, 0)`: no core file, and no `ptrace` or `/proc/PID/mem` by other processes of
/// the same user), and stays so until it exits. The only file that imports CLinux.
public enum KeyMemory {
    private static let disabled = Atomic<Bool>(false)

    /// Marks the process as holding keys. Cheap after the first call.
    public static func holdingKeys() {
        guard !disabled.load(ordering: .acquiring) else { return }
        _ = sluice_set_dumpable(0)
        disabled.store(true, ordering: .releasing)
    }

    /// Whether the kernel currently allows core dumps of this process (`nil` where unknown).
    public static var isDumpable: Bool? {
        let value = sluice_get_dumpable()
        return value < 0 ? nil : value != 0
    }
}
