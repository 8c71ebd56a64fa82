import Foundation

/// How a measurement reads and how many files it hashes at once. None of these change a result.
public struct MeasurementOptions: Hashable, Sendable {
    /// The default bytes per `read`: 1 MiB, large enough that system calls cost little and
    /// small enough to stay in the CPU's caches between the read and the hash.
    public static let defaultReadSize = 1 << 20

    /// The smallest and largest read sizes accepted; others are clamped into this range.
    public static let readSizeRange = 4096...(64 << 20)

    /// The most files hashed at once, whatever ``concurrency`` asks for.
    public static let maximumConcurrency = 64

    /// Bytes per `read`, clamped to ``readSizeRange``. Each worker owns one buffer of this size,
    /// and two more while it reads a large file ahead on a helper thread.
    public var readSize: Int

    /// How many files are hashed at once, clamped to 1…``maximumConcurrency``. Memory for file
    /// contents is at most `3 × concurrency × readSize`, whatever the files.
    public var concurrency: Int

    /// Options with the given values; `concurrency` defaults to the number of cores available.
    public init(readSize: Int = defaultReadSize, concurrency: Int? = nil) {
        self.readSize = readSize
        self.concurrency = concurrency ?? MeasurementOptions.availableCores
    }

    static func clampedReadSize(_ size: Int) -> Int {
        min(max(size, readSizeRange.lowerBound), readSizeRange.upperBound)
    }

    var clampedConcurrency: Int { min(max(concurrency, 1), MeasurementOptions.maximumConcurrency) }

    /// The cores this process may use.
    static var availableCores: Int { max(ProcessInfo.processInfo.activeProcessorCount, 1) }
}

/// How far a measurement has got, for progress bars. The totals count what has been listed so
/// far, so they grow until the listing of a large tree is finished (``totalsAreFinal``).
public struct MeasurementProgress: Hashable, Sendable {
    /// Bytes of file contents hashed so far.
    public var bytesDone: UInt64
    /// Bytes of file contents to hash in all.
    public var bytesTotal: UInt64
    /// Files finished so far.
    public var filesDone: Int
    /// Files to hash in all.
    public var filesTotal: Int
    /// Whether the listing is finished, so that the totals will not grow any more.
    public var totalsAreFinal: Bool

    /// A progress report with the given counts.
    public init(bytesDone: UInt64, bytesTotal: UInt64, filesDone: Int, filesTotal: Int, totalsAreFinal: Bool = true) {
        self.bytesDone = bytesDone
        self.bytesTotal = bytesTotal
        self.filesDone = filesDone
        self.filesTotal = filesTotal
        self.totalsAreFinal = totalsAreFinal
    }
}

/// The bounds a manifest keeps to; anything beyond them is an error, never truncated.
public enum ManifestLimits {
    /// The most entries (files, links, empty directories) in one manifest.
    public static let maximumEntries = 1_000_000
    /// The longest relative path, in UTF-8 bytes.
    public static let maximumPathBytes = 4096
    /// The longest single name (path component), in UTF-8 bytes, as on Linux file systems.
    public static let maximumNameBytes = 255
    /// The longest symbolic link target, in UTF-8 bytes.
    public static let maximumLinkTargetBytes = 4095
    /// The largest file, in bytes: 2^53 − 1, the largest integer that every JSON reader
    /// (RFC 8785 among them) holds exactly.
    public static let maximumFileSize: UInt64 = (1 << 53) - 1
}
