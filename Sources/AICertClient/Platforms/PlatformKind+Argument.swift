import AICertCore
import ArgumentParser

/// `--platform local`, `remote`, `qemu` or `azure`: every kind parses, and a kind with no
/// ``Platform`` in this version is refused when `aicert run` looks its platform up.
extension PlatformKind: ExpressibleByArgument {}
