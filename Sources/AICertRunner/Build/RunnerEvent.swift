import AICertCore
import Glibc

/// The runner's identity, the first event of every build and the subject of `GET /v1/identity`.
public enum RunnerEvent {
    public static let name = "aicert-runner"
    public static let version = "0.1.0"

    /// `{"name", "version", "executable_sha256", "platform", "image"?, "tls_spki_sha256"?}`: the
    /// digest is of the running executable, read through `/proc/self/exe` (the inode that runs,
    /// even if its path was replaced); the TLS key's is that of the channel the API is served on.
    public static func content(platform: PlatformKind, image: ImageIdentity?, tlsKeyDigest: SHA256Hash?) throws
        -> JSONValue
    {
        BuildEvents.runner(
            name: name, version: version, executableSHA256: try executableDigest().hex, platform: platform,
            image: image,
            tlsKeyDigest: tlsKeyDigest)
    }

    private static func executableDigest() throws -> SHA256Hash {
        let descriptor = open("/proc/self/exe", O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw RunnerFailure(.internalError, "cannot open /proc/self/exe: \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var hasher = IncrementalSHA256()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let count = read(descriptor, buffer.baseAddress, buffer.count)
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else {
                throw RunnerFailure(
                    .internalError,
                    "reading /proc/self/exe failed: "
                        + "\(String(cString: strerror(errno)))")
            }
            if count == 0 { return hasher.finalize() }
            hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
        }
    }
}
