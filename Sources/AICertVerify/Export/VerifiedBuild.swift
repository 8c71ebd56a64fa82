import AICertCore
import Foundation

/// A certificate that verified, with what every exporter reads from it.
///
/// It can only be made from a valid ``VerificationReport``, so an exporter is never handed a
/// certificate whose checks failed. Everything here comes from the certificate's bytes: its
/// digest, the signed event contents and the summary the verifier derived from the event log.
public struct VerifiedBuild: Hashable, Sendable {
    /// The certificate, as parsed.
    public let certificate: AICertificate
    /// SHA-256 of the certificate file's bytes, as `sha256sum` prints it.
    public let certificateDigest: SHA256Hash
    /// The build as the verifier derived it from the event log.
    public let summary: BuildSummary

    /// The build of `certificate`, read from `bytes` and verified as `report` says.
    ///
    /// - Throws: ``ExportError`` with code `notVerified`, naming the failed checks, when the
    ///   report is not valid or has no summary; `unsupported` when `runner_time` is not RFC 3339.
    public init(certificate: AICertificate, bytes: some Sequence<UInt8>, report: VerificationReport) throws {
        let failed = report.checks.filter { $0.status == .fail }
        guard failed.isEmpty else {
            let named = failed.map { "\($0.name.rawValue) (\($0.reason.rawValue))" }.joined(separator: ", ")
            throw ExportError(.notVerified, "the certificate did not verify: \(named) failed")
        }
        guard let summary = report.summary else {
            throw ExportError(.notVerified, "the certificate's event log could not be read")
        }
        guard RFC3339.date(from: certificate.runnerTime) != nil else {
            throw ExportError(.unsupported, "runner_time '\(certificate.runnerTime)' is not an RFC 3339 time")
        }
        self.certificate = certificate
        self.certificateDigest = SHA256Hash.of(bytes)
        self.summary = summary
    }

    /// The `content` of the first event of `type`, as the TPM-quoted log holds it (`{}` if none).
    public func content(of type: EventType) -> JSONValue {
        certificate.eventLog.first { $0.contentType == type.rawValue }?.content ?? .object([:])
    }

    /// SHA-256 of the event log as RFC 8785 JSON, each record with its five members.
    public var eventLogDigest: SHA256Hash {
        let records = certificate.eventLog.map { record in
            JSONValue.object([
                "recnum": .integer(Int64(record.recnum)), "pcr": .integer(Int64(record.pcr)),
                "content_type": .string(record.contentType), "content": record.content,
                "digests": .array(
                    record.digests.map { .object(["hashAlg": .string($0.hashAlg), "digest": .string($0.digest)]) }),
            ])
        }
        return SHA256Hash.of(JSONValue.array(records).canonicalBytes)
    }

    /// When the job finished: the certificate's `runner_time` (the runner's clock, not signed).
    public var finishedOn: String { BuildTimes.text(milliseconds: runnerMilliseconds) }

    /// When the job started: `runner_time` less the signed duration.
    public var startedOn: String {
        BuildTimes.text(milliseconds: runnerMilliseconds - Int64(summary.durationMilliseconds))
    }

    /// Every regular file of the outputs, in the order of the outputs, then of each manifest.
    public var outputFiles: [OutputFile] {
        summary.outputs.flatMap { output in
            (certificate.manifests.outputs[output.name]?.entries ?? []).compactMap { entry in
                guard case .file(let digest) = entry.kind else { return nil }
                return OutputFile(output: output.name, path: entry.path, sha256: digest.sha256)
            }
        }
    }

    private var runnerMilliseconds: Int64 {
        let date = RFC3339.date(from: certificate.runnerTime) ?? Date(timeIntervalSince1970: 0)
        return Int64((date.timeIntervalSince1970 * 1000).rounded())
    }
}

/// One regular file of an output: the output's name, the path in its manifest, its SHA-256.
public struct OutputFile: Hashable, Sendable {
    /// The output's name.
    public let output: String
    /// The file's path in the output's manifest.
    public let path: String
    /// The file's SHA-256, from the manifest.
    public let sha256: SHA256Hash

    /// `output/path`, the file's place below the directory `aicert run` downloads outputs to.
    public var name: String { "\(output)/\(path)" }
}

/// Export times: RFC 3339 in UTC, milliseconds written only when there are any.
enum BuildTimes {
    static func text(milliseconds: Int64) -> String {
        let (seconds, remainder) = milliseconds.quotientAndRemainder(dividingBy: 1000)
        let whole = remainder < 0 ? seconds - 1 : seconds
        let fraction = remainder < 0 ? remainder + 1000 : remainder
        let base = RFC3339.string(from: Date(timeIntervalSince1970: TimeInterval(whole)))
        guard fraction != 0 else { return base }
        let digits = String(fraction)
        return String(base.dropLast()) + "." + String(repeating: "0", count: 3 - digits.count) + digits + "Z"
    }
}
