#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing

/// 64 `sluice` processes at once on the same trees and outputs: single-file packs and unpacks racing for
/// one output name each, batch packs of one tree into one output directory, and verifies of the same
/// file. Each runs under `ulimit -n 64` (more descriptors than that and it fails) and GNU time (its peak
/// RSS), with a guard against a hang. Exactly one of the runs racing for a name wins, the others report
/// it (exit 73); every output is complete; nothing temporary is left.
@Suite(.serialized) struct ConcurrentProcessTests {
    static let processes = 64

    enum Role: CaseIterable { case packRace, unpackRace, batchPack, verify }

    @Test func sixtyFourProcessesOnTheSameFiles() throws {
        try TestSupport.withTemporaryDirectory { directory in
            let big = TestSupport.data(count: 2 << 20, seed: 7)
            try TestSupport.write(big, to: "\(directory)/big")
            mkdir("\(directory)/tree", 0o755)
            var tree: [String: [UInt8]] = [:]
            for index in 0..<8 {
                let bytes = TestSupport.data(count: 20_000 + index * 30_000, seed: UInt64(index))
                tree["f\(index)"] = bytes
                try TestSupport.write(bytes, to: "\(directory)/tree/f\(index)")
            }
            #expect(try Child.run([TestSupport.sluice, "pack", "-q", "--chunk-size", "64K", "\(directory)/big", "-o", "\(directory)/big.slc"]).exitCode == 0)
            mkdir("\(directory)/race", 0o755)

            var children: [(Role, Child)] = []
            for index in 0..<Self.processes {
                let role = Role.allCases[index % Role.allCases.count]
                let command: [String]
                switch role {
                case .packRace: command = ["pack", "-q", "--chunk-size", "64K", "\(directory)/big", "-o", "\(directory)/race/one.slc"]
                case .unpackRace: command = ["unpack", "-q", "\(directory)/big.slc", "-o", "\(directory)/race/one"]
                case .batchPack: command = ["pack", "-q", "\(directory)/tree", "-o", "\(directory)/packed"]
                case .verify: command = ["verify", "-q", "\(directory)/big.slc"]
                }
                let shell = "ulimit -n 64; exec /usr/bin/time -f 'peak-rss-kib %M' \"$@\""
                children.append((role, try Child(["/bin/sh", "-c", shell, "sh", TestSupport.sluice] + command)))
            }
            var exits: [String: [Int32]] = [:]
            var peakKiB = 0
            for (role, child) in children {
                let outcome = try #require(child.wait(atMost: 600), "\(role) hung")
                exits["\(role)", default: []].append(outcome.exitCode ?? -1)
                let rss = outcome.standardError.split(separator: "\n").last { $0.hasPrefix("peak-rss-kib ") }
                peakKiB = max(peakKiB, Int(rss?.split(separator: " ").last ?? "") ?? 0)
                let errors = outcome.errorLines
                switch (role, outcome.exitCode) {
                case (_, 0): #expect(errors.isEmpty, "\(role): \(outcome.standardError)")
                case (.packRace, 73), (.unpackRace, 73):
                    #expect(errors.count == 1 && errors[0].contains("already exists"), "\(role): \(outcome.standardError)")
                case (.batchPack, 1):
                    // Another batch wrote an output between this one's check and its link: reported, not clobbered.
                    // (The batch's closing summary is on standard error too, as a failed run's is.)
                    let failures = errors.filter { $0.hasPrefix("sluice: error:") }
                    #expect(!failures.isEmpty && failures.allSatisfy { $0.contains("already exists") }, "\(role): \(outcome.standardError)")
                default: Issue.record("\(role): exit \(String(describing: outcome.exitCode)) \(outcome.standardError)")
                }
            }
            #expect(exits["packRace"]?.filter { $0 == 0 }.count == 1, "\(exits)")
            #expect(exits["unpackRace"]?.filter { $0 == 0 }.count == 1, "\(exits)")
            #expect(exits["verify"]?.allSatisfy { $0 == 0 } == true, "\(exits)")
            #expect(peakKiB > 0 && peakKiB < 512 << 10, "peak RSS \(peakKiB) KiB")
            // Every output is complete.
            #expect(try TestSupport.read("\(directory)/race/one") == big)
            let back = "\(directory)/back"
            #expect(try Child.run([TestSupport.sluice, "unpack", "-q", "\(directory)/race/one.slc", "-o", back]).exitCode == 0)
            #expect(try TestSupport.read(back) == big)
            #expect(try Child.run([TestSupport.sluice, "unpack", "-q", "\(directory)/packed", "-o", "\(directory)/unpacked"]).exitCode == 0)
            for (name, bytes) in tree { #expect(try TestSupport.read("\(directory)/unpacked/\(name)") == bytes, "\(name)") }
            for folder in ["race", "packed", "tree", "."] {
                #expect(TestSupport.temporaryFiles(in: "\(directory)/\(folder)").isEmpty, "\(folder)")
            }
            print("64 processes: exits \(exits.mapValues { Dictionary(grouping: $0, by: { $0 }).mapValues(\.count) }), peak RSS \(peakKiB) KiB")
        }
    }
}
