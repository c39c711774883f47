import ArgumentParser
import Foundation
import Sluice
import SystemPackage

/// Opens an archive named on the command line: the file, and its index read with the key options.
func openArchive(
    _ input: String, keys: KeyOptions, identities: IdentityOptions, allowUnencrypted: Bool, maxKdfCost: Int
) throws -> (FileDescriptor, OpenedArchive) {
    let fd: FileDescriptor
    do {
        fd = try FileDescriptor.open(FilePath(input), .readOnly, options: [.closeOnExec])
    } catch {
        throw SluiceError(.io, "cannot open \(input)", cause: error as? Errno)
    }
    do {
        let archive = try Archive.open(
            fd, name: input, key: try identities.provider(falling: keys),
            limits: DecodeLimits(maxScryptLogN: maxKdfCost, keys: try identities.policy(falling: keys, allowUnencrypted: allowUnencrypted)))
        return (fd, archive)
    } catch {
        _ = try? fd.close()
        throw error
    }
}

extension UnpackCommand {
    /// `unpack A -o DIR [--only GLOB…]` and `unpack -c A` of an archive (docs/archives.md): exits 1 when
    /// a member was refused or could not be written.
    func runArchive(_ input: String) throws {
        guard range == nil, !removeSource else { throw SluiceError(.invalidArgument, "--range and --remove-source are not for archives (use --only)") }
        let (fd, archive) = try openArchive(input, keys: keys, identities: identities, allowUnencrypted: allowUnencrypted, maxKdfCost: maxKdfCost)
        defer { _ = try? fd.close() }
        let workerCount = try parseWorkers(workers)
        let start = ContinuousClock.now
        if toStandardOutput {
            guard archiveArguments.only.isEmpty else { throw SluiceError(.invalidArgument, "-c writes the whole tar stream: leave out --only") }
            guard !Terminal.standardOutputIsTerminal else { throw SluiceError(.invalidArgument, "refusing to write a tar stream to a terminal (pipe it: | tar -x)") }
            _ = try Archive.writeStream(archive, from: fd, to: .standardOutput, workers: workerCount, memoryLimit: memoryLimit)
            return
        }
        let directory = FilePath(output ?? Self.directoryName(for: input))
        var options = ExtractOptions()
        options.force = force
        options.preserveSpecialBits = preserveSpecialBits
        options.devices = archiveArguments.devices
        options.restoreMetadata = restoreMetadata
        let console = ArchiveConsole(json: batch.logFormat == .json, quiet: reporting.quiet)
        let report = try Archive.extract(
            archive, from: fd, to: directory, options: options, only: archiveArguments.only.map(Glob.init), workers: workerCount,
            memoryLimit: memoryLimit, io: ioArguments.pool(for: directory), events: { console.handle($0, listing: false) })
        if batch.logFormat == .json {
            try Terminal.output(#"{"event":"summary","members":\#(report.members),"failed":\#(report.failures),"bytes":\#(report.contentBytes),"chunks":\#(report.chunks)}"# + "\n")
        } else if reporting.showsSummary || report.failures > 0 {
            let elapsed = ContinuousClock.now - start
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            Terminal.printError("\(input) → \(directory): \(report.members - report.failures) members (\(ByteCount(bytes: Int(report.contentBytes)))), "
                + "\(report.chunks) chunks decoded, \(String(format: "%.2f", seconds)) s" + (report.failures > 0 ? "; \(report.failures) failed" : ""))
        }
        if report.failures > 0 { throw ExitCode(ExitCodes.failure) }
    }

    /// `backup.tar.slc` (or `backup.tar.zst`) → `backup`.
    static func directoryName(for input: String) -> String {
        var name = FilePath(input).lastComponent?.string ?? input
        for suffix in [".slc", ".zst", ".tar"] where name.hasSuffix(suffix) && name.count > suffix.count { name.removeLast(suffix.count) }
        return name
    }
}

extension VerifyCommand {
    /// `verify A` of an archive: every frame, and every member against the index.
    func verifyArchive(_ input: String) throws {
        let (fd, archive) = try openArchive(input, keys: keys, identities: identities, allowUnencrypted: allowUnencrypted, maxKdfCost: maxKdfCost)
        defer { _ = try? fd.close() }
        let report = try Archive.verify(archive, from: fd, workers: try parseWorkers(workers))
        if !quiet {
            try Terminal.output("\(input): OK (archive, \(report.members) members, \(report.contentBytes) bytes, \(report.chunks) chunks, \(archive.info.codec), cipher \(archive.info.cipher.rawValue))\n")
        }
    }
}
