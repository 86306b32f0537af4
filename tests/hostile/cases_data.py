"""Hostile training data and option values for `chainrule train` (and the options of every
command): each gives one line naming the file, the line or row, the column, and what was
expected, exit status 2, before any training starts.

The spec is the xor example (inputs x1, x2; target y), so no module is generated for a case.
"""

from __future__ import annotations

import io
import os
import struct
import zipfile
import zlib
from pathlib import Path

import numpy as np

from tests.hostile.corpus import EXAMPLES, ApiCase, Case

GOOD_CSV = "x1,x2,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n"


def train(source: str, *options: str) -> list[str]:
    """``chainrule train xor --data SOURCE OPTIONS`` (the run folder inside the case's)."""
    return ["train", "xor", "--data", source, "--quiet", "-o", "{dir}/run", *options]


def csv_case(id: str, content: str | bytes, *words: str, **options) -> Case:
    """A CSV file given as ``csv:{dir}/d.csv``; its name is always one of the words."""
    return Case(f"data-csv-{id}", train("csv:{dir}/d.csv"), {"d.csv": content},
                words=("d.csv", *words), **options)


def npz_bytes(**arrays) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def npz_case(id: str, content, *words: str, **options) -> Case:
    """An NPZ file given as ``npz:{dir}/d.npz``; its name is always one of the words."""
    return Case(f"data-npz-{id}", train("npz:{dir}/d.npz"), {"d.npz": content},
                words=("d.npz", *words), **options)


def fifo(path: Path) -> None:
    os.mkfifo(path)


def npy_header(shape: tuple[int, ...], descr: str = "<f8") -> bytes:
    """The header of a .npy file holding an array of ``shape`` (no data after it)."""
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        buffer, {"descr": descr, "fortran_order": False, "shape": shape})
    return buffer.getvalue()


def header_only_npz(shape: tuple[int, ...], x: str = "X", y: str = "Y"):
    """An npz whose X.npy (or ``x``) declares ``shape`` but holds no data (a lie about its
    size), beside a small Y.npy (or ``y``)."""
    def write(path: Path) -> None:
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr(f"{x}.npy", npy_header(shape))
            archive.writestr(f"{y}.npy", npz_member(np.zeros((4, 1))))
    return write


def npz_member(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, array)
    return buffer.getvalue()


def zip_bomb(rows: int, block: int = 1_000_000, x: str = "X", y: str = "Y"):
    """An npz of about a megabyte whose X.npy (or ``x``) inflates to ``rows`` × 2 float64
    zeros (``rows * 16`` bytes, a multiple of ``block``), beside a small Y.npy (or ``y``):
    one deflated block of zeros repeated, each copy ended by a full flush so that it stands
    alone."""
    def write(path: Path) -> None:
        head = npy_header((rows, 2))
        zeros, count = bytes(block), rows * 16 // block
        packer = zlib.compressobj(9, zlib.DEFLATED, -15)
        first = packer.compress(head) + packer.flush(zlib.Z_FULL_FLUSH)
        repeated = packer.compress(zeros) + packer.flush(zlib.Z_FULL_FLUSH)
        deflated = first + repeated * count + packer.flush()
        crc = zlib.crc32(head)
        for _ in range(count):
            crc = zlib.crc32(zeros, crc)
        labels = npz_member(np.zeros((4, 1)))
        _write_zip(path, [(f"{x}.npy", deflated, crc, len(head) + block * count),
                          (f"{y}.npy", _deflate(labels), zlib.crc32(labels), len(labels))])
    return write


def _deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush()


def _write_zip(path: Path, members: list[tuple[str, bytes, int, int]]) -> None:
    """A zip archive of deflated members (name, deflated data, CRC-32, inflated size),
    written by hand: zipfile would deflate the whole gigabyte itself, which takes seconds."""
    local, central = b"", b""
    for name, deflated, crc, size in members:
        encoded = name.encode()
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, crc,
                               len(deflated), size, len(encoded), 0, 0, 0, 0, 0,
                               len(local)) + encoded
        local += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc,
                             len(deflated), size, len(encoded), 0) + encoded + deflated
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members),
                      len(central), len(local), 0)
    path.write_bytes(local + central + end)


