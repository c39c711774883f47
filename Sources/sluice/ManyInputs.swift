import ArgumentParser

/// Several inputs given to one command (`sluice a b c`, `pack a.log b.log dir/`, `verify *.slc`): each
/// is processed in turn on the process's shared worker and I/O pools; a failure prints its one line,
/// naming the input, and the others go on; a summary line closes, and the exit status is 1 if any
/// failed (as `zstd a b c` does). One input runs as it always did, with its own exit code.
enum ManyInputs {
    /// The input being processed when there are several: error lines name it (``reportingErrors(input:_:)``).
    @TaskLocal static var current: String?

    /// Runs `body` for each of `inputs` (for none: standard input, `-`).
    ///
    /// - Parameters:
    ///   - verb: the past tense for the summary ("packed", "verified").
    ///   - quiet: `-q`: no summary line unless something failed.
    static func run(_ inputs: [String], verb: String, quiet: Bool, _ body: (String) throws -> Void) throws {
        guard inputs.count > 1 else { return try body(inputs.first ?? "-") }
        var failed = 0
        for input in inputs {
            do {
                try $current.withValue(input) { try body(input) }
            } catch let exit as ExitCode where exit != .success {
                failed += 1  // its line is printed already
            }
        }
        if !quiet || failed > 0 {
            Terminal.printError("sluice: \(verb) \(inputs.count - failed) of \(inputs.count) inputs" + (failed > 0 ? ", \(failed) failed" : ""))
        }
        if failed > 0 { throw ExitCode(ExitCodes.failure) }
    }
}
