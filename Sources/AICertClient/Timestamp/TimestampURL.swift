import Foundation

/// The rule for a Time-Stamping Authority's URL, from the config or `--tsa`: absolute http or
/// https with a host. (A token proves itself; plain http cannot forge one, only withhold it.)
enum TimestampURL {
    static func parse(_ text: String) -> URL? {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
            let host = url.host, !host.isEmpty
        else { return nil }
        return url
    }
}
