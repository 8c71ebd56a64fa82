import AICertCore
import Foundation
import Glibc
import TPMTestSupport
import Testing

/// `aicert run --tsa` against OpenSSL's TSA over HTTP on loopback, and `aicert timestamp`: the
/// certificate carries a token that verifies with the TSA's root, long after its AK expired; a
/// TSA that fails fails the run (exit 3) and loses nothing.
@Suite(.serialized, .timeLimit(.minutes(5)))
struct TimestampRunTests {
    /// `tsa-server serve` on a free loopback port, answering `status`; stopped by `stop()`.
    final class Server {
        let url: String
        private let process: Subprocess.Running

        init(_ tsa: OpenSSLTimestampAuthority, status: Int = 200, replay: Bool = false) throws {
            let port = try #require(Loopback.freePort())
            process = try Subprocess.start(
                OpenSSLTimestampAuthority.script,
                ["serve", tsa.directory.path, "--port", "\(port)", "--status", "\(status)"]
                    + (replay ? ["--replay"] : []))
            try RunSandbox.waitUntilListening(port: port)
            url = "http://127.0.0.1:\(port)/tsr"
        }

        func stop() {
            kill(process.pid, SIGKILL)
            _ = process.wait()
        }
    }

    static func project(in sandbox: RunSandbox) throws -> String {
        try sandbox.writeConfig(
            name: "stamped", command: #"[python3, -c, "open('/aicert/outputs/w.txt', 'w').write('w')"]"#
        ).path
    }

    @Test func aStampedRunVerifiesWithTheTSARootAfterItsAKExpired() throws {
        let sandbox = try RunSandbox()
        let tsa = try OpenSSLTimestampAuthority()
        defer { tsa.remove() }
        let server = try Server(tsa)
        defer { server.stop() }
        let run = try sandbox.aicert([
            "run", "-c", try Self.project(in: sandbox), "--output-dir", "out", "--tsa", server.url, "--tsa-root",
            tsa.root.path,
        ])
        #expect(run.status == 0, "\(run.output)\n\(run.errors)")
        #expect(run.output.contains("timestamp "), "\(run.output)")
        #expect(run.output.contains("--tsa-root \(tsa.root.path)"), "\(run.output)")
        try sandbox.expectNoProcessLeft()

        let base = [
            "verify", "out/certificate.json", "--trust-root", "out/development-root.pem", "--allow-unmeasured-boot",
        ]
        let later = ["--at", "2099-01-01T00:00:00Z"]
        let stamped = try sandbox.aicert(base + ["--tsa-root", tsa.root.path] + later)
        #expect(stamped.status == 0, "\(stamped.output)\(stamped.errors)")
        #expect(stamped.output.contains("✓ timestamp"), "\(stamped.output)")
        let withoutRoot = try sandbox.aicert(base + later)
        #expect(withoutRoot.status == 1)
        #expect(withoutRoot.output.contains("✗ timestamp"), "\(withoutRoot.output)")
    }

    @Test func aFailingTSAFailsTheRunAndKeepsOutputsAndCertificate() throws {
        let sandbox = try RunSandbox()
        let tsa = try OpenSSLTimestampAuthority()
        defer { tsa.remove() }
        let failing = try Server(tsa, status: 500)
        defer { failing.stop() }
        let config = try Self.project(in: sandbox)
        let run = try sandbox.aicert(["run", "-c", config, "--output-dir", "out", "--tsa", failing.url])
        #expect(run.status == 3, "\(run.output)\n\(run.errors)")
        #expect(run.errors.contains("no time-stamp token"), "\(run.errors)")
        #expect(run.errors.contains("HTTP 500"), "\(run.errors)")
        let out = sandbox.root.appendingPathComponent("out")
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("outputs/w.txt").path))
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("certificate.json").path))
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("certificate.unstamped.json").path))
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("RUN-INCOMPLETE").path))

        // A TSA that replays an earlier answer for the same certificate is refused: its nonce
        // is not this request's.
        let replaying = try Server(tsa, replay: true)
        defer { replaying.stop() }
        let fresh = try sandbox.aicert([
            "timestamp", "out/certificate.unstamped.json", "--tsa", replaying.url, "--output", "out/first.json",
        ])
        #expect(fresh.status == 0, "\(fresh.output)\(fresh.errors)")
        let replayed = try sandbox.aicert([
            "timestamp", "out/certificate.unstamped.json", "--tsa", replaying.url, "--output", "out/second.json",
        ])
        #expect(replayed.status == 3, "\(replayed.output)\(replayed.errors)")
        #expect(replayed.errors.contains("another nonce"), "\(replayed.errors)")
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("second.json").path))

        // Later, once a TSA answers, `aicert timestamp` adds the token.
        let server = try Server(tsa)
        defer { server.stop() }
        let added = try sandbox.aicert([
            "timestamp", "out/certificate.unstamped.json", "--tsa", server.url, "--tsa-root", tsa.root.path,
            "--output", "out/certificate.json",
        ])
        #expect(added.status == 0, "\(added.output)\(added.errors)")
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("RUN-INCOMPLETE").path))
        let verified = try sandbox.aicert([
            "verify", "out/certificate.json", "--trust-root", "out/development-root.pem", "--allow-unmeasured-boot",
            "--tsa-root", tsa.root.path, "--at", "2099-01-01T00:00:00Z",
        ])
        #expect(verified.status == 0, "\(verified.output)\(verified.errors)")
        let again = try sandbox.aicert(["timestamp", "out/certificate.json", "--tsa", server.url])
        #expect(again.status == 2)
        #expect(again.errors.contains("already carries a time-stamp token"))

        // --tsa-optional goes on without a token.
        let optional = try sandbox.aicert([
            "run", "-c", config, "--output-dir", "out-optional", "--tsa", failing.url, "--tsa-optional",
        ])
        #expect(optional.status == 0, "\(optional.output)\n\(optional.errors)")
        #expect(optional.errors.contains("going on without one"))
        try sandbox.expectNoProcessLeft()
    }
}
