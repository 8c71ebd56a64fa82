import AICertClient
import AICertCore
import AICertRunner
import Foundation
import Testing

@Suite("A restarted runner")
struct RestartTests {
    @Test func aRunnerRestartedAfterABuildBrokeOffRefusesToStart() async throws {
        let runner = try await LiveRunner.start()
        do {
            let client = runner.client
            _ = try await client.createBuild(RunnerAPI.BuildSpec(command: ["sleep", "60"], timeoutSeconds: 120))
            _ = try await client.start()
            while try await client.status().state != .running { try await Task.sleep(for: .milliseconds(50)) }
            await runner.stop()

            let directory = runner.directory.appendingPathComponent("restart")
            let configuration = try LiveRunner.configuration(
                swtpm: runner.swtpm, ca: runner.ca, directory: directory, token: runner.token)
            let error = await #expect(throws: BuildSlot.Occupied.self) {
                _ = try await RunnerServer.open(configuration)
            }
            #expect(error?.pcrs == [14])
            #expect(error?.description.contains("one build per boot") == true)
        } catch {
            await runner.remove()
            throw error
        }
        await runner.remove()
    }
}
