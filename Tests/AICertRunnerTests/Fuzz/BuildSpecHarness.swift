import AICertCore
import Foundation

@testable import AICertRunner

/// The property the build-spec fuzzers check, shared by the seeded loop of `swift test`
/// (`BuildSpecParserFuzzTests`) and the libFuzzer entry of `scripts/fuzz build-spec`: a body is
/// refused with a ``RunnerFailure`` of code `invalid_spec` or accepted, and an accepted spec,
/// written back as the client writes one, reads as the same spec with the same event. It uses
/// nothing of the test libraries, so that libFuzzer can build it with the parser's sources.
enum BuildSpecHarness {
    /// What the parser did with one body.
    enum Outcome: Equatable {
        case accepted, refused
        /// The property broke: what happened.
        case broken(String)
    }

    /// The parser's verdict on `body` as a build spec.
    static func check(_ body: [UInt8]) -> Outcome {
        let spec: BuildSpec
        do {
            spec = try BuildSpecParser.parse(Data(body))
        } catch let failure as RunnerFailure where failure.code == .invalidSpec {
            return .refused
        } catch {
            return .broken("\(error) is not an invalid_spec refusal")
        }
        do {
            let again = try BuildSpecParser.parse(try JSONEncoder().encode(wire(spec)))
            guard again == spec, again.eventContent == spec.eventContent else {
                return .broken("the spec reads back differently when written as the client writes it")
            }
        } catch {
            return .broken("\(error) for the written-back form")
        }
        return .accepted
    }

    /// `spec` as the client sends one.
    static func wire(_ spec: BuildSpec) -> RunnerAPI.BuildSpec {
        RunnerAPI.BuildSpec(
            command: spec.command, env: spec.environment,
            inputs: spec.inputs.map { input in
                switch input.origin {
                case .upload: .upload(input.name, source: input.source)
                case .git(let commit): .git(input.name, url: input.source, commit: commit)
                case .url(let sha256): .url(input.name, url: input.source, sha256: sha256.hex)
                }
            },
            outputs: spec.outputs.map(\.text), timeoutSeconds: spec.timeoutSeconds)
    }
}
