import AICertCore
import Foundation

/// The rules for the URL of a `git` or `url` input: it is recorded in the certificate and handed
/// to a fetcher, so it must be an absolute URL of an allowed scheme, with a host and no
/// credentials (which the certificate would publish).
enum RemoteSource {
    static func checkURL(_ text: String, schemes: Set<String>, field: String) throws {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased() else {
            throw RunnerFailure(.invalidSpec, "\(field): '\(text)' is not an absolute URL")
        }
        guard schemes.contains(scheme) else {
            throw RunnerFailure(
                .invalidSpec,
                "\(field): the scheme is one of "
                    + "\(schemes.sorted().joined(separator: ", "))")
        }
        guard let host = url.host, !host.isEmpty else {
            throw RunnerFailure(.invalidSpec, "\(field): the URL has no host")
        }
        guard url.user == nil, url.password == nil else {
            throw RunnerFailure(
                .invalidSpec,
                "\(field): the URL carries credentials, which the certificate would "
                    + "publish")
        }
    }
}
