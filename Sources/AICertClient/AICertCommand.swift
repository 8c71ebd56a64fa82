import ArgumentParser
import Foundation

/// `aicert`: the command line of AICert.
public struct AICertCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "aicert",
        abstract: "Certify how an AI model was trained, and verify such certificates.",
        discussion: """
            AICert runs a training job inside a measured machine whose TPM records the exact \
            inputs (code, data, base model, environment) and outputs (weights), and returns an \
            AI certificate signed by the TPM. Anyone can verify the certificate offline.
            """,
        version: AICertVersion.current,
        subcommands: [
            InitCommand.self, RunCommand.self, HashCommand.self, VerifyCommand.self, InspectCommand.self,
            EventLogCommand.self, ImageCommand.self, TimestampCommand.self, ExportCommand.self,
        ]
    )

    public init() {}

    /// Parses the command line and runs the command. A usage error exits with status 2, as
    /// every `aicert` command documents (ArgumentParser's own default is 64).
    public static func runAsMain() async -> Never {
        do {
            var command = try parseAsRoot()
            if var asynchronous = command as? any AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
            exit(withError: nil)
        } catch {
            if exitCode(for: error) == .validationFailure {
                Console.error(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}

/// The version of the AICert tools.
public enum AICertVersion {
    public static let current = "0.1.0"
}
