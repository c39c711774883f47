import SystemPackage
import Testing
@testable import Sluice
@testable import SluiceBench

/// `Pipeline.packFile`, `unpackFile` and `verifyFile` on real files: names, atomic output, metadata,
/// overwrite rules and `removeSource`.
@Suite struct FileRoundTripTests {
    static let mode: UInt32 = 0o640
    static let mtime: (seconds: Int64, nanoseconds: Int64) = (1_600_000_000, 987_654_321)

    /// Writes a source file with a distinctive mode and a nanosecond mtime.
    private func makeSource(in directory: FilePath, _ data: [UInt8], name: String = "source.txt") throws -> FilePath {
        let path = directory.appending(name)
        try writeFile(path, data)
        try FileAttributes.set(path, mode: Self.mode, seconds: Self.mtime.seconds, nanoseconds: Self.mtime.nanoseconds)
        return path
    }

    @Test(arguments: Codec.allCases, Cipher.allCases)
    func packVerifyUnpack(codec: Codec, cipher: Cipher) throws {
        try withTemporaryDirectory { directory in
            let data = DataKind.text.bytes(count: 3 * Harness.chunkSize + 5)
            let source = try makeSource(in: directory, data)
            let packedPath = Pipeline.packedName(for: source)
            let key: KeySource? = cipher == .none ? nil : Harness.key
            let packReport = try Pipeline.packFile(source, to: .file(packedPath, overwrite: false), options: try Harness.options(codec, cipher))
            #expect(packReport.plainBytes == UInt64(data.count))
            #expect(try readFile(packedPath).count == Int(packReport.packedBytes))
            #expect(try leftoverTemporaryFiles(in: directory) == [])

            let verified = try Pipeline.verifyFile(packedPath, key: { _ in key })
            #expect(verified.plainBytes == UInt64(data.count))
            #expect(verified.chunks == 4)
            // The header remembers the original's name, size, mode and mtime.
            #expect(verified.info.metadata == FileMetadata(
                size: UInt64(data.count), mode: Self.mode, modificationSeconds: Self.mtime.seconds,
                modificationNanoseconds: UInt32(Self.mtime.nanoseconds), name: "source.txt"))

