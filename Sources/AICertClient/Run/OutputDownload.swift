import AICertCore
import Foundation

/// Downloads a build's outputs into a new directory, exactly as the outputs manifest lists
/// them: files checked against their measured SHA-256, then empty directories, then symbolic
/// links last, so that no file is ever written through a link the runner sent.
///
/// A full disk is a failure that names the directory whose file system is full: outputs that
/// plainly do not fit are refused before a byte is written, and a write that finds the disk
/// full ends the download. Either way the partial download is the caller's staging directory,
/// which it removes; nothing already in the output directory changes.
enum OutputDownload {
    static func download(_ manifest: Manifest, with client: RunnerClient, into directory: URL, display: ProgressDisplay)
        async throws
    {
        let files = FileManager.default
        try files.createDirectory(at: directory, withIntermediateDirectories: false)
        let total = manifest.totalFileBytes
        if let free = DiskSpace.freeBytes(directory.path), free < total {
            throw RunFailure(
                .platform,
                "the outputs take \(total) bytes, more than there is room for: "
                    + DiskSpace.noSpace(holding: directory.deletingLastPathComponent().path))
        }
        do {
            try await downloadEntries(manifest, with: client, into: directory, display: display)
        } catch  where DiskSpace.isExhausted(directory.path) {
            throw RunFailure(
                .platform,
                "the outputs could not be downloaded (\(error)): "
                    + DiskSpace.noSpace(holding: directory.deletingLastPathComponent().path))
        }
    }

    private static func downloadEntries(
        _ manifest: Manifest, with client: RunnerClient, into directory: URL, display: ProgressDisplay
    ) async throws {
        let files = FileManager.default
        let total = manifest.totalFileBytes
        let count = manifest.entries.filter { if case .file = $0.kind { true } else { false } }.count
        var done: UInt64 = 0
        var index = 0
        for entry in manifest.entries {
            guard case .file(let expected) = entry.kind else { continue }
            index += 1
            display.update(
                "downloading outputs: \(entry.path) (\(index) of \(count) files, "
                    + "\(ProgressDisplay.size(done)) of \(ProgressDisplay.size(total)))"
            )
            let target = directory.appendingPathComponent(entry.path)
            try files.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            let received = try await client.downloadOutput(entry.path, to: target, maximumSize: expected.size) {
                display.step($0)
            }
            guard received == expected else {
                throw RunFailure(
                    .platform,
                    "output \(entry.path) arrived with SHA-256 \(received.sha256.hex) (\(received.size) bytes), "
                        + "not the measured \(expected.sha256.hex)"
                )
            }
            done += expected.size
        }
        for entry in manifest.entries where entry.kind == .emptyDirectory {
            try files.createDirectory(
                at: directory.appendingPathComponent(entry.path), withIntermediateDirectories: true)
        }
        for entry in manifest.entries {
            guard case .symlink(let target) = entry.kind else { continue }
            let link = directory.appendingPathComponent(entry.path)
            try files.createDirectory(at: link.deletingLastPathComponent(), withIntermediateDirectories: true)
            try files.createSymbolicLink(atPath: link.path, withDestinationPath: target)
        }
        display.step(
            "downloaded \(count) output file\(count == 1 ? "" : "s") (\(ProgressDisplay.size(total))), "
                + "each matching its measured SHA-256"
        )
    }
}
