import AICertCore
import AICertImage
import ArgumentParser
import Foundation

/// `aicert image measure`: the reference values of a base image, as a policy file.
struct ImageMeasureCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "measure",
        abstract: "Compute the PCR reference values of a base image and print them as a policy file.",
        discussion: """
            Reads IMAGE-DIR as image/build.sh writes it (aicert.efi, disk.raw) and computes, from \
            the files alone, what a boot of it on the qemu platform extends into the PCRs the \
            image determines: PCR 4 (the UKI's and its kernel's Authenticode digests and the \
            firmware's events around them), PCR 5 (the disk's GPT), PCR 9 (the kernel command \
            line and initrd, as the kernel measures them), PCR 11 (the UKI sections systemd-stub \
            measures) and PCRs 8, 12 and 13 (nothing).

            PCRs 0-3, 6 and 7 depend on the firmware build and the machine's devices. With \
            --reference-boot DIR (made by `image/boot.sh --capture DIR`), they are replayed from \
            that boot's firmware event log, its OVMF and QEMU versions are recorded beside them, \
            and PCR 10 (IMA's boot aggregate of PCRs 0-9) is computed too.

            The output is a policy file (docs/policy.md) for `aicert verify --policy`:

                $ aicert image measure --reference-boot boot/ image/ > qemu-policy.yaml

            With --json: {"image", "pcrs": {"sha256": {...}}, "sources", "events", \
            "reference_boot"}, where "events" lists each expected event (PCR, type, what, digest).

            Exit status: 0 on success, 1 when a file is missing or is not what it must be (the \
            message names the file and the field), 2 for a usage error.
            """
    )

    @Argument(help: ArgumentHelp("The image directory written by image/build.sh, e.g. `out/`.", valueName: "image-dir"))
    var imageDirectory: String

    @Option(
        help: ArgumentHelp(
            "A reference boot's capture (image/boot.sh --capture), for the firmware's PCRs, e.g. `--reference-boot "
                + "boot/`.",
            valueName: "dir"))
    var referenceBoot: String?

    @Flag(
        help: ArgumentHelp(
            "Register the image on this machine, so that `aicert verify` knows it without --policy.",
            discussion:
                "Writes AICERT_HOME/images/UKI-SHA256.yaml (default ~/.aicert) under the identity in "
                + "IMAGE-DIR/image.json, which the image's runner signs into every certificate."
        ))
    var register = false

    @Flag(
        help:
            "Print the values, their sources and the expected events as JSON, e.g. `aicert image measure --json out/`.")
    var json = false

    @Option(
        name: [.short, .long],
        help: ArgumentHelp(
            "Write to this file instead of standard output, e.g. `-o qemu-policy.yaml`.", valueName: "file"))
    var output: String?

    init() {}

    func run() throws {
        let text: String
        do {
            let boot = try referenceBoot.map(ReferenceBoot.load(directory:))
            let values = try ImageReferenceValues.compute(imageDirectory: imageDirectory, referenceBoot: boot)
            text = json ? try values.jsonDocument() : values.policyYAML()
            if register {
                let identity = try RegisteredImages.identity(imageDirectory: imageDirectory, measured: values)
                let file = try RegisteredImages.register(values, identity: identity)
                let line =
                    "registered image \(identity.name) \(identity.version) (uki_sha256 \(identity.ukiSHA256)) in "
                    + "\(file.path)\n"
                Console.error(Data(line.utf8))
            }
        } catch let error as ImageMeasureError {
            Console.error(Data("aicert image measure: \(error)\n".utf8))
            throw ExitCode.failure
        } catch let error as CocoaError {
            Console.error(Data("aicert image measure: cannot register the image: \(error.localizedDescription)\n".utf8))
            throw ExitCode.failure
        }
        guard let output else {
            Console.out(Data(text.utf8))
            return
        }
        guard FileManager.default.createFile(atPath: output, contents: Data(text.utf8)) else {
            Console.error(Data("aicert image measure: cannot write \(output)\n".utf8))
            throw ExitCode.failure
        }
    }
}
