import Foundation
import Synchronization
import Testing
@testable import Sluice

/// `Run.draining`, the ordered writer's one ending (range restore and the zstd/LZ4 reader): it waits for
/// the run's other threads before returning or throwing, and the first failure wins.
@Suite struct RunDrainingTests {
    final class Slot: Sendable {}

    @Test func aQuietRunReturnsTheWritersResult() throws {
        let run = Run(slots: [Slot()])
        #expect(try run.draining { 7 } == 7)
        #expect(!run.hasFailed)
    }

    /// The writer's error fails the run (so the reader stops taking slots) and is rethrown, after the
    /// reader has returned.
    @Test func aThrowingWriterFailsTheRunAndWaitsForTheReader() {
        let run = Run(slots: [Slot()])
        let readerDone = Atomic<Bool>(false)
        run.startReader(name: "test-reader") {
            while !run.hasFailed { usleep(1000) }
            usleep(50_000)
            readerDone.store(true, ordering: .sequentiallyConsistent)
        }
        let error = #expect(throws: SluiceError.self) { try run.draining { throw SluiceError.corrupt("writer") } }
        #expect(error?.message == "writer")
        let finished = readerDone.load(ordering: .sequentiallyConsistent)
        #expect(finished, "draining returned before the reader did")
        #expect(run.hasFailed)
    }

    /// A failure of another thread (here the reader's, after the writer's loop ended) is thrown once the
    /// run is quiet, though the writer's loop returned normally.
    @Test func theReadersFailureIsThrownAfterTheWritersLoop() {
        let run = Run(slots: [Slot()])
        run.startReader(name: "test-reader") {
            usleep(50_000)
            throw SluiceError.corrupt("reader")
        }
        let error = #expect(throws: SluiceError.self) { try run.draining { 1 } }
        #expect(error?.message == "reader")
    }
}
