import Foundation
import SystemPackage
import Testing
@testable import Sluice

/// ``WriteBack``: write-back is started each time the finished prefix of the output grows by a step,
/// whatever order the positional writes complete in, and a writer waits once more than the dirty
/// limit may be unwritten; a descriptor that does not support it turns it off.
@Suite struct WriteBackTests {
    private let step: UInt64 = 64 << 10

    private func write(_ file: ScratchFile, _ back: WriteBack, block: Int, at offset: UInt64) throws {
        let bytes = DataKind.random.bytes(count: Int(step))
        _ = try bytes.withUnsafeBytes { try file.descriptor.writeAll(toAbsoluteOffset: Int64(offset), $0) }
        back.wrote(offset..<offset + step)
    }

    @Test func startsBehindTheFinishedPrefixWhateverTheOrder() throws {
        let file = try ScratchFile()
        let back = WriteBack(file.descriptor, step: 2 * step, dirtyLimit: nil)
        // Blocks 1, 2, 3 land before block 0: nothing is finished until 0 is written.
        for block in [1, 2, 3] { try write(file, back, block: block, at: UInt64(block) * step) }
        #expect(back.calls.starts == 0)
        try write(file, back, block: 0, at: 0)
        #expect(back.calls.starts == 1)  // 0…4 finished: one write-back of 4 blocks
        for block in [5, 4, 7, 6] { try write(file, back, block: block, at: UInt64(block) * step) }
        #expect(back.calls.starts == 3)
        #expect(back.calls.waits == 0)
    }

    @Test func boundsTheDirtyData() throws {
        let file = try ScratchFile()
        let back = WriteBack(file.descriptor, step: step, dirtyLimit: 4 * step)
        for block in 0..<16 { try write(file, back, block: block, at: UInt64(block) * step) }
        #expect(back.calls.starts == 16)
        // Waits begin once more than 4 steps are started but not settled: at blocks 4…15.
        #expect(back.calls.waits == 12)
        #expect(try file.contents().count == 16 * Int(step))
    }

    /// The default bound follows the kernel's background threshold: never below 64 MiB, and on Linux
    /// half of `vm.dirty_background_bytes` when that is set.
    @Test func theDefaultBoundFollowsTheKernel() throws {
        #expect(WriteBack.defaultDirtyLimit >= 64 << 20)
        if let text = try? String(contentsOfFile: "/proc/sys/vm/dirty_background_bytes", encoding: .utf8),
           let bytes = UInt64(text.trimmingWhitespace()), bytes > 128 << 20 {
            #expect(WriteBack.defaultDirtyLimit == bytes / 2)
        }
    }

    /// Reading a cold input, write-back is not started early (it would compete with the reads); the
    /// bound still holds.
    @Test func onlyTheBoundWhenTheInputComesFromTheDevice() throws {
        let file = try ScratchFile()
        let back = WriteBack(file.descriptor, step: step, dirtyLimit: 4 * step, startsEarly: false)
        for block in 0..<16 { try write(file, back, block: block, at: UInt64(block) * step) }
        #expect(back.calls.starts == 0)
        #expect(back.calls.waits == 12)
        let cold = ReadChoice(strategy: .parallel, readAhead: 0, reason: "", readsFromDevice: true)
        #expect(WriteBack.behind(file.descriptor, reads: cold)?.startsEarly == false)
        #expect(WriteBack.behind(file.descriptor, reads: nil)?.startsEarly == true)
    }

    @Test func countsFromTheStartOffset() throws {
        let file = try ScratchFile()
        let back = WriteBack(file.descriptor, start: 100, step: step, dirtyLimit: nil)
        back.wrote(100..<100 + step)
        #expect(back.calls.starts == 1)
        back.wrote(0..<100)  // below the start: already counted
        #expect(back.calls.starts == 1)
    }

    @Test func turnsItselfOffWhereUnsupported() throws {
        let (read, write) = try FileDescriptor.pipe()
        defer { try? read.close(); try? write.close() }
        let back = WriteBack(write, step: 1, dirtyLimit: nil)
        back.wrote(0..<10)
        #expect(back.calls.starts == 1)  // sync_file_range on a pipe fails (ESPIPE): off from now on
        back.wrote(10..<20)
        #expect(back.calls.starts == 1)
    }
}
