import Foundation
import Glibc
import TPMTestSupport
import Testing

/// `aicert run` on the local platform when the client dies in a way no signal handler sees
/// (SIGKILL): its watchdog ends swtpm and the runner and removes the run's state, the output
/// directory says the run is incomplete, and the next run starts cleanly; and when the runner
/// dies, the client says so in one line and keeps the job's log.
@Suite(.serialized, .timeLimit(.minutes(5)))
struct KilledRunTests {
    @Test func aKilledClientLeavesNoProcessAndAnIncompleteOutputDirectory() throws {
        let (sandbox, client, config) = try Self.startLongJob()
        let out = sandbox.root.appendingPathComponent("out")
        try #require(client.isRunning, "the job started and is still running")
        #expect(try sandbox.processesLeft().count >= 2, "swtpm and the runner are running")
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("RUN-INCOMPLETE").path))
        let watchdog = "aicert-platform-watchdog \(client.pid) "
        #expect(try Self.processes(containing: watchdog).count == 1, "the watchdog runs")

        kill(client.pid, SIGKILL)
        #expect(client.wait().status == 128 + SIGKILL)
        // The watchdog gives them three seconds after SIGTERM; allow for a slow machine.
        let killed = Date()
        while try !sandbox.processesLeft().isEmpty || !Self.processes(containing: watchdog).isEmpty,
            Date().timeIntervalSince(killed) < 15
        {
            usleep(100_000)
        }
        try sandbox.expectNoProcessLeft()
        #expect(try Self.processes(containing: watchdog).isEmpty, "the watchdog exits once done")
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: sandbox.temporary.path).isEmpty,
            "the run's state is removed")
        let marker = try String(contentsOf: out.appendingPathComponent("RUN-INCOMPLETE"), encoding: .utf8)
        #expect(marker.contains("has not finished"), "\(marker)")
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("certificate.json").path))

        // The next run in the same place starts cleanly and finishes the directory.
        _ = try sandbox.writeConfig(name: "quick", command: #"[python3, -c, "print('done')"]"#)
        let again = try sandbox.aicert(["run", "-c", config.path, "--output-dir", "out"])
        #expect(again.status == 0, "\(again.output)\n\(again.errors)")
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("certificate.json").path))
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("RUN-INCOMPLETE").path))
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: out.path).allSatisfy { !$0.hasPrefix(".") },
            "no staging directory or temporary file is left")
        try sandbox.expectNoProcessLeft()
    }

    @Test func aKilledRunnerEndsTheRunInOneLineAndKeepsTheJobLog() throws {
        let (sandbox, client, _) = try Self.startLongJob()
        let out = sandbox.root.appendingPathComponent("out")
        let log = out.appendingPathComponent("job.log")
        let runner = try #require(try sandbox.processesLeft().first { $0.commandLine.contains("aicert-runner serve") })
        kill(runner.pid, SIGKILL)
        let result = client.wait()
        #expect(result.status == 3, "\(result.output)\n\(result.errors)")
        let lines = result.errors.split(separator: "\n").filter { $0.hasPrefix("aicert run:") }
        #expect(lines.count == 1, "\(result.errors)")
        #expect(result.errors.contains("the runner stopped answering"), "\(result.errors)")
        #expect(result.errors.contains("run `aicert run` again"), "\(result.errors)")
        #expect(try String(contentsOf: log, encoding: .utf8).contains("training"), "the job's log is kept")
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("RUN-INCOMPLETE").path))
        try sandbox.expectNoProcessLeft()
    }

    /// A failed run keeps the mark, with the reason.
    @Test func aFailedRunKeepsTheMarkWithTheReason() throws {
        let sandbox = try RunSandbox()
        let config = try sandbox.writeConfig(name: "failing", command: #"[python3, -c, "import sys; sys.exit(4)"]"#)
        let run = try sandbox.aicert(["run", "-c", config.path, "--output-dir", "out"])
        #expect(run.status == 1, "\(run.output)\n\(run.errors)")
        let marker = try String(
            contentsOf: sandbox.root.appendingPathComponent("out/RUN-INCOMPLETE"), encoding: .utf8)
        #expect(marker.contains("It failed: the job failed with exit status 4"), "\(marker)")
        try sandbox.expectNoProcessLeft()
    }

    /// Starts `aicert run` on the local platform with a job that prints `training` and sleeps,
    /// and returns once the line is in `out/job.log` (or the client has exited, or 2 minutes).
    private static func startLongJob() throws -> (RunSandbox, Subprocess.Running, URL) {
        let sandbox = try RunSandbox()
        let config = try sandbox.writeConfig(
            name: "long", command: #"[python3, -c, "import time; print('training', flush=True); time.sleep(120)"]"#)
        let client = try sandbox.start(["run", "-c", config.path, "--output-dir", "out"])
        let log = sandbox.root.appendingPathComponent("out/job.log")
        let deadline = Date().addingTimeInterval(120)
        while (try? String(contentsOf: log, encoding: .utf8))?.contains("training") != true && Date() < deadline
            && client.isRunning
        {
            usleep(100_000)
        }
        return (sandbox, client, config)
    }

    /// Processes whose command line contains `text`, other than this one.
    private static func processes(containing text: String) throws -> [Int32] {
        try FileManager.default.contentsOfDirectory(atPath: "/proc").compactMap { name in
            guard let pid = Int32(name), pid != getpid(),
                let data = FileManager.default.contents(atPath: "/proc/\(name)/cmdline")
            else { return nil }
            let commandLine = String(decoding: data.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
            return commandLine.contains(text) ? pid : nil
        }
    }
}
