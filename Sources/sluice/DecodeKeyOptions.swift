import ArgumentParser
import Sluice

/// What opens an existing file — key options, age identities, `--allow-unencrypted`, `--max-kdf-cost` —
/// shared by `unpack`, `verify` and `list`.
struct DecodeKeyOptions: ParsableArguments {
    @OptionGroup(title: "Keys")
    var keys: KeyOptions

    @OptionGroup(title: "age identities")
    var identities: IdentityOptions

    @Flag(help: "With a key option or -i, accept a file that is not encrypted (by default refused: anyone can forge one).")
    var allowUnencrypted = false

    @Option(help: ArgumentHelp("Refuse scrypt costs above 2^N (20: 1 GiB).", valueName: "LOG2N"))
    var maxKdfCost: Int = DecodeLimits().maxScryptLogN

    /// What an input may ask for, and the keys it must be opened with (docs/security.md).
    func limits() throws -> DecodeLimits {
        DecodeLimits(maxScryptLogN: maxKdfCost, keys: try identities.policy(falling: keys, allowUnencrypted: allowUnencrypted))
    }
}

/// A command that opens existing files: its ``DecodeKeyOptions`` under the names the commands use.
protocol OpensFiles {
    var decoding: DecodeKeyOptions { get }
}

extension OpensFiles {
    var keys: KeyOptions { decoding.keys }
    var identities: IdentityOptions { decoding.identities }
    var allowUnencrypted: Bool { decoding.allowUnencrypted }
    var maxKdfCost: Int { decoding.maxKdfCost }
}
