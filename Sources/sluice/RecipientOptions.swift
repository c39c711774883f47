import ArgumentParser
import Sluice
import SystemPackage

/// `-r`/`-R`: the age X25519 recipients a new file is encrypted to (pack).
struct RecipientOptions: ParsableArguments {
    @Option(name: [.customShort("r"), .customLong("recipient")], help: ArgumentHelp(
        "Encrypt to the age public key RECIPIENT (age1...), a .slc or an age file; repeat for several.", valueName: "RECIPIENT"))
    var recipients: [String] = []

    @Option(name: [.customShort("R"), .customLong("recipients-file")], help: ArgumentHelp(
        "Encrypt to every recipient in FILE (one age1... per line, # comments); repeatable.", valueName: "FILE"))
    var recipientFiles: [String] = []

    var isGiven: Bool { !recipients.isEmpty || !recipientFiles.isEmpty }

    /// Every recipient given, in order.
    func resolved() throws -> [AgeRecipient] {
        try recipients.map { try AgeRecipient(parsing: $0) }
            + recipientFiles.flatMap { try IdentityFile.recipients(at: FilePath($0)) }
    }
}

/// `-i`: the age identity files that open a file encrypted to recipients (unpack, verify).
struct IdentityOptions: ParsableArguments {
    @Option(name: [.customShort("i"), .customLong("identity")], help: ArgumentHelp(
        "Decrypt with the age identities in FILE (AGE-SECRET-KEY-1... lines, # comments); repeatable.", valueName: "FILE"))
    var identityFiles: [String] = []

    var isGiven: Bool { !identityFiles.isEmpty }

    /// The key provider of unpack and verify: identities when `-i` was given; otherwise, for a file
    /// encrypted to recipients, nothing (so no passphrase prompt for a file no passphrase opens);
    /// otherwise the key options (key file, passphrase, prompt). Identity files are checked as key
    /// files are (a warning for one other users can reach, refused with `--strict`). With `-i`, the
    /// key options are not asked (as `age -d -i`).
    func provider(falling back: KeyOptions) throws -> KeyProvider {
        if isGiven { KeyMemory.holdingKeys() }  // no core dump from here on (docs/security.md, "Keys in memory")
        let identities = try identityFiles.flatMap {
            try IdentityFile.identities(at: FilePath($0), strict: back.strict, warn: Terminal.warning)
        }
        return { request in
            if !identities.isEmpty { return .identities(identities) }
            if request.wrappings.contains(where: { if case .recipients = $0 { true } else { false } }) { return nil }
            return try back.secretToOpen()
        }
    }

    /// The identities of a directory unpack, read once for every file (`nil` without `-i`).
    func batchKey(strict: Bool) throws -> KeySource? {
        guard isGiven else { return nil }
        KeyMemory.holdingKeys()
        return .identities(try identityFiles.flatMap {
            try IdentityFile.identities(at: FilePath($0), strict: strict, warn: Terminal.warning)
        })
    }

    /// What a file must be to be opened (docs/security.md): identities count as a key given, so with
    /// `-i` (as with a key option) an unencrypted file is refused unless `allowUnencrypted`.
    /// `--context` applies as with a key option (an age file binds none, so it is then refused).
    func policy(falling back: KeyOptions, allowUnencrypted: Bool) throws -> KeyPolicy {
        var policy = try back.policy(allowUnencrypted: allowUnencrypted)
        if isGiven { policy.given = .identity }
        return policy
    }
}

/// Runs `body` (an unpack or verify of `input`) and names the input in a "no identity matches" error
/// (exit 77, docs/cli.md), so a script that tried several files can tell which one no identity opened.
func namingInput<T>(_ input: String, _ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch var error as SluiceError where error.code == .wrongKey && error.message.hasPrefix("no identity matches") {
        error.message = "\(input == "-" ? "stdin" : input): \(error.message)"
        throw error
    }
}