            let restoredPath = directory.appending("restored.txt")
            let unpackReport = try Pipeline.unpackFile(packedPath, to: .file(restoredPath, overwrite: false), key: { _ in key })
            #expect(unpackReport.plainBytes == UInt64(data.count))
            #expect(try readFile(restoredPath) == data)
            // Mode and mtime come back to the nanosecond.
            let attributes = try FileAttributes(of: restoredPath)
            #expect(attributes.mode == Self.mode)
            #expect(attributes.seconds == Self.mtime.seconds)
            #expect(attributes.nanoseconds == Self.mtime.nanoseconds)
            #expect(try leftoverTemporaryFiles(in: directory) == [])
        }
    }

    /// `restoreMetadata: false` (`--no-restore-metadata`) leaves the new file's own time alone.
    @Test func unpackWithoutRestoringMetadata() throws {
        try withTemporaryDirectory { directory in
            let source = try makeSource(in: directory, DataKind.zeros.bytes(count: 100))
            let packedPath = Pipeline.packedName(for: source)
            _ = try Pipeline.packFile(source, to: .file(packedPath, overwrite: false), options: try Harness.options(.zstd))
            let restored = directory.appending("plain")
            _ = try Pipeline.unpackFile(packedPath, to: .file(restored, overwrite: false), key: { _ in nil }, restoreMetadata: false)
            #expect(try FileAttributes(of: restored).seconds != Self.mtime.seconds)
            #expect(try readFile(restored) == DataKind.zeros.bytes(count: 100))
        }
    }

    @Test func names() {
        #expect(Pipeline.packedName(for: "dir/x") == "dir/x.slc")
        #expect(Pipeline.unpackedName(for: "dir/x.slc") == "dir/x")
        #expect(Pipeline.unpackedName(for: "x.tar.slc") == "x.tar")
        // Nothing to strip, or nothing would be left.
        #expect(Pipeline.unpackedName(for: "x.zst") == nil)
        #expect(Pipeline.unpackedName(for: "dir/.slc") == nil)
    }

    /// An existing output is never replaced without `overwrite`, and is replaced with it.
    @Test func overwriteOnlyWhenAsked() throws {
        try withTemporaryDirectory { directory in
            let source = try makeSource(in: directory, DataKind.text.bytes(count: 5000))
            let packedPath = Pipeline.packedName(for: source)
            try writeFile(packedPath, Array("precious".utf8))
            let options = try Harness.options(.zstd)
            #expect(Outcome { _ = try Pipeline.packFile(source, to: .file(packedPath, overwrite: false), options: options) }
                == .rejected(.outputExists))
            #expect(try readFile(packedPath) == Array("precious".utf8))
            _ = try Pipeline.packFile(source, to: .file(packedPath, overwrite: true), options: options)
            #expect(try Pipeline.verifyFile(packedPath, key: { _ in nil }).plainBytes == 5000)

            let restored = directory.appending("restored")
            try writeFile(restored, Array("also precious".utf8))
            #expect(Outcome { _ = try Pipeline.unpackFile(packedPath, to: .file(restored, overwrite: false), key: { _ in nil }) }
                == .rejected(.outputExists))
            #expect(try readFile(restored) == Array("also precious".utf8))
            _ = try Pipeline.unpackFile(packedPath, to: .file(restored, overwrite: true), key: { _ in nil })
            #expect(try readFile(restored) == DataKind.text.bytes(count: 5000))
            #expect(try leftoverTemporaryFiles(in: directory) == [])
        }
    }

    /// Writing over the input itself is refused even with `overwrite`, and the input survives.
    @Test func sameFileIsRefused() throws {
        try withTemporaryDirectory { directory in
            let data = DataKind.text.bytes(count: 5000)
            let source = try makeSource(in: directory, data)
            #expect(Outcome { _ = try Pipeline.packFile(source, to: .file(source, overwrite: true), options: try Harness.options(.zstd)) }
                == .rejected(.invalidArgument))
            #expect(try readFile(source) == data)
            // Through another name for the same file, too.
            let link = directory.appending("link")
            try hardLink(source, link)
            #expect(Outcome { _ = try Pipeline.packFile(source, to: .file(link, overwrite: true), options: try Harness.options(.zstd)) }
                == .rejected(.invalidArgument))
            #expect(try readFile(source) == data)
        }
    }

    @Test func removeSourceAfterPack() throws {
        try withTemporaryDirectory { directory in
            let data = DataKind.text.bytes(count: 20_000)
            let source = try makeSource(in: directory, data)
            let packedPath = Pipeline.packedName(for: source)
            _ = try Pipeline.packFile(
                source, to: .file(packedPath, overwrite: false), options: try Harness.options(.zstd, .aes256gcm),
                policy: OutputPolicy(removeSource: true))
            #expect(!exists(source))
            let restored = directory.appending("restored")
            _ = try Pipeline.unpackFile(
                packedPath, to: .file(restored, overwrite: false), key: { _ in Harness.key }, policy: OutputPolicy(removeSource: true))
            #expect(try readFile(restored) == data)
            // Unpacking with removeSource deletes the .slc once the output is in place.
            #expect(!exists(packedPath))
        }
    }

    /// A failed run keeps the source, whatever `removeSource` says.
    @Test func removeSourceKeepsSourceOnFailure() throws {
        try withTemporaryDirectory { directory in
            let source = try makeSource(in: directory, DataKind.text.bytes(count: 20_000))
            let packedPath = Pipeline.packedName(for: source)
            try writeFile(packedPath, [1])
            #expect(Outcome {
                _ = try Pipeline.packFile(
                    source, to: .file(packedPath, overwrite: false), options: try Harness.options(.zstd),
                    policy: OutputPolicy(removeSource: true))
            } == .rejected(.outputExists))
            #expect(exists(source))

            // Unpacking a damaged file with removeSource keeps the damaged file and writes nothing.
            _ = try Pipeline.packFile(source, to: .file(packedPath, overwrite: true), options: try Harness.options(.zstd))
            var bytes = try readFile(packedPath)
            bytes[bytes.count / 2] ^= 0x01
            try writeFile(packedPath, bytes)
            let restored = directory.appending("restored")
            #expect(Outcome {
                _ = try Pipeline.unpackFile(packedPath, to: .file(restored, overwrite: false), key: { _ in nil }, policy: OutputPolicy(removeSource: true))
            } == .rejected(.corrupt))
            #expect(exists(packedPath))
            #expect(!exists(restored))
            #expect(try leftoverTemporaryFiles(in: directory) == [])
        }
    }

    @Test func missingInputIsAnIOError() throws {
        try withTemporaryDirectory { directory in
            let missing = directory.appending("missing")
            #expect(Outcome { _ = try Pipeline.packFile(missing, to: .file(directory.appending("m.slc"), overwrite: false), options: try Harness.options(.zstd)) }
                == .rejected(.io))
            #expect(Outcome { _ = try Pipeline.verifyFile(missing, key: { _ in nil }) } == .rejected(.io))
            #expect(Outcome { _ = try Pipeline.packFile(directory, to: .file(directory.appending("d.slc"), overwrite: false), options: try Harness.options(.zstd)) }
                == .rejected(.invalidArgument))
        }
    }

    /// An encrypted file opened without a key is a clear refusal (documented on `Pipeline.readHeader`
    /// as `.invalidArgument`), not a crash or a corrupt verdict.
    @Test func encryptedWithoutKey() throws {
        let packed = try Harness.packed(DataKind.text.bytes(count: 100), .zstd, .aes256gcm)
        #expect(Outcome { _ = try Harness.unpack(packed, key: nil) } == .rejected(.invalidArgument))
    }
}

