import Foundation
import Sluice
import Testing

/// README.md's "As a library" example is built with the tests: it is copied below, line for line, so an
/// API change that breaks it breaks the build, and the test checks that the README still shows exactly
/// these lines. (It is compiled, not run: it writes into the current directory.)
@Suite struct ReadmeExampleTests {
    /// The README's example, after its `import Sluice`, between the two marker comments.
    static func example() throws {
        // README example begins
        let options = PackOptions(codec: try CodecSettings(.zstd, level: 3))
        let report = try Pipeline.packFile("data.csv", to: .file("data.csv.slc", overwrite: false), options: options,
                                           progress: { done in print(done, "bytes") })
        print(report.plainBytes, "→", report.packedBytes)
        _ = try Pipeline.unpackFile("data.csv.slc", to: .file("copy.csv", overwrite: false), key: { _ in nil })
        // streams: Pipeline.packStream(from:to:options:) / unpackStream / verifyStream on FileDescriptors
        // README example ends
    }

    /// The indented code block under "## As a library", its leading four spaces removed (blank lines left out).
    static func readmeBlock() throws -> [String] {
        let readme = try String(contentsOf: PublicAPIDocTests.root.appendingPathComponent("README.md"), encoding: .utf8)
        let lines = readme.components(separatedBy: "\n")
        guard let heading = lines.firstIndex(of: "## As a library") else { return [] }
        var block: [String] = []
        for line in lines[(heading + 1)...] {
            if line.hasPrefix("    ") { block.append(String(line.dropFirst(4))) } else if !block.isEmpty, !line.isEmpty { break }
        }
        return block
    }

    @Test func theReadmeShowsTheCompiledExample() throws {
        let source = try String(contentsOf: URL(fileURLWithPath: #filePath), encoding: .utf8).components(separatedBy: "\n")
        let start = try #require(source.firstIndex { $0.hasSuffix("// README example begins") })
        let end = try #require(source.firstIndex { $0.hasSuffix("// README example ends") })
        let compiled = source[(start + 1)..<end].map { String($0.dropFirst(8)) }
        #expect(!compiled.isEmpty)
        #expect(try Self.readmeBlock() == ["import Sluice"] + compiled.filter { !$0.isEmpty })
    }
}
