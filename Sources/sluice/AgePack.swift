import ArgumentParser
import Sluice
import SystemPackage

/// `sluice pack` choosing and setting up age v1 output (docs/cli.md, "age files").
extension PackCommand {
    /// The container: `--format`, else age when recipients are given or armor asked for, else the one
    /// the output name ends in (`.zst`, `.lz4`, `.age`), else `.slc`.
    func containerKind() throws -> ContainerKind {
        if let format {
            if format != .age, recipients.isGiven { throw SluiceError(.invalidArgument, "-r/-R encrypt age files: use --format age (or leave --format out)") }
            if format != .age, armor { throw SluiceError(.invalidArgument, "--armor is for age files (--format age)") }
            return format
        }
        let named = output.flatMap { ContainerKind.named(by: FilePath($0)) }
        if recipients.isGiven || armor {
            if let named, named != .age {
                throw SluiceError(.invalidArgument, "-o \(output!) names a .\(named.rawValue) file, but -r/-R and --armor write age files")
            }
            return .age
        }
        return named ?? .slc
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
