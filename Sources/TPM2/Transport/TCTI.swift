/// A TPM connection described the way tpm2-tools' TCTI strings describe it.
///
/// Accepted forms: `device:/dev/tpmrm0` (or `device` alone for `/dev/tpmrm0`; `/dev/tpm0` also
/// works), and `swtpm:host=127.0.0.1,port=2321` (either key may be left out; the defaults are
/// `localhost` and 2321). swtpm's control port is the command port plus one.
public enum TCTI: Hashable, Sendable, CustomStringConvertible {
    /// A Linux TPM character device at `path`.
    case device(path: String)
    /// swtpm's TCP command port at `host`:`port`.
    case swtpm(host: String, port: UInt16)

    /// The kernel resource manager, which `device` alone means.
    public static let defaultDevicePath = "/dev/tpmrm0"
    /// swtpm's usual command port, when `port` is left out.
    public static let defaultSwtpmPort: UInt16 = 2321

    /// Parses a TCTI string.
    ///
    /// - Throws: ``TPM2Error/Code/invalidTCTI``, with an example of the right form, for an unknown
    ///   kind, a device outside `/dev/`, an unknown key or a port that is not 1–65534.
    public init(parsing text: String) throws {
        let (kind, config) =
            text.firstIndex(of: ":").map { (String(text[..<$0]), String(text[text.index(after: $0)...])) }
            ?? (text, "")
        switch kind {
        case "device":
            let path = config.isEmpty ? Self.defaultDevicePath : config
            guard path.hasPrefix("/dev/") else {
                throw TPM2Error(
                    .invalidTCTI, "TCTI '\(text)': a device path must be under /dev/, e.g. device:/dev/tpmrm0")
            }
            self = .device(path: path)
        case "swtpm":
            var host = "localhost"
            var port = Self.defaultSwtpmPort
            for pair in config.split(separator: ",", omittingEmptySubsequences: true) {
                let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2, !parts[1].isEmpty else {
                    throw TPM2Error(.invalidTCTI, "TCTI '\(text)': expected key=value, got '\(pair)'")
                }
                switch parts[0] {
                case "host": host = parts[1]
                case "port":
                    guard let value = UInt16(parts[1]), value > 0, value < UInt16.max else {
                        throw TPM2Error(
                            .invalidTCTI, "TCTI '\(text)': port '\(parts[1])' is not a number from 1 to 65534")
                    }
                    port = value
                default:
                    throw TPM2Error(.invalidTCTI, "TCTI '\(text)': unknown key '\(parts[0])' (expected host or port)")
                }
            }
            self = .swtpm(host: host, port: port)
        default:
            throw TPM2Error(
                .invalidTCTI,
                "TCTI '\(text)': unknown kind '\(kind)'; use device:/dev/tpmrm0 or swtpm:host=127.0.0.1,port=2321")
        }
    }

    /// The TCTI string for this connection, which ``init(parsing:)`` reads back.
    public var description: String {
        switch self {
        case .device(let path): "device:\(path)"
        case .swtpm(let host, let port): "swtpm:host=\(host),port=\(port)"
        }
    }

    /// Opens a transport to this TPM.
    public func connect() throws -> any TPMTransport {
        switch self {
        case .device(let path): try DeviceTransport(path: path)
        case .swtpm(let host, let port): try SocketTransport(host: host, port: port)
        }
    }
}
