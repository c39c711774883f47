import ArgumentParser
import Sluice

/// `sluice pack` choosing and setting up age v1 output (docs/cli.md, "age files").
extension PackCommand {
    /// The container: `--format`, else age when recipients are given or the output ends in `.age`.
    func containerKind() throws -> ContainerKind {
        if let format {
            guard let kind = ContainerKind(rawValue: format) else {
                throw SluiceError(.invalidArgument, "--format: '\(format)' is not one of \(ContainerKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            if kind != .age, recipients.isGiven { throw SluiceError(.invalidArgument, "-r/-R encrypt age files: use --format age (or leave --format out)") }
            if kind != .age, armor { throw SluiceError(.invalidArgument, "--armor is for age files (--format age)") }
            return kind
        }
        if recipients.isGiven || output?.hasSuffix(".age") == true || armor { return .age }
        return .slc
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
