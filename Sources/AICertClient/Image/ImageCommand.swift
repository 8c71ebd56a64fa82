import ArgumentParser

/// `aicert image`: the AICert base image of the `qemu` platform (built by image/build.sh).
struct ImageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "image",
        abstract: "Work with the AICert base image: its reference values and the TPM it boots with.",
        discussion: """
            The base image (image/build.sh) is a unified kernel image and a dm-verity protected \
            root that start aicert-runner at boot. See docs/qemu-platform.md.
            """,
        subcommands: [ImageMeasureCommand.self, ImagePrepareTPMCommand.self]
    )
}
