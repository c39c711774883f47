/// What a finished batch did: the summary line's numbers.
public struct BatchReport: Sendable {
    /// Files processed and written.
    public var filesOK: Int
    /// Files that failed.
    public var filesFailed: Int
    /// Files skipped, by reason.
    public var skipped: [SkipReason: Int]
    /// Input bytes of the files processed (plaintext when packing, `.slc` bytes when unpacking).
    public var bytesIn: Int
    /// Output bytes written.
    public var bytesOut: Int
    /// From the start of the walk to the end of the final sync.
    public var elapsed: Duration
    /// The part of ``elapsed`` spent in the final `syncfs`.
    public var syncTime: Duration
    /// Whether the run stopped early (`failFast`).
    public var stoppedEarly: Bool
    /// Whether nothing was written (`dryRun`): the counts say what would have been done.
    public var dryRun: Bool
    /// Packing (else unpacking): which side of the byte counts is the plaintext.
    public var packing: Bool

    /// Files skipped, all reasons together.
    public var filesSkipped: Int { skipped.values.reduce(0, +) }

    /// Plaintext over packed size (whichever side is which), 0 when nothing was written.
    public var ratio: Double {
        let (plain, packed) = packing ? (bytesIn, bytesOut) : (bytesOut, bytesIn)
        return packed == 0 ? 0 : Double(plain) / Double(packed)
    }

    /// ``elapsed`` in seconds.
    public var seconds: Double {
        Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    /// Files processed (written) per second.
    public var filesPerSecond: Double { seconds > 0 ? Double(filesOK) / seconds : 0 }

    /// Megabytes (10⁶) of input per second.
    public var megabytesPerSecond: Double { seconds > 0 ? Double(bytesIn) / seconds / 1e6 : 0 }
}