def encrypted(archive: bytes) -> bytes:
    """``archive`` with its first member marked encrypted in the central directory."""
    raw = bytearray(archive)
    at = raw.find(b"PK\x01\x02")
    raw[at + 8] |= 1
    return bytes(raw)


def many_members(count: int):
    """An archive of ``count`` empty members (a directory zipfile would hold in memory)."""
    def write(path: Path) -> None:
        with zipfile.ZipFile(path, "w") as archive:
            for k in range(count):
                archive.writestr(f"{k}.npy", b"")
    return write


def sparse_file(size: int):
    """A file of ``size`` bytes that takes no room on disk (all zeros)."""
    def write(path: Path) -> None:
        with path.open("wb") as handle:
            handle.truncate(size)
    return write


def train_api(X, Y, **settings):
    """A call of :func:`codegen.training.loop.train` on the xor module with these rows."""
    def call(folder: Path):
        import codegen
        from codegen.training.loop import Settings, train as train_rows
        return train_rows(codegen.build("xor"), X, Y, Settings(epochs=1, **settings))
    return call


def fit_api(X, y, spec: str = "xor"):
    """``Trainer(spec).fit(X, y)``."""
    def call(folder: Path):
        from codegen.training.estimator import Trainer
        return Trainer(spec, epochs=1).fit(X, y)
    return call


def load_api(source: str, files: dict[str, bytes]):
    """:func:`codegen.training.data.load` of ``source`` (``{dir}`` is the case's folder) for xor."""
    def call(folder: Path):
        import codegen
        from codegen.training.data import load
        for name, content in files.items():
            (folder / name).write_bytes(content)
        return load(source.replace("{dir}", str(folder)), codegen.build("xor"))
    return call


def option_case(id: str, *option: str, words: tuple[str, ...] = ()) -> Case:
    """A bad option value of `chainrule train` on good data."""
    return Case(f"data-option-{id}", train("xor", *option), words=words)


