import AICertCore
import Foundation
import Testing

@testable import AICertRunner

/// A spec that is valid but for `inputs`, the members of its `inputs` array.
private func specWithInputs(_ inputs: String) -> String {
    #"{"command": ["x"], "outputs": ["**"], "timeout_seconds": 1, "inputs": ["# + inputs + "]}"
}

@Suite("Build spec validation")
struct BuildSpecParserTests {
    static func parse(_ json: String) throws -> BuildSpec {
        try BuildSpecParser.parse(Data(json.utf8))
    }

    @Test func aCompleteSpecIsRead() throws {
        let spec = try Self.parse(
            """
            {"command": ["python3", "train.py"], "env": {"SEED": "7"}, "outputs": ["**"], "timeout_seconds": 60,
             "inputs": [{"name": "code", "kind": "upload", "source": "./code"},
                        {"name": "data.v1", "kind": "url", "source": "https://example.org/d.csv",
                         "sha256": "\(String(repeating: "AB", count: 32))"},
                        {"name": "repo", "kind": "git", "source": "https://example.org/r.git",
                         "commit": "\(String(repeating: "0a", count: 20))"}]}
            """)
        #expect(spec.command == ["python3", "train.py"])
        #expect(spec.inputs.map(\.origin.kind) == [.upload, .url, .git])
        #expect(spec.eventContent["timeout_seconds"] == .integer(60))
    }

    @Test(arguments: [
        (#"{"command": [], "outputs": ["**"], "timeout_seconds": 1}"#, "command"),
        (#"{"command": ["x"], "outputs": ["**"], "timeout_seconds": 0}"#, "timeout_seconds"),
        (#"{"command": ["x"], "outputs": ["**"], "timeout_seconds": 1.5}"#, "not JSON of the expected kind"),
        (#"{"command": ["x"], "outputs": ["**"], "timeout_seconds": 1, "shell": true}"#, "shell: is not a member"),
        (#"{"command": ["x"], "outputs": ["../x"], "timeout_seconds": 1}"#, "outputs[0]"),
        (#"{"command": ["x\u0000"], "outputs": ["**"], "timeout_seconds": 1}"#, "NUL"),
        (#"{"command": ["x"], "env": {"1X": "y"}, "outputs": ["**"], "timeout_seconds": 1}"#, "variable name"),
        (
            specWithInputs(#"{"name": "..", "kind": "upload", "source": "x"}"#),
            "inputs[0].name"
        ),
        (
            specWithInputs(#"{"name": "a/b", "kind": "upload", "source": "x"}"#),
            "inputs[0].name"
        ),
        (
            specWithInputs(
                #"{"name": "a", "kind": "upload", "source": "x"}, {"name": "a", "kind": "upload", "source": "y"}"#),
            "named twice"
        ),
        (
            specWithInputs(#"{"name": "a", "kind": "url", "source": "file:///etc/passwd", "sha256": "00"}"#),
            "scheme"
        ),
        (
            specWithInputs(#"{"name": "a", "kind": "url", "source": "https://u:p@h/x", "sha256": "00"}"#),
            "credentials"
        ),
        (
            specWithInputs(#"{"name": "a", "kind": "url", "source": "https://h/x", "sha256": "00"}"#),
            "sha256"
        ),
        (
            specWithInputs(#"{"name": "a", "kind": "git", "source": "ext::sh -c id", "commit": "HEAD"}"#),
            "source"
        ),
        (
            specWithInputs(#"{"name": "a", "kind": "git", "source": "https://h/r", "commit": "main"}"#),
            "40 lowercase"
        ),
    ])
    func invalidSpecsNameTheirField(json: String, field: String) {
        let error = #expect(throws: RunnerFailure.self) { try Self.parse(json) }
        #expect(error?.code == .invalidSpec)
        #expect(error?.detail.contains(field) == true, "\(String(describing: error?.detail))")
    }
}
