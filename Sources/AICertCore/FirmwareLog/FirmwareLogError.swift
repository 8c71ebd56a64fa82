/// A firmware event log that cannot be read: bytes that end too early, a size or count past a
/// limit, or a field holding a value the format does not allow.
///
/// Equality compares the ``code`` only, so tests can match the kind of failure without caring
/// about the text; ``record`` and ``field`` say where, ``reason`` says it for people.
public struct FirmwareLogError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of failure this is; compare these, not the text.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Kind: Hashable, Sendable {
            case truncated
            case limitExceeded
            case invalidValue
            case trailingBytes
        }

        private let kind: Kind
        private init(_ kind: Kind) { self.kind = kind }

        /// The log ended before a field did.
        public static let truncated = Code(.truncated)
        /// A size or count is larger than the format or this parser allows.
        public static let limitExceeded = Code(.limitExceeded)
        /// A field holds a value the format does not allow.
        public static let invalidValue = Code(.invalidValue)
        /// Bytes remained inside an event after a structure that must fill it exactly.
        public static let trailingBytes = Code(.trailingBytes)

        public var description: String {
            switch kind {
            case .truncated: "truncated"
            case .limitExceeded: "limit exceeded"
            case .invalidValue: "invalid value"
            case .trailingBytes: "trailing bytes"
            }
        }
    }

    /// The kind of failure.
    public let code: Code
    /// The index of the record (event) at fault, counting the first record as 0; `nil` when the
    /// failure concerns the log as a whole.
    public let record: Int?
    /// The field at fault, e.g. `eventSize` or `event.unicodeNameLength`.
    public let field: String
    /// What failed and why, naming the record and the field.
    public let reason: String
    private let file: String
    private let line: UInt

    init(_ code: Code, record: Int?, field: String, _ why: String, file: String = #fileID, line: UInt = #line) {
        self.code = code
        self.record = record
        self.field = field
        self.reason = (record.map { "record \($0), " } ?? "") + "\(field): \(why)"
        self.file = file
        self.line = line
    }

    public var description: String { reason }

    public static func == (lhs: FirmwareLogError, rhs: FirmwareLogError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}
