import Foundation
import Glibc
import Synchronization

/// A TCP proxy on loopback in front of a runner: it passes every byte through (TLS included,
/// so a pinned client still sees the runner's certificate) and, once, cuts the connection on
/// which more than `cutAfter` bytes went the way `direction` says, as a network that drops would.
final class CuttingProxy: Sendable {
    /// Which bytes are counted towards the cut.
    enum Direction: Sendable {
        /// From the client to the runner: an upload.
        case fromClient
        /// From the runner to the client: a download.
        case toClient
    }

    let port: UInt16
    private let listener: Int32
    private let target: UInt16
    private let cutAfter: Int
    private let direction: Direction
    private let cuts = Mutex(0)

    /// How many connections it has cut (at most one).
    var cutCount: Int { cuts.withLock { $0 } }

    init(target: UInt16, cutAfter: Int, direction: Direction = .fromClient) throws {
        self.target = target
        self.cutAfter = cutAfter
        self.direction = direction
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = Self.loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard descriptor >= 0, bound == 0, listen(descriptor, 16) == 0 else {
            if descriptor >= 0 { close(descriptor) }
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "the proxy cannot listen"])
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        listener = descriptor
        port = UInt16(bigEndian: address.sin_port)
        Thread { [self] in acceptLoop() }.start()
    }

    /// Stops accepting; connections in flight end with their peers.
    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private static func loopback(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            guard client >= 0 else { return }
            let server = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = Self.loopback(port: target)
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(server, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            guard connected == 0 else {
                close(client)
                close(server)
                continue
            }
            // The last of the two pumps to end closes both sockets, so neither reads a reused descriptor.
            let ends = PumpEnds()
            let finish: @Sendable () -> Void = {
                if ends.lastOfTwo() {
                    close(client)
                    close(server)
                }
            }
            Thread { [self] in
                pump(from: client, to: server, counting: direction == .fromClient)
                finish()
            }.start()
            Thread { [self] in
                pump(from: server, to: client, counting: direction == .toClient)
                finish()
            }.start()
        }
    }

    /// Copies until either side ends; when `counting`, cuts both ways once past `cutAfter`.
    private func pump(from source: Int32, to destination: Int32, counting: Bool) {
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var sent = 0
        while true {
            let count = read(source, &buffer, buffer.count)
            guard count > 0 else { break }
            if counting, sent + count > cutAfter,
                cuts.withLock({ cuts in
                    guard cuts == 0 else { return false }
                    cuts = 1
                    return true
                })
            {
                break
            }
            guard buffer.withUnsafeBytes({ write(destination, $0.baseAddress, count) }) == count else { break }
            sent += count
        }
        shutdown(source, Int32(SHUT_RDWR))
        shutdown(destination, Int32(SHUT_RDWR))
    }
}

/// Counts the two pumps of one connection as they end.
private final class PumpEnds: Sendable {
    private let ended = Mutex(0)

    /// Whether this call is the second.
    func lastOfTwo() -> Bool {
        ended.withLock { count in
            count += 1
            return count == 2
        }
    }
}
