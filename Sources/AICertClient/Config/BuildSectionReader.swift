import Foundation

/// Reads the `build` section of a config file: command, env, timeout, inputs and outputs,
/// within the limits a runner accepts.
enum BuildSectionReader {
    static let maximumArguments = 1024
    static let maximumVariables = 256
    static let maximumInputs = 64
    static let maximumOutputPatterns = 64

    static func read(_ node: ConfigNode, directory: URL) throws -> BuildConfig {
        let section = try node.mapping(allowed: ["command", "env", "timeout", "inputs", "outputs"])

        let commandNode = try section.required(
            "command", expected: "the program and its arguments, e.g. [python3, /aicert/inputs/code/train.py]")
        let commandExpected = "a list of arguments, e.g. [python3, /aicert/inputs/code/train.py] (no shell is involved)"
        let command = try commandNode.texts(expected: commandExpected)
        guard (1...maximumArguments).contains(command.count), !command[0].isEmpty else {
            throw commandNode.error(
                "expected \(commandExpected), with 1 to \(maximumArguments) arguments and a program first")
        }

        var environment: [String: String] = [:]
        if let envNode = section.optional("env") {
            let variables = try envNode.entries(expected: "a mapping of variable names to strings, e.g. SEED: \"42\"")
            guard variables.count <= maximumVariables else {
                throw envNode.error("expected at most \(maximumVariables) variables")
            }
            for variable in variables {
                guard isVariableName(variable.name) else {
                    throw variable.value.error(
                        "'\(variable.name)' is not a variable name: a letter or _, then letters, digits or _")
                }
                environment[variable.name] = try variable.value.text(
                    expected: "a string (write \"\" for an empty value)")
            }
        }

        var timeout = BuildConfig.defaultTimeoutSeconds
        if let timeoutNode = section.optional("timeout") {
            guard let seconds = TimeLimit.seconds(try timeoutNode.text(expected: TimeLimit.expected)) else {
                throw timeoutNode.error("expected \(TimeLimit.expected), found \(timeoutNode.kind)")
            }
            timeout = seconds
        }

        var inputs: [InputConfig] = []
        if let inputsNode = section.optional("inputs") {
            let items = try inputsNode.sequence(expected: "a list of inputs, each with name and source")
            guard items.count <= maximumInputs else {
                throw inputsNode.error("expected at most \(maximumInputs) inputs")
            }
            for item in items {
                let input = try readInput(item, directory: directory)
                if inputs.contains(where: { $0.name == input.name }) {
                    throw item.error("the input name '\(input.name)' is used twice; each input needs its own name")
                }
                inputs.append(input)
            }
        }

        let outputsNode = try section.required("outputs", expected: "glob patterns of the files to keep, e.g. [\"**\"]")
        let outputsExpected = "a list of glob patterns relative to /aicert/outputs, e.g. [model.npz, \"*.json\"]"
        let outputNodes = try outputsNode.sequence(expected: outputsExpected)
        guard (1...maximumOutputPatterns).contains(outputNodes.count) else {
            throw outputsNode.error("expected \(outputsExpected), 1 to \(maximumOutputPatterns) of them")
        }
        var outputs: [String] = []
        for item in outputNodes {
            let pattern = try item.text(expected: "a glob pattern such as model.npz or checkpoints/*.pt")
            let components = pattern.split(separator: "/", omittingEmptySubsequences: false)
            if pattern.isEmpty || components.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) {
                throw item.error(
                    "expected a relative pattern such as checkpoints/*.pt: no leading '/', empty, '.' or '..' component"
                )
            }
            outputs.append(pattern)
        }
        return BuildConfig(
            command: command, environment: environment, timeoutSeconds: timeout, inputs: inputs, outputs: outputs)
    }

    private static func readInput(_ node: ConfigNode, directory: URL) throws -> InputConfig {
        let members = try node.mapping(allowed: ["name", "source", "sha256"])
        let nameNode = try members.required("name", expected: "the input's name, its directory under /aicert/inputs")
        let name = try nameNode.text(expected: "a name of letters, digits, '.', '_' or '-'")
        guard isInputName(name) else {
            throw nameNode.error("expected 1 to 64 of A-Z a-z 0-9 . _ - (not '.' or '..'), found '\(name.prefix(80))'")
        }
        let source = try InputSourceParser.parse(
            source: members.required("source", expected: InputSourceParser.expected),
            sha256: members.optional("sha256"),
            directory: directory)
        return InputConfig(name: name, source: source)
    }

    /// The runner's rule: `[A-Za-z_][A-Za-z0-9_]*`, at most 128 characters.
    private static func isVariableName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, name.utf8.count <= 128, !("0"..."9").contains(first) else {
            return false
        }
        return name.unicodeScalars.allSatisfy {
            $0 == "_" || ("A"..."Z").contains($0) || ("a"..."z").contains($0) || ("0"..."9").contains($0)
        }
    }

    /// The runner's rule: 1 to 64 of `A-Z a-z 0-9 . _ -`, not `.` or `..`.
    private static func isInputName(_ name: String) -> Bool {
        guard (1...64).contains(name.utf8.count), name != ".", name != ".." else { return false }
        return name.unicodeScalars.allSatisfy {
            $0 == "." || $0 == "_" || $0 == "-" || ("A"..."Z").contains($0) || ("a"..."z").contains($0)
                || ("0"..."9").contains($0)
        }
    }
}
