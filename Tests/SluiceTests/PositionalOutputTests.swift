import Dispatch
import Foundation
import SystemPackage
import Testing
@testable import Sluice

/// ``PositionalOutput``: pieces written from many threads at once, in any order, land at their
/// offsets byte for byte; a sparse output leaves zero blocks as holes and gets its size at the end;
/// the write-back sees every range; a failed write is an I/O error.
@Suite struct PositionalOutputTests {
    static let piece = 64 << 10

    /// 64 pieces, every fourth all zeros and the others with a zero block inside, in a shuffled order.
    private func pieces() -> [(offset: UInt64, bytes: [UInt8])] {
        var all: [(offset: UInt64, bytes: [UInt8])] = []
        for index in 0..<64 {
            var bytes = index % 4 == 0 ? DataKind.zeros.bytes(count: Self.piece) : DataKind.random.bytes(count: Self.piece, seed: UInt64(index))
            if index % 4 == 1 { bytes.replaceSubrange(8192..<16384, with: repeatElement(0, count: 8192)) }
            all.append((UInt64(index * Self.piece), bytes))
        }
        var generator = SystemRandomNumberGenerator()
        return all.shuffled(using: &generator)
    }

    /// Writes `pieces` through `output` from eight threads at once.
    private func writeConcurrently(_ pieces: [(offset: UInt64, bytes: [UInt8])], to output: PositionalOutput) throws {
        let failures = Locked<[any Error]>([])
        DispatchQueue.concurrentPerform(iterations: 8) { thread in
            for (offset, bytes) in pieces.enumerated().filter({ $0.offset % 8 == thread }).map(\.element) {
                do {
                    try bytes.withUnsafeBytes { try output.write($0, at: offset) }
                } catch {
                    failures.withLock { $0.append(error) }
                }
            }
        }
        if let first = failures.withLock({ $0.first }) { throw first }
    }

    private func expected(_ pieces: [(offset: UInt64, bytes: [UInt8])]) -> [UInt8] {
        var whole = [UInt8](repeating: 0, count: 64 * Self.piece)
        for (offset, bytes) in pieces { whole.replaceSubrange(Int(offset)..<Int(offset) + bytes.count, with: bytes) }
        return whole
    }

    @Test(arguments: [false, true]) func piecesFromManyThreadsLandAtTheirOffsets(_ sparse: Bool) throws {
        try withTemporaryDirectory { dir in
            let path = dir.appending("out")
            let file = try FileDescriptor.open(path, .readWrite, options: [.create, .exclusiveCreate], permissions: [.ownerReadWrite])
            defer { try? file.close() }
            let back = WriteBack(file, step: UInt64(Self.piece), dirtyLimit: nil)
            let output = PositionalOutput(file, sparse: sparse, writeBack: back)
            let pieces = pieces()
            try writeConcurrently(pieces, to: output)
            try output.finish(size: UInt64(64 * Self.piece))
            #expect(try readFile(path) == expected(pieces))
            // Every range reached the write-back: the finished prefix covers the whole file.
            #expect(back.calls.starts >= 1)
            let dataBytes = 48 * Self.piece - 16 * 8192  // 48 pieces with data, 16 of them with a zero hole of 8 KiB
            if sparse {
                // The 16 zero pieces and the 16 zero blocks inside pieces are holes (a file system may
                // round allocations up, so only an upper bound is checked).
                #expect(try allocatedBytes(path) <= dataBytes + 64 * 4096)
                #expect(try allocatedBytes(path) < 64 * Self.piece)
            } else {
                #expect(try allocatedBytes(path) >= 64 * Self.piece)
            }
        }
    }

    /// A sparse output that ends in zeros gets its full size from `finish`.
    @Test func aTrailingHoleCounts() throws {
        try withTemporaryDirectory { dir in
            let path = dir.appending("out")
            let file = try FileDescriptor.open(path, .readWrite, options: [.create, .exclusiveCreate], permissions: [.ownerReadWrite])
            defer { try? file.close() }
            let output = PositionalOutput(file, sparse: true, writeBack: nil)
            let data = DataKind.text.bytes(count: 10_000)
            try data.withUnsafeBytes { try output.write($0, at: 0) }
            try output.write(ZeroRegion.bytes(1 << 20), at: 10_000)
            try output.finish(size: 10_000 + (1 << 20))
            let back = try readFile(path)
            #expect(back.count == 10_000 + (1 << 20))
            #expect(Array(back.prefix(10_000)) == data)
            #expect(back.dropFirst(10_000).allSatisfy { $0 == 0 })
        }
    }

    @Test(arguments: [false, true]) func aFailedWriteIsAnIOError(_ sparse: Bool) throws {
        try withTemporaryDirectory { dir in
            let path = dir.appending("out")
            try FileDescriptor.open(path, .writeOnly, options: [.create], permissions: [.ownerReadWrite]).close()
            let readOnly = try FileDescriptor.open(path, .readOnly)
            defer { try? readOnly.close() }
            let output = PositionalOutput(readOnly, sparse: sparse, writeBack: nil)
            let data = DataKind.random.bytes(count: 8192)
            let error = #expect(throws: SluiceError.self) { try data.withUnsafeBytes { try output.write($0, at: 0) } }
            #expect(error?.code == .io)
        }
    }
}
