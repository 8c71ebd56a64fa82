import Foundation

/// What `GET /v1/identity` returns: the runner's identity and a fresh quote over PCRs 0–15, so
/// a client can check the platform (and that no build ran yet) before it sends any data.
public struct RunnerIdentity: Hashable, Sendable, Codable {
    public static let currentFormat = "aicert-identity/v1"

    public var format: String
    public var platform: String
    public var runnerTime: String
    /// The content of the runner's `aicert/runner` event: name, version, executable digest.
    public var runner: JSONValue
    public var nonce: String
    public var quote: AICertificate.Quote
    public var pcrs: [String: [String: String]]
    public var attestationKey: AICertificate.AttestationKey

    enum CodingKeys: String, CodingKey {
        case format, platform, runner, nonce, quote, pcrs
        case runnerTime = "runner_time"
        case attestationKey = "attestation_key"
    }

    public init(
        platform: String, runnerTime: String, runner: JSONValue, nonce: String, quote: AICertificate.Quote,
        pcrs: [String: [String: String]], attestationKey: AICertificate.AttestationKey
    ) {
        self.format = Self.currentFormat
        self.platform = platform
        self.runnerTime = runnerTime
        self.runner = runner
        self.nonce = nonce
        self.quote = quote
        self.pcrs = pcrs
        self.attestationKey = attestationKey
    }

    /// Parses an identity document strictly; errors name the field.
    public init(json data: Data) throws {
        guard data.count <= 1 << 20 else {
            throw CertificateFormatError(field: "", "the identity document is \(data.count) bytes, more than 1 MiB")
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
