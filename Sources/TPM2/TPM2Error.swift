/// An error from the TPM2 library: malformed bytes, a TPM that said no, or a transport failure.
///
/// Equality compares the ``code`` only, so tests can match the kind of failure without caring
/// about the text; ``reason`` says what failed and why for people.
public struct TPM2Error: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of failure this is; compare these, not the text.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Kind: Hashable, Sendable {
            case truncated
            case trailingBytes
            case sizeLimitExceeded
            case invalidValue
            case unsupported
            case tpmResponse(UInt32)
            case transport
            case invalidTCTI
        }

        private let kind: Kind
        private init(_ kind: Kind) { self.kind = kind }

        /// The bytes ended before a field did.
        public static let truncated = Code(.truncated)
        /// Bytes remained after a structure that must be consumed whole.
        public static let trailingBytes = Code(.trailingBytes)
        /// A length or count is larger than the structure allows.
        public static let sizeLimitExceeded = Code(.sizeLimitExceeded)
        /// A field holds a value the structure does not allow.
        public static let invalidValue = Code(.invalidValue)
        /// A well-formed value this library does not implement (e.g. an attest type other than quote).
        public static let unsupported = Code(.unsupported)
        /// The transport could not connect, send or receive.
        public static let transport = Code(.transport)
        /// A TCTI configuration string could not be understood.
        public static let invalidTCTI = Code(.invalidTCTI)
        /// The TPM answered with this response code.
        public static func tpmResponse(_ code: ResponseCode) -> Code { Code(.tpmResponse(code.rawValue)) }

        /// The kind in words, e.g. `truncated` or `TPM response 0x14C`.
        public var description: String {
            switch kind {
            case .truncated: "truncated"
            case .trailingBytes: "trailing bytes"
            case .sizeLimitExceeded: "size limit exceeded"
            case .invalidValue: "invalid value"
            case .unsupported: "unsupported"
            case .tpmResponse(let rc): "TPM response \(ResponseCode(rawValue: rc).hexString)"
            case .transport: "transport"
            case .invalidTCTI: "invalid TCTI"
            }
        }
    }

    /// What kind of failure this is: the only part that equality compares.
    public let code: Code
    /// What failed and why, naming the structure and field where there is one.
    public let reason: String
    private let file: String
    private let line: UInt

    /// Makes an error of kind `code` that says why in `reason`.
    ///
    /// `file` and `line` record where it was thrown, for diagnostics; they take no part in equality.
    public init(_ code: Code, _ reason: String, file: String = #fileID, line: UInt = #line) {
        self.code = code
        self.reason = reason
        self.file = file
        self.line = line
    }

    /// The ``reason``, which names the structure and field where there is one.
    public var description: String { reason }

    /// Compares the codes only, so a test can expect a kind of failure without matching its text.
    public static func == (lhs: TPM2Error, rhs: TPM2Error) -> Bool { lhs.code == rhs.code }
    /// Hashes the code only, as equality compares it.
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }

    static func truncated(_ field: String, file: String = #fileID, line: UInt = #line) -> TPM2Error {
        TPM2Error(.truncated, "\(field): input ends before the field does", file: file, line: line)
    }

    static func invalid(_ field: String, _ why: String, file: String = #fileID, line: UInt = #line) -> TPM2Error {
        TPM2Error(.invalidValue, "\(field): \(why)", file: file, line: line)
    }

    static func tooLarge(_ field: String, size: Int, max: Int, file: String = #fileID, line: UInt = #line)
        -> TPM2Error
    {
        TPM2Error(.sizeLimitExceeded, "\(field): size \(size) exceeds the maximum \(max)", file: file, line: line)
    }

    static func unsupported(_ field: String, _ why: String, file: String = #fileID, line: UInt = #line)
        -> TPM2Error
    {
        TPM2Error(.unsupported, "\(field): \(why)", file: file, line: line)
    }

    static func transport(_ why: String, file: String = #fileID, line: UInt = #line) -> TPM2Error {
        TPM2Error(.transport, why, file: file, line: line)
    }
}
