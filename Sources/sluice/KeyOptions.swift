#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ArgumentParser
import Sluice
import SystemPackage

/// Where the key or passphrase comes from; shared by every command that encrypts or decrypts.
struct KeyOptions: ParsableArguments {
    @Option(name: .customLong("key-file"), help: ArgumentHelp("Use the 32-byte key in FILE (see `sluice keygen`).", valueName: "FILE"))
    var keyFile: String?

    @Option(help: ArgumentHelp("Read the passphrase from the first line of FILE.", valueName: "FILE"))
    var passphraseFile: String?

    @Option(help: ArgumentHelp("Read the passphrase from the environment variable NAME.", valueName: "NAME"))
    var passphraseEnv: String?

    @Option(help: ArgumentHelp("Read the passphrase from the first line of file descriptor FD.", valueName: "FD"))
    var passphraseFd: Int32?

    @Option(help: ArgumentHelp(
        "Bind the file's keys to STRING (its UTF-8 bytes): it then opens only with the same --context. Not stored in the file.",
        valueName: "STRING"))
    var context: String?

    @Flag(help: "Refuse, instead of warning: a key or passphrase file other users can reach or someone else owns; on unpack, a header name that differs from the output's.")
    var strict = false

    /// Whether any key option was given.
    var isGiven: Bool { keyFile != nil || passphraseFile != nil || passphraseEnv != nil || passphraseFd != nil }

    /// The kind of secret the options name (`nil`: none; a prompt is not "given").
    var kind: KeyKind? {
        if keyFile != nil { return .keyFile }
        return isGiven ? .passphrase : nil
    }

    /// What a file must be to be opened with these options (docs/security.md): with a key option, an
    /// unencrypted file is refused unless `allowUnencrypted`.
    /// With --context, the file must be bound to that context.
    func policy(allowUnencrypted: Bool) throws -> KeyPolicy {
        KeyPolicy(given: kind, allowUnencrypted: allowUnencrypted, context: try keyContext())
    }

    /// The `--context` given, checked (1 to ``KeyContext/maxLength`` bytes; otherwise exit 64).
    func keyContext() throws -> KeyContext? {
        guard let context else { return nil }
        do {
            return try KeyContext(context)
        } catch let error as SluiceError {
            throw SluiceError(.invalidArgument, "--context: \(error.message)")
        }
    }

    func validate() throws {
        let given = [keyFile != nil, passphraseFile != nil, passphraseEnv != nil, passphraseFd != nil].filter { $0 }.count
        if given > 1 { throw ValidationError("give only one of --key-file, --passphrase-file, --passphrase-env, --passphrase-fd") }
    }

    /// The secret, from the option given or, failing that, from a prompt on the terminal.
    ///
    /// - Parameter confirm: ask twice (when packing) so a typo does not lock the data away.
    func secret(confirm: Bool) throws -> KeySource {
        KeyMemory.holdingKeys()  // no core dump from here on (docs/security.md, "Keys in memory")
        if let keyFile { return try KeyFile.read(at: FilePath(keyFile), strict: strict, warn: Terminal.warning) }
        if let passphraseFile {
            // Enough to see the line break after a passphrase of the longest length (never cut).
            var bytes = try SecretFile.read(
                FilePath(passphraseFile), limit: KeySource.maxPassphraseLength + 2, strict: strict, warn: Terminal.warning)
            if let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) { bytes.removeSubrange(newline...) }
            if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
            return try passphrase(bytes, from: "--passphrase-file \(passphraseFile)")
        }
        if let passphraseEnv {
            guard let value = getenv(passphraseEnv) else {
                throw SluiceError(.invalidArgument, "environment variable \(passphraseEnv) is not set")
            }
            // The variable's bytes as they are: no decoding (invalid UTF-8 must not collapse into U+FFFD).
            let bytes = UnsafeRawBufferPointer(start: value, count: strlen(value))
            return try passphrase(Array(bytes), from: "$\(passphraseEnv)")
        }
        if let passphraseFd {
            return try passphrase(Terminal.readLine(passphraseFd, limit: KeySource.maxPassphraseLength), from: "fd \(passphraseFd)")
        }
        guard let first = Terminal.readSecret(prompt: "Passphrase: ", limit: KeySource.maxPassphraseLength) else {
            throw SluiceError(.invalidArgument,
                              "a key is needed: give --key-file, --passphrase-file, --passphrase-env or --passphrase-fd (no terminal to ask on)")
        }
        if confirm {
            guard Terminal.readSecret(prompt: "Passphrase (again): ", limit: KeySource.maxPassphraseLength) == first else {
                throw SluiceError(.invalidArgument, "the passphrases do not match")
            }
        }
        return try passphrase(first, from: "the prompt")
    }

    /// The secret that opens an existing file (unpack, verify). With no key option and no terminal to
    /// ask on, the key is missing: exit 77 ("wrong or missing key", as documented), not a usage error.
    func secretToOpen() throws -> KeySource {
        do {
            return try secret(confirm: false)
        } catch let error as SluiceError where error.code == .invalidArgument && !isGiven {
            throw SluiceError(.wrongKey, error.message)
        }
    }

    private func passphrase(_ bytes: [UInt8], from origin: String) throws -> KeySource {
        guard !bytes.isEmpty else { throw SluiceError(.invalidArgument, "the passphrase from \(origin) is empty") }
        guard bytes.count <= KeySource.maxPassphraseLength else {
            throw SluiceError(.invalidArgument, "the passphrase from \(origin) is longer than \(KeySource.maxPassphraseLength) bytes")
        }
        return .passphrase(bytes)
    }
}
