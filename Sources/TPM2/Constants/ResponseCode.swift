/// `TPM_RC`: a TPM response code, decoded into the name and the handle, parameter or session
/// it refers to, so an error message says what the TPM objected to.
public struct ResponseCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The 32-bit value in the response header.
    public let rawValue: UInt32
    /// Any value: unknown codes are still decoded as far as their format allows.
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// `TPM_RC_SUCCESS`: the command succeeded.
    public static let success = ResponseCode(rawValue: 0)
    /// `TPM_RC_INITIALIZE`: Startup was already done (or not yet, for other commands).
    public static let initialize = ResponseCode(rawValue: 0x100)
    /// `TPM_RC_NV_DEFINED`: the NV index already exists.
    public static let nvDefined = ResponseCode(rawValue: 0x14C)
    /// `TPM_RC_RETRY`: the TPM asks to send the command again.
    public static let retry = ResponseCode(rawValue: 0x922)
    /// `TPM_RC_YIELDED`: the TPM paused a long command; send it again.
    public static let yielded = ResponseCode(rawValue: 0x908)
    /// `TPM_RC_TESTING`: the TPM is testing itself; send the command again.
    public static let testing = ResponseCode(rawValue: 0x90A)

    /// The raw value in hex, e.g. `0x14C`.
    public var hexString: String { "0x" + String(rawValue, radix: 16, uppercase: true) }

    /// What part of the command a format-1 code refers to.
    public enum Subject: Hashable, Sendable {
        /// The n-th handle of the command, from 1.
        case handle(Int)
        /// The n-th parameter of the command, from 1.
        case parameter(Int)
        /// The n-th session of the command, from 1.
        case session(Int)
    }

    /// True for format-1 codes, which name a handle, parameter or session.
    public var isFormatOne: Bool { rawValue & 0x80 != 0 }

    /// The code without the handle/parameter/session number, for comparison with named codes.
    public var base: UInt32 { isFormatOne ? (rawValue & 0xBF) : rawValue }

    /// For format-1 codes, which handle, parameter or session the TPM rejected (1-based).
    public var subject: Subject? {
        guard isFormatOne else { return nil }
        if rawValue & 0x40 != 0 { return .parameter(Int((rawValue >> 8) & 0xF)) }
        let number = Int((rawValue >> 8) & 0x7)
        if rawValue & 0x800 != 0 { return .session(number) }
        return number == 0 ? nil : .handle(number)
    }

    /// The symbolic name, e.g. `TPM_RC_NV_DEFINED`, or a description of an unknown code.
    public var name: String {
        if rawValue == 0 { return "TPM_RC_SUCCESS" }
        if isFormatOne {
            return Self.formatOneNames[rawValue & 0x3F].map { "TPM_RC_\($0)" } ?? "TPM_RC format-1 error \(hexString)"
        }
        if rawValue & 0x100 == 0 { return "TPM 1.2 response code \(hexString)" }
        if rawValue & 0x400 != 0 { return "vendor response code \(hexString)" }
        let number = rawValue & 0x7F
        if rawValue & 0x800 != 0 {
            return Self.warningNames[number].map { "TPM_RC_\($0)" } ?? "TPM_RC warning \(hexString)"
        }
        return Self.formatZeroNames[number].map { "TPM_RC_\($0)" } ?? "TPM_RC error \(hexString)"
    }

    /// True for warnings that ask the caller to send the command again.
    public var isRetryable: Bool { self == .retry || self == .yielded || self == .testing }

    /// The name, hex value and subject, e.g. `TPM_RC_VALUE (0x2C4) on parameter 2`.
    public var description: String {
        var text = "\(name) (\(hexString))"
        switch subject {
        case .handle(let n): text += " on handle \(n)"
        case .parameter(let n): text += " on parameter \(n)"
        case .session(let n): text += " on session \(n)"
        case nil: break
        }
        return text
    }

    private static let formatOneNames: [UInt32: String] = [
        0x01: "ASYMMETRIC", 0x02: "ATTRIBUTES", 0x03: "HASH", 0x04: "VALUE", 0x05: "HIERARCHY",
        0x07: "KEY_SIZE", 0x08: "MGF", 0x09: "MODE", 0x0A: "TYPE", 0x0B: "HANDLE", 0x0C: "KDF",
        0x0D: "RANGE", 0x0E: "AUTH_FAIL", 0x0F: "NONCE", 0x10: "PP", 0x12: "SCHEME", 0x15: "SIZE",
        0x16: "SYMMETRIC", 0x17: "TAG", 0x18: "SELECTOR", 0x1A: "INSUFFICIENT", 0x1B: "SIGNATURE",
        0x1C: "KEY", 0x1D: "POLICY_FAIL", 0x1F: "INTEGRITY", 0x20: "TICKET", 0x21: "RESERVED_BITS",
        0x22: "BAD_AUTH", 0x23: "EXPIRED", 0x24: "POLICY_CC", 0x25: "BINDING", 0x26: "CURVE",
        0x27: "ECC_POINT",
    ]

    private static let formatZeroNames: [UInt32: String] = [
        0x00: "INITIALIZE", 0x01: "FAILURE", 0x03: "SEQUENCE", 0x0B: "PRIVATE", 0x19: "HMAC",
        0x20: "DISABLED", 0x21: "EXCLUSIVE", 0x24: "AUTH_TYPE", 0x25: "AUTH_MISSING", 0x26: "POLICY",
        0x27: "PCR", 0x28: "PCR_CHANGED", 0x2D: "UPGRADE", 0x2E: "TOO_MANY_CONTEXTS",
        0x2F: "AUTH_UNAVAILABLE", 0x30: "REBOOT", 0x31: "UNBALANCED", 0x42: "COMMAND_SIZE",
        0x43: "COMMAND_CODE", 0x44: "AUTHSIZE", 0x45: "AUTH_CONTEXT", 0x46: "NV_RANGE", 0x47: "NV_SIZE",
        0x48: "NV_LOCKED", 0x49: "NV_AUTHORIZATION", 0x4A: "NV_UNINITIALIZED", 0x4B: "NV_SPACE",
        0x4C: "NV_DEFINED", 0x50: "BAD_CONTEXT", 0x51: "CPHASH", 0x52: "PARENT", 0x53: "NEEDS_TEST",
        0x54: "NO_RESULT", 0x55: "SENSITIVE",
    ]

    private static let warningNames: [UInt32: String] = [
        0x01: "CONTEXT_GAP", 0x02: "OBJECT_MEMORY", 0x03: "SESSION_MEMORY", 0x04: "MEMORY",
        0x05: "SESSION_HANDLES", 0x06: "OBJECT_HANDLES", 0x07: "LOCALITY", 0x08: "YIELDED",
        0x09: "CANCELED", 0x0A: "TESTING", 0x10: "REFERENCE_H0", 0x11: "REFERENCE_H1",
        0x12: "REFERENCE_H2", 0x13: "REFERENCE_H3", 0x14: "REFERENCE_H4", 0x15: "REFERENCE_H5",
        0x16: "REFERENCE_H6", 0x18: "REFERENCE_S0", 0x19: "REFERENCE_S1", 0x1A: "REFERENCE_S2",
        0x1B: "REFERENCE_S3", 0x1C: "REFERENCE_S4", 0x1D: "REFERENCE_S5", 0x1E: "REFERENCE_S6",
        0x20: "NV_RATE", 0x21: "LOCKOUT", 0x22: "RETRY", 0x23: "NV_UNAVAILABLE",
    ]
}
