private import COpenSSL

/// Every OpenSSL primitive Sluice uses, behind Swift signatures: AEAD sealing and opening, HKDF,
/// scrypt, HMAC-SHA-256, SHA-256 and the system random generator. This is the only file that
/// imports libcrypto.
package enum LibCrypto {
    /// The library version, e.g. `OpenSSL 3.0.17 1 Jul 2025`.
    package static var version: String { String(cString: OpenSSL_version(Int32(OPENSSL_VERSION))) }

    /// Reads and clears OpenSSL's error queue into one ``SluiceError``.
    fileprivate static func failure(_ what: String, code: SluiceError.Code = .library) -> SluiceError {
        var messages: [String] = []
        while case let error = ERR_get_error(), error != 0 {
            var text = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(error, &text, text.count)
            messages.append(String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return SluiceError(code, messages.isEmpty ? what : "\(what): \(messages.joined(separator: "; "))")
    }

    /// Fills `buffer` from the operating system's CSPRNG. The corresponding C function is `RAND_bytes`.
    package static func randomBytes(_ count: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        guard RAND_bytes(&bytes, Int32(count)) == 1 else { throw failure("random generator") }
        return bytes
    }

    /// HKDF-SHA-256 (RFC 5869). The corresponding C function is `EVP_PKEY_derive` with `EVP_PKEY_HKDF`.
    static func hkdfSHA256(key: [UInt8], salt: [UInt8], info: [UInt8], count: Int) throws -> [UInt8] {
        guard let context = EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, nil) else { throw failure("HKDF") }
        defer { EVP_PKEY_CTX_free(context) }
        var output = [UInt8](repeating: 0, count: count)
        var length = count
        guard EVP_PKEY_derive_init(context) > 0,
              EVP_PKEY_CTX_set_hkdf_md(context, EVP_sha256()) > 0,
              EVP_PKEY_CTX_set1_hkdf_salt(context, salt, Int32(salt.count)) > 0,
              EVP_PKEY_CTX_set1_hkdf_key(context, key, Int32(key.count)) > 0,
              EVP_PKEY_CTX_add1_hkdf_info(context, info, Int32(info.count)) > 0,
              EVP_PKEY_derive(context, &output, &length) > 0, length == count
        else { throw failure("HKDF") }
        return output
    }

    /// scrypt (RFC 7914). The corresponding C function is `EVP_PBE_scrypt`.
    static func scrypt(password: [UInt8], salt: [UInt8], n: UInt64, r: UInt64, p: UInt64, count: Int) throws -> [UInt8] {
        var output = [UInt8](repeating: 0, count: count)
        // scrypt needs 128·r·N bytes for V plus 128·r·p for B; allow exactly that plus slack.
        let memory = 128 * r * (n + p) + (1 << 20)
        let characters = password.map { CChar(bitPattern: $0) } + [0]  // never a null pointer, even when empty
        let ok = EVP_PBE_scrypt(characters, password.count, salt, salt.count, n, r, p, memory, &output, count)
        guard ok == 1 else { throw failure("scrypt") }
        return output
    }

    /// HMAC-SHA-256. The corresponding C function is `HMAC`.
    static func hmacSHA256(key: [UInt8], _ data: UnsafeRawBufferPointer) throws -> [UInt8] {
        var output = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        guard HMAC(EVP_sha256(), key, Int32(key.count), data.baseAddress?.assumingMemoryBound(to: UInt8.self),
                   data.count, &output, &length) != nil, length == 32
        else { throw failure("HMAC") }
        return output
    }

    /// SHA-256 of `data` into the 32 bytes at `digest`. The corresponding C function is `EVP_Digest`.
    static func sha256(_ data: UnsafeRawBufferPointer, into digest: UnsafeMutableRawPointer) throws {
        var length: UInt32 = 0
        guard EVP_Digest(data.baseAddress, data.count, digest.assumingMemoryBound(to: UInt8.self), &length,
                         EVP_sha256(), nil) == 1
        else { throw failure("SHA-256") }
    }

    /// Overwrites `bytes` with zeros in a way the compiler cannot elide, keeping its count. The C
    /// function is `OPENSSL_cleanse`. A secret held in an array Sluice owns is wiped this way when done.
    static func cleanse(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { if let base = $0.baseAddress { OPENSSL_cleanse(base, $0.count) } }
    }

    /// Compares in time that does not depend on where the bytes differ. The C function is `CRYPTO_memcmp`.
    static func constantTimeEqual(_ a: [UInt8], _ b: some Collection<UInt8>) -> Bool {
        let b = Array(b)
        guard a.count == b.count else { return false }
        return CRYPTO_memcmp(a, b, a.count) == 0
    }
}

/// An incremental SHA-256 (`EVP_MD_CTX`), for the whole-file digest built frame by frame.
final class SHA256Stream {
    private let context: OpaquePointer

    init() throws {
        guard let context = EVP_MD_CTX_new() else { throw LibCrypto.failure("SHA-256") }
        self.context = context
        guard EVP_DigestInit_ex(context, EVP_sha256(), nil) == 1 else { throw LibCrypto.failure("SHA-256") }
    }

    deinit { EVP_MD_CTX_free(context) }

    func update(_ data: UnsafeRawBufferPointer) {
        EVP_DigestUpdate(context, data.baseAddress, data.count)
    }

    func finish() -> [UInt8] {
        var output = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        EVP_DigestFinal_ex(context, &output, &length)
        return output
    }
}

/// One worker's AEAD context (`EVP_CIPHER_CTX`): the key schedule is set up once per file key and
/// only the nonce changes from chunk to chunk.
package final class AEADContext {
    private let context: OpaquePointer
    private var keyed: (cipher: Cipher, key: [UInt8], sealing: Bool)?

    init() throws {
        guard let context = EVP_CIPHER_CTX_new() else { throw LibCrypto.failure("cipher context") }
        self.context = context
    }

    deinit { EVP_CIPHER_CTX_free(context) }

    private func prepare(cipher: Cipher, key: [UInt8], sealing: Bool) throws {
        if let keyed, keyed.cipher == cipher, keyed.sealing == sealing, keyed.key == key { return }
        let algorithm: OpaquePointer? = switch cipher {
        case .aes256gcm: EVP_aes_256_gcm()
        case .chacha20poly1305: EVP_chacha20_poly1305()
        case .none: nil
        }
        guard let algorithm, key.count == 32 else { throw SluiceError(.library, "no AEAD for \(cipher.rawValue)") }
        let ok = sealing
            ? EVP_EncryptInit_ex(context, algorithm, nil, key, nil)
            : EVP_DecryptInit_ex(context, algorithm, nil, key, nil)
        guard ok == 1 else { throw LibCrypto.failure("cipher setup") }
        keyed = (cipher, key, sealing)
    }

    /// Encrypts `text` in place — or, with `source`, encrypts `source` into `text` (same length), which
    /// spares a raw chunk its copy — and writes the 16-byte tag to `tag`.
    /// The corresponding C functions are `EVP_EncryptUpdate`, `EVP_EncryptFinal_ex` and `EVP_CTRL_AEAD_GET_TAG`.
    package func seal(
        _ text: UnsafeMutableRawBufferPointer, from source: UnsafeRawBufferPointer? = nil, tag: UnsafeMutableRawBufferPointer,
        cipher: Cipher, key: [UInt8], nonce: [UInt8], authenticating aad: UnsafeRawBufferPointer
    ) throws {
        precondition(source == nil || source!.count == text.count)
        try prepare(cipher: cipher, key: key, sealing: true)
        var length: Int32 = 0
        let data = text.baseAddress?.assumingMemoryBound(to: UInt8.self)
        let input: UnsafePointer<UInt8>? = source.map { $0.baseAddress?.assumingMemoryBound(to: UInt8.self) } ?? data.map { UnsafePointer($0) }
        guard EVP_EncryptInit_ex(context, nil, nil, nil, nonce) == 1,
              EVP_EncryptUpdate(context, nil, &length, aad.baseAddress?.assumingMemoryBound(to: UInt8.self), Int32(aad.count)) == 1,
              text.isEmpty || EVP_EncryptUpdate(context, data, &length, input, Int32(text.count)) == 1,
              EVP_EncryptFinal_ex(context, data.map { $0 + text.count } ?? nil, &length) == 1,
              EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_AEAD_GET_TAG, 16, tag.baseAddress) == 1
        else { throw LibCrypto.failure("encryption") }
    }

    /// Checks the tag and decrypts `text` in place.
    ///
    /// - Throws: ``SluiceError/Code/corrupt`` when authentication fails; nothing of `text` may be used then.
    package func open(
        _ text: UnsafeMutableRawBufferPointer, tag: UnsafeRawBufferPointer,
        cipher: Cipher, key: [UInt8], nonce: [UInt8], authenticating aad: UnsafeRawBufferPointer
    ) throws {
        try prepare(cipher: cipher, key: key, sealing: false)
        var length: Int32 = 0
        let data = text.baseAddress?.assumingMemoryBound(to: UInt8.self)
        guard EVP_DecryptInit_ex(context, nil, nil, nil, nonce) == 1,
              EVP_DecryptUpdate(context, nil, &length, aad.baseAddress?.assumingMemoryBound(to: UInt8.self), Int32(aad.count)) == 1,
              text.isEmpty || EVP_DecryptUpdate(context, data, &length, data, Int32(text.count)) == 1,
              EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_AEAD_SET_TAG, 16, UnsafeMutableRawPointer(mutating: tag.baseAddress)) == 1
        else { throw LibCrypto.failure("decryption") }
        var scratch = [UInt8](repeating: 0, count: 16)
        guard EVP_DecryptFinal_ex(context, &scratch, &length) == 1 else {
            ERR_clear_error()
            throw SluiceError.corrupt("authentication failed: the data was corrupted or tampered with")
        }
    }
}
