#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The machine's memory, for the default `--memory-limit`.
package enum Memory {
    /// Physical memory in bytes. The corresponding C call is `sysconf(_SC_PHYS_PAGES)`.
    package static var physical: Int {
        Int(sysconf(Int32(_SC_PHYS_PAGES))) * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// A quarter of physical memory: room for the chunk buffers of any plan on a normal machine, while
    /// leaving the rest to the page cache and to other work.
    static var defaultLimit: ByteCount { .bytes(max(64 << 20, physical / 4)) }

    /// CPU time this process has used so far, user and system, in seconds. The C call is `getrusage`.
    package static var cpuTimes: (user: Double, system: Double) {
        var usage = rusage()
        #if canImport(Glibc)
        getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
        #else
        getrusage(RUSAGE_SELF, &usage)
        #endif
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return (seconds(usage.ru_utime), seconds(usage.ru_stime))
    }

    /// This process's peak resident set size so far. The corresponding C call is `getrusage`.
    package static var peakResident: ByteCount {
        #if canImport(Glibc)
        let RUSAGE_SELF_ID = RUSAGE_SELF.rawValue
        #else
        let RUSAGE_SELF_ID = RUSAGE_SELF
        #endif
        var usage = rusage()
        getrusage(Int32(RUSAGE_SELF_ID), &usage)
        #if canImport(Darwin)
        return .bytes(Int(usage.ru_maxrss))
        #else
        return .bytes(Int(usage.ru_maxrss) * 1024)
        #endif
    }
}
