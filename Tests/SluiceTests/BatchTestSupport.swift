import Foundation
import Synchronization
import SystemPackage
import Testing
@testable import Sluice

/// A scratch directory for one test, removed afterwards.
final class Scratch {
    let root: String

    init() throws {
        let base = FileManager.default.temporaryDirectory.path
        root = "\(base)/sluice-batch-test-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    func path(_ relative: String) -> String { "\(root)/\(relative)" }

    /// Writes `bytes` at `relative`, creating parent directories.
    @discardableResult
    func file(_ relative: String, _ bytes: [UInt8], mode: Int = 0o644, mtime: Date? = nil) throws -> String {
        let full = path(relative)
        try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: full, contents: Data(bytes))
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: full)
        if let mtime { try FileManager.default.setAttributes([.modificationDate: mtime], ofItemAtPath: full) }
        return full
    }

    func text(_ relative: String, lines: Int, seed: Int = 0, mode: Int = 0o644) throws {
        let body = (0..<lines).map { "line \($0 &* 7919 &+ seed) of \(relative), some words to compress\n" }.joined()
        try file(relative, Array(body.utf8), mode: mode)
    }

    func directory(_ relative: String) throws {
        try FileManager.default.createDirectory(atPath: path(relative), withIntermediateDirectories: true)
    }

    func exists(_ relative: String) -> Bool {
        var status = stat()
        return lstat(path(relative), &status) == 0
    }

    func contents(_ relative: String) -> [UInt8]? {
        FileManager.default.contents(atPath: path(relative)).map { Array($0) }
    }

    /// Every regular file under `relative`, as relative paths, sorted.
    func files(under relative: String) -> [String] {
        let base = path(relative)
        guard let walker = FileManager.default.enumerator(atPath: base) else { return [] }
        var found: [String] = []
        while let next = walker.nextObject() as? String {
            var status = stat()
            if lstat("\(base)/\(next)", &status) == 0, status.st_mode & S_IFMT == S_IFREG { found.append(next) }
        }
        return found.sorted()
    }
}

/// Collects a batch's events for the test to look at.
final class EventLog: Sendable {
    private let events = Mutex<[BatchEvent]>([])

    func record(_ event: BatchEvent) { events.withLock { $0.append(event) } }

    var all: [BatchEvent] { events.withLock { $0 } }

    var failures: [(String, SluiceError)] {
        all.compactMap { if case .failed(let path, let error) = $0 { (path.string, error) } else { nil } }
    }

    var skips: [(String, SkipReason)] {
        all.compactMap { if case .skipped(let path, let reason) = $0 { (path.string, reason) } else { nil } }
    }

    var planned: [(String, String)] {
        all.compactMap { if case .planned(let source, let output, _) = $0 { (source.string, output.string) } else { nil } }
    }
}

enum BatchTesting {
    static func packOptions(codec: Codec = .zstd) throws -> PackOptions { PackOptions(codec: try CodecSettings(codec)) }

    /// Runs a batch and returns its report and events.
    static func run(_ input: String, _ options: BatchOptions) throws -> (BatchReport, EventLog) {
        let log = EventLog()
        let report = try Batch.run(FilePath(input), options: options) { log.record($0) }
        return (report, log)
    }

    static func pack(_ input: String, to output: String?, configure: (inout BatchOptions) -> Void = { _ in }) throws -> (BatchReport, EventLog) {
        var options = BatchOptions(operation: .pack(try packOptions()))
        options.output = output.map { FilePath($0) }
        configure(&options)
        return try run(input, options)
    }

    static func unpack(_ input: String, to output: String?, configure: (inout BatchOptions) -> Void = { _ in }) throws -> (BatchReport, EventLog) {
        var options = BatchOptions(operation: .unpack)
        options.output = output.map { FilePath($0) }
        configure(&options)
        return try run(input, options)
    }

    /// Size, mode and mtime (to the nanosecond) of a file.
    static func stamp(_ path: String) -> (size: Int, mode: UInt32, seconds: Int, nanoseconds: Int)? {
        var status = stat()
        guard lstat(path, &status) == 0 else { return nil }
        return (Int(status.st_size), UInt32(status.st_mode) & 0o7777, Int(status.st_mtim.tv_sec), Int(status.st_mtim.tv_nsec))
    }

    /// Sets a file's mtime to the nanosecond.
    static func setModification(_ path: String, seconds: Int, nanoseconds: Int) {
        let time = timespec(tv_sec: seconds, tv_nsec: nanoseconds)
        var times = [time, time]
        _ = utimensat(AT_FDCWD, path, &times, 0)
    }

    /// The `sluice` executable built beside the test bundle.
    static var executable: String {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("sluice").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return ".build/debug/sluice"
    }

    /// Runs the CLI; returns exit status, stdout and stderr.
    static func cli(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
    }
}
