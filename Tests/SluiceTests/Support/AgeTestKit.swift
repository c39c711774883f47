import Foundation
@testable import Sluice

/// The age test vectors (C2SP CCTV, `age/testdata`) in `shared/testdata/age-testkit/` beside the
/// repository: its README.md explains the format.
struct AgeVector: Sendable {
    enum Expectation: String, Sendable {
        case success
        case headerFailure = "header failure"
        case payloadFailure = "payload failure"
        case armorFailure = "armor failure"
        case noMatch = "no match"
        case hmacFailure = "HMAC failure"
    }

    var name: String
    var expect: Expectation
    /// SHA-256 of the plaintext, hex (for successes).
    var payloadSHA256: String?
    var fileKey: [UInt8]?
    var identities: [String]
    var passphrases: [String]
    var armored: Bool
    /// The age file, decompressed when the vector was stored compressed.
    var file: [UInt8]

    /// Whether the vector needs a post-quantum (ML-KEM) identity.
    var isPostQuantum: Bool { identities.contains { $0.hasPrefix("AGE-SECRET-KEY-PQ-") } }

    /// `shared/testdata/age-testkit`: beside the repository root (the worktree or CI's clone).
    static let directory: URL = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent("../shared/testdata/age-testkit").standardizedFileURL
    }()

    /// Every vector's file name (empty when the directory is missing; the suite then fails on that).
    static let names: [String] = {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return entries.filter { $0 != "README.md" && !$0.hasPrefix(".") }.sorted()
    }()

    static func load(_ name: String) throws -> AgeVector {
        let bytes = [UInt8](try Data(contentsOf: directory.appendingPathComponent(name)))
        var offset = 0
        var fields: [(String, String)] = []
        while true {
            guard let end = bytes[offset...].firstIndex(of: UInt8(ascii: "\n")) else { throw VectorError(name, "no blank line") }
            let line = String(decoding: bytes[offset..<end], as: UTF8.self)
            offset = end + 1
            if line.isEmpty { break }
            guard let colon = line.range(of: ": ") else { throw VectorError(name, "bad line \(line)") }
            fields.append((String(line[..<colon.lowerBound]), String(line[colon.upperBound...])))
        }
        func value(_ key: String) -> String? { fields.first { $0.0 == key }?.1 }
        guard let expectText = value("expect"), let expect = Expectation(rawValue: expectText) else {
            throw VectorError(name, "unknown expectation")
        }
        var file = Array(bytes[offset...])
        if value("compressed") == "zlib" { file = try zlibDecompress(file) }
        return AgeVector(
            name: name, expect: expect, payloadSHA256: value("payload"), fileKey: value("file key").map { [UInt8](hex: $0) },
            identities: fields.filter { $0.0 == "identity" }.map(\.1),
            passphrases: fields.filter { $0.0 == "passphrase" }.map(\.1), armored: value("armored") == "yes", file: file)
    }

    struct VectorError: Error, CustomStringConvertible {
        var description: String
        init(_ name: String, _ what: String) { description = "\(name): \(what)" }
    }
}

func sha256Hex(_ bytes: [UInt8]) throws -> String {
    var digest = [UInt8](repeating: 0, count: 32)
    try bytes.withUnsafeBytes { data in try digest.withUnsafeMutableBytes { try LibCrypto.sha256(data, into: $0.baseAddress!) } }
    return digest.hex
}

/// Inflates zlib data with a real zlib (Python's `zlib` module, a test-only dependency; `python3` is
/// in the Makefile's PACKAGES), not with code of our own.
func zlibDecompress(_ data: [UInt8]) throws -> [UInt8] {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", "import sys, zlib; sys.stdout.buffer.write(zlib.decompress(sys.stdin.buffer.read()))"]
    let input = Pipe(), output = Pipe()
    process.standardInput = input
    process.standardOutput = output
    try process.run()
    let writer = Thread {
        input.fileHandleForWriting.write(Data(data))
        try? input.fileHandleForWriting.close()
    }
    writer.start()
    let result = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw AgeVector.VectorError("zlib", "python3 zlib failed") }
    return [UInt8](result)
}