CASES = [
    # ---- CSV: encodings, binary, special files, sizes
    csv_case("latin1", "x1,x2,y\n0,0,0\n0,1,caf\xe9\n".encode("latin-1"), ":3:", "UTF-8"),
    csv_case("utf16", GOOD_CSV.encode("utf-16"), "UTF-16"),
    csv_case("utf16-no-bom", GOOD_CSV.encode("utf-16-le"), "binary"),
    csv_case("binary", bytes(range(256)) * 8, "binary"),
    csv_case("long-field", "x1,x2,y\n0,0," + "1" * 200_000 + "\n", ":2:", "131072"),
    csv_case("empty", "", "empty"),
    csv_case("header-only", "x1,x2,y\n", "no data rows"),
    csv_case("no-column", "x1,x2,z\n0,0,0\n", ":1:", "no column 'y'"),
    csv_case("duplicate-header", "x1,x2,x1,y\n0,0,1,0\n", ":1:", "'x1'", "twice"),
    csv_case("empty-cell", "x1,x2,y\n0,0,0\n0,,1\n", ":3:", "'x2'", "empty"),
    csv_case("blank-column", "x1,x2,y\n,0,0\n,1,1\n", ":2:", "'x1'", "empty"),
    csv_case("not-a-number", "x1,x2,y\n0,0,0\n0,0x1A,1\n", ":3:", "'x2'", "0x1A"),
    csv_case("huge-bad-cell", "x1,x2,y\n0," + "z" * 100_000 + ",1\n", ":2:", "'x2'"),
    csv_case("short-row", "x1,x2,y\n0,0,0\n0,1\n", ":3:", "2 fields", "3"),
    csv_case("long-row", "x1,x2,y\n0,0,0,7\n", ":2:", "4 fields", "3"),
    csv_case("nan", "x1,x2,y\n0,0,0\nnan,1,1\n", ":3:", "'x1'", "nan", "finite"),
    csv_case("inf", "x1,x2,y\n0,0,0\n0,1,-inf\n", ":3:", "'y'", "finite"),
    csv_case("overflow", "x1,x2,y\n0,1e999,0\n", ":2:", "'x2'", "finite"),
    csv_case("quote", 'x1,x2,y\n0,"0\n', "d.csv"),
    csv_case("million-fields", "x1,x2,y\n0,0,0\n" + "," * 3_000_000 + "\n", ":3:",
             "3,000,001 characters", "limit"),
    csv_case("one-row-all-held-out", "x1,x2,y\n0,1,1\n", "no rows to train on",
             "test fraction 0.2", "1 row"),
    Case("data-one-row-all-held-out-sweep", ["sweep", "xor", "--data", "csv:{dir}/one.csv", "--quiet",
                                             "-o", "{dir}/out", "--grid", "lr=0.1"],
         files={"one.csv": "x1,x2,y\n0,1,1\n"}, words=("one.csv", "no rows to train on")),
    Case("data-csv-missing", train("csv:{dir}/none.csv"), words=("none.csv", "no such data file")),
    Case("data-csv-folder", train("csv:{dir}/sub"), {"sub/keep.txt": "x"},
         words=("sub", "not a regular file")),
    Case("data-csv-dev-zero", train("csv:/dev/zero"), words=("/dev/zero", "not a regular file"),
         isolated=True, timeout=30),
    Case("data-csv-fifo", train("csv:{dir}/pipe.csv"), {"pipe.csv": fifo},
         words=("pipe.csv", "not a regular file"), isolated=True, timeout=30),
    Case("data-csv-too-big", train("csv:{dir}/big.csv"), {"big.csv": sparse_file(2 ** 33)},
         words=("big.csv", "limit", "CHAINRULE_MAX_DATA_MB"), isolated=True, timeout=30),
    # ---- NPZ: not a zip, damaged, wrong kinds of array, wrong shapes, sizes
    npz_case("empty", b"", "not an npz"),
    npz_case("not-a-zip", b"x1,x2,y\n0,0,0\n", "not an npz"),
    npz_case("npy", npz_member(np.zeros((4, 3))), "not an npz"),
    npz_case("truncated", npz_bytes(X=np.zeros((50, 2)), Y=np.zeros((50, 1)))[:400],
             "not an npz"),
    npz_case("damaged", npz_bytes(X=np.arange(100.0).reshape(50, 2), Y=np.zeros((50, 1)))
             .replace(b"\x00\x00\xf0?", b"\xff\xff\xff\xff"), "'X'", "damaged"),
    npz_case("encrypted", encrypted(npz_bytes(X=np.zeros((2, 2)), Y=np.zeros((2, 1)))),
             "'X'", "not a readable"),
    npz_case("many-members", many_members(12_000), "12,000 members", "limit"),
    npz_case("object", npz_bytes(X=np.array([[1, "a"], [None, 2]], dtype=object),
                                 Y=np.zeros((2, 1))), "'X'", "object"),
    npz_case("strings", npz_bytes(X=np.array([["a", "b"], ["c", "d"]]), Y=np.zeros((2, 1))),
             "'X'", "text"),
    npz_case("complex", npz_bytes(X=np.ones((2, 2)) * 1j, Y=np.zeros((2, 1))), "'X'", "complex"),
    npz_case("structured", npz_bytes(X=np.zeros(2, dtype=[("a", "f8"), ("b", "f8")]),
                                     Y=np.zeros((2, 1))), "'X'"),
    npz_case("more-rows-of-x", npz_bytes(X=np.zeros((4, 2)), Y=np.zeros((3, 1))),
             "4 rows", "3 rows"),
    npz_case("more-rows-of-y", npz_bytes(X=np.zeros((3, 2)), Y=np.zeros((4, 1))),
             "3 rows", "4 rows"),
    npz_case("3d", npz_bytes(X=np.zeros((4, 2, 2)), Y=np.zeros((4, 1))), "'X'", "3-D"),
    npz_case("scalar", npz_bytes(X=np.float64(1.0), Y=np.zeros((4, 1))), "'X'",
             "a single number"),
    npz_case("no-rows", npz_bytes(X=np.zeros((0, 2)), Y=np.zeros((0, 1))), "no data rows"),
    npz_case("wrong-width", npz_bytes(X=np.zeros((4, 3)), Y=np.zeros((4, 1))), "3 inputs"),
    npz_case("named-lengths", npz_bytes(x1=np.zeros(3), x2=np.zeros(4), y=np.zeros(3)),
             "'x2'", "4 rows", "3"),
    npz_case("named-2d", npz_bytes(x1=np.zeros((3, 2)), x2=np.zeros(3), y=np.zeros(3)),
             "'x1'", "one value per row"),
    npz_case("named-missing", npz_bytes(x1=np.zeros(3), y=np.zeros(3)), "no array 'x2'"),
    npz_case("nan", npz_bytes(X=np.array([[0, 0], [0, np.nan]]), Y=np.zeros((2, 1))),
             "X[1, 1]", "row 2", "x2", "nan"),
    npz_case("named-inf", npz_bytes(x1=np.zeros(3), x2=np.zeros(3), y=[0, np.inf, 0]),
             "y[1]", "row 2", "inf"),
    npz_case("declares-2e11", header_only_npz((200_000_000_000, 2)), "'X'",
             "400,000,000,000 numbers", "limit", isolated=True, timeout=30),
    npz_case("declares-more-than-it-holds", header_only_npz((1000, 2)), "'X'", "damaged"),
    npz_case("zip-bomb", zip_bomb(60_000_000), "'X'", "120,000,000 numbers", "limit",
             isolated=True, timeout=30),
    # ---- options of `chainrule train`
    option_case("seed-negative", "--seed", "-1", words=("--seed",)),
    option_case("seed-2-63", "--seed", str(2 ** 63), words=("--seed",)),
    option_case("seed-text", "--seed", "2**63", words=("--seed",)),
    option_case("samples-1e10", "--samples", "10000000000", words=("--samples", "10000000")),
    option_case("samples-float", "--samples", "1e10", words=("--samples",)),
    option_case("batch-huge", "--batch-size", str(2 ** 64), words=("--batch-size",)),
    option_case("batch-zero", "--batch-size", "0", words=("--batch-size",)),
    option_case("batch-negative", "--batch-size", "-1", words=("--batch-size",)),
    option_case("epochs-huge", "--epochs", str(10 ** 12), words=("--epochs", "1000000")),
    option_case("epochs-expression", "--epochs", "10**12", words=("--epochs",)),
    option_case("epochs-digits", "--epochs", "9" * 5000, words=("--epochs",)),
    option_case("momentum-nan", "--momentum", "nan", words=("momentum",)),
    option_case("momentum-text", "--momentum", "lots", words=("--momentum",)),
    option_case("lr-inf", "--lr", "inf", words=("learning rate",)),
    option_case("lr-zero", "--lr", "0", words=("learning rate",)),
    option_case("beta1-nan", "--beta1", "nan", words=("beta1",)),
    option_case("beta2-negative", "--beta2", "-0.5", words=("beta2",)),
    option_case("eps-inf", "--eps", "inf", words=("eps",)),
    option_case("weight-decay-nan", "--weight-decay", "nan", words=("weight decay",)),
    option_case("weight-decay-inf", "--weight-decay", "inf", words=("weight decay",)),
    option_case("test-fraction-nan", "--test-fraction", "nan", words=("--test-fraction",)),
    option_case("dtype", "--dtype", "float16", words=("--dtype",)),
    option_case("optimizer", "--optimizer", "lbfgs", words=("--optimizer",)),
    Case("data-option-derive-lr-nan", ["derive", "xor", "--lr", "nan"], words=("--lr",)),
    Case("data-option-derive-lr-zero", ["derive", "xor", "--lr", "0"], words=("--lr",)),
    Case("data-option-derive-digits-zero", ["derive", "xor", "--digits", "0"],
         words=("--digits",)),
    Case("data-option-derive-digits-huge", ["derive", "xor", "--digits", "1" + "0" * 30],
         words=("--digits",)),
    Case("data-option-unknown-source", train("mnist"), words=("unknown data source",)),
    # ---- -o: a folder means "in there, under the spec's own name"
    Case("data-output-slash-derive", ["derive", "xor", "-o", "{dir}/notes/"], exit=0,
         creates=("notes", "notes/xor.md", "notes/xor.svg")),
    Case("data-output-folder-derive", ["derive", "xor", "-o", "{dir}/sub", "--format", "latex"],
         {"sub/keep.txt": "x"}, exit=0, creates=("sub/xor.tex",)),
    Case("data-output-slash-codegen", ["codegen", "xor", "-o", "{dir}/mods/"], exit=0,
         creates=("mods", "mods/xor.py")),
    Case("data-output-file-train", train("xor"), {"run": "a file"}, words=("run", "not a folder")),
    # ---- options anywhere, and a long -o name: these work
    Case("data-option-between-positionals", ["check", "seed004_afteracademy", "--format", "json",
                                             "o1 = 0.8446"], exit=0),
    Case("data-output-long-name", ["derive", "xor", "-o", "{dir}/" + "w" * 247 + ".md"], exit=0,
         creates=("*.md", "*.svg")),
    # ---- the Python API
    ApiCase("data-api-more-rows-of-y", train_api(np.zeros((3, 2)), np.zeros((4, 1))),
            ("X has 3 rows but Y has 4",), error="DataError"),
    ApiCase("data-api-3d", train_api(np.zeros((4, 2, 2)), np.zeros((4, 1))), ("shape (4, 2, 2)",),
            error="DataError"),
    ApiCase("data-api-nan", train_api(np.array([[0.0, np.nan]]), np.zeros((1, 1))),
            ("X[0, 1] is nan",), error="DataError"),
    ApiCase("data-api-seed", train_api(np.zeros((4, 2)), np.zeros((4, 1)), seed=2 ** 63),
            ("the seed must be",)),
    ApiCase("data-api-batch", train_api(np.zeros((4, 2)), np.zeros((4, 1)), batch_size=2 ** 64),
            ("the batch size must be",)),
    ApiCase("data-api-fit-rows", fit_api(np.zeros((4, 2)), [0, 1, 0]),
            ("X has 4 rows but Y has 3",), error="DataError"),
    ApiCase("data-api-load-bom-nan", load_api("csv:{dir}/d.csv",
                                              {"d.csv": "\ufeffx1,x2,y\n0,NaN,1\n".encode()}),
            ("d.csv:2:", "'x2'", "finite"), error="DataError"),
]


