#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import DequeModule
import SystemPackage

/// A member's contents, read (or opened) by an I/O thread before the tar writer reaches it.
enum PrefetchedContents: @unchecked Sendable {
    /// A small file, read whole (`bytes.count` may differ from the size the walk saw: it changed).
    case whole(RawBuffer)
    /// A large file, opened: the tar writer reads it block by block.
    case opened(FileDescriptor)
    /// Nothing to read (not a regular file).
    case none
    case failed(SluiceError)
}

/// Reads the members' contents on the threads of an I/O pool, up to `window` members ahead of the tar
/// writer, which takes them in order as the walk finds them: small files are read whole, larger ones
/// only opened, their extended attributes listed. Only the window's members are held.
///
/// ``next()`` and ``drain()`` are called from one thread (the tar writer's), which also runs the walk.
/// `@unchecked Sendable`: the finished reads are handed over through a ``Monitor``.
final class ArchivePrefetch: @unchecked Sendable {
    /// Files up to this size are read whole ahead of the writer.
    static let wholeFileLimit = 1 << 20

    private var walk: ArchiveWalk
    private let pool: IOPool
    private let window: Int
    private let readsXattrs: Bool
    /// The members submitted and not taken yet, in order.
    private var queued = Deque<PlannedMember>()
    private var submitted = 0
    private var taken = 0
    private var walked = false
    private let ready = Monitor<[Int: (PrefetchedContents, [ExtendedAttribute])]>([:])

    init(_ walk: ArchiveWalk, pool: IOPool, window: Int, readsXattrs: Bool = true) {
        self.walk = walk
        self.pool = pool
        self.window = max(1, window)
        self.readsXattrs = readsXattrs
    }

    /// The next member and its contents, after queueing reads up to `window` members ahead; `nil` at
    /// the end of the walk.
    func next() -> (PlannedMember, PrefetchedContents, [ExtendedAttribute])? {
        while !walked, submitted < taken + window {
            guard let planned = walk.next() else {
                walked = true
                break
            }
            let number = submitted
            submitted += 1
            queued.append(planned)
            pool.submit { [ready, readsXattrs] in
                let result = Self.read(planned, xattrs: readsXattrs)
                ready.withLock { $0[number] = result }
            }
        }
        guard let planned = queued.popFirst() else { return nil }
        let number = taken
        taken += 1
        let (contents, xattrs) = ready.wait { $0.removeValue(forKey: number) }
        return (planned, contents, xattrs)
    }

    /// Waits for the reads queued and not taken (after a failure), closing what they opened.
    func drain() {
        while queued.popFirst() != nil {
            let number = taken
            taken += 1
            if case .opened(let fd) = ready.wait(until: { $0.removeValue(forKey: number) }).0 { _ = try? fd.close() }
        }
    }

    private static func read(_ planned: PlannedMember, xattrs: Bool) -> (PrefetchedContents, [ExtendedAttribute]) {
        let name = ArchivePath(bytes: planned.source)
        let attributes = xattrs ? ExtendedAttribute.list(of: name) : []
        guard planned.member.kind == .file else { return (.none, attributes) }
        let fd = name.withCString { open($0, O_RDONLY | O_CLOEXEC | O_NOFOLLOW) }
        guard fd >= 0 else {
            return (.failed(SluiceError(.io, "cannot open \(planned.member.path)", cause: Errno(rawValue: errno))), attributes)
        }
        let descriptor = FileDescriptor(rawValue: fd)
        guard planned.member.size <= UInt64(wholeFileLimit) else { return (.opened(descriptor), attributes) }
        defer { _ = try? descriptor.close() }
        let buffer = RawBuffer()
        buffer.reserve(Int(planned.member.size) + 1)
        do {
            // One byte more than the size shows a file that grew.
            buffer.count = try Pipeline.readInput(descriptor, into: buffer[0..<Int(planned.member.size) + 1])
        } catch {
            return (.failed(SluiceError(.io, "cannot read \(planned.member.path)", cause: error as? SluiceError)), attributes)
        }
        return (.whole(buffer), attributes)
    }
}
