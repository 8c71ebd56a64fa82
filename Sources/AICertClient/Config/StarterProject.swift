/// The project `aicert init` writes: a commented `aicert.yaml` and, with `--example`, the Iris
/// training job of `examples/iris` (code, data and the data's licence), byte for byte (the
/// tests compare them).
enum StarterProject {
    /// The commented config for a project called `name`, with inputs `./code` and `./data`.
    static func config(name: String) -> String {
        """
        # aicert.yaml: what `aicert run` builds, and from what. Reference: docs/config.md.
        version: 1

        # A name for the project, shown in the run's summary.
        name: \(name)

        # Where the build runs: local (a fresh software TPM and runner on this machine, for
        # development), qemu (the AICert base image booted under QEMU, given to aicert run with
        # --image DIR), or remote (a runner on a machine with its own TPM, given to aicert run
        # with --runner-url and --token-file).
        platform: local

        build:
          # The program and its arguments, run in /aicert inside a sandbox: no network, a clean
          # environment, the inputs read-only, only /aicert/outputs writable. No shell is involved.
          command: [python3, /aicert/inputs/code/train.py]

          # Variables added to the job's environment. Values are strings.
          env:
            PYTHONHASHSEED: "0"

          # The job is stopped after this long: seconds (600) or a duration (90s, 10m, 1h30m).
          timeout: 10m

          # Each input is read-only at /aicert/inputs/<name>. A source is one of:
          #   ./path                     a local file or directory (relative to this file), uploaded;
          #                              for a clean git checkout, its commit is recorded too
          #   git+https://host/repo.git@<40-digit commit id>    cloned by the runner
          #   https://host/file          downloaded by the runner; add sha256: <its SHA-256>
          inputs:
            - name: code
              source: ./code
            - name: data
              source: ./data

          # Glob patterns of the files to keep, relative to /aicert/outputs: * and ? match within a
          # name, ** any number of directories.
          outputs:
            - model.npz
            - metrics.json

        """
    }

    /// The example's files, by path relative to the project directory: examples/iris's own,
    /// embedded at build time (Sources/AICertClient/Starter links to them).
    static let exampleFiles: [(path: String, contents: String)] = [
        ("code/train.py", String(decoding: PackageResources.train_py, as: UTF8.self)),
        ("data/iris.csv", String(decoding: PackageResources.iris_csv, as: UTF8.self)),
        ("data/LICENSE", String(decoding: PackageResources.LICENSE, as: UTF8.self)),
    ]
}
