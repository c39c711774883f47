// The `archive` target (see SluiceFuzz.swift for the driver): the bytes as a Sluice archive
// (docs/format.md, "Archives"), read as `sluice unpack`/`verify`/`inspect` read one, in memory.
import SystemPackage
@testable import Sluice

nonisolated(unsafe) private let file = MemoryFile()
nonisolated(unsafe) private let tarFile = MemoryFile()
private let unpacker = MemoryUnpacker(limits: fuzzLimits)
private let slot = UnpackSlot()
private let plain = RawBuffer()
private let block = RawBuffer(capacity: 1 << 16)
nonisolated(unsafe) private let context = WorkerContext()
private let plainLimit = 64 << 20
private let globs = [Glob("*"), Glob("a*"), Glob("*/*")]

func fuzzArchive(_ data: UnsafeRawBufferPointer) {
    file.hold(data)
    // The footer, the index part (decoded and checked with the key), its records and its binding to
    // the content part's header: Archive.open, as every archive command starts.
    let archive: OpenedArchive
    do {
        archive = try Archive.open(file.fd, name: "fuzz", key: fuzzKeys, limits: fuzzLimits)
    } catch {
        expectDecodeError(error, allowing: [.corrupt, .wrongKey, .invalidArgument])
        return
    }
    // What `inspect` and `--only` compute from the index.
    let index = archive.index
    for number in index.members.indices {
        _ = index.range(of: number)
        let member = index.members[number]
        _ = member.path.description
        if let components = SafeMemberName.components(member.path), let target = member.linkTarget {
            _ = SafeMemberName.linkStaysInside(at: components, target: target)
        }
    }
    for glob in globs { _ = Archive.ranges(index, Archive.selection(index, only: [glob])) }

    // The content part decoded (as `verify` does, here through the in-memory reader) and its tar stream
    // read member by member against the index.
    let content = UnsafeRawBufferPointer(rebasing: data[..<Int(archive.contentSize)])
    do {
        let opened = try unpacker.open(content, key: fuzzKeys, requireKey: true)
        guard (unpacker.declaredPlainSize(of: content, opened: opened) ?? 0) <= plainLimit else { return }
        try unpacker.decode(content, opened: opened, slot: slot, into: plain, context: context)
        tarFile.hold(plain.contents)
        try checkMembers(index)
    } catch {
        expectDecodeError(error)
    }
}

/// The member checks of Archive.verify: the tar stream holds exactly the members the index lists, with
/// the same name, type, size and offset, and each regular file's contents match its size and digest.
private func checkMembers(_ index: MemberIndex) throws {
    let tar = try TarReader(tarFile.fd, name: "fuzz")
    var expected = index.members.makeIterator()
    while let found = try tar.next() {
        guard let recorded = expected.next() else { throw SluiceError.corrupt("the tar stream holds more members than the index lists") }
        guard found.path == recorded.path, found.kind == recorded.kind, found.size == recorded.size,
              found.headerOffset == recorded.headerOffset
        else { throw SluiceError.corrupt("the tar stream's member \(found.path) does not match the index") }
        guard recorded.kind == .file else { continue }
        let digest = try XXH3Stream()
        var total: UInt64 = 0
        while true {
            let got = try tar.read(into: block.bytes)
            if got == 0 { break }
            digest.update(UnsafeRawBufferPointer(rebasing: block.bytes[..<got]))
            total += UInt64(got)
        }
        guard total == recorded.size, recorded.digest.isEmpty || digest.finish() == recorded.digest else {
            throw SluiceError.corrupt("\(recorded.path): its contents do not match the index")
        }
    }
    guard expected.next() == nil else { throw SluiceError.corrupt("the tar stream ends before the last member the index lists") }
}
