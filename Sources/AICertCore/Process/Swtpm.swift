import Foundation

/// The command lines of `swtpm` and `swtpm_setup`, the software TPM that the local and qemu
/// platforms and the tests run. Who starts the process (and waits for it, and stops it) is
/// the caller's business; what swtpm is told is written here only.
public enum Swtpm {
    /// `swtpm socket` serving the state in `state` on 127.0.0.1: commands on `port`, control on
    /// `port + 1`, already initialised (a client sends `TPM2_Startup` itself).
    public static func tcpArguments(state: URL, port: UInt16, host: String = "127.0.0.1") -> [String] {
        [
            "socket", "--tpm2", "--tpmstate", "dir=\(state.path)",
            "--server", "type=tcp,port=\(port),bindaddr=\(host)",
            "--ctrl", "type=tcp,port=\(port + 1),bindaddr=\(host)",
            "--flags", "not-need-init",
        ]
    }

    /// `swtpm socket` serving the state in `state` to QEMU's TPM emulator through the UNIX socket
    /// `socket`, and ending when QEMU disconnects.
    public static func unixSocketArguments(state: URL, socket: URL) -> [String] {
        [
            "socket", "--tpm2", "--tpmstate", "dir=\(state.path)", "--ctrl", "type=unixio,path=\(socket.path)",
            "--terminate",
        ]
    }

    /// How a TPM is manufactured by `swtpm_setup`: in `directory`, a state (`state/`) with an
    /// RSA and an ECC endorsement key and their EK certificates, issued by a local CA of its
    /// own (`swtpm_localca`, its files in `localca/`).
    public struct Manufacture: Sendable {
        /// Where everything goes: `state/`, `localca/` and the configuration files.
        public let directory: URL
        /// The platform model the EK certificates name, e.g. `development`.
        public let model: String

        public init(in directory: URL, model: String) {
            self.directory = directory
            self.model = model
        }

        /// The manufactured state, for `swtpm --tpmstate dir=…`.
        public var state: URL { directory.appendingPathComponent("state") }

        /// Creates the directories (mode 0700) and writes the configuration of `swtpm_setup`
        /// and of `localCA` (the path of `swtpm_localca`); returns the arguments to run
        /// `swtpm_setup` with.
        public func prepare(localCA: String) throws -> [String] {
            let ca = directory.appendingPathComponent("localca")
            for path in [directory, state, ca] {
                try FileManager.default.createDirectory(
                    at: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            }
            let localCAConfig = directory.appendingPathComponent("swtpm-localca.conf")
            try """
            statedir = \(ca.path)
            signingkey = \(ca.path)/signkey.pem
            issuercert = \(ca.path)/issuercert.pem
            certserial = \(ca.path)/certserial

            """.write(to: localCAConfig, atomically: true, encoding: .utf8)
            let options = directory.appendingPathComponent("swtpm-localca.options")
            try "--platform-manufacturer AICert\n--platform-version 2.1\n--platform-model \(model)\n"
                .write(to: options, atomically: true, encoding: .utf8)
            let setup = directory.appendingPathComponent("swtpm_setup.conf")
            try """
            create_certs_tool = \(localCA)
            create_certs_tool_config = \(localCAConfig.path)
            create_certs_tool_options = \(options.path)

            """.write(to: setup, atomically: true, encoding: .utf8)
            return [
                "--tpm2", "--tpmstate", state.path, "--config", setup.path, "--create-ek-cert",
                "--pcr-banks", "sha1,sha256", "--overwrite",
            ]
        }
    }
}
