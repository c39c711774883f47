import Dispatch
import Foundation
import Synchronization
import SystemPackage
import Testing
@testable import Sluice

@Suite struct BatchPoolTests {
    @Test func ioTokensBoundConcurrentJobsAndOutsideHolders() {
        let pool = IOPool(tokens: 3, name: "test-io")
        let running = Atomic<Int>(0)
        let peak = Atomic<Int>(0)
        let group = DispatchGroup()
        @Sendable func work() {
            let now = running.add(1, ordering: .relaxed).newValue
            var seen = peak.load(ordering: .relaxed)
            while now > seen, !peak.compareExchange(expected: seen, desired: now, ordering: .relaxed).exchanged {
                seen = peak.load(ordering: .relaxed)
            }
            usleep(2000)
            running.subtract(1, ordering: .relaxed)
        }
        for _ in 0..<40 {
            group.enter()
            pool.submit {
                work()
                group.leave()
            }
        }
        for _ in 0..<4 {
            group.enter()
            Thread.detachNewThread {
                pool.withToken { work() }
                group.leave()
            }
        }
        group.wait()
        pool.shutdown()
        let highest = peak.load(ordering: .relaxed)
        #expect(highest <= 3)
        #expect(highest >= 2)
    }

    @Test func defaultTokensFollowTheStorageKind() {
        #expect(IOPool.tokens(explicit: 5, storage: .hdd, for: FilePath("/")) == 5)
        #expect(IOPool.tokens(explicit: nil, storage: .hdd, for: FilePath("/")) == 2)
        #expect(IOPool.tokens(explicit: nil, storage: .nvme, for: FilePath("/")) == 16)
        #expect(IOPool.tokens(explicit: nil, storage: nil, for: FilePath("/nonexistent")) == StorageKind.ssd.defaultIOTokens)
    }

    @Test func boundedQueueMakesProducersWait() {
        let queue = BoundedQueue<Int>(capacity: 2)
        let produced = Atomic<Int>(0)
        Thread.detachNewThread {
            for value in 0..<10 {
                queue.push(value)
                produced.add(1, ordering: .relaxed)
            }
            queue.close()
        }
        usleep(20000)
        let early = produced.load(ordering: .relaxed)
        #expect(early <= 3)
        var received: [Int] = []
        while let value = queue.pop() { received.append(value) }
        #expect(received == Array(0..<10))
    }

    @Test func memoryBudgetWaitsForRoom() {
        let budget = MemoryBudget(limit: .mebibytes(4))
        budget.reserve(3 << 20)
        let entered = Atomic<Bool>(false)
        Thread.detachNewThread {
            budget.reserve(2 << 20)
            entered.store(true, ordering: .relaxed)
        }
        usleep(20000)
        let tooEarly = entered.load(ordering: .relaxed)
        #expect(!tooEarly)
        budget.release(3 << 20)
        for _ in 0..<200 where !entered.load(ordering: .relaxed) { usleep(1000) }
        let afterRelease = entered.load(ordering: .relaxed)
        #expect(afterRelease)
        // A job larger than the whole budget still runs when nothing else holds memory.
        budget.release(2 << 20)
        budget.reserve(64 << 20)
        #expect(budget.inUse == 64 << 20)
    }
}
