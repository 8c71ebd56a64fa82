import AICertCore

extension Loopback {
    /// Ports for a swtpm of the local platform: P for commands and P + 1 for control, both free
    /// now (``freePortPair()``), or the platform's error when there are none.
    static func swtpmPorts() throws -> UInt16 {
        guard let port = freePortPair() else {
            throw LocalPlatformError("swtpm", "found no free pair of loopback ports")
        }
        return port
    }
}
