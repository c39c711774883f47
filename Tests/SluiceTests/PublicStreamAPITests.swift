import Foundation
import Sluice
import SystemPackage
import Testing

/// The library's stream entry points (`Pipeline.packStream`, `unpackStream`, `verifyStream`), used the
/// way a program importing `Sluice` would: open descriptors in, open descriptors out.
@Suite struct PublicStreamAPITests {
    static let data: [UInt8] = (0..<300_000).map { UInt8(truncatingIfNeeded: ($0 / 7) &* 31 ^ $0 >> 9) }
    static let key = KeySource.keyFile((0..<32).map { UInt8($0) &* 3 &+ 1 })

    /// `bytes` written to a new file under `directory`, opened for reading.
    static func input(_ bytes: [UInt8], in directory: FilePath, name: String) throws -> FileDescriptor {
        try writeFile(directory.appending(name), bytes)
        return try FileDescriptor.open(directory.appending(name), .readOnly)
    }

    /// A new file under `directory`, opened for writing.
    static func output(in directory: FilePath, name: String) throws -> FileDescriptor {
        try FileDescriptor.open(directory.appending(name), .writeOnly, options: [.create, .truncate], permissions: .ownerReadWrite)
    }

    /// `bytes` fed into a pipe by a thread of its own; the read end is returned (a stream with no size).
    static func pipe(_ bytes: [UInt8]) throws -> (FileDescriptor, Thread) {
        let (read, write) = try FileDescriptor.pipe()
        let feeder = Thread {
            _ = try? bytes.withUnsafeBytes { try write.writeAll($0) }
            try? write.close()
        }
        feeder.start()
        return (read, feeder)
    }

    @Test(arguments: [ContainerKind.slc, .zstd, .lz4])
    func packThenUnpackThroughDescriptors(_ format: ContainerKind) throws {
        try withTemporaryDirectory { directory in
            var options = PackOptions(codec: try CodecSettings(format == .lz4 ? .lz4 : .zstd, level: format == .lz4 ? nil : 3))
            options.format = format
            options.chunkSize = 65536
            let source = try Self.input(Self.data, in: directory, name: "in")
            let packed = try Self.output(in: directory, name: "packed")
            let report = try Pipeline.packStream(from: source, to: packed, options: options)
            try source.close()
            try packed.close()
            #expect(report.plainBytes == UInt64(Self.data.count))
            let packedBytes = try readFile(directory.appending("packed"))
            #expect(UInt64(packedBytes.count) == report.packedBytes)

            // From a pipe, as from standard input: no size, no seeking.
            let (stream, feeder) = try Self.pipe(packedBytes)
            let restored = try Self.output(in: directory, name: "restored")
            let unpacked = try Pipeline.unpackStream(from: stream, to: restored, key: { _ in nil })
            try stream.close()
            try restored.close()
            _ = feeder
            #expect(try readFile(directory.appending("restored")) == Self.data)
            #expect(unpacked.plainBytes == UInt64(Self.data.count))

            let again = try FileDescriptor.open(directory.appending("packed"), .readOnly)
            defer { try? again.close() }
            #expect(try Pipeline.verifyStream(from: again, key: { _ in nil }).plainBytes == UInt64(Self.data.count))
        }
    }

