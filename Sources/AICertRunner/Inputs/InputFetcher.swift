import AICertCore

/// Brings an input the runner fetches itself (not one the client uploads) into the staging
/// area and measures it. One fetcher per ``InputKind``; ``InputFetchers/fetcher(for:)`` finds it.
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

/// The fetchers by kind.
enum InputFetchers {
    /// The fetcher for `kind`, or `nil` for an upload, which the client sends.
    static func fetcher(for kind: InputKind) -> (any InputFetcher)? {
        switch kind {
        case .upload: nil
        case .git: GitFetcher()
        case .url: URLFetcher()
        }
    }
}
