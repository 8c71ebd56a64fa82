import AICertCore
import Foundation

/// How a runner is set up: which TPM, where it keeps the build, where it listens, its token.
public struct RunnerConfiguration: Sendable {
    /// The TPM, as a TCTI string: `device:/dev/tpmrm0` or `swtpm:host=127.0.0.1,port=2321`.
    public var tcti: String
    /// The directory the build's inputs, outputs and log live in; empty or absent at start.
    public var workspace: URL
    /// The address to listen on; port 0 picks a free one.
    public var host: String
    public var port: Int
    /// The bearer token every request but health and identity must carry.
    public var token: String
    /// TLS with a key made at start (``RunnerTLS``), or plain HTTP for tests on loopback.
    public var transport: RunnerTransport
    /// The platform kind signed into the runner event and written into certificates.
    public var platform: PlatformKind
    /// The base image the runner booted from, signed into the runner event; `nil` off an image.
    public var image: ImageIdentity?
    /// DER certificates appended to the AK certificate read from the TPM, up to (not
    /// including) the root.
    public var intermediates: [[UInt8]]
    /// The firmware event log carried in certificates when the file exists (the kernel's by
    /// default; a software TPM's machine has none); `nil` carries none.
    public var firmwareLog: String?
    /// What the boot must have been before the runner serves (the base image sets it); `nil`
    /// checks nothing. Its firmware event log is read from ``firmwareLog`` (the kernel's when `nil`).
    public var bootExpectation: BootExpectation?
    public var limits: RunnerLimits

    public init(
        tcti: String, workspace: URL, host: String = "127.0.0.1", port: Int, token: String,
        transport: RunnerTransport = .tls, platform: PlatformKind = .local,
        image: ImageIdentity? = nil, intermediates: [[UInt8]] = [], firmwareLog: String? = FirmwareLogSource.kernelPath,
        bootExpectation: BootExpectation? = nil,
        limits: RunnerLimits = RunnerLimits()
    ) {
        self.tcti = tcti
        self.workspace = workspace
        self.host = host
        self.port = port
        self.token = token
        self.transport = transport
        self.platform = platform
        self.image = image
        self.intermediates = intermediates
        self.firmwareLog = firmwareLog
        self.bootExpectation = bootExpectation
        self.limits = limits
    }
}

/// How the runner's API is served.
public enum RunnerTransport: Sendable {
    /// TLS 1.3 with a key made at start and bound into every quote: the only transport of a
    /// real runner.
    case tls
    /// Plain HTTP, for tests and benchmarks only, on a loopback address only: no channel is
    /// bound into quotes, and certificates name none.
    case plainHTTPForTests
}

/// The bounds the runner keeps to; anything beyond them is refused, never truncated.
public struct RunnerLimits: Sendable {
    /// The largest single input: an uploaded file or archive, a download, or a git worktree.
    public var inputBytes: Int64
    /// The most entries in one uploaded archive.
    public var archiveEntries: Int
    /// The largest JSON request body.
    public var requestBodyBytes: Int
    /// The most bytes of job output kept in the log; the rest is counted and dropped.
    public var logBytes: Int

    public init(
        inputBytes: Int64 = 64 << 30, archiveEntries: Int = 1_000_000, requestBodyBytes: Int = 1 << 20,
        logBytes: Int = 64 << 20
    ) {
        self.inputBytes = inputBytes
        self.archiveEntries = archiveEntries
        self.requestBodyBytes = requestBodyBytes
        self.logBytes = logBytes
    }
}