def _fifo_at(path: Path) -> None:
    os.mkfifo(path)


def _link_to_dev_null(path: Path) -> None:
    path.symlink_to("/dev/null")


CASES += [
    # ---- -o must never replace a device, a pipe or the spec it reads
    Case("data-output-fifo-derive", ["derive", "xor", "-o", "{dir}/pipe.md"],
         {"pipe.md": _fifo_at}, words=("pipe.md", "not a regular file", "FIFO")),
    Case("data-output-link-to-device-derive", ["derive", "xor", "-o", "{dir}/null.md"],
         {"null.md": _link_to_dev_null}, words=("null.md", "not a regular file", "device")),
    Case("data-output-is-the-spec", ["derive", "{dir}/net.toml", "-o", "{dir}/net.toml"],
         {"net.toml": (EXAMPLES / "xor.toml").read_text()}, words=("would overwrite the input",)),
    Case("data-output-dash-is-stdout", ["derive", "xor", "-o", "-"], exit=0),
]

CASES += [
    Case("data-csv-underscore-number", train("csv:{dir}/d.csv"),
         {"d.csv": "x1,x2,y\n1_0,0,1\n0,1,1\n1,1,0\n0,0,0\n"}, words=("x1", "expected a number")),
    Case("data-csv-fullwidth-digit", train("csv:{dir}/d.csv"),
         {"d.csv": "x1,x2,y\n\uff11,0,1\n0,1,1\n1,1,0\n0,0,0\n"}, words=("x1", "expected a number")),
]


