import ArgumentParser
import Sluice
import SystemPackage

/// `sluice pack` choosing the container and setting up age v1 output and recipients (docs/cli.md, "age files",
/// "Recipients").
extension PackCommand {
    /// The container: `--format`, else age when armor is asked for, else the one the output name ends
    /// in (`.zst`, `.lz4`, `.age`), else `.slc`. Recipients (-r/-R) do not choose: they encrypt a `.slc`
    /// or an age file alike; zstd and LZ4 files take none.
    func containerKind() throws -> ContainerKind {
        let kind: ContainerKind
        if let format {
            if format != .age, armor { throw SluiceError(.invalidArgument, "--armor is for age files (--format age)") }
            kind = format
        } else {
            let named = output.flatMap { ContainerKind.named(by: FilePath($0)) }
            if armor {
                if let named, named != .age {
                    throw SluiceError(.invalidArgument, "-o \(output!) names a .\(named.rawValue) file, but --armor writes age files")
                }
                kind = .age
            } else {
                kind = named ?? .slc
            }
        }
        if kind == .zstd || kind == .lz4, recipients.isGiven {
            throw SluiceError(.invalidArgument,
                "-r/-R encrypt .slc and age files: a standard \(kind.rawValue) file has no encryption")
        }
        return kind
    }

    /// The key of a `.slc` file: recipients (-r/-R) or a key option (key file, passphrase, prompt),
    /// not both.
    func slcKey() throws -> KeySource {
        guard recipients.isGiven else { return try keys.secret(confirm: true) }
        if keys.isGiven {
            throw SluiceError(.invalidArgument, "give recipients (-r/-R) or a key option (--key-file, a passphrase), not both")
        }
        if removeSource {
            throw SluiceError(.invalidArgument,
                "--remove-source verifies the new file before deleting the input, and recipients (public keys) cannot open it")
        }
        return .recipients(try recipients.resolved())
    }

    /// The options of an age file: no compression, no checksum (STREAM authenticates every chunk),
    /// ChaCha20-Poly1305, and the recipients or a passphrase (scrypt at age's default work factor).
    func ageOptions() throws -> PackOptions {
        if let codec, codec != Codec.store.rawValue {
            throw SluiceError(.invalidArgument, 
                "--format age takes no --codec \(codec): age has no compression; for both, pipe: sluice pack --codec \(codec) -c FILE | sluice pack --format age -r … -o FILE.slc.age")
        }
        if let checksum, checksum != .none { throw SluiceError(.invalidArgument, "--format age takes no --checksum: STREAM's tags authenticate every chunk") }
        if let cipher, cipher != "auto", cipher != Cipher.chacha20poly1305.rawValue {
            throw SluiceError(.invalidArgument, "age files are encrypted with ChaCha20-Poly1305 only (no --cipher \(cipher))")
        }
        var options = PackOptions(codec: try CodecSettings(.store))
        options.format = .age
        options.cipher = .chacha20poly1305
        options.checksum = ChecksumKind.none
        let workFactor = kdfCost ?? 18
        guard ScryptCost.packRange.contains(workFactor) else {
            throw SluiceError(.invalidArgument, "--kdf-cost must be within \(ScryptCost.packRange)")
        }
        options.kdfCost = ScryptCost(logN: workFactor)
        if recipients.isGiven {
            if keys.isGiven { throw SluiceError(.invalidArgument, "give recipients (-r/-R) or a passphrase, not both: age files take one or the other") }
            options.key = .recipients(try recipients.resolved())
        } else {
            if keys.keyFile != nil { throw SluiceError(.invalidArgument, "age files are encrypted to recipients (-r/-R) or a passphrase, not a key file") }
            options.key = try keys.secret(confirm: true)
        }
        return options
    }
}
