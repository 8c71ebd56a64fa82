import Foundation
import Glibc
import TPMTestSupport
import Testing

/// `aicert hash` run as a user runs it: the built binary, its output and its exit status.
@Suite(.timeLimit(.minutes(3)))
struct HashCommandTests {
    /// The manifest digest of a file named `abc.txt` holding `abc`, computed independently with
    /// Python (`json.dumps(..., sort_keys=True, separators=(",", ":"))` and `hashlib.sha256`);
    /// the library's tests check the same encoding rules.
    static let abcManifestDigest = "c878a01ed14ee8f5282c92daebbee16447d1fb1809ea877e7a9e986f38550872"

    @Test func hashOfAFilePrintsItsManifestDigestLikeSha256sum() throws {
        let directory = try TemporaryDirectory()
        try Data("abc".utf8).write(to: directory.url.appendingPathComponent("abc.txt"))
        let path = directory.url.appendingPathComponent("abc.txt").path
        let result = try runAICert(["hash", path])
        #expect(result.status == 0)
        #expect(result.output == "\(Self.abcManifestDigest)  \(path)\n")
        #expect(result.errors.isEmpty)
    }

    @Test func manifestAndJSONOutputsCarryTheEntries() throws {
        let directory = try TemporaryDirectory()
        try Data("abc".utf8).write(to: directory.url.appendingPathComponent("abc.txt"))
        let path = directory.url.appendingPathComponent("abc.txt").path
        let abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

        let text = try runAICert(["hash", "--manifest", path])
        #expect(text.status == 0)
        #expect(text.output == "\(Self.abcManifestDigest)  \(path)\n    file     \(abc)  3  abc.txt\n")

        let json = try runAICert(["hash", "--json", "--manifest", path])
        #expect(json.status == 0)
        let manifest = #"{"entries":[{"path":"abc.txt","sha256":"\#(abc)","size":3,"type":"file"}],"version":1}"#
        let object = #"{"digest":"\#(Self.abcManifestDigest)","manifest":\#(manifest),"path":"\#(path)"}"#
        #expect(json.output == "[" + object + "]\n")
    }

    @Test func missingPathExitsWithOneAndNamesThePath() throws {
        let directory = try TemporaryDirectory()
        try Data("abc".utf8).write(to: directory.url.appendingPathComponent("abc.txt"))
        let missing = directory.url.appendingPathComponent("missing").path
        let present = directory.url.appendingPathComponent("abc.txt").path
        let result = try runAICert(["hash", missing, present])
        #expect(result.status == 1)
        #expect(result.errors.contains(missing))
        #expect(result.errors.split(separator: "\n").count == 1)
        #expect(!result.errors.contains("Fatal error"))
        // The other paths are still hashed.
        #expect(result.output == "\(Self.abcManifestDigest)  \(present)\n")
    }

    /// Usage errors exit with status 2, as every `aicert` command documents.
    @Test func noPathIsAUsageErrorWithExitCode2() throws {
        let result = try runAICert(["hash"])
        #expect(result.status == 2)
        #expect(result.errors.contains("Usage: aicert hash"))
        #expect(result.output.isEmpty)
        #expect(try runAICert(["hash", "--jobs", "0", "x"]).status == 2)
        #expect(try runAICert(["hash", "--no-such-flag", "x"]).status == 2)
    }

    @Test func fifoInATreeFailsWithoutHanging() throws {
        let directory = try TemporaryDirectory()
        let root = directory.url.appendingPathComponent("tree")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try #require(mkfifo(root.appendingPathComponent("pipe").path, 0o644) == 0)
        let result = try runAICert(["hash", root.path])
        #expect(result.status == 1)
        #expect(result.errors.contains(root.appendingPathComponent("pipe").path))
        #expect(result.errors.contains("FIFO"))
    }

    /// A mode-000 file inside a tree, read by an unprivileged user (root drops to `nobody`
    /// with `setpriv`, since mode bits do not stop root).
    @Test func unreadableFileInATreeFailsNamingTheFile() throws {
        let directory = try TemporaryDirectory()
        let root = directory.url.appendingPathComponent("tree")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try Data("x".utf8).write(to: root.appendingPathComponent("readable"))
        let secret = root.appendingPathComponent("secret")
        try Data("y".utf8).write(to: secret)
        try #require(chmod(directory.url.path, 0o755) == 0 && chmod(secret.path, 0) == 0)

        let result: ToolResult
        if geteuid() == 0 {
            let setpriv = "/usr/bin/setpriv"
            try #require(FileManager.default.isExecutableFile(atPath: setpriv), "needs setpriv to drop root")
            let binary = try aicertBinary()
            try #require(try isReachableByEveryone(binary), "the aicert binary must be executable by nobody")
            result = try runTool(
                setpriv,
                [
                    "--reuid=65534", "--regid=65534", "--clear-groups", binary.path, "hash", root.path,
                ])
        } else {
            result = try runAICert(["hash", root.path])
        }
        #expect(result.status == 1)
        #expect(result.errors.contains(secret.path))
        #expect(result.errors.contains("Permission denied"))
    }

    /// Whether every directory from `/` down to `url` can be searched, and `url` run, by anyone.
    private func isReachableByEveryone(_ url: URL) throws -> Bool {
        var current = url
        while current.path != "/" {
            let attributes = try FileManager.default.attributesOfItem(atPath: current.path)
            guard let mode = attributes[.posixPermissions] as? Int, mode & 0o001 != 0 else { return false }
            current.deleteLastPathComponent()
        }
        return true
    }
}

/// What a finished process printed and how it exited.
struct ToolResult {
    let status: Int32
    let output: String
    let errors: String
}

/// The built `aicert` (or `AICERT_BIN`).
func aicertBinary() throws -> URL {
    URL(fileURLWithPath: try BuiltBinary.path("aicert"))
}

func runAICert(_ arguments: [String]) throws -> ToolResult {
    try runTool(try aicertBinary().path, arguments)
}

/// Runs a program to completion, failing (instead of hanging) if it takes more than 30 seconds.
func runTool(_ executable: String, _ arguments: [String]) throws -> ToolResult {
    let result = try Subprocess.run(executable, arguments, timeoutSeconds: 30)
    if result.status == 128 + SIGKILL { Issue.record("\(executable) \(arguments) did not finish within 30 seconds") }
    return ToolResult(status: result.status, output: result.output, errors: result.errors)
}

/// A directory under the system's temporary directory, removed when the value is released.
final class TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("aicert-cli-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }
}
