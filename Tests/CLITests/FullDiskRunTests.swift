import Foundation
import TPMTestSupport
import Testing

/// `aicert run` whose output directory is on a disk that fills up during the download: exit 3
/// with a message naming the disk, `RUN-INCOMPLETE` stays with the reason, no certificate, the
/// job's log as it was written, and no partial download left behind.
@Suite(.serialized, .timeLimit(.minutes(5)))
struct FullDiskRunTests {
    @Test func aDownloadThatFillsTheDiskExitsWithThreeNamingIt() throws {
        let sandbox = try RunSandbox()
        // 300 small outputs: a few kilobytes in all, so the download starts, but each takes a
        // page of the 256 KiB tmpfs, so the disk fills during it.
        let config = try sandbox.writeConfig(
            name: "many-outputs",
            command: #"[/bin/sh, -c, "echo writing; for i in $(seq 300); do echo $i > /aicert/outputs/f$i.txt; done"]"#)
        let disk = try SmallFileSystem(bytes: 256 << 10)
        defer { disk.unmount() }
        let out = disk.mountPoint.appendingPathComponent("out")

        let run = try sandbox.aicert(["run", "-c", config.path, "--output-dir", out.path])
        #expect(run.status == 3, "\(run.output)\n\(run.errors)")
        #expect(
            run.errors.contains("no space left on the device holding \(out.path)"), "\(run.output)\n\(run.errors)")
        let marker = try String(contentsOf: out.appendingPathComponent("RUN-INCOMPLETE"), encoding: .utf8)
        #expect(marker.contains("It failed:") && marker.contains("no space left on the device"), "\(marker)")
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("certificate.json").path))
        let log = try String(contentsOf: out.appendingPathComponent("job.log"), encoding: .utf8)
        #expect(log == "writing\n")
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: out.path).sorted() == ["RUN-INCOMPLETE", "job.log"],
            "no partial download or temporary file is left")
        try sandbox.expectNoProcessLeft()
    }
}
