import Glibc

/// TCP on 127.0.0.1: ports free for a server to take, and whether one accepts connections.
///
/// A port free now may be taken by another process before the server binds it; callers retry,
/// or fail naming the port.
public enum Loopback {
    /// A port free now: the kernel's pick for a bind to port 0.
    public static func freePort() -> UInt16? {
        guard let probe = bind(port: 0) else { return nil }
        close(probe.descriptor)
        return probe.port
    }

    /// A port P such that P and P + 1 (swtpm's control port) are both free now.
    public static func freePortPair() -> UInt16? {
        for _ in 0..<64 {
            guard let first = bind(port: 0) else { continue }
            defer { close(first.descriptor) }
            guard first.port < UInt16.max, let second = bind(port: first.port + 1) else { continue }
            close(second.descriptor)
            return first.port
        }
        return nil
    }

    /// Whether a TCP connection to 127.0.0.1:`port` is accepted now.
    public static func accepts(_ port: UInt16) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = address(port)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    /// A socket bound to 127.0.0.1:`port` (0: a port the kernel picks) and the port it is bound to.
    private static func bind(port: UInt16) -> (descriptor: Int32, port: UInt16)? {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { return nil }
        var address = address(port)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0
            }
        }
        guard named else {
            close(descriptor)
            return nil
        }
        return (descriptor, UInt16(bigEndian: address.sin_port))
    }

    private static func address(_ port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }
}
