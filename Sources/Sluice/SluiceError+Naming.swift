import SystemPackage

extension SluiceError {
    /// This error with the engine's "the input" / "the output" (it sees descriptors, not names) replaced
    /// by the files' paths, so that the one line a failure prints names the file.
    func naming(input: FilePath?, output: FilePath?) -> SluiceError {
        var message = message
        for (generic, path) in [("the input", input), ("the output", output)] {
            guard let path, message.hasPrefix("cannot read \(generic)") || message.hasPrefix("cannot write \(generic)") else { continue }
            let verb = message.hasPrefix("cannot read") ? "cannot read " : "cannot write "
            message = verb + path.string + message.dropFirst(verb.count + generic.count)
        }
        return SluiceError(code, message, cause: cause)
    }
}