# ---- Keras's mnist.npz layout (x_train, y_train, x_test, y_test) and class labels, for a
# classifier of 4 inputs and 3 classes (the iris example: its images are 2×2)

def keras_case(id: str, content, *words: str, **options) -> Case:
    """``chainrule train iris_softmax --data npz:{dir}/mnist.npz``; the file is in the words."""
    return Case(f"data-keras-{id}", ["train", "iris_softmax", "--data", "npz:{dir}/mnist.npz",
                                     "--quiet", "-o", "{dir}/run"], {"mnist.npz": content},
                words=("mnist.npz", *words), **options)


def keras_npz(**arrays) -> bytes:
    """Keras's layout with three 2×2 uint8 images labelled 0, 1, 2, changed by ``arrays``."""
    images = np.arange(12, dtype=np.uint8).reshape(3, 2, 2)
    return npz_bytes(**({"x_train": images, "y_train": np.array([0, 1, 2], dtype=np.uint8)}
                        | arrays))


def _pickled_member(path: Path) -> None:
    """y_train.npy holding a pickle rather than a .npy array (np.load would unpickle it)."""
    import pickle
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("x_train.npy", npz_member(np.zeros((3, 2, 2), dtype=np.uint8)))
        archive.writestr("y_train.npy", pickle.dumps([0, 1, 2]))


