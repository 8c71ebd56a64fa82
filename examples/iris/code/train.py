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
