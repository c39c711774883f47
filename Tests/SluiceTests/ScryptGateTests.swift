import Foundation
import Testing
@testable import Sluice

/// scrypt runs are bounded by a memory budget: the gate never lets more than its limit run at once,
/// and a batch's scrypt runs stay within its `--memory-limit` (docs/security.md, "scrypt memory").
@Suite struct ScryptGateTests {
    @Test func theGateHoldsRunsToItsLimit() throws {
        let gate = ScryptGate(limit: .bytes(3 << 20))
        let inside = Monitor((now: 0, most: 0))
        DispatchQueue.concurrentPerform(iterations: 12) { index in
            let bytes = (1 + index % 2) << 20
            gate.withMemory(bytes) {
                inside.withLock { $0.now += bytes; $0.most = max($0.most, $0.now) }
                usleep(20_000)
                inside.withLock { $0.now -= bytes }
            }
        }
        #expect(inside.withLock { $0.most } <= 3 << 20)
        #expect(gate.peak.bytes <= 3 << 20)
        #expect(gate.peak.bytes >= 2 << 20, "runs did overlap up to the limit")
        // One run larger than the limit still goes ahead, alone.
        #expect(gate.withMemory(8 << 20) { 1 } == 1)
    }

    /// Through the CLI: a batch of passphrase-packed files at 2^17 (128 MiB each) with two workers and
    /// `--memory-limit 128M` never holds two scrypt runs at once, so its peak RSS stays under the
    /// 256 MiB two would need.
    @Test(.enabled(if: TestSupport.hasTool("/usr/bin/time"))) func aBatchKeepsScryptWithinItsBudget() throws {
        try TestSupport.withTemporaryDirectory { directory in
            try FileManager.default.createDirectory(atPath: "\(directory)/tree", withIntermediateDirectories: true)
            for index in 0..<6 { try TestSupport.write(TestSupport.data(count: 1000, seed: UInt64(index)), to: "\(directory)/tree/f\(index)") }
            let env = ["SLUICE_GATE_PASS": "gate passphrase"]
            let (outcome, rss) = try HostileInputTests.measured(
                ["pack", "\(directory)/tree", "-o", "\(directory)/out", "-q", "--workers", "2", "--memory-limit", "128M",
                 "--kdf-cost", "17", "--passphrase-env", "SLUICE_GATE_PASS"], environment: env, in: directory)
            #expect(outcome.exitCode == 0, "\(outcome.standardError)")
            print("batch of 6 scrypt-2^17 files, 2 workers, --memory-limit 128M: peak RSS \(rss >> 20) MiB")
            #expect(rss > 128 << 20, "the measure sees one scrypt run")
            // Under a sanitizer the runtime's own memory (shadow, redzones) swamps the measure: 396 MiB under ASan.
            #expect(TestSupport.isSanitized || rss < 240 << 20, "peak RSS \(rss >> 20) MiB: two scrypt runs overlapped")
        }
    }
}
