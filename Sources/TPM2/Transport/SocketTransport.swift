import Glibc
import Synchronization

/// swtpm's TCP command port: raw TPM commands over a stream socket.
public final class SocketTransport: TPMTransport {
    /// How long to wait for one response; key generation on a software TPM takes seconds.
    public static let responseTimeoutSeconds = 120

    private let socket: Mutex<Int32>
    /// The swtpm host's name or address.
    public let host: String
    /// swtpm's command port (its control port is the next one).
    public let port: UInt16

    /// Connects to swtpm's command port, trying each address `host` resolves to.
    ///
    /// - Throws: ``TPM2Error/Code/transport`` when the host does not resolve or nothing accepts.
    public init(host: String, port: UInt16) throws {
        self.host = host
        self.port = port
        self.socket = Mutex(try Self.connect(host: host, port: port))
    }

    deinit {
        socket.withLock { fd in _ = close(fd) }
    }

    /// Sends the command and reads exactly as many bytes as the response header declares.
    public func transmit(_ command: [UInt8]) throws -> [UInt8] {
        try socket.withLock { fd in
            try FileDescriptorIO.writeAll(fd, command)
            return try FileDescriptorIO.readResponse(fd)
        }
    }

    private static func connect(host: String, port: UInt16) throws -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var results: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &results)
        guard status == 0, let first = results else {
            throw TPM2Error.transport("cannot resolve swtpm host '\(host)': \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(results) }
        var lastError = "no address"
        var candidate: UnsafeMutablePointer<addrinfo>? = first
        while let info = candidate {
            candidate = info.pointee.ai_next
            let fd = Glibc.socket(
                info.pointee.ai_family, info.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue),
                info.pointee.ai_protocol)
            if fd < 0 {
                lastError = String(cString: strerror(errno))
                continue
            }
            if Glibc.connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 {
                var timeout = timeval(tv_sec: responseTimeoutSeconds, tv_usec: 0)
                setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                var one: Int32 = 1
                setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                return fd
            }
            lastError = String(cString: strerror(errno))
            close(fd)
        }
        throw TPM2Error.transport("cannot connect to swtpm at \(host):\(port): \(lastError)")
    }
}
