import ArgumentParser

/// `aicert`: the command line of AICert.
public struct AICertCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "aicert",
        abstract: "Certify how an AI model was trained, and verify such certificates.",
        discussion: """
            AICert runs a training job inside a measured machine whose TPM records the exact \
            inputs (code, data, base model, environment) and outputs (weights), and returns an \
            AI certificate signed by the TPM. Anyone can verify the certificate offline.
            """,
        version: AICertVersion.current,
        subcommands: [HashCommand.self]
    )

    public init() {}
}

/// The version of the AICert tools.
public enum AICertVersion {
    public static let current = "0.1.0"
}
