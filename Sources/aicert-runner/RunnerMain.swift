import AICertRunner
import ArgumentParser

/// `aicert-runner`: the server inside the measured machine.
@main
struct RunnerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aicert-runner",
        abstract: "The AICert runner: measures a training job's inputs and outputs into the TPM.",
        discussion: """
            The runner lives inside the measured machine. It measures the build's inputs into \
            PCR 14, runs the job in a sandbox, measures the outputs into PCR 15 and asks the TPM \
            for a quote. It serves one build per TPM reset.
            """,
        version: RunnerEvent.version,
        subcommands: [Serve.self, Preflight.self]
    )
}
