import Sluice
import Foundation

/// The key or passphrase of a run with several inputs, asked for once: `sluice pack a b c` with a
/// passphrase prompt asks (twice) for the first file and uses the answer for the others; `unpack` of
/// several encrypted files likewise.
enum SecretOnce {
    /// Read and written only with `lock` held (a pthread mutex, which ThreadSanitizer sees).
    nonisolated(unsafe) private static var remembered: KeySource?
    private static let lock = NSLock()

    private static func withSecret<Result>(_ body: (inout KeySource?) -> Result) -> Result {
        lock.lock()
        defer { lock.unlock() }
        return body(&remembered)
    }

    /// The secret `make` gives the first time; the same one after that.
    static func value(_ make: () throws -> KeySource) throws -> KeySource {
        if let known = withSecret({ $0 }) { return known }
        let made = try make()
        withSecret { $0 = made }
        return made
    }

    /// `provider`, remembering the first secret it gives (not identities, which are files read once
    /// already, nor the `nil` of a request it cannot serve).
    static func caching(_ provider: @escaping KeyProvider) -> KeyProvider {
        { request in
            // A file for age recipients is opened by identities only: nothing remembered applies.
            if request.wrappings.contains(where: { if case .recipients = $0 { true } else { false } }) { return try provider(request) }
            if let known = withSecret({ $0 }) { return known }
            let given = try provider(request)
            if let given, case .identities = given { return given }
            if let given { withSecret { $0 = given } }
            return given
        }
    }
}