    @Test func anEncryptedStreamNeedsItsKey() throws {
        try withTemporaryDirectory { directory in
            var options = PackOptions(codec: try CodecSettings(.zstd))
            options.cipher = .chacha20poly1305
            options.key = Self.key
            let (source, feeder) = try Self.pipe(Self.data)
            let packed = try Self.output(in: directory, name: "packed")
            _ = try Pipeline.packStream(from: source, to: packed, options: options)
            _ = feeder
            try source.close()
            try packed.close()

            let restored = try Self.output(in: directory, name: "restored")
            defer { try? restored.close() }
            let input = try FileDescriptor.open(directory.appending("packed"), .readOnly)
            defer { try? input.close() }
            let other = KeySource.keyFile([UInt8](repeating: 9, count: 32))
            let error = #expect(throws: SluiceError.self) {
                try Pipeline.unpackStream(from: input, to: restored, key: { _ in other })
            }
            #expect(error?.code == .wrongKey)
            try input.seek(offset: 0, from: .start)
            _ = try Pipeline.unpackStream(from: input, to: restored, key: { _ in Self.key })
            #expect(try readFile(directory.appending("restored")) == Self.data)
        }
    }

    @Test func aDamagedStreamIsCorrupt() throws {
        try withTemporaryDirectory { directory in
            let source = try Self.input(Self.data, in: directory, name: "in")
            let packed = try Self.output(in: directory, name: "packed")
            _ = try Pipeline.packStream(from: source, to: packed, options: PackOptions(codec: try CodecSettings(.zstd)))
            try source.close()
            try packed.close()
            var bytes = try readFile(directory.appending("packed"))
            bytes[bytes.count / 2] ^= 0x40
            let damaged = try Self.input(bytes, in: directory, name: "damaged")
            defer { try? damaged.close() }
            let error = #expect(throws: SluiceError.self) { try Pipeline.verifyStream(from: damaged, key: { _ in nil }) }
            #expect(error?.code == .corrupt)
        }
    }

    /// One inspect entry point for every format: a `.slc` file gives its header and index totals, a
    /// zstd file its frame layout; a file of no known format is refused as corrupt.
    @Test func inspectFileDescribesEveryFormat() throws {
        try withTemporaryDirectory { directory in
            try writeFile(directory.appending("in"), Self.data)
            for format in [ContainerKind.slc, .zstd] {
                var options = PackOptions(codec: try CodecSettings(.zstd, level: 3))
                options.format = format
                options.chunkSize = 65536
                let packed = directory.appending(format == .slc ? "in.slc" : "in.zst")
                _ = try Pipeline.packFile(directory.appending("in"), to: .file(packed, overwrite: true), options: options)
                switch try Pipeline.inspectFile(packed) {
                case .container(let found):
                    #expect(format == .slc)
                    #expect(found.info.codec.codec == .zstd && found.plainSize == UInt64(Self.data.count))
                    #expect(found.chunks == UInt64((Self.data.count + 65535) / 65536) && found.trailerVerified)
                case .standard(let layout):
                    #expect(format == .zstd)
                    #expect(layout.format == .zstd && layout.plainSize == UInt64(Self.data.count) && layout.frames > 1)
                }
            }
            let error = #expect(throws: SluiceError.self) { try Pipeline.inspectFile(directory.appending("in")) }
            #expect(error?.code == .corrupt)
        }
    }

    /// A report's statistics render as `--stats` prints them (a table) and as `--stats-json` does (one
    /// JSON object with snake-case keys holding the same numbers).
    @Test func runStatisticsRenderAsTableAndJSON() throws {
        try withTemporaryDirectory { directory in
            try writeFile(directory.appending("in"), Self.data)
            var options = PackOptions(codec: try CodecSettings(.zstd, level: 3))
            options.chunkSize = 65536
            let report = try Pipeline.packFile(
                directory.appending("in"), to: .file(directory.appending("in.slc"), overwrite: false), options: options)
            let table = report.statistics.table.components(separatedBy: "\n")
            #expect(table.first?.hasPrefix("plan:        64 KiB chunks") == true, "\(table)")
            #expect(table.contains { $0.hasPrefix("  compress ") } && table.last?.hasPrefix("peak memory: ") == true)
            let object = try JSONSerialization.jsonObject(with: Data(report.statistics.json.utf8)) as? [String: Any]
            #expect(object?["chunk_size"] as? Int == 65536)
            #expect((object?["stages"] as? [[String: Any]])?.contains { $0["name"] as? String == "compress" } == true)
        }
    }
}
