import ArgumentParser
import Sluice
import SluiceBench

extension Codec: ExpressibleByArgument {}
extension Cipher: ExpressibleByArgument {}
extension ChecksumKind: ExpressibleByArgument {}
extension Priority: ExpressibleByArgument {}

extension ByteCount: ExpressibleByArgument {
    public init?(argument: String) { self.init(parsing: argument) }
}
extension BenchMode: ExpressibleByArgument {}
extension BenchFormat: ExpressibleByArgument {}
extension BenchGoal: ExpressibleByArgument {}
extension BenchSpeedClock: ExpressibleByArgument {}
