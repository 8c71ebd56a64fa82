import Glibc
import Synchronization

/// A Linux TPM character device: `/dev/tpmrm0` (the kernel's resource manager) or `/dev/tpm0`.
///
/// Prefer `/dev/tpmrm0`: the resource manager flushes the transient objects a process leaves
/// behind and lets several processes share the TPM.
public final class DeviceTransport: TPMTransport {
    private let descriptor: Mutex<Int32>
    /// The device path, e.g. `/dev/tpmrm0`.
    public let path: String

    /// Opens the device for reading and writing.
    ///
    /// - Throws: ``TPM2Error/Code/transport`` when it cannot be opened (missing, or no permission).
    public init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDWR | O_CLOEXEC)
        guard fd >= 0 else {
            throw TPM2Error.transport("cannot open TPM device \(path): \(String(cString: strerror(errno)))")
        }
        self.descriptor = Mutex(fd)
    }

    deinit {
        descriptor.withLock { fd in _ = close(fd) }
    }

    /// Writes the command and reads the whole response in one read, as the kernel returns it.
    public func transmit(_ command: [UInt8]) throws -> [UInt8] {
        try descriptor.withLock { fd in
            try FileDescriptorIO.writeAll(fd, command)
            // The kernel hands back the whole response to one read of a large enough buffer.
            var buffer = [UInt8](repeating: 0, count: TPMLimits.response)
            var got = 0
            repeat {
                got = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            } while got < 0 && errno == EINTR
            guard got >= 0 else {
                throw TPM2Error.transport("read from \(path) failed: \(String(cString: strerror(errno)))")
            }
            let response = Array(buffer[0..<got])
            guard got >= ResponseHeader.size, try ResponseHeader(response).size == got else {
                throw TPM2Error.transport("\(path) returned a response of \(got) bytes that does not match its header")
            }
            return response
        }
    }
}
