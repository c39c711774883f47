import Testing
@testable import Sluice

@Suite struct ByteCountTests {
    @Test(arguments: [
        ("4M", 4 << 20), ("64KiB", 64 << 10), ("1.5g", 3 << 29), ("512", 512), ("2TB", 2 << 40), ("1k", 1024),
    ])
    func parses(text: String, bytes: Int) {
        #expect(ByteCount(parsing: text)?.bytes == bytes)
    }

    @Test(arguments: ["", "-1", "4X", "1.5", "M", "1..2M", "99999999999999999999P"])
    func rejects(text: String) {
        #expect(ByteCount(parsing: text) == nil)
    }

    @Test func describes() {
        #expect(ByteCount.mebibytes(4).description == "4 MiB")
        #expect(ByteCount(bytes: 1536).description == "1.5 KiB")
        #expect(ByteCount(bytes: 12).description == "12 B")
    }
}
