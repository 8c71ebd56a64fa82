import Foundation

/// OpenSSL's own Time-Stamping Authority for tests (Tests/TSA/tsa-server): a TSA root, a TSA
/// certificate with the timeStamping purpose and one without, made in a temporary directory.
public struct OpenSSLTimestampAuthority: Sendable {
    /// The script, found from this file.
    public static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("TSA/tsa-server").path

    public let directory: URL

    /// Why the TSA could not do what a test asked.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// A new TSA with keys of its own.
    public init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("aicert-tsa-\(UUID().uuidString)")
        ProcessTemporaryFiles.removeAtExit(directory)
        let result = try Subprocess.run(Self.script, ["init", directory.path], timeoutSeconds: 120)
        guard result.status == 0 else { throw Failure(description: "tsa-server init: \(result.errors)") }
    }

    /// The TSA root certificate (PEM), which verifiers are given as `--tsa-root`.
    public var root: URL { directory.appendingPathComponent("root.pem") }

    /// A DER `TimeStampToken` over `digest` (SHA-256), signed by the TSA certificate, or with
    /// `withoutPurpose` by the certificate that lacks the timeStamping purpose.
    public func token(over digest: [UInt8], withoutPurpose: Bool = false) throws -> [UInt8] {
        let out = directory.appendingPathComponent("token-\(UUID().uuidString).der")
        defer { try? FileManager.default.removeItem(at: out) }
        let hex = digest.map { String(format: "%02x", $0) }.joined()
        let result = try Subprocess.run(
            Self.script,
            ["stamp", directory.path, hex, "--out", out.path] + (withoutPurpose ? ["--no-eku"] : []),
            timeoutSeconds: 120)
        guard result.status == 0 else { throw Failure(description: "tsa-server stamp: \(result.errors)") }
        return Array(try Data(contentsOf: out))
    }

    /// Removes the TSA's files.
    public func remove() {
        try? FileManager.default.removeItem(at: directory)
    }
}