CASES += [
    keras_case("label-too-big", keras_npz(y_train=np.array([0, 3, 1])),
               "y_train[1] (row 2) is 3", "0 to 2"),
    keras_case("label-negative", keras_npz(y_train=np.array([-1, 0, 1], dtype=np.int8)),
               "y_train[0] (row 1) is -1", "0 to 2"),
    keras_case("label-fraction", keras_npz(y_train=np.array([0, 0.5, 1])),
               "y_train[1] (row 2) is 0.5", "not a class label", "0 to 2"),
    keras_case("label-nan", keras_npz(y_train=np.array([0, np.nan, 1])),
               "y_train[1]", "row 2", "nan", "finite"),
    keras_case("label-huge", keras_npz(y_train=np.array([0, 1e300, 1])), "y_train[1]", "1e+300"),
    keras_case("label-objects", keras_npz(y_train=np.array([0, "a", None], dtype=object)),
               "'y_train'", "object"),
    keras_case("label-pickle", _pickled_member, "'y_train'", "not a readable .npy array"),
    keras_case("label-strings", keras_npz(y_train=np.array(["0", "1", "2"])), "'y_train'", "text"),
    keras_case("label-3d", keras_npz(y_train=np.zeros((3, 1, 1))), "'y_train'", "3-D"),
    keras_case("label-width", keras_npz(y_train=np.zeros((3, 5))), "5 targets", "3 targets"),
    keras_case("x-strings", keras_npz(x_train=np.array([["ab", "c"]] * 3)), "'x_train'", "text"),
    keras_case("x-complex", keras_npz(x_train=np.ones((3, 2, 2)) * 1j), "'x_train'", "complex"),
    keras_case("x-nan", keras_npz(x_train=np.where(np.eye(4)[[3, 2, 0]].reshape(3, 2, 2) == 1,
                                                   np.nan, 0.0)), "x_train[0, 1, 1]", "row 1"),
    keras_case("x-5d", keras_npz(x_train=np.zeros((3, 1, 2, 2, 1), dtype=np.uint8)),
               "'x_train'", "5-D"),
    keras_case("image-size", keras_npz(x_train=np.zeros((3, 3, 3), dtype=np.uint8)),
               "9 values per row (3×3)", "4 inputs"),
    keras_case("lengths", keras_npz(y_train=np.array([0, 1])), "x_train has 3 rows",
               "y_train has 2 rows"),
    keras_case("test-lengths", keras_npz(x_test=np.zeros((2, 2, 2)), y_test=np.array([1])),
               "x_test has 2 rows", "y_test has 1 row"),
    keras_case("test-without-labels", keras_npz(x_test=np.zeros((2, 2, 2))), "no array 'y_test'",
               "both or neither"),
    keras_case("no-images", npz_bytes(y_train=np.array([0, 1])), "no array 'x_train'"),
    keras_case("declares-more-than-it-holds", header_only_npz((1000, 4), "x_train", "y_train"),
               "'x_train'", "damaged"),
    keras_case("declares-2e11", header_only_npz((200_000_000_000, 28, 28), "x_train", "y_train"),
               "'x_train'", "limit", isolated=True, timeout=30),
    keras_case("zip-bomb", zip_bomb(60_000_000, x="x_train", y="y_train"), "'x_train'",
               "120,000,000 numbers", "limit", isolated=True, timeout=30),
    Case("data-keras-xy-label-too-big", ["train", "iris_softmax", "--data", "npz:{dir}/d.npz",
                                         "--quiet", "-o", "{dir}/run"],
         {"d.npz": npz_bytes(X=np.zeros((3, 4)), Y=np.array([0, 5, 1]))},
         words=("d.npz", "Y[1] (row 2) is 5", "0 to 2")),
    ApiCase("data-keras-api-fit-fraction", fit_api(np.zeros((3, 4)), [0, 2.5, 1], "iris_softmax"),
            ("y[1] (row 2) is 2.5", "not a class label"), error="DataError"),
    ApiCase("data-keras-api-fit-too-many-classes",
            fit_api(np.zeros((4, 4)), ["a", "b", "c", "d"], "iris_softmax"),
            ("4 classes", "3 outputs"), error="DataError"),
]
