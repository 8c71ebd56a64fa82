import Glibc

/// A failure to measure a file or directory: a path that cannot be read, a file type that a
/// manifest does not admit, a name that breaks the manifest's rules, or a limit exceeded.
///
/// Equality compares the ``code`` only, so tests can match the kind of failure without caring
/// about the text; ``reason`` names the path and says what failed and why, for people.
public struct MeasurementError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of failure this is; compare these, not the text.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Kind: Hashable, Sendable {
            case noSuchFile
            case cannotOpen
            case readFailed
            case unsupportedFileType
            case invalidName
            case limitExceeded
            case changedWhileMeasuring
            case invalidManifest
        }

        private let kind: Kind
        private init(_ kind: Kind) { self.kind = kind }

        /// The path does not exist.
        public static let noSuchFile = Code(.noSuchFile)
        /// The path exists but could not be opened or listed (permissions, I/O error).
        public static let cannotOpen = Code(.cannotOpen)
        /// Reading an opened file failed part-way.
        public static let readFailed = Code(.readFailed)
        /// A device, FIFO, socket or other entry that a manifest does not admit.
        public static let unsupportedFileType = Code(.unsupportedFileType)
        /// A name that is not UTF-8, not in Unicode NFC, or holds a control character.
        public static let invalidName = Code(.invalidName)
        /// Too many entries, a path or link target too long, or a file too large.
        public static let limitExceeded = Code(.limitExceeded)
        /// A file changed size or identity between listing it and hashing it.
        public static let changedWhileMeasuring = Code(.changedWhileMeasuring)
        /// A list of manifest entries that breaks the manifest rules (duplicates, bad paths).
        public static let invalidManifest = Code(.invalidManifest)

        public var description: String {
            switch kind {
            case .noSuchFile: "no such file"
            case .cannotOpen: "cannot open"
            case .readFailed: "read failed"
            case .unsupportedFileType: "unsupported file type"
            case .invalidName: "invalid name"
            case .limitExceeded: "limit exceeded"
            case .changedWhileMeasuring: "changed while measuring"
            case .invalidManifest: "invalid manifest"
            }
        }
    }

    /// The kind of failure.
    public let code: Code
    /// The path the failure is about, as the caller named it (joined with the relative path below it).
    public let path: String
    /// What failed and why, naming the path.
    public let reason: String
    private let file: String
    private let line: UInt

    init(_ code: Code, path: String, _ why: String, file: String = #fileID, line: UInt = #line) {
        self.code = code
        self.path = path
        self.reason = "\(MeasurementError.displayable(path)): \(why)"
        self.file = file
        self.line = line
    }

    public var description: String { reason }

    public static func == (lhs: MeasurementError, rhs: MeasurementError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }

    /// An error for a failed system call, choosing the code from `errno`.
    static func system(
        _ call: String, errno number: Int32, path: String, file: String = #fileID, line: UInt = #line
    ) -> MeasurementError {
        let code: Code = number == ENOENT || number == ENOTDIR ? .noSuchFile : .cannotOpen
        let text = String(cString: strerror(number))
        return MeasurementError(code, path: path, "\(call) failed: \(text)", file: file, line: line)
    }

    /// The path with control characters escaped, so that a hostile name cannot forge lines of output.
    static func displayable(_ path: String) -> String {
        var text = ""
        for scalar in path.unicodeScalars {
            if scalar.value < 0x20 || scalar.value == 0x7F {
                text += "\\u{" + String(scalar.value, radix: 16) + "}"
            } else {
                text.unicodeScalars.append(scalar)
            }
        }
        return text
    }
}
