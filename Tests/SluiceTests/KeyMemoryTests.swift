import Testing
@testable import Sluice

/// Keys in memory: buffers Sluice owns are wiped with OPENSSL_cleanse, and a process that derived a
/// file key is no longer dumpable (docs/security.md, "Keys in memory").
@Suite struct KeyMemoryTests {
    @Test func cleanseZeroesTheBufferInPlace() {
        var secret: [UInt8] = (0..<64).map { UInt8($0 + 1) }
        let address = secret.withUnsafeBytes { $0.baseAddress }
        LibCrypto.cleanse(&secret)
        #expect(secret == [UInt8](repeating: 0, count: 64))
        #expect(secret.withUnsafeBytes { $0.baseAddress } == address, "wiped where it lived, not in a copy")
    }

    @Test func derivingAKeyTurnsCoreDumpsOff() throws {
        let data = DataKind.text.bytes(count: 5_000, seed: 2)
        let packed = try Harness.packed(data, .zstd, .aes256gcm)
        #expect(try Harness.unpack(packed, key: Harness.key).bytes == data)
        #if os(Linux)
        #expect(KeyMemory.isDumpable == false)
        #endif
    }
}
