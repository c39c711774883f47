import Testing
@testable import Sluice
@testable import SluiceBench

@Suite struct BenchDataTests {
    @Test(arguments: BenchDataKind.allCases)
    func sameSeedGivesSameBytes(kind: BenchDataKind) {
        let spec = GeneratedData(kind: kind, size: .kibibytes(300), seed: 42)
        let a = spec.generate()
        #expect(a.count == 300 << 10)
        #expect(a == spec.generate())
    }

    @Test(arguments: [BenchDataKind.random, .text, .binary, .mixed])
    func differentSeedsGiveDifferentBytes(kind: BenchDataKind) {
        let a = GeneratedData(kind: kind, size: .kibibytes(256), seed: 1).generate()
        let b = GeneratedData(kind: kind, size: .kibibytes(256), seed: 2).generate()
        #expect(a != b)
    }

    @Test func kindsDifferFromEachOther() {
        let samples = BenchDataKind.allCases.map { GeneratedData(kind: $0, size: .kibibytes(128), seed: 1).generate() }
        for i in samples.indices {
            for j in samples.indices where j > i { #expect(samples[i] != samples[j]) }
        }
    }

    @Test func sizesAreExact() {
        for size in [1, 7, 4095, 65_537] {
            for kind in BenchDataKind.allCases {
                #expect(GeneratedData(kind: kind, size: .bytes(size), seed: 3).generate().count == size)
            }
        }
    }

    @Test func textLooksLikeText() {
        let text = GeneratedData(kind: .text, size: .kibibytes(64), seed: 5).generate()
        #expect(text.allSatisfy { $0 == 10 || (32..<127).contains($0) })
        let string = String(decoding: text, as: UTF8.self)
        #expect(string.contains(" the "))
        #expect(string.contains("status="))
        #expect(string.contains { $0.isNumber })
        #expect(string.contains(". "))
    }

    /// The kinds land in the right order of compressibility (no speed is asserted).
    @Test func compressibilityIsInTheExpectedOrder() throws {
        let context = CodecContext()
        let settings = try CodecSettings(.zstd, level: 3)
        func ratio(_ kind: BenchDataKind) throws -> Double {
            let bytes = GeneratedData(kind: kind, size: .mebibytes(1), seed: 1).generate()
            var output = [UInt8](repeating: 0, count: Codec.zstd.bound(bytes.count))
            let size = try bytes.withUnsafeBytes { source in
                try output.withUnsafeMutableBytes { try context.compress(source, into: $0, settings: settings) }
            }
            return Double(bytes.count) / Double(size ?? bytes.count)
        }
        let zeros = try ratio(.zeros), text = try ratio(.text), binary = try ratio(.binary), random = try ratio(.random)
        #expect(zeros > text)
        #expect(text > binary)
        #expect(binary > random)
        #expect(random < 1.01)
        #expect(text > 2)
    }

    @Test(arguments: ["mixed", "mixed:", "video:1M", "text:0", "text:-1M", "text:4X"])
    func rejectsBadSpecs(spec: String) {
        #expect(throws: SluiceError.self) { try GeneratedData(parsing: spec) }
    }

    @Test func parsesAndDescribesSpecs() throws {
        let spec = try GeneratedData(parsing: "Mixed:64M", seed: 9)
        #expect(spec.kind == .mixed)
        #expect(spec.size == .mebibytes(64))
        #expect(spec.seed == 9)
        #expect(spec.description == "mixed:64M")
        #expect(try GeneratedData(parsing: "text:1000").description == "text:1000")
    }

    @Test func randomGeneratorIsTheReferenceXoshiro() {
        // xoshiro256** from the SplitMix64 expansion of seed 0 (checked against the reference C code).
        var random = BenchRandom(seed: 0)
        let first = (0..<3).map { _ in random.next() }
        var again = BenchRandom(seed: 0)
        #expect(first == (0..<3).map { _ in again.next() })
        #expect(first[0] == 0x99EC_5F36_CB75_F2B4)
    }
}
