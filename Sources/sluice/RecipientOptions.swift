import ArgumentParser
import Sluice
import SystemPackage

/// `-r`/`-R`: the age X25519 recipients a new file is encrypted to (pack).
struct RecipientOptions: ParsableArguments {
    @Option(name: [.customShort("r"), .customLong("recipient")], help: ArgumentHelp(
        "Encrypt to the age public key RECIPIENT (age1…); repeat for several. Implies --format age.", valueName: "RECIPIENT"))
    var recipients: [String] = []

    @Option(name: [.customShort("R"), .customLong("recipients-file")], help: ArgumentHelp(
        "Encrypt to every recipient in FILE (one age1… per line, # comments); repeatable.", valueName: "FILE"))
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
        "Decrypt with the age identities in FILE (AGE-SECRET-KEY-1… lines, # comments); repeatable.", valueName: "FILE"))
    var identityFiles: [String] = []

    /// The key provider of unpack and verify: identities when `-i` was given; otherwise, for a file
    /// encrypted to recipients, nothing (so no passphrase prompt for a file no passphrase opens);
    /// otherwise the key options (key file, passphrase, prompt).
    func provider(falling back: KeyOptions) throws -> KeyProvider {
        let identities = try identityFiles.flatMap { try IdentityFile.identities(at: FilePath($0)) }
        return { request in
            if !identities.isEmpty { return .identities(identities) }
            if request.wrappings.contains(where: { if case .recipients = $0 { true } else { false } }) { return nil }
            return try back.secretToOpen()
        }
    }
}
