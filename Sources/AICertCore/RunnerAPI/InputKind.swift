/// Where an input's bytes come from: the `kind` of an input in the build spec, the build's
/// status and the `aicert/input` event. Adding a kind is one case here, one fetcher on the
/// runner (`InputFetcher`), one source in the client's config, their docs and tests.
public enum InputKind: String, Hashable, Sendable, Codable, CaseIterable, CustomStringConvertible {
    /// Sent by the client with `PUT /v1/build/inputs/{name}`: a file, or a tar of a directory.
    case upload
    /// Cloned by the runner from a repository URL and checked out at a full commit id.
    case git
    /// Fetched by the runner over HTTP(S) and checked against a SHA-256.
    case url

    public var description: String { rawValue }

    /// The kinds as a sentence lists them: `upload, git or url`.
    public static var listed: String {
        let names = allCases.map(\.rawValue)
        return names.dropLast().joined(separator: ", ") + " or " + names[names.count - 1]
    }
}
