import Foundation
import SystemPackage

/// What the block device under a path says about its request queue (`/sys/dev/block/MAJOR:MINOR/queue`;
/// a partition uses its disk's queue): the facts the read strategy is chosen from.
struct DeviceQueue: Sendable, Equatable {
    /// The device's name as the kernel knows it (`vda`, `nvme0n1`, `sda`).
    var name: String
    /// `queue/rotational`: 1 for a spinning disk, and for many virtual disks, whose guest cannot know.
    var rotational: Bool
    /// `queue/nr_requests`: how many requests the queue holds (per hardware queue).
    var requests: Int?
    /// `queue/read_ahead_kb` in bytes: how far the kernel reads ahead of a sequential reader.
    var readAhead: Int?

    init(name: String, rotational: Bool, requests: Int? = nil, readAhead: Int? = nil) {
        self.name = name
        self.rotational = rotational
        self.requests = requests
        self.readAhead = readAhead
    }

    /// A virtio or Xen disk (`vda`, `xvda`): `rotational` says nothing about what is behind it.
    var isVirtual: Bool { name.hasPrefix("vd") || name.hasPrefix("xvd") }

    /// An NVMe namespace: many deep hardware queues.
    var isNVMe: Bool { name.hasPrefix("nvme") }

    /// The queue of the device that holds `path`; `nil` when it cannot be told: not Linux, a file system
    /// without a block device (tmpfs, overlay, NFS), or a device without a queue.
    static func of(_ path: FilePath) -> DeviceQueue? {
        (try? FileSystem.status(ofPath: path)).flatMap { $0.map { of(device: $0.device) } ?? nil }
    }

    /// The queue of the device that holds the open file `fd`.
    static func of(_ fd: FileDescriptor) -> DeviceQueue? {
        (try? FileSystem.status(of: fd)).flatMap { of(device: $0.device) }
    }

    /// The queue of the block device `device` (a `st_dev`).
    static func of(device: UInt64) -> DeviceQueue? {
        #if os(Linux)
        // glibc's major()/minor() are macros Swift cannot import; this is their definition.
        let major = ((device >> 8) & 0xFFF) | ((device >> 32) & ~UInt64(0xFFF))
        let minor = (device & 0xFF) | ((device >> 12) & ~UInt64(0xFF))
        let node = "/sys/dev/block/\(major):\(minor)"
        for queue in ["\(node)/queue", "\(node)/../queue"] {
            guard let rotational = number(queue, "rotational") else { continue }
            let resolved = (try? FileManager.default.destinationOfSymbolicLink(atPath: node)) ?? node
            // …/block/vda/vda1 for a partition, …/block/vda for a disk: the disk's name.
            let parts = resolved.split(separator: "/")
            let name = parts.firstIndex(of: "block").flatMap { $0 + 1 < parts.count ? String(parts[$0 + 1]) : nil }
                ?? String(parts.last ?? "")
            return DeviceQueue(
                name: name, rotational: rotational == 1, requests: number(queue, "nr_requests"),
                readAhead: number(queue, "read_ahead_kb").map { $0 << 10 })
        }
        return nil
        #else
        return nil
        #endif
    }

    private static func number(_ queue: String, _ file: String) -> Int? {
        (try? String(contentsOfFile: "\(queue)/\(file)", encoding: .utf8)).flatMap { Int($0.trimmingWhitespace()) }
    }
}
