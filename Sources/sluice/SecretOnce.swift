import Sluice
import Synchronization

/// The key or passphrase of a run with several inputs, asked for once: `sluice pack a b c` with a
/// passphrase prompt asks (twice) for the first file and uses the answer for the others; `unpack` of
/// several encrypted files likewise.
enum SecretOnce {
    private static let secret = Mutex<KeySource?>(nil)

    /// The secret `make` gives the first time; the same one after that.
    static func value(_ make: () throws -> KeySource) throws -> KeySource {
        if let known = secret.withLock({ $0 }) { return known }
        let made = try make()
        secret.withLock { $0 = made }
        return made
    }

    /// `provider`, remembering the first secret it gives (not identities, which are files read once
    /// already, nor the `nil` of a request it cannot serve).
    static func caching(_ provider: @escaping KeyProvider) -> KeyProvider {
        { request in
            // A file for age recipients is opened by identities only: nothing remembered applies.
            if request.wrappings.contains(where: { if case .recipients = $0 { true } else { false } }) { return try provider(request) }
            if let known = secret.withLock({ $0 }) { return known }
            let given = try provider(request)
            if let given, case .identities = given { return given }
            if let given { secret.withLock { $0 = given } }
            return given
        }
    }
}
