import ArgumentParser
import Foundation

/// `aicert init`: a commented `aicert.yaml`, and with `--example` a small working training job.
struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Write a commented aicert.yaml, and with --example a small training job that runs as is.",
        discussion: """
            Writes DIR/aicert.yaml (DIR is created if needed), with every key explained: a \
            job run as `python3 /aicert/inputs/code/train.py`, with the inputs ./code and \
            ./data and the outputs model.npz and metrics.json. Edit it for your project; the \
            schema is in docs/config.md.

            With --example, also writes the Iris example next to it: code/train.py (softmax \
            regression in NumPy) and data/iris.csv (Fisher's Iris data, CC BY 4.0, with its \
            licence), so that the next command certifies a real training run:

                $ aicert init --example iris && cd iris && aicert run

            Existing files are never overwritten unless --force is given.

            Exit status: 0 written, 2 usage error or a file already exists.
            """
    )

    @Argument(
        help: ArgumentHelp(
            "The project directory, e.g. `aicert init my-model`; the current one by default.", valueName: "dir"))
    var directory = "."

    @Flag(
        help: "Also write the Iris training example (code/train.py, data/iris.csv), e.g. `aicert init --example iris`.")
    var example = false

    @Flag(help: "Overwrite files that already exist, e.g. `aicert init --force`.")
    var force = false

    init() {}

    func run() throws {
        let root = URL(fileURLWithPath: directory).standardizedFileURL
        var files = [
            (path: ConfigReader.defaultFileName, contents: StarterProject.config(name: Self.projectName(for: root)))
        ]
        if example { files += StarterProject.exampleFiles }
        if !force {
            let existing = files.map(\.path).filter {
                FileManager.default.fileExists(atPath: root.appendingPathComponent($0).path)
            }
            guard existing.isEmpty else {
                throw ValidationError(
                    "\(existing.map { root.appendingPathComponent($0).path }.joined(separator: ", ")) already exists; "
                        + "give --force to overwrite.")
            }
        }
        for file in files {
            let url = root.appendingPathComponent(file.path)
            do {
                try FileManager.default.createDirectory(
                    at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(file.contents.utf8).write(to: url, options: .atomic)
            } catch {
                throw ValidationError("cannot write \(url.path): \(error.localizedDescription)")
            }
            print("wrote \((directory as NSString).appendingPathComponent(file.path))")
        }
        let next = directory == "." ? "aicert run" : "cd \(directory) && aicert run"
        print(
            example
                ? "Next: \(next)"
                : "Next: put your training code in code/ and data in data/, adjust aicert.yaml, then \(next)")
    }

    /// YAML 1.1 words that read as null or a boolean, not as a string.
    static let reservedWords: Set<String> = ["null", "true", "false", "yes", "no", "on", "off", "y", "n"]

    /// The directory's name when it makes a plain YAML string, otherwise `my-model`.
    static func projectName(for directory: URL) -> String {
        let name = directory.lastPathComponent
        let plain =
            name.first?.isLetter == true && !reservedWords.contains(name.lowercased())
            && name.unicodeScalars.allSatisfy {
                $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "-_.".unicodeScalars.contains($0))
            }
        return plain ? name : "my-model"
    }
}
