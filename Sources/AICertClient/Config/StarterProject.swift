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

    /// The example's files, by path relative to the project directory.
    static let exampleFiles: [(path: String, contents: String)] = [
        ("code/train.py", trainScript),
        ("data/iris.csv", irisData),
        ("data/LICENSE", irisLicence),
    ]

    /// `examples/iris/code/train.py`.
    static let trainScript = #"""
        """Train a softmax-regression classifier on the Iris data set, deterministically.

        Inside an AICert build the inputs are read-only under /aicert/inputs and only
        /aicert/outputs is writable; run it elsewhere with --data and --outputs:

            python3 train.py --data ../data/iris.csv --outputs /tmp/iris-out

        Writes model.npz (weights, bias, feature mean and scale, class names) and
        metrics.json (accuracy, loss, confusion matrix). The same inputs give the same
        bytes on the same machine: the seed is fixed and the .npz archive carries no
        timestamps.
        """

        import argparse
        import csv
        import io
        import json
        import os
        import sys
        import zipfile

        import numpy as np

        SEED = 20240601
        EPOCHS = 500
        LEARNING_RATE = 0.5
        L2 = 1e-3
        TEST_SHARE = 0.3


        def load(path):
            """Features (n × 4, float64), labels (n, int) and the class names, in file order."""
            with open(path, newline="", encoding="utf-8") as handle:
                rows = list(csv.DictReader(handle))
            if not rows:
                sys.exit(f"{path}: no rows")
            feature_names = [name for name in rows[0] if name != "species"]
            classes = sorted({row["species"] for row in rows})
            features = np.array([[float(row[name]) for name in feature_names] for row in rows])
            labels = np.array([classes.index(row["species"]) for row in rows])
            return features, labels, classes, feature_names


        def split(labels, rng):
            """Stratified train/test indices: TEST_SHARE of every class is held out."""
            train, test = [], []
            for label in np.unique(labels):
                members = rng.permutation(np.flatnonzero(labels == label))
                held_out = int(round(len(members) * TEST_SHARE))
                test.extend(members[:held_out])
                train.extend(members[held_out:])
            return np.sort(np.array(train)), np.sort(np.array(test))


        def softmax(logits):
            shifted = logits - logits.max(axis=1, keepdims=True)
            exponentials = np.exp(shifted)
            return exponentials / exponentials.sum(axis=1, keepdims=True)


        def loss(weights, bias, features, labels):
            probabilities = softmax(features @ weights + bias)
            cross_entropy = -np.log(probabilities[np.arange(len(labels)), labels] + 1e-12).mean()
            return float(cross_entropy + 0.5 * L2 * np.sum(weights * weights))


        def train(features, labels, classes, rng):
            """Full-batch gradient descent on the L2-regularised cross-entropy."""
            weights = rng.normal(scale=0.01, size=(features.shape[1], classes))
            bias = np.zeros(classes)
            targets = np.eye(classes)[labels]
            for _ in range(EPOCHS):
                error = softmax(features @ weights + bias) - targets
                weights -= LEARNING_RATE * (features.T @ error / len(labels) + L2 * weights)
                bias -= LEARNING_RATE * error.mean(axis=0)
            return weights, bias


        def confusion(weights, bias, features, labels, classes):
            predicted = np.argmax(features @ weights + bias, axis=1)
            matrix = np.zeros((classes, classes), dtype=int)
            for truth, guess in zip(labels, predicted):
                matrix[truth, guess] += 1
            return matrix


        def save_npz(path, **arrays):
            """np.savez without the archive's timestamps, so equal arrays give equal bytes."""
            with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
                for name, array in sorted(arrays.items()):
                    buffer = io.BytesIO()
                    np.lib.format.write_array(buffer, np.asarray(array), allow_pickle=False)
                    entry = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
                    entry.external_attr = 0o644 << 16
                    archive.writestr(entry, buffer.getvalue())


        def main():
            parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
            parser.add_argument("--data", default="/aicert/inputs/data/iris.csv", help="the Iris CSV file")
            parser.add_argument("--outputs", default="/aicert/outputs", help="where model.npz and metrics.json go")
            arguments = parser.parse_args()

            rng = np.random.default_rng(SEED)
            features, labels, class_names, feature_names = load(arguments.data)
            train_rows, test_rows = split(labels, rng)
            mean = features[train_rows].mean(axis=0)
            scale = features[train_rows].std(axis=0)
            standardized = (features - mean) / scale

            weights, bias = train(standardized[train_rows], labels[train_rows], len(class_names), rng)

            metrics = {"model": "softmax regression", "seed": SEED, "epochs": EPOCHS, "learning_rate": LEARNING_RATE,
                       "l2": L2, "features": feature_names, "classes": class_names, "numpy": np.__version__}
            for part, rows in (("train", train_rows), ("test", test_rows)):
                matrix = confusion(weights, bias, standardized[rows], labels[rows], len(class_names))
                metrics[part] = {
                    "examples": int(len(rows)),
                    "accuracy": round(float(np.trace(matrix) / matrix.sum()), 6),
                    "loss": round(loss(weights, bias, standardized[rows], labels[rows]), 6),
                    "confusion_matrix": matrix.tolist(),
                }

            os.makedirs(arguments.outputs, exist_ok=True)
            save_npz(os.path.join(arguments.outputs, "model.npz"), weights=weights, bias=bias, mean=mean, scale=scale,
                     classes=np.array(class_names))
            with open(os.path.join(arguments.outputs, "metrics.json"), "w", encoding="utf-8") as handle:
                json.dump(metrics, handle, indent=2, sort_keys=True)
                handle.write("\n")
            print(f"trained on {metrics['train']['examples']} flowers: train accuracy {metrics['train']['accuracy']:.3f}, "
                  f"test accuracy {metrics['test']['accuracy']:.3f} on {metrics['test']['examples']} held-out flowers")


        if __name__ == "__main__":
            main()

        """#

    /// `examples/iris/data/iris.csv`: Fisher's Iris data (CC BY 4.0, see `irisLicence`).
    static let irisData = #"""
        sepal_length_cm,sepal_width_cm,petal_length_cm,petal_width_cm,species
        5.1,3.5,1.4,0.2,Iris-setosa
        4.9,3.0,1.4,0.2,Iris-setosa
        4.7,3.2,1.3,0.2,Iris-setosa
        4.6,3.1,1.5,0.2,Iris-setosa
        5.0,3.6,1.4,0.2,Iris-setosa
        5.4,3.9,1.7,0.4,Iris-setosa
        4.6,3.4,1.4,0.3,Iris-setosa
        5.0,3.4,1.5,0.2,Iris-setosa
        4.4,2.9,1.4,0.2,Iris-setosa
        4.9,3.1,1.5,0.1,Iris-setosa
        5.4,3.7,1.5,0.2,Iris-setosa
        4.8,3.4,1.6,0.2,Iris-setosa
        4.8,3.0,1.4,0.1,Iris-setosa
        4.3,3.0,1.1,0.1,Iris-setosa
        5.8,4.0,1.2,0.2,Iris-setosa
        5.7,4.4,1.5,0.4,Iris-setosa
        5.4,3.9,1.3,0.4,Iris-setosa
        5.1,3.5,1.4,0.3,Iris-setosa
        5.7,3.8,1.7,0.3,Iris-setosa
        5.1,3.8,1.5,0.3,Iris-setosa
        5.4,3.4,1.7,0.2,Iris-setosa
        5.1,3.7,1.5,0.4,Iris-setosa
        4.6,3.6,1.0,0.2,Iris-setosa
        5.1,3.3,1.7,0.5,Iris-setosa
        4.8,3.4,1.9,0.2,Iris-setosa
        5.0,3.0,1.6,0.2,Iris-setosa
        5.0,3.4,1.6,0.4,Iris-setosa
        5.2,3.5,1.5,0.2,Iris-setosa
        5.2,3.4,1.4,0.2,Iris-setosa
        4.7,3.2,1.6,0.2,Iris-setosa
        4.8,3.1,1.6,0.2,Iris-setosa
        5.4,3.4,1.5,0.4,Iris-setosa
        5.2,4.1,1.5,0.1,Iris-setosa
        5.5,4.2,1.4,0.2,Iris-setosa
        4.9,3.1,1.5,0.2,Iris-setosa
        5.0,3.2,1.2,0.2,Iris-setosa
        5.5,3.5,1.3,0.2,Iris-setosa
        4.9,3.6,1.4,0.1,Iris-setosa
        4.4,3.0,1.3,0.2,Iris-setosa
        5.1,3.4,1.5,0.2,Iris-setosa
        5.0,3.5,1.3,0.3,Iris-setosa
        4.5,2.3,1.3,0.3,Iris-setosa
        4.4,3.2,1.3,0.2,Iris-setosa
        5.0,3.5,1.6,0.6,Iris-setosa
        5.1,3.8,1.9,0.4,Iris-setosa
        4.8,3.0,1.4,0.3,Iris-setosa
        5.1,3.8,1.6,0.2,Iris-setosa
        4.6,3.2,1.4,0.2,Iris-setosa
        5.3,3.7,1.5,0.2,Iris-setosa
        5.0,3.3,1.4,0.2,Iris-setosa
        7.0,3.2,4.7,1.4,Iris-versicolor
        6.4,3.2,4.5,1.5,Iris-versicolor
        6.9,3.1,4.9,1.5,Iris-versicolor
        5.5,2.3,4.0,1.3,Iris-versicolor
        6.5,2.8,4.6,1.5,Iris-versicolor
        5.7,2.8,4.5,1.3,Iris-versicolor
        6.3,3.3,4.7,1.6,Iris-versicolor
        4.9,2.4,3.3,1.0,Iris-versicolor
        6.6,2.9,4.6,1.3,Iris-versicolor
        5.2,2.7,3.9,1.4,Iris-versicolor
        5.0,2.0,3.5,1.0,Iris-versicolor
        5.9,3.0,4.2,1.5,Iris-versicolor
        6.0,2.2,4.0,1.0,Iris-versicolor
        6.1,2.9,4.7,1.4,Iris-versicolor
        5.6,2.9,3.6,1.3,Iris-versicolor
        6.7,3.1,4.4,1.4,Iris-versicolor
        5.6,3.0,4.5,1.5,Iris-versicolor
        5.8,2.7,4.1,1.0,Iris-versicolor
        6.2,2.2,4.5,1.5,Iris-versicolor
        5.6,2.5,3.9,1.1,Iris-versicolor
        5.9,3.2,4.8,1.8,Iris-versicolor
        6.1,2.8,4.0,1.3,Iris-versicolor
        6.3,2.5,4.9,1.5,Iris-versicolor
        6.1,2.8,4.7,1.2,Iris-versicolor
        6.4,2.9,4.3,1.3,Iris-versicolor
        6.6,3.0,4.4,1.4,Iris-versicolor
        6.8,2.8,4.8,1.4,Iris-versicolor
        6.7,3.0,5.0,1.7,Iris-versicolor
        6.0,2.9,4.5,1.5,Iris-versicolor
        5.7,2.6,3.5,1.0,Iris-versicolor
        5.5,2.4,3.8,1.1,Iris-versicolor
        5.5,2.4,3.7,1.0,Iris-versicolor
        5.8,2.7,3.9,1.2,Iris-versicolor
        6.0,2.7,5.1,1.6,Iris-versicolor
        5.4,3.0,4.5,1.5,Iris-versicolor
        6.0,3.4,4.5,1.6,Iris-versicolor
        6.7,3.1,4.7,1.5,Iris-versicolor
        6.3,2.3,4.4,1.3,Iris-versicolor
        5.6,3.0,4.1,1.3,Iris-versicolor
        5.5,2.5,4.0,1.3,Iris-versicolor
        5.5,2.6,4.4,1.2,Iris-versicolor
        6.1,3.0,4.6,1.4,Iris-versicolor
        5.8,2.6,4.0,1.2,Iris-versicolor
        5.0,2.3,3.3,1.0,Iris-versicolor
        5.6,2.7,4.2,1.3,Iris-versicolor
        5.7,3.0,4.2,1.2,Iris-versicolor
        5.7,2.9,4.2,1.3,Iris-versicolor
        6.2,2.9,4.3,1.3,Iris-versicolor
        5.1,2.5,3.0,1.1,Iris-versicolor
        5.7,2.8,4.1,1.3,Iris-versicolor
        6.3,3.3,6.0,2.5,Iris-virginica
        5.8,2.7,5.1,1.9,Iris-virginica
        7.1,3.0,5.9,2.1,Iris-virginica
        6.3,2.9,5.6,1.8,Iris-virginica
        6.5,3.0,5.8,2.2,Iris-virginica
        7.6,3.0,6.6,2.1,Iris-virginica
        4.9,2.5,4.5,1.7,Iris-virginica
        7.3,2.9,6.3,1.8,Iris-virginica
        6.7,2.5,5.8,1.8,Iris-virginica
        7.2,3.6,6.1,2.5,Iris-virginica
        6.5,3.2,5.1,2.0,Iris-virginica
        6.4,2.7,5.3,1.9,Iris-virginica
        6.8,3.0,5.5,2.1,Iris-virginica
        5.7,2.5,5.0,2.0,Iris-virginica
        5.8,2.8,5.1,2.4,Iris-virginica
        6.4,3.2,5.3,2.3,Iris-virginica
        6.5,3.0,5.5,1.8,Iris-virginica
        7.7,3.8,6.7,2.2,Iris-virginica
        7.7,2.6,6.9,2.3,Iris-virginica
        6.0,2.2,5.0,1.5,Iris-virginica
        6.9,3.2,5.7,2.3,Iris-virginica
        5.6,2.8,4.9,2.0,Iris-virginica
        7.7,2.8,6.7,2.0,Iris-virginica
        6.3,2.7,4.9,1.8,Iris-virginica
        6.7,3.3,5.7,2.1,Iris-virginica
        7.2,3.2,6.0,1.8,Iris-virginica
        6.2,2.8,4.8,1.8,Iris-virginica
        6.1,3.0,4.9,1.8,Iris-virginica
        6.4,2.8,5.6,2.1,Iris-virginica
        7.2,3.0,5.8,1.6,Iris-virginica
        7.4,2.8,6.1,1.9,Iris-virginica
        7.9,3.8,6.4,2.0,Iris-virginica
        6.4,2.8,5.6,2.2,Iris-virginica
        6.3,2.8,5.1,1.5,Iris-virginica
        6.1,2.6,5.6,1.4,Iris-virginica
        7.7,3.0,6.1,2.3,Iris-virginica
        6.3,3.4,5.6,2.4,Iris-virginica
        6.4,3.1,5.5,1.8,Iris-virginica
        6.0,3.0,4.8,1.8,Iris-virginica
        6.9,3.1,5.4,2.1,Iris-virginica
        6.7,3.1,5.6,2.4,Iris-virginica
        6.9,3.1,5.1,2.3,Iris-virginica
        5.8,2.7,5.1,1.9,Iris-virginica
        6.8,3.2,5.9,2.3,Iris-virginica
        6.7,3.3,5.7,2.5,Iris-virginica
        6.7,3.0,5.2,2.3,Iris-virginica
        6.3,2.5,5.0,1.9,Iris-virginica
        6.5,3.0,5.2,2.0,Iris-virginica
        6.2,3.4,5.4,2.3,Iris-virginica
        5.9,3.0,5.1,1.8,Iris-virginica

        """#

    /// `examples/iris/data/LICENSE`.
    static let irisLicence = #"""
        iris.csv — Fisher's Iris data set
        =================================

        Data: R. A. Fisher, "The use of multiple measurements in taxonomic problems",
        Annals of Eugenics 7(2), 179–188 (1936); collected by Edgar Anderson.

        The data set is distributed by the UCI Machine Learning Repository as "Iris"
        (doi:10.24432/C56C76) under the Creative Commons Attribution 4.0 International
        licence (CC BY 4.0, https://creativecommons.org/licenses/by/4.0/legalcode).
        Attribution: Fisher, R. A. (1936). Iris [Dataset]. UCI Machine Learning
        Repository. https://doi.org/10.24432/C56C76

        This copy: the 150 rows as published in Fisher's paper (as in R's `iris`; the
        UCI file differs in two values, see sklearn's iris.rst), taken from the file
        `sklearn/datasets/data/iris.csv` of Debian's package python3-sklearn
        1.2.1+dfsg-1 (scikit-learn, BSD-3-Clause). Changes: the header line names the
        columns and the class numbers 0, 1, 2 are written as Iris-setosa,
        Iris-versicolor and Iris-virginica. See ../README.md to reproduce the file.

        """#
}
