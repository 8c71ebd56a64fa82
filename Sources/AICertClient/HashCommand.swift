import AICertCore
import ArgumentParser
import Foundation

/// `aicert hash`: the manifest digest of files and directories, as a certificate records them.
struct HashCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hash",
        abstract: "Print the manifest digest of files and directories, as an AI certificate records them.",
        discussion: """
            For each PATH, prints its manifest digest and the path, like sha256sum:

                $ aicert hash model.safetensors data/
                4f1c…e2  model.safetensors
                9a07…5b  data/

            A manifest lists every regular file below PATH with its relative path, size and \
            SHA-256, every symbolic link with its target (links are never followed), and every \
            empty directory; the digest is SHA-256 over its canonical JSON encoding (see \
            docs/certificate-format.md, "Manifests"). A single file gives a manifest of one \
            entry named after the file. The digest is what a certificate's input and output \
            events carry, so it can be compared with a certificate directly.

            With --manifest, each digest line is followed by one indented line per entry: \
            `file <sha256> <size> <path>`, `symlink <path> -> <target>` or `dir <path>/`.

            Devices, FIFOs, sockets, unreadable files and names that are not UTF-8 in Unicode \
            NFC are errors that name the path; nothing is skipped. Files are hashed in parallel; \
            the result does not depend on --jobs.

            Exit status: 0 when every path was hashed, 1 when any could not be (the others are \
            still printed), 2 for a usage error.
            """
    )

    @Argument(
        help: ArgumentHelp(
            "Files or directories to measure, e.g. `aicert hash model.safetensors data/`.", valueName: "path"))
    var paths: [String] = []

    @Flag(
        help: """
            Print one JSON array of {"digest", "path"} objects (with --manifest, "manifest" too) instead of lines, \
            e.g. `aicert hash --json data/`.
            """)
    var json = false

    @Flag(help: "Also print every entry of each manifest, e.g. `aicert hash --manifest data/`.")
    var manifest = false

    @Option(
        name: [.customShort("j"), .long],
        help: "Files hashed at once; defaults to the number of cores, e.g. `--jobs 4`. Does not change digests.")
    var jobs: Int?

    init() {}

    func validate() throws {
        if paths.isEmpty { throw ValidationError("Give at least one file or directory, e.g. `aicert hash data/`.") }
        if let jobs, !(1...MeasurementOptions.maximumConcurrency).contains(jobs) {
            throw ValidationError("--jobs must be between 1 and \(MeasurementOptions.maximumConcurrency).")
        }
    }

    func run() throws {
        let options = MeasurementOptions(concurrency: jobs)
        let showsProgress = isatty(STDERR_FILENO) == 1
        var results: [(path: String, manifest: Manifest)] = []
        var failed = false
        for path in paths {
            do {
                let progress = showsProgress ? ProgressLine(path: path).report : nil
                let measured = try Manifest.measure(path, options: options, progress: progress)
                if showsProgress { ProgressLine.clear() }
                if json {
                    results.append((path, measured))
                } else {
                    write(HashCommand.textLines(path: path, manifest: measured, withEntries: manifest))
                }
            } catch {
                if showsProgress { ProgressLine.clear() }
                HashCommand.writeError("aicert hash: \(error)")
                failed = true
            }
        }
        if json { write(try HashCommand.jsonDocument(results, withEntries: manifest)) }
        if failed { throw ExitCode.failure }
    }

    /// The `sha256sum`-like line for `path`, then with `withEntries` one indented line per entry.
    static func textLines(path: String, manifest: Manifest, withEntries: Bool) -> String {
        var text = "\(manifest.digest.hex)  \(path)\n"
        guard withEntries else { return text }
        for entry in manifest.entries {
            switch entry.kind {
            case .file(let digest): text += "    file     \(digest.sha256.hex)  \(digest.size)  \(entry.path)\n"
            case .symlink(let target): text += "    symlink  \(entry.path) -> \(target)\n"
            case .emptyDirectory: text += "    dir      \(entry.path)/\n"
            }
        }
        return text
    }

    /// A JSON array with one object per path: `digest`, `path` and with `withEntries` the
    /// manifest itself in its canonical encoding.
    static func jsonDocument(_ results: [(path: String, manifest: Manifest)], withEntries: Bool) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        var objects: [String] = []
        for result in results {
            let path = String(decoding: try encoder.encode(result.path), as: UTF8.self)
            var object = "{\"digest\":\"\(result.manifest.digest.hex)\""
            if withEntries {
                object += ",\"manifest\":" + String(decoding: result.manifest.canonicalJSON(), as: UTF8.self)
            }
            object += ",\"path\":\(path)}"
            objects.append(object)
        }
        return "[" + objects.joined(separator: ",") + "]\n"
    }

    private func write(_ text: String) {
        Console.out(Data(text.utf8))
    }

    static func writeError(_ text: String) {
        Console.error(Data((text + "\n").utf8))
    }
}

/// A one-line progress display on standard error, redrawn in place.
private struct ProgressLine {
    let path: String

    var report: @Sendable (MeasurementProgress) -> Void {
        let path = path
        return { progress in
            let percent = progress.bytesTotal == 0 ? 100 : progress.bytesDone * 100 / progress.bytesTotal
            let share = progress.totalsAreFinal ? "\(percent)%" : "still listing"
            let line =
                "\r\u{1B}[Khashing \(path): \(ProgressDisplay.size(progress.bytesDone)) of "
                + "\(ProgressDisplay.size(progress.bytesTotal)) (\(share)), "
                + "\(progress.filesDone) of \(progress.filesTotal) files"
            Console.error(Data(line.utf8))
        }
    }

    static func clear() {
        Console.error(Data("\r\u{1B}[K".utf8))
    }
}
