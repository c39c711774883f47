/// The header of an age v1 file: its recipient stanzas and the MAC that closes it.
struct AgeHeader: Equatable, Sendable {
    var stanzas: [AgeStanza]
    /// HMAC-SHA-256 over ``authenticated`` with the header key.
    var mac: [UInt8]
    /// The header text the MAC covers: from the version line through `---`.
    var authenticated: [UInt8]
    /// Bytes of the whole header, MAC line included; the payload nonce follows.
    var length: Int

    private static let space = UInt8(ascii: " "), newline = UInt8(ascii: "\n")

    /// Writes a header for `stanzas`, its MAC made with the file key.
    static func encode(stanzas: [AgeStanza], fileKey: [UInt8]) throws -> [UInt8] {
        var text = Age.versionLine
        for stanza in stanzas { text += stanza.encoded }
        text += Array("---".utf8)
        let mac = try text.withUnsafeBytes { try LibCrypto.hmacSHA256(key: try AgeKeySchedule.headerKey(fileKey), $0) }
        return text + [space] + Base64.encode(mac, padded: false) + [newline]
    }

    /// Checks the MAC with the file key unwrapped from the stanzas.
    ///
    /// - Throws: the ``Age/Failure/mac`` failure when it does not match: the header was changed.
    func authenticate(fileKey: [UInt8]) throws {
        let expected = try authenticated.withUnsafeBytes { try LibCrypto.hmacSHA256(key: try AgeKeySchedule.headerKey(fileKey), $0) }
        guard LibCrypto.constantTimeEqual(expected, mac) else {
            throw Age.Failure.mac.error("the header was changed after it was written")
        }
    }

    /// Parses the header at the start of `bytes`.
    ///
    /// - Returns: the header, or `nil` when `bytes` ends before the header does (read more, or, at the
    ///   end of the input, the header is truncated).
    /// - Throws: the ``Age/Failure/header`` failure for anything that is not a canonical age v1 header.
    static func parse(_ bytes: some RandomAccessCollection<UInt8>) throws -> AgeHeader? {
        let input = Array(bytes.prefix(Age.maxHeaderSize + 1))
        var offset = 0
        /// The next line without its LF; `nil` when no LF is in `input` yet.
        func nextLine() throws -> ArraySlice<UInt8>? {
            guard let end = input[offset...].firstIndex(of: newline) else {
                if input.count > Age.maxHeaderSize { throw Age.Failure.header.error("longer than \(Age.maxHeaderSize) bytes") }
                return nil
            }
            defer { offset = end + 1 }
            return input[offset..<end]
        }

        guard let first = try nextLine() else {
            if input.count >= Age.versionLine.count, !input.starts(with: Age.versionLine) {
                throw Age.Failure.header.error("the first line is not \"age-encryption.org/v1\"")
            }
            return nil
        }
        guard Array(first) + [newline] == Age.versionLine else {
            if first.starts(with: Array("age-encryption.org/".utf8)), !first.contains(UInt8(ascii: "\r")) {
                throw Age.Failure.header.error("unsupported version \"\(String(decoding: first, as: UTF8.self))\"")
            }
            throw Age.Failure.header.error("the first line is not \"age-encryption.org/v1\"")
        }
        var stanzas: [AgeStanza] = []
        while true {
            let lineStart = offset
            guard let line = try nextLine() else { return nil }
            let fields = line.split(separator: space, omittingEmptySubsequences: false)
            if line.starts(with: Array("---".utf8)) {
                guard fields.count == 2, Array(fields[0]) == Array("---".utf8) else {
                    throw Age.Failure.header.error("malformed closing line")
                }
                guard let mac = Base64.decode(fields[1], padded: false), mac.count == 32 else {
                    throw Age.Failure.header.error("the MAC is not 32 bytes of canonical Base64")
                }
                return AgeHeader(stanzas: stanzas, mac: mac, authenticated: Array(input[..<(lineStart + 3)]), length: offset)
            }
            guard line.starts(with: Array("->".utf8)) else {
                throw Age.Failure.header.error("unexpected line (neither a stanza nor the closing line)")
            }
            guard Array(fields[0]) == Array("->".utf8), fields.count >= 2,
                  fields.dropFirst().allSatisfy(AgeStanza.isValidArgument)
            else { throw Age.Failure.header.error("malformed stanza line") }
            var body: [UInt8] = []
            while true {
                guard let bodyLine = try nextLine() else { return nil }
                guard bodyLine.count <= 64, let decoded = Base64.decode(bodyLine, padded: false) else {
                    throw Age.Failure.header.error("a stanza body line is not canonical Base64 of at most 64 columns")
                }
                body += decoded
                if bodyLine.count < 64 { break }
            }
            let words = fields.dropFirst().map { String(decoding: $0, as: UTF8.self) }
            stanzas.append(AgeStanza(type: words[0], arguments: Array(words.dropFirst()), body: body))
        }
    }
}
