import SystemPackage

/// One slice of a batch, `index` of `count` (`--shard I/N`): the files whose path hashes to `index`.
///
/// The assignment needs no coordination: every node computes it from the path alone. A file's key is its
/// path relative to the batch's root, as bytes, with a trailing `.slc` removed when unpacking (so
/// `unpack --shard I/N` of a packed tree takes exactly the files `pack --shard I/N` wrote); its shard is
/// `XXH3_64bits(key) mod count` (libxxhash, seed 0). XXH3's output is fixed by its specification, so the
/// split is the same on every machine, architecture and Sluice version (docs/scale-out.md).
public struct Shard: Sendable, Hashable, CustomStringConvertible {
    /// From 0 to `count - 1`.
    public let index: Int
    /// How many shards the batch is cut into (1 to ``maximumCount``).
    public let count: Int

    /// The largest shard count: far more than any array job runs at once.
    public static let maximumCount = 1 << 20

    /// - Throws: ``SluiceError/Code/invalidArgument`` unless `0 ≤ index < count ≤ maximumCount`.
    init(index: Int, count: Int) throws {
        guard (1...Self.maximumCount).contains(count) else {
            throw SluiceError.invalid("the shard count must be 1 to \(Self.maximumCount), not \(count)")
        }
        guard (0..<count).contains(index) else {
            throw SluiceError.invalid("shard \(index) is not one of 0…\(count - 1)")
        }
        self.index = index
        self.count = count
    }

    /// Parses `I/N` (`--shard 2/8`).
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]) else {
            throw SluiceError.invalid("--shard takes I/N (e.g. 0/4) or auto, not '\(text)'")
        }
        try self.init(index: index, count: count)
    }

    /// The shard of an array job's task, from the scheduler's environment: `SLURM_ARRAY_TASK_ID` under
    /// Slurm, else `JOB_COMPLETION_INDEX` (a Kubernetes Indexed Job), of `count` shards.
    ///
    /// - Parameter count: `--shards N`. Without it, Slurm's `SLURM_ARRAY_TASK_COUNT` is taken, which is
    ///   only right for an array numbered `0-(N-1)`: give `--shards` for a retry of some tasks
    ///   (`sbatch --array=2`). Required for Kubernetes.
    /// - Throws: ``SluiceError/Code/invalidArgument`` when neither scheduler's variables are set, they
    ///   are not numbers, or the index is not below the count.
    public static func fromEnvironment(_ environment: [String: String], count: Int?) throws -> Shard {
        func number(_ name: String) throws -> Int? {
            guard let text = environment[name], !text.isEmpty else { return nil }
            guard let value = Int(text) else { throw SluiceError.invalid("\(name)='\(text)' is not a number") }
            return value
        }
        if let task = try number("SLURM_ARRAY_TASK_ID") {
            guard let total = try count ?? number("SLURM_ARRAY_TASK_COUNT") else {
                throw SluiceError.invalid("--shard auto: SLURM_ARRAY_TASK_COUNT is not set; give --shards N")
            }
            return try Shard(index: task, count: total)
        }
        if let index = try number("JOB_COMPLETION_INDEX") {
            guard let count else { throw SluiceError.invalid("--shard auto with JOB_COMPLETION_INDEX needs --shards N") }
            return try Shard(index: index, count: count)
        }
        throw SluiceError.invalid(
            "--shard auto: neither SLURM_ARRAY_TASK_ID nor JOB_COMPLETION_INDEX is set (not an array task?)")
    }

    /// `index/count`, as `--shard` takes it.
    public var description: String { "\(index)/\(count)" }

    /// The shard, of `count`, that a file's key falls in.
    static func index(ofKey key: [UInt8], count: Int) -> Int {
        Int(XXH3.hash64(key) % UInt64(count))
    }

    /// The key of the file at `relative` (under the batch's root): its bytes, without `.slc` (or the
    /// `.zst` or `.lz4` a tree unpack also takes) when unpacking — the key of the file it restores.
    static func key(of relative: FilePath, packing: Bool) -> [UInt8] {
        let bytes = relative.bytes
        guard !packing, bytes.count > 4,
              OutputLayout.packedExtensions.contains(where: { bytes.suffix(4).elementsEqual(".\($0)".utf8) })
        else { return bytes }
        return Array(bytes.dropLast(4))
    }

    /// Whether the file at `relative` belongs to this shard.
    func contains(_ relative: FilePath, packing: Bool) -> Bool {
        count == 1 || Self.index(ofKey: Self.key(of: relative, packing: packing), count: count) == index
    }
}
