import AICertCore

/// Brings an input the runner fetches itself (not one the client uploads) into the staging
/// area and measures it. One fetcher per ``InputKind``; ``InputFetchers/fetcher(for:)`` makes it
/// with what the spec pins.
protocol InputFetcher: Sendable {
    /// Fetches `input` to `path`, checks it against what the spec pins (a commit, a digest) and
    /// measures it. Failures are ``RunnerFailure``s naming the input.
    func fetch(_ input: InputSpec, to path: String, context: FetchContext) async throws -> FetchedInput
}

/// What a fetcher may use: a private scratch directory and the size limit.
struct FetchContext: Sendable {
    /// A directory of the runner's own, outside the sandbox (e.g. git's `HOME`).
    let scratch: String
    /// The most bytes an input may hold.
    let limit: Int64
}

/// A fetched input: its manifest, and the commit a git input resolved to.
struct FetchedInput: Sendable {
    let manifest: Manifest
    let commit: String?
}

/// The fetchers by origin.
enum InputFetchers {
    /// The fetcher for an input from `origin`, holding what it pins, or `nil` for an upload,
    /// which the client sends.
    static func fetcher(for origin: InputSpec.Origin) -> (any InputFetcher)? {
        switch origin {
        case .upload: nil
        case .git(let commit): GitFetcher(commit: commit)
        case .url(let sha256): URLFetcher(expected: sha256)
        }
    }
}
