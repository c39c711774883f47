#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
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
/// writer, which takes them in order: small files are read whole, larger ones only opened, their
/// extended attributes listed.
///
/// `@unchecked Sendable`: its state is a ``Monitor``; the members array is read-only.
final class ArchivePrefetch: @unchecked Sendable {
    /// Files up to this size are read whole ahead of the writer.
    static let wholeFileLimit = 1 << 20

    private let members: [PlannedMember]
    private let pool: IOPool
    private let window: Int
    private let readsXattrs: Bool
    private let state = Monitor<(submitted: Int, ready: [Int: (PrefetchedContents, [ExtendedAttribute])])>((0, [:]))

    init(_ members: [PlannedMember], pool: IOPool, window: Int, readsXattrs: Bool = true) {
        self.members = members
        self.pool = pool
        self.window = max(1, window)
        self.readsXattrs = readsXattrs
    }

    /// The contents of member `index` (taken: asking twice blocks), after queueing reads up to `window` ahead.
    func take(_ index: Int) -> (PrefetchedContents, [ExtendedAttribute]) {
        let (from, to) = state.withLock { state -> (Int, Int) in
            let from = state.submitted
            state.submitted = max(from, min(members.count, index + window))
            return (from, state.submitted)
        }
        for next in from..<to {
            let planned = members[next]
            pool.submit { [self] in
                let result = Self.read(planned, xattrs: readsXattrs)
                state.withLock { $0.ready[next] = result }
            }
        }
        return state.wait { $0.ready.removeValue(forKey: index) }
    }

    /// Closes what was opened ahead and not taken (after a failure).
    func drain(from index: Int) {
        let submitted = state.withLock { $0.submitted }
        guard index < submitted else { return }
        for next in index..<submitted {
            if case .opened(let fd) = take(next).0 { _ = try? fd.close() }
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
