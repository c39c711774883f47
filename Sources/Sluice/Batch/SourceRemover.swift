import SystemPackage

/// `--remove-source` for a batch: sources whose outputs were written wait here, in rounds of at most
/// ``roundSize``; a round starts with one sync of the output file system (not one `fsync` per file),
/// then verifies each output and deletes its source only if the source is still the file that was
/// packed (same inode, size and mtime).
final class SourceRemover: Sendable {
    /// A source whose output was written.
    struct Removal: Sendable {
        var source: FilePath
        var output: FilePath
        /// The source as it was read.
        var status: FileSystem.Status
        /// Plaintext bytes the output holds (unpack: checked against the output's size).
        var plainSize: Int
        /// Counted as done by this run (else skipped as up to date): a failure here moves it to failed.
        var countedOK: Bool
    }

    /// Removals kept before a round runs, which bounds their memory.
    static let roundSize = 4096

    private let pending = Locked<[Removal]>([])

    func add(_ removal: Removal) { pending.withLock { $0.append(removal) } }

    var isRoundDue: Bool { pending.withLock { $0.count >= Self.roundSize } }

    /// Syncs the output file system, verifies every pending output and deletes its source.
    ///
    /// - Throws: only when the sync fails (then nothing is removed).
    func runRound(_ run: BatchRun) throws {
        let round = pending.withLock { pending -> [Removal] in
            defer { pending = [] }
            return pending
        }
        guard !round.isEmpty else { return }
        try FileSystem.synchronizeFileSystem(containing: run.layout.outputRoot)
        let packKey = run.packOptions?.key
        for removal in round {
            do {
                if run.packOptions != nil {
                    let report = try Pipeline.verifyFile(removal.output, key: { _ in packKey }, workers: run.workers.workers)
                    guard report.plainBytes == UInt64(removal.plainSize) else {
                        throw SluiceError.corrupt("\(removal.output) holds \(report.plainBytes) bytes, not \(removal.plainSize)")
                    }
                } else {
                    // The .slc verified completely before its output was renamed into place.
                    guard let written = try FileSystem.status(ofPath: removal.output, followLinks: false),
                          written.isRegular, written.size == removal.plainSize
                    else { throw SluiceError(.io, "\(removal.output) is not the file that was written") }
                }
                guard let now = try FileSystem.status(ofPath: removal.source, followLinks: false),
                      now.device == removal.status.device, now.inode == removal.status.inode, now.size == removal.status.size,
                      now.modificationSeconds == removal.status.modificationSeconds,
                      now.modificationNanoseconds == removal.status.modificationNanoseconds
                else { throw SluiceError(.io, "\(removal.source) changed after it was read; it was kept") }
                try Pipeline.removeVerifiedSource(removal.source)
            } catch {
                if removal.countedOK { run.reporter.progress.demote() }
                run.reporter.fail(removal.source, SluiceError(.io, "source kept", cause: error as? SluiceError ?? SendableError(error)))
            }
        }
    }
}
