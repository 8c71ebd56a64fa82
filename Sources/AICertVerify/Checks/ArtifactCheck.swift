import AICertCore
import Foundation

/// `artifacts`: files on disk re-hashed and matched against the outputs manifests, naming the
/// file that differs.
///
/// An artifact is a path the user names (`--artifact`): a directory must be, byte for byte,
/// one of the certificate's output manifests; a single file must be a file of an output
/// with the same name and digest. The check skips with `not-requested` when no artifact is
/// given, and stops at the first artifact that is unreadable or does not match.
enum ArtifactCheck {
    /// The `artifacts` result for `paths`, each measured as a manifest and matched against
    /// `outputs` (output name → manifest, as the certificate carries them).
    static func run(paths: [String], outputs: [String: Manifest]) async -> CheckResult {
        guard !paths.isEmpty else { return CheckResult(.artifacts, .skip, .notRequested, "no artifact given") }
        var matched: [String] = []
        for path in paths {
            let measured: Manifest
            do {
                measured = try await Manifest.measure(path)
            } catch {
                return .fail(.artifacts, .artifactUnreadable, "\(path): \(error)")
            }
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
            switch match(measured, isDirectory: isDirectory.boolValue, outputs: outputs) {
            case .success(let description): matched.append("\(path) \(description)")
            case .failure(let problem): return .fail(.artifacts, .artifactMismatch, "\(path): \(problem.reason)")
            }
        }
        return .pass(.artifacts, matched.joined(separator: "; "))
    }

    /// Why an artifact matches no output, in words for the report.
    struct Mismatch: Error {
        /// The sentence that follows the artifact's path in the check's detail.
        let reason: String
    }

    /// A single file matches a file of an output by name and digest; a directory matches an
    /// output's whole manifest.
    ///
    /// Outputs are tried in name order, so the same artifact always gets the same answer. A
    /// file whose name an output holds with another digest is a mismatch naming both digests;
    /// a directory that matches no output is reported against the first output by name.
    static func match(_ measured: Manifest, isDirectory: Bool, outputs: [String: Manifest]) -> Result<String, Mismatch>
    {
        if let name = outputs.keys.sorted().first(where: { outputs[$0]?.digest == measured.digest }) {
            return .success("matches output '\(name)'")
        }
        if !isDirectory, measured.entries.count == 1, case .file(let digest) = measured.entries[0].kind {
            let fileName = measured.entries[0].path
            for name in outputs.keys.sorted() {
                for entry in outputs[name]?.entries ?? []
                where entry.path.split(separator: "/").last.map(String.init) == fileName {
                    guard case .file(let expected) = entry.kind else { continue }
                    if expected == digest { return .success("matches '\(entry.path)' of output '\(name)'") }
                    return .failure(
                        Mismatch(
                            reason:
                                "differs from '\(entry.path)' of output '\(name)' "
                                + "(sha256 \(digest.sha256.hex.prefix(16))… ≠ \(expected.sha256.hex.prefix(16))…)"
                        ))
                }
            }
            return .failure(Mismatch(reason: "no output holds a file named '\(fileName)'"))
        }
        guard let (name, expected) = outputs.sorted(by: { $0.key < $1.key }).first else {
            return .failure(Mismatch(reason: "the certificate has no outputs"))
        }
        return .failure(Mismatch(reason: "differs from output '\(name)': \(firstDifference(measured, expected))"))
    }

    /// The first path, in manifest order, that is extra, missing or different.
    ///
    /// Paths are compared in the byte order of their UTF-8, as manifests sort them.
    static func firstDifference(_ measured: Manifest, _ expected: Manifest) -> String {
        let want = Dictionary(expected.entries.map { ($0.path, $0.kind) }, uniquingKeysWith: { first, _ in first })
        let have = Dictionary(measured.entries.map { ($0.path, $0.kind) }, uniquingKeysWith: { first, _ in first })
        let paths = Set(want.keys).union(have.keys).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        for path in paths {
            switch (have[path], want[path]) {
            case (nil, _): return "'\(path)' is missing"
            case (_, nil): return "'\(path)' is not among the outputs"
            case (let found?, let wanted?) where found != wanted: return "'\(path)' differs"
            default: continue
            }
        }
        return "the manifests differ"
    }
}
