import AICertCore
import Foundation
import Glibc
import Testing

/// Trees built to trip a measurer up: each gives the stated result, and none makes it hang.
@Suite(.timeLimit(.minutes(3)))
struct HostileTreeTests {
    @Test func symlinkLoopIsRecordedAsTwoLinksNotFollowed() throws {
        let tree = try TemporaryTree()
        try tree.write("root/file", text: "content")
        try tree.makeLink("root/a", to: "b")
        try tree.makeLink("root/b", to: "a")
        try tree.makeLink("root/self", to: ".")
        let manifest = try Manifest.measure(tree.path("root"))
        #expect(manifest.entries.map(\.path) == ["a", "b", "file", "self"])
        #expect(manifest.entries[0].kind == .symlink(target: "b"))
        #expect(manifest.entries[1].kind == .symlink(target: "a"))
        #expect(manifest.entries[3].kind == .symlink(target: "."))
    }

    @Test func linkToEtcIsRecordedWithItsTargetAndNothingBelowIt() throws {
        let tree = try TemporaryTree()
        try tree.makeDirectory("root")
        try tree.makeLink("root/etc", to: "/etc")
        try tree.makeLink("root/passwd", to: "/etc/passwd")
        let manifest = try Manifest.measure(tree.path("root"))
        #expect(
            manifest.entries == [
                ManifestEntry(path: "etc", kind: .symlink(target: "/etc")),
                ManifestEntry(path: "passwd", kind: .symlink(target: "/etc/passwd")),
            ])
    }

    @Test func fifoInATreeIsRejectedByNameWithoutBeingOpened() throws {
        let tree = try TemporaryTree()
        try tree.write("root/a-file", text: "x")
        try tree.makeFIFO("root/pipe")
        expectFailure(.unsupportedFileType, naming: tree.path("root/pipe")) {
            _ = try Manifest.measure(tree.path("root"))
        }
    }

    @Test func fifoAsTheRootOrHashedDirectlyIsRejectedWithoutBlocking() throws {
        let tree = try TemporaryTree()
        try tree.makeFIFO("pipe")
        expectFailure(.unsupportedFileType, naming: tree.path("pipe")) {
            _ = try Manifest.measure(tree.path("pipe"))
        }
        expectFailure(.unsupportedFileType, naming: tree.path("pipe")) {
            _ = try FileDigest(hashingFileAt: tree.path("pipe"))
        }
    }

    @Test func endlessDeviceIsRejectedNotRead() {
        expectFailure(.unsupportedFileType, naming: "/dev/zero") { _ = try Manifest.measure("/dev/zero") }
        expectFailure(.unsupportedFileType, naming: "/dev/zero") { _ = try FileDigest(hashingFileAt: "/dev/zero") }
    }

    @Test func socketInATreeIsRejectedByName() throws {
        let tree = try TemporaryTree()
        try tree.makeDirectory("root")
        let path = tree.path("root/socket")
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        try #require(descriptor >= 0)
        defer { close(descriptor) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(path.utf8)
        try #require(pathBytes.count < MemoryLayout.size(ofValue: address.sun_path))
        withUnsafeMutableBytes(of: &address.sun_path) { raw in raw.copyBytes(from: pathBytes) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        try #require(bound == 0)
        expectFailure(.unsupportedFileType, naming: path) { _ = try Manifest.measure(tree.path("root")) }
    }

    /// An unprivileged process cannot read a mode-000 file or list a mode-000 directory. As root
    /// that does not stop reads, so root gets a file the kernel refuses even to root: a write-only
    /// sysctl. (The CLI tests also cover an unreadable file inside a tree, as an unprivileged user.)
    @Test func unreadableFileIsAnErrorNamingIt() throws {
        if geteuid() != 0 {
            let tree = try TemporaryTree()
            try tree.write("root/readable", text: "x")
            try tree.write("root/secret", text: "y")
            chmod(tree.path("root/secret"), 0)
            expectFailure(.cannotOpen, naming: tree.path("root/secret")) {
                _ = try Manifest.measure(tree.path("root"))
            }
            try tree.write("locked/inside", text: "x")
            chmod(tree.path("locked"), 0)
            expectFailure(.cannotOpen, naming: tree.path("locked")) { _ = try Manifest.measure(tree.path("locked")) }
        } else {
            let writeOnly = "/proc/sys/vm/drop_caches"
            let probe = open(writeOnly, O_RDONLY)
            if probe >= 0 { close(probe) }
            try #require(probe < 0 && errno == EACCES, "\(writeOnly) must be unreadable to root to test this")
            expectFailure(.cannotOpen, naming: writeOnly) { _ = try Manifest.measure(writeOnly) }
            expectFailure(.cannotOpen, naming: writeOnly) { _ = try FileDigest(hashingFileAt: writeOnly) }
        }
    }

    @Test func namesThatAreNotUTF8OrNotNFCOrHoldControlCharactersAreRejected() throws {
        let tree = try TemporaryTree()
        try tree.makeDirectory("bytes")
        let invalid = tree.path("bytes") + "/bad-\u{FFFD}"
        let raw = Array(tree.path("bytes").utf8) + Array("/bad-".utf8) + [0xFF, 0]
        let descriptor = raw.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { name in name.baseAddress.map { creat($0, 0o644) } ?? -1 }
        }
        try #require(descriptor >= 0)
        close(descriptor)
        expectFailure(.invalidName, naming: invalid) { _ = try Manifest.measure(tree.path("bytes")) }

        let decomposed = try TemporaryTree()
        try decomposed.write("root/cafe\u{301}", text: "x")
        let error = #expect(throws: MeasurementError.self) { try Manifest.measure(decomposed.path("root")) }
        #expect(error?.code == .invalidName)
        #expect(error?.reason.contains("NFC") == true)

        let control = try TemporaryTree()
        try control.write("root/line\nbreak", text: "x")
        expectFailure(.invalidName, naming: control.path("root/line\nbreak")) {
            _ = try Manifest.measure(control.path("root"))
        }
        // The message shows the control character escaped, so it cannot forge a line of output.
        let shown = #expect(throws: MeasurementError.self) { try Manifest.measure(control.path("root")) }
        #expect(shown?.reason.contains(#"line\u{a}break"#) == true)
        #expect(shown?.reason.contains("\n") == false)
    }

    @Test func firstProblemInByteOrderIsReportedWhateverCreationOrder() throws {
        for order in [["z-pipe", "a-pipe"], ["a-pipe", "z-pipe"]] {
            let tree = try TemporaryTree()
            try tree.write("root/m/file", text: "x")
            for name in order { try tree.makeFIFO("root/" + name) }
            expectFailure(.unsupportedFileType, naming: tree.path("root/a-pipe")) {
                _ = try Manifest.measure(tree.path("root"))
            }
        }
    }

    @Test func missingPathIsReportedAsSuch() throws {
        let tree = try TemporaryTree()
        expectFailure(.noSuchFile, naming: tree.path("absent")) { _ = try Manifest.measure(tree.path("absent")) }
    }
}
