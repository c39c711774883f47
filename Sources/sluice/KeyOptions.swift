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

    /// Whether any key option was given.
    var isGiven: Bool { keyFile != nil || passphraseFile != nil || passphraseEnv != nil || passphraseFd != nil }

    /// The kind of secret the options name (`nil`: none; a prompt is not "given").
    var kind: KeyKind? {
        if keyFile != nil { return .keyFile }
        return isGiven ? .passphrase : nil
    }

    /// What a file must be to be opened with these options (docs/security.md): with a key option, an
    /// unencrypted file is refused unless `allowUnencrypted`.
    func policy(allowUnencrypted: Bool) -> KeyPolicy { KeyPolicy(given: kind, allowUnencrypted: allowUnencrypted) }

    func validate() throws {
        let given = [keyFile != nil, passphraseFile != nil, passphraseEnv != nil, passphraseFd != nil].filter { $0 }.count
        if given > 1 { throw ValidationError("give only one of --key-file, --passphrase-file, --passphrase-env, --passphrase-fd") }
    }

    /// The secret, from the option given or, failing that, from a prompt on the terminal.
    ///
    /// - Parameter confirm: ask twice (when packing) so a typo does not lock the data away.
    func secret(confirm: Bool) throws -> KeySource {
        if let keyFile { return try KeyFile.read(at: FilePath(keyFile)) }
        if let passphraseFile {
            let bytes = try readFirstLine(of: FilePath(passphraseFile))
            return try passphrase(bytes, from: "--passphrase-file \(passphraseFile)")
        }
        if let passphraseEnv {
            guard let value = getenv(passphraseEnv) else {
                throw SluiceError(.invalidArgument, "environment variable \(passphraseEnv) is not set")
            }
            return try passphrase(Array(String(cString: value).utf8), from: "$\(passphraseEnv)")
        }
        if let passphraseFd {
            var bytes: [UInt8] = []
            while let byte = Terminal.readByte(passphraseFd), byte != UInt8(ascii: "\n") {
                bytes.append(byte)
                guard bytes.count <= 65536 else { break }
            }
            return try passphrase(bytes.last == UInt8(ascii: "\r") ? bytes.dropLast() : bytes, from: "fd \(passphraseFd)")
        }
        guard let first = Terminal.readSecret(prompt: "Passphrase: ") else {
            throw SluiceError(.invalidArgument,
                              "a key is needed: give --key-file, --passphrase-file, --passphrase-env or --passphrase-fd (no terminal to ask on)")
        }
        if confirm {
            guard Terminal.readSecret(prompt: "Passphrase (again): ") == first else {
                throw SluiceError(.invalidArgument, "the passphrases do not match")
            }
        }
        return try passphrase(Array(first.utf8), from: "the prompt")
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
        return .passphrase(bytes)
    }

    private func readFirstLine(of path: FilePath) throws -> [UInt8] {
        let fd: FileDescriptor
        do {
            fd = try FileDescriptor.open(path, .readOnly)
        } catch {
            throw SluiceError(.io, "cannot read \(path)", cause: error)
        }
        defer { try? fd.close() }
        var bytes: [UInt8] = []
        var block = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = try block.withUnsafeMutableBytes { try fd.read(into: $0) }
            if count == 0 { break }
            bytes += block[0..<count]
            if let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) {
                bytes.removeSubrange(newline...)
                break
            }
            guard bytes.count <= 65536 else { throw SluiceError(.invalidArgument, "\(path) is not a passphrase file") }
        }
        if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
        return bytes
    }
}
