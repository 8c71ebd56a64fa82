import ArgumentParser

/// `HOST:PORT` from `--listen`; an IPv6 host is written in brackets (`[::1]:8800`).
struct ListenAddress {
    let host: String
    let port: Int

    init(_ text: String) throws {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65535).contains(port)
        else {
            throw ValidationError("--listen is HOST:PORT, e.g. 127.0.0.1:8800")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw ValidationError("--listen needs a host, e.g. 127.0.0.1:8800") }
        self.host = host
        self.port = port
    }
}
