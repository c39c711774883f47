/// Finding the file key among a header's stanzas with the identities and passphrase a user gave: the
/// one place that decides "which key opens this file" for age files and `.slc` recipient headers.
extension AgeStanza {
    static let postQuantumType = "mlkem768x25519"

    /// The file key that one of `identities` (or `passphrase`) unwraps from `stanzas`.
    ///
    /// Identities are tried in order against every X25519 stanza; stanzas of unknown types are skipped
    /// (age's "grease"). A scrypt stanza must be the only one.
    ///
    /// - Throws: the ``Age/Failure/header`` failure for malformed stanzas; ``SluiceError/Code/wrongKey``
    ///   ("no identity matches") when nothing given opens the file, saying what the file needs.
    static func unwrap(
        _ stanzas: [AgeStanza], identities: [AgeIdentity], passphrase: [UInt8]?, maxWorkFactor: Int
    ) throws -> [UInt8] {
        let scrypt = stanzas.filter { $0.type == scryptType }
        if !scrypt.isEmpty {
            guard stanzas.count == 1 else {
                throw Age.Failure.header.error("a scrypt stanza must be the only stanza of a header")
            }
            guard let passphrase else {
                throw Age.noMatch("this file is encrypted with a passphrase; give a passphrase option")
            }
            guard let fileKey = try scrypt[0].scryptFileKey(passphrase: passphrase, maxWorkFactor: maxWorkFactor) else {
                throw Age.noMatch("wrong passphrase")
            }
            return try checked(fileKey)
        }
        for identity in identities {
            for stanza in stanzas where stanza.type == x25519Type {
                if let fileKey = try stanza.x25519FileKey(for: identity) { return try checked(fileKey) }
            }
        }
        let types = Set(stanzas.map(\.type))
        if types.contains(postQuantumType) && !types.contains(x25519Type) {
            throw Age.noMatch(
                "the file is encrypted to post-quantum (\(postQuantumType)) recipients only, which need ML-KEM; OpenSSL 3.0 has none")
        }
        if identities.isEmpty {
            throw Age.noMatch("this file is encrypted to recipients; give an identity with -i")
        }
        throw Age.noMatch(identities.count == 1
            ? "the identity given does not open this file" : "none of the \(identities.count) identities given opens this file")
    }

    /// A file key must be exactly 16 bytes (a body of another length was refused before opening it).
    private static func checked(_ fileKey: [UInt8]) throws -> [UInt8] {
        guard fileKey.count == Age.fileKeySize else { throw Age.Failure.header.error("the file key is not 16 bytes") }
        return fileKey
    }
}
