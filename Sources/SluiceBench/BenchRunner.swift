import Foundation
import Sluice

/// Runs a matrix over inputs and collects a ``BenchRun``: the library side of `sluice bench`.
///
///     var runner = BenchRunner(matrix: BenchMatrix(codecs: try BenchMatrix.codecs(["zstd:1,3"])))
///     runner.settings = BenchSettings(runs: 3, minTime: 0.5)
///     let run = try runner.run([.generated(try GeneratedData(parsing: "mixed:16M"))])
public struct BenchRunner: Sendable {
    public var matrix: BenchMatrix
    public var settings: BenchSettings
    /// Where file mode writes its temporary files (a new directory is made inside and removed after).
    public var temporaryDirectory: String
    /// The version of the program, recorded in the environment.
    public var toolVersion: String?
    /// The `sluice` executable: file mode then measures each cell's peak memory as that of a real
    /// `sluice pack` and `sluice unpack` process. Without it, the peak is measured in this process.
    public var executable: String?
    /// Called after each cell with its result, before the next starts (progress lines).
    public var progress: (@Sendable (BenchResult) -> Void)?
    /// Called before each cell starts.
    public var starting: (@Sendable (BenchCell, _ dataset: String) -> Void)?

    public init(matrix: BenchMatrix, settings: BenchSettings = BenchSettings()) {
        self.matrix = matrix
        self.settings = settings
        temporaryDirectory = ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp"
    }

    /// Loads the inputs and measures every cell on every dataset.
    ///
    /// - Throws: ``SluiceError``: `invalidArgument` for an impossible matrix, `io` for unreadable
    ///   inputs, `corrupt` when a round trip does not give back the input (that is a bug, never a number).
    public func run(_ inputs: [BenchInput], label: String? = nil) throws -> BenchRun {
        let settings = try self.settings.validated()
        guard !inputs.isEmpty else { throw SluiceError.invalid("nothing to benchmark: give a file, a directory or --generate") }
        let environment = BenchEnvironment.current(toolVersion: toolVersion)
        var results: [BenchResult] = []
        let cells = matrix.cells
        guard !cells.isEmpty else { throw SluiceError.invalid("the matrix is empty") }
        for input in inputs {
            for dataset in try input.load() {
                switch matrix.mode {
                case .memory:
                    let bench = MemoryBench(dataset: dataset, settings: settings)
                    for cell in cells {
                        starting?(cell, dataset.name)
                        let result = try bench.run(cell)
                        progress?(result)
                        results.append(result)
                    }
                case .file:
                    try withWorkDirectory { directory in
                        var path = dataset.source
                        if path == nil {
                            let file = "\(directory)/input.bin"
                            try TemporaryFiles.create(file) {
                                guard FileManager.default.createFile(atPath: file, contents: Data(dataset.bytes)) else {
                                    throw SluiceError(.io, "cannot write \(file)")
                                }
                            }
                            path = file
                        }
                        let bench = FileBench(name: dataset.name, path: path!, bytes: dataset.bytes, directory: directory, settings: settings, executable: executable)
                        for cell in cells {
                            // --cold: the same cell again with the page cache emptied before each pass, beside the warm one.
                            for cold in settings.cold == true ? [false, true] : [false] {
                                starting?(cell, dataset.name)
                                let result = try bench.run(cell, cold: cold)
                                progress?(result)
                                results.append(result)
                            }
                        }
                    }
                }
            }
        }
        return BenchRun(label: label, environment: environment, settings: settings, mode: matrix.mode, results: results)
    }

    /// Makes a private directory for file mode's files and removes it, with what is in it, afterwards.
    private func withWorkDirectory(_ body: (String) throws -> Void) throws {
        let directory = "\(temporaryDirectory)/sluice-bench.\(ProcessInfo.processInfo.processIdentifier).\(UInt32.random(in: 0...UInt32.max))"
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw SluiceError(.io, "cannot create a work directory in \(temporaryDirectory)")
        }
        defer {
            try? FileManager.default.removeItem(atPath: directory)
            TemporaryFiles.unregister("\(directory)/input.bin")
            TemporaryFiles.unregister("\(directory)/bench.key")
        }
        try body(directory)
    }
}
