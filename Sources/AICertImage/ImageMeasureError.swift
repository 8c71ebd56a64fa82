/// Why reference values cannot be computed from an image: a file missing or not what it must be.
///
/// The file is a PE/COFF image, a unified kernel image, a GPT disk or a reference boot.
///
/// Equality compares the ``code`` only, so tests can match the kind of failure without caring
/// about the text; ``file`` says which file and ``reason`` what is wrong with it.
public struct ImageMeasureError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of failure this is; compare these, not the text.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Kind: Hashable, Sendable {
            case unreadable
            case truncated
            case malformed
            case unsupported
            case inconsistent
        }

        private let kind: Kind
        private init(_ kind: Kind) { self.kind = kind }

        /// The file cannot be read.
        public static let unreadable = Code(.unreadable)
        /// A structure runs past the end of the file.
        public static let truncated = Code(.truncated)
        /// A field holds a value its format does not allow.
        public static let malformed = Code(.malformed)
        /// A valid file of a kind or version whose measurements are not known.
        ///
        /// For example, a UKI with another systemd-stub release than those whose sections are known.
        public static let unsupported = Code(.unsupported)
        /// The files disagree with each other (e.g. the UKI on the disk is not the one beside it).
        public static let inconsistent = Code(.inconsistent)

        /// The code's name, e.g. `truncated`, for messages.
        public var description: String {
            switch kind {
            case .unreadable: "unreadable"
            case .truncated: "truncated"
            case .malformed: "malformed"
            case .unsupported: "unsupported"
            case .inconsistent: "inconsistent"
            }
        }
    }

    /// The kind of failure.
    public let code: Code
    /// The file at fault.
    public let file: String
    /// What is wrong, naming the structure and field.
    public let reason: String
    private let sourceFile: String
    private let sourceLine: UInt

    /// An error of kind `code` in `file`, with `reason` naming the structure and field, and where it was thrown.
    public init(
        _ code: Code, file: String, _ reason: String, sourceFile: String = #fileID, sourceLine: UInt = #line
    ) {
        self.code = code
        self.file = file
        self.reason = reason
        self.sourceFile = sourceFile
        self.sourceLine = sourceLine
    }

    /// An ``Code/unreadable`` error, to match thrown errors against.
    public static let unreadable = ImageMeasureError(.unreadable, file: "", "unreadable")
    /// A ``Code/truncated`` error, to match thrown errors against.
    public static let truncated = ImageMeasureError(.truncated, file: "", "truncated")
    /// A ``Code/malformed`` error, to match thrown errors against.
    public static let malformed = ImageMeasureError(.malformed, file: "", "malformed")
    /// An ``Code/unsupported`` error, to match thrown errors against.
    public static let unsupported = ImageMeasureError(.unsupported, file: "", "unsupported")
    /// An ``Code/inconsistent`` error, to match thrown errors against.
    public static let inconsistent = ImageMeasureError(.inconsistent, file: "", "inconsistent")

    /// The file and what is wrong with it, as the CLI prints it.
    public var description: String { "\(file): \(reason)" }

    /// Whether both errors have the same code; the file and reason are ignored, so tests can match kinds.
    public static func == (lhs: ImageMeasureError, rhs: ImageMeasureError) -> Bool { lhs.code == rhs.code }
    /// Hashes the code only, as equality compares it only.
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}
