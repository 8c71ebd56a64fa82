import AICertClient
import ArgumentParser
import Testing

@Suite("aicert command line")
struct AICertCommandTests {
    @Test func unknownSubcommandIsAUsageError() {
        #expect(throws: (any Error).self) { try AICertCommand.parseAsRoot(["no-such-command"]) }
        #expect(AICertCommand.exitCode(for: ValidationError("x")) == .validationFailure)
    }

    @Test func helpExplainsWhatAICertIs() {
        let help = AICertCommand.helpMessage()
        #expect(help.contains("USAGE: aicert"))
        #expect(help.contains("AI certificate"))
    }
}
