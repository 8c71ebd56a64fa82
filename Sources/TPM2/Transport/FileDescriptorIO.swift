import Glibc

/// Blocking reads and writes on a file descriptor that retry on `EINTR` and short transfers.
enum FileDescriptorIO {
    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                throw TPM2Error.transport("write to TPM failed: \(String(cString: strerror(errno)))")
            }
            offset += written
        }
    }

    /// Reads exactly `count` bytes, or throws if the peer closes or times out first.
    static func readExactly(_ fd: Int32, _ count: Int) throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        var offset = 0
        while offset < count {
            let got = buffer[offset...].withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if got < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK {
                    throw TPM2Error.transport("TPM did not answer in time")
                }
                throw TPM2Error.transport("read from TPM failed: \(String(cString: strerror(errno)))")
            }
            if got == 0 { throw TPM2Error.transport("TPM closed the connection after \(offset) of \(count) bytes") }
            offset += got
        }
        return buffer
    }

    /// Reads one response: the header, then as many bytes as it declares (bounded).
    static func readResponse(_ fd: Int32) throws -> [UInt8] {
        let header = try readExactly(fd, ResponseHeader.size)
        let parsed = try ResponseHeader(header)
        return header + (try readExactly(fd, parsed.size - ResponseHeader.size))
    }
}
