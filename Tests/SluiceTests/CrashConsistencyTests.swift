#if canImport(Glibc)
import Glibc
#endif
import Foundation
@testable import Sluice
import SystemPackage
import Testing

/// Power cuts at every step (ALICE-style): the file-system calls of a run with `--remove-source` are
/// recorded through the syscall seam, and every prefix of the sequence is replayed as the state a power
/// cut at that point could leave. Whatever was not made durable by a later `fsync` (of the file, or of
/// the directory for a name) or `syncfs` may be lost, and an `unlink` may already be durable: for each
/// source, either it survives for sure, or its output does — under its final name, with all its data
/// durable. An output name also never refers to a file that is written after it got the name.
@Suite(.serialized) struct CrashConsistencyTests {
    /// What the replay found: the prefixes checked and every violation.
    struct Verdict {
        var prefixes = 0
        var violations: [String] = []
    }

    /// The model of the replay: inodes, the volatile names, and what is durable.
    static func replay(_ events: [SyscallMocking.Event], pairs: [(source: String, output: String)]) -> Verdict {
        var verdict = Verdict()
        var names: [String: Int] = [:]  // name → inode, as the running system sees it
        var durableNames: [String: Int] = [:]  // what a power cut keeps for sure
        var pendingNames: [(name: String, inode: Int?)] = []  // name operations not yet durable (nil: removed)
        var dirty: Set<Int> = []  // inodes with writes not yet synced
        var writtenAfterNaming: Set<Int> = []
        var namedInodes: [Int: String] = [:]
        var nextInode = 1
        for pair in pairs {
            names[pair.source] = nextInode
            durableNames[pair.source] = nextInode
            nextInode += 1
        }
        func inode(_ path: String) -> Int? { names[path] }
        func directory(of name: String) -> String { URL(fileURLWithPath: name).deletingLastPathComponent().path }
        func settle(where keep: ((name: String, inode: Int?)) -> Bool) {
            for operation in pendingNames where keep(operation) {
                if let inode = operation.inode { durableNames[operation.name] = inode } else { durableNames[operation.name] = nil }
            }
            pendingNames.removeAll(where: keep)
        }
        for (index, event) in events.enumerated() {
            switch event.call {
            case .open where event.creates:
                names[event.path] = nextInode
                if !event.path.hasSuffix(" (deleted)") { pendingNames.append((event.path, nextInode)) }
                nextInode += 1
            case .write:
                if let file = inode(event.path) {
                    dirty.insert(file)
                    if namedInodes[file] != nil { writtenAfterNaming.insert(file) }
                }
            case .fsync:
                if let file = inode(event.path) {
                    dirty.remove(file)
                } else {
                    settle { directory(of: $0.name) == event.path }  // a directory's fsync makes its names durable
                }
            case .syncfs:
                dirty.removeAll()
                settle { _ in true }
            case .link, .rename:
                guard let to = event.to, let file = inode(event.path) else { break }
                names[to] = file
                namedInodes[file] = to
                pendingNames.append((to, file))
                if event.call == .rename {
                    names[event.path] = nil
                    pendingNames.append((event.path, nil))
                }
            case .unlink:
                names[event.path] = nil
                pendingNames.append((event.path, nil))
            default:
                break
            }
            verdict.prefixes += 1
            // A power cut right after event `index`.
            for pair in pairs {
                let sourceMayBeGone = names[pair.source] == nil || durableNames[pair.source] == nil
                    || pendingNames.contains { $0.name == pair.source && $0.inode == nil }
                guard sourceMayBeGone else { continue }
                let output = durableNames[pair.output]
                let outputIsSafe = output != nil && output == names[pair.output] && !dirty.contains(output!)
                    && !pendingNames.contains { $0.name == pair.output }
                if !outputIsSafe {
                    verdict.violations.append("cut after #\(index) (\(event)): \(pair.source) may be gone and \(pair.output) is not durable")
                }
            }
        }
        for file in writtenAfterNaming {
            verdict.violations.append("\(namedInodes[file]!) was written after it got its final name")
        }
        return verdict
    }

