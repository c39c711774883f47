import Foundation
import Sluice

/// The closing line: sizes, ratio, speed (left out when the run was too short to measure), time.
enum Summary {
    static func line(from: String, to: String, plain: UInt64, packed: UInt64, elapsed: Duration, packing: Bool) -> String {
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let ratio = packed == 0 ? 0 : Double(plain) / Double(packed)
        let speed = Throughput(bytes: plain, seconds: seconds).text.map { "\($0), " } ?? ""
        return "\(from) → \(to): \(ByteCount(bytes: Int(packing ? plain : packed))) → "
            + "\(ByteCount(bytes: Int(packing ? packed : plain))), ratio \(String(format: "%.3f", ratio)), "
            + "\(speed)\(String(format: "%.2f", seconds)) s"
    }
}
