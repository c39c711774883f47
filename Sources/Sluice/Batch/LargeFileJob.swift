import SystemPackage

extension BatchRun {
    /// Memory a large file is charged: the chunk window its run will use.
    func largeCost(_ entry: WalkEntry) -> Int {
        if let pack = packOptions, let plan = try? plan(for: entry, pack) {
            return plan.window * Plan.slotMemory(chunkSize: plan.chunkSize, codec: pack.codec.codec)
        }
        return Plan.fullWindow(workers: workers.workers) * Plan.slotMemory(chunkSize: Plan.defaultChunkSize, codec: .zstd)
    }

    private func plan(for entry: WalkEntry, _ pack: PackOptions) throws -> Plan {
        var options = pack
        options.memoryLimit = options.memoryLimit.map { min($0, .bytes(budget.limit)) } ?? .bytes(budget.limit)
        return try options.plan(inputSize: entry.status.size)
    }

    /// Runs one large file through the chunked pipeline, on an I/O thread that holds its token for the
    /// whole run (the run's reader thread reads ahead while this thread writes in order), with the CPU
    /// work spread over every worker of the shared pool.
    func runLarge(_ entry: WalkEntry, reserved: Int) {
        defer {
            budget.release(reserved)
            largeSlots.signal()
            inFlight.leave()
        }
        guard !reporter.shouldStop else { return }
        let source = layout.source(entry.relative)
        guard let output = layout.output(entry.relative) else {
            reporter.fail(source, SluiceError(.invalidArgument, "\(source): no safe output name"))
            return
        }
        do {
            if let pack = packOptions, let range = entry.range {
                try packRange(entry, range, source: source, output: output, options: pack)
            } else if let pack = packOptions {
                try packLarge(entry, source: source, output: output, options: pack, reserved: reserved)
            } else if options.isVerifying {
                try verifyLarge(entry, source: source)
            } else {
                try unpackLarge(entry, source: source, output: output)
            }
        } catch {
            reporter.fail(source, error, range: entry.range)
        }
    }

    private func packLarge(_ entry: WalkEntry, source: FilePath, output: FilePath, options pack: PackOptions, reserved: Int) throws {
        let decision = try decide(output) { _ in UpToDate.packed(output, source: entry.status) }
        guard case .write(let replacing) = decision else {
            return alreadyDone(source: source, output: output, status: entry.status, plainSize: entry.status.size)
        }
        if options.dryRun { return reporter.plan(source, output: output, size: entry.status.size, replacing: replacing) }
        var fileOptions = pack
        fileOptions.memoryLimit = .bytes(max(reserved, Plan.slotMemory(chunkSize: Plan.minimumAutoChunkSize, codec: pack.codec.codec) * 2))
        if entry.storeOnly {
            fileOptions.codec = try CodecSettings(.store)
        } else if options.compressedInput != .pack, !(try trialShrinks(source)) {
            if options.compressedInput == .skip { return reporter.skip(source, .doesNotShrink) }
            fileOptions.codec = try CodecSettings(.store)
        }
        let report = try Pipeline.packFile(
            source, to: .file(output, overwrite: replacing), options: fileOptions, keepMetadata: options.keepMetadata)
        finished(source: source, output: output, status: entry.status, bytesIn: Int(report.plainBytes), bytesOut: Int(report.packedBytes))
    }

    /// A quick trial on the first ``CompressedInput/trialSize`` bytes.
    func trialShrinks(_ source: FilePath) throws -> Bool {
        let fd = try FileDescriptor.open(source, .readOnly, options: [.closeOnExec])
        defer { _ = try? fd.close() }
        let sample = RawBuffer(capacity: CompressedInput.trialSize)
        sample.count = try fd.readFully(into: sample[0..<CompressedInput.trialSize])
        return CompressedInput.shrinks(sample.contents, context: CodecContext())
    }

    private func verifyLarge(_ entry: WalkEntry, source: FilePath) throws {
        if options.dryRun { return reporter.plan(source, output: source, size: entry.status.size, replacing: false) }
        let report = try Pipeline.verifyFile(
            source, key: { [keys] _ in try keys.key() }, workers: workers.workers, limits: options.limits, storage: options.storage)
        finished(source: source, output: source, status: entry.status, bytesIn: Int(report.packedBytes), bytesOut: Int(report.plainBytes))
    }

    private func unpackLarge(_ entry: WalkEntry, source: FilePath, output: FilePath) throws {
        let input = try Pipeline.openInput(source)
        let metadata: FileMetadata?
        do {
            defer { _ = try? input.fd.close() }
            // Told by the magic, as a single-file unpack does: a standard zstd or LZ4 file records no
            // name, mode or mtime, so its output is never up to date and gets mode 0644. An armored age
            // file is refused by its first byte, as the in-memory path does.
            let (format, consumed) = try Pipeline.detectFormat(input)
            try MemoryUnpacker.refuseArmor(consumed)
            metadata = format.isStandard ? nil : try Pipeline.readHeader(
                from: input.fd, key: { _ in nil }, limits: options.limits, requireKey: false, consumed: consumed).info.metadata
        }
        let decision = try decide(output) { UpToDate.unpacked($0, metadata: metadata) }
        guard case .write(let replacing) = decision else {
            return alreadyDone(source: source, output: output, status: entry.status, plainSize: Int(metadata?.size ?? 0))
        }
        if options.dryRun { return reporter.plan(source, output: output, size: entry.status.size, replacing: replacing) }
        let report = try Pipeline.unpackFile(
            source, to: .file(output, overwrite: replacing), key: { [keys] _ in try keys.key() }, workers: workers.workers,
            limits: options.limits, restoreMetadata: options.keepMetadata,
            policy: OutputPolicy(preserveSpecialBits: options.preserveSpecialBits),
            opened: { [self] header in try checkRecordedName(header.metadata, source: source, output: output) })
        finished(source: source, output: output, status: entry.status, bytesIn: Int(report.packedBytes), bytesOut: Int(report.plainBytes))
    }
}