    enum Scenario: String, CaseIterable, Sendable { case packFile, unpackFile, packTree, unpackTree }

    @Test(arguments: Scenario.allCases)
    func removeSourceSurvivesAPowerCutAtEveryStep(_ scenario: Scenario) throws {
        try TestSupport.withTemporaryDirectory { directory in
            var pairs: [(source: String, output: String)] = []
            let options = try PackOptions.smallChunks()
            let names = (0..<5).map { "f\($0)" }
            switch scenario {
            case .packFile, .unpackFile:
                try TestSupport.write(TestSupport.data(count: 300_000), to: "\(directory)/data")
                if scenario == .unpackFile {
                    _ = try Pipeline.packFile(FilePath("\(directory)/data"), to: .file(FilePath("\(directory)/data.slc"), overwrite: false), options: options)
                    unlink("\(directory)/data")
                    pairs = [("\(directory)/data.slc", "\(directory)/data")]
                } else {
                    pairs = [("\(directory)/data", "\(directory)/data.slc")]
                }
            case .packTree, .unpackTree:
                mkdir("\(directory)/tree", 0o755)
                for (index, name) in names.enumerated() {
                    try TestSupport.write(TestSupport.data(count: 10_000 + index * 70_000, seed: UInt64(index)), to: "\(directory)/tree/\(name)")
                }
                if scenario == .unpackTree {
                    var batch = BatchOptions(operation: .pack(options))
                    batch.output = FilePath("\(directory)/packed")
                    _ = try Batch.run(FilePath("\(directory)/tree"), options: batch) { _ in }
                    pairs = names.map { ("\(directory)/packed/\($0).slc", "\(directory)/out/\($0)") }
                } else {
                    pairs = names.map { ("\(directory)/tree/\($0)", "\(directory)/out/\($0).slc") }
                }
            }
            SyscallMocking.record(under: directory)
            defer { SyscallMocking.disarm(directory) }
            switch scenario {
            case .packFile:
                _ = try Pipeline.packFile(FilePath(pairs[0].source), to: .file(FilePath(pairs[0].output), overwrite: false),
                                          options: options, policy: OutputPolicy(removeSource: true))
            case .unpackFile:
                _ = try Pipeline.unpackFile(FilePath(pairs[0].source), to: .file(FilePath(pairs[0].output), overwrite: false),
                                            key: { _ in nil }, policy: OutputPolicy(removeSource: true))
            case .packTree, .unpackTree:
                var batch = BatchOptions(operation: scenario == .packTree ? .pack(options) : .unpack)
                batch.output = FilePath("\(directory)/out")
                batch.removeSource = true
                let report = try Batch.run(FilePath(scenario == .packTree ? "\(directory)/tree" : "\(directory)/packed"), options: batch) { _ in }
                #expect(report.filesFailed == 0)
            }
            let events = SyscallMocking.disarm(directory)
            // The run itself removed every source and left verified outputs.
            for pair in pairs {
                #expect(!FileManager.default.fileExists(atPath: pair.source), "\(pair.source) not removed")
                #expect(FileManager.default.fileExists(atPath: pair.output), "\(pair.output) missing")
            }
            #expect(events.contains { $0.call == .unlink }, "nothing recorded: \(events)")
            let verdict = Self.replay(events, pairs: pairs)
            #expect(verdict.violations.isEmpty, "\(verdict.violations.prefix(5))\n\(events.map(\.description).joined(separator: "\n"))")
            #expect(verdict.prefixes == events.count)
            print("crash replay \(scenario): \(events.count) calls, \(verdict.prefixes) power cuts, \(pairs.count) sources, \(verdict.violations.count) violations")

            // The same replay finds the fault when the order is wrong: the source removed before the
            // output's data and name were made durable.
            var early = events.filter { $0.call != .unlink }
            if let firstSync = early.firstIndex(where: { $0.call == .fsync || $0.call == .syncfs }) {
                early.insert(contentsOf: events.filter { $0.call == .unlink }, at: firstSync)
            }
            #expect(!Self.replay(early, pairs: pairs).violations.isEmpty, "the replay cannot see an unsafe order")
        }
    }
}
