import Foundation

/// What `GET /v1/identity` returns: the runner's identity and a fresh quote over PCRs 0–15, so
/// a client can check the platform (and that no build ran yet) before it sends any data.
public struct RunnerIdentity: Hashable, Sendable, Codable {
    public static let currentFormat = "aicert-identity/v1"
    /// The largest identity document: room for the largest firmware event log, in base64.
    public static let maximumSize = 32 << 20

    public var format: String
    public var platform: String
    public var runnerTime: String
    /// The content of the runner's `aicert/runner` event: name, version, executable digest.
    public var runner: JSONValue
    public var nonce: String
    public var quote: AICertificate.Quote
    public var pcrs: [String: [String: String]]
    public var attestationKey: AICertificate.AttestationKey
    /// The TCG firmware event log of the runner's boot, when its machine has one: the client
    /// judges the boot by it before it sends anything.
    public var firmwareEventLog: Base64Bytes?

    enum CodingKeys: String, CodingKey {
        case format, platform, runner, nonce, quote, pcrs
        case runnerTime = "runner_time"
        case attestationKey = "attestation_key"
        case firmwareEventLog = "firmware_event_log"
    }

    public init(
        platform: String, runnerTime: String, runner: JSONValue, nonce: String, quote: AICertificate.Quote,
        pcrs: [String: [String: String]], attestationKey: AICertificate.AttestationKey,
        firmwareEventLog: [UInt8]? = nil
    ) {
        self.format = Self.currentFormat
        self.platform = platform
        self.runnerTime = runnerTime
        self.runner = runner
        self.nonce = nonce
        self.quote = quote
        self.pcrs = pcrs
        self.attestationKey = attestationKey
        self.firmwareEventLog = firmwareEventLog.map(Base64Bytes.init)
    }

    /// Parses an identity document strictly; errors name the field.
    public init(json data: Data) throws {
        guard data.count <= Self.maximumSize else {
            throw CertificateFormatError(
                field: "", "the identity document is \(data.count) bytes, more than \(Self.maximumSize >> 20) MiB")
        }
        try JSONStructure.check(data)
        do {
            self = try JSONDecoder().decode(RunnerIdentity.self, from: data)
        } catch {
            throw AICertificate.describe(error)
        }
        guard format == Self.currentFormat else {
            throw CertificateFormatError(field: "format", "'\(format)' is not \(Self.currentFormat)")
        }
    }
}
