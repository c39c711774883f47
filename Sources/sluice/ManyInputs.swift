import ArgumentParser

/// Several inputs given to one command (`sluice a b c`, `pack a.log b.log dir/`, `verify *.slc`): each
/// is processed in turn on the process's shared worker and I/O pools; a failure prints its one line,
/// naming the input, and the others go on; a summary line closes. One input runs as it always did,
/// with its own exit code.
///
/// The exit status of several (docs/cli.md, "Exit codes"): 0 when all succeeded; the failures' code
/// when they all have the same one (all refused for their key: 77; all corrupt: 65); otherwise 77 when
/// any was refused for its key (as a directory's batch does), else 1 (as `zstd a b c` does).
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
        var codes: [Int32] = []
        for input in inputs {
            do {
                try $current.withValue(input) { try body(input) }
            } catch let exit as ExitCode where exit.rawValue == ExitCodes.brokenPipe {
                throw exit  // the reader of standard output went away: nothing more to say to it, nor a summary
            } catch let exit as ExitCode where exit != .success {
                codes.append(exit.rawValue)  // its line is printed already
            }
        }
        let failed = codes.count
        if !quiet || failed > 0 {
            Terminal.printError("sluice: \(verb) \(inputs.count - failed) of \(inputs.count) inputs" + (failed > 0 ? ", \(failed) failed" : ""))
        }
        if failed > 0 { throw ExitCode(status(of: codes)) }
    }

    /// The one exit status for the codes of the inputs that failed (at least one).
    static func status(of codes: [Int32]) -> Int32 {
        if Set(codes).count == 1 { return codes[0] }
        return codes.contains(ExitCodes.wrongKey) ? ExitCodes.wrongKey : ExitCodes.failure
    }
}
