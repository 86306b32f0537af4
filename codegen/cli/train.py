"""Train a network with its generated Numba trainer and report held-out metrics.

Derives and generates the module (or reuses an up-to-date one in generated/), compiles it
(Numba's cache makes the second start warm), trains with a progress bar, and writes the run
directory: metrics.json, params.npz, history.csv and learning_curve.png.

Examples:
  chainrule train examples/seed004_afteracademy.toml --data synthetic
  chainrule train iris_softmax --data iris --epochs 300
  chainrule train xor --data xor --optimizer adam --lr 0.05 --epochs 500 --batch-size 4
  chainrule train my_net.toml --data csv:rows.csv -o runs/first
  chainrule train seed003_keras_mnist --data npz:mnist.npz --epochs 10   # Keras's mnist.npz

Data sources: csv:PATH and npz:PATH (columns or arrays named after the spec's inputs and
targets, arrays X and Y, or Keras's x_train, y_train, x_test, y_test), xor, iris and digits
(scikit-learn's bundled sets, inputs standardised), synthetic (a fixed-seed teacher network
of the spec's own shape). Epochs, batch size and optimizer default to the spec's [training]
settings. A classifier takes class labels as well as one-hot rows. Ctrl-C stops after the
epoch under way and keeps what was trained so far (exit status 130). history.csv holds, per
epoch (every k-th of a run over 1,000 epochs), the training cost (and accuracy) after the
epoch and the same on the held-out rows.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from derive.cli.options import bounded
from derive.errors import printable
from derive.vocabulary import OPTIMIZERS

#: How a run trains when neither its options nor its spec's [training] table say.
DEFAULTS = {"epochs": 200, "batch_size": 16, "optimizer": "sgd"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of `chainrule train`."""
    from codegen.training.data import MAX_SAMPLES
    from codegen.training.loop import MAX_BATCH_SIZE, MAX_EPOCHS, MAX_SEED
    parser.add_argument("spec", metavar="SPEC", help="a spec file (.toml) or a built-in example")
    parser.add_argument("--data", required=True, metavar="SOURCE",
                        help="csv:PATH, npz:PATH, xor, iris, digits or synthetic")
    parser.add_argument("--epochs", type=whole(1, MAX_EPOCHS),
                        help=f"epochs, 1 to {MAX_EPOCHS:,} (default: the spec's "
                             f"training.epochs, else {DEFAULTS['epochs']})")
    parser.add_argument("--batch-size", type=whole(1, MAX_BATCH_SIZE), metavar="B",
                        help="rows per mini-batch; 1 is per-sample SGD (default: the spec's "
                             f"training.batch_size, else {DEFAULTS['batch_size']})")
    parser.add_argument("--optimizer", choices=OPTIMIZERS,
                        help="update rule (default: the spec's training.optimizer, else "
                             f"{DEFAULTS['optimizer']})")
    parser.add_argument("--lr", type=float, metavar="ETA",
                        help="learning rate (default: the spec's)")
    parser.add_argument("--momentum", type=float, default=0.9,
                        help="momentum / Nesterov coefficient, in [0, 1) (default: 0.9)")
    parser.add_argument("--beta1", type=float, default=0.9,
                        help="Adam β1, in [0, 1) (default: 0.9)")
    parser.add_argument("--beta2", type=float, default=0.999,
                        help="Adam β2, RMSprop's smoothing constant, in [0, 1) (default: 0.999)")
    parser.add_argument("--eps", type=float, default=1e-8, help="Adam/RMSprop ε (default: 1e-8)")
    parser.add_argument("--weight-decay", type=float, default=0.0, metavar="L2",
                        help="L2 weight decay added to the gradient (default: 0)")
    parser.add_argument("--seed", type=whole(0, MAX_SEED), default=0,
                        help=f"seed of shuffling and splits, 0 to {MAX_SEED} (default: 0)")
    parser.add_argument("--test-fraction", default=0.2, metavar="F",
                        type=bounded(float, 0, 1, high_open=True, what="a fraction in [0, 1)"),
                        help="rows held out for testing (default: 0.2); data with a test "
                             "split of its own (x_test, y_test) is held out instead")
    parser.add_argument("--samples", default=2000, type=whole(2, MAX_SAMPLES),
                        help=f"rows of synthetic data, 2 to {MAX_SAMPLES:,} (default: 2000)")
    parser.add_argument("--dtype", choices=("float64", "float32"), default="float64")
    parser.add_argument("-o", "--output", metavar="RUN_DIR",
                        help="run directory (default: runs/<spec>-<date>-<time>)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    """Build, train, evaluate, write the run directory, print a summary.

    Whatever was trained is saved, whatever happens after: Ctrl-C during the training ends
    it after the epoch under way, and Ctrl-C while the run's files are written is held back
    until they are (the exit status is then 130).
    """
    from codegen.training.data import load, prepare
    from codegen.modules import load_spec, module_name
    from codegen.training.runs import new_run_dir, write_run
    from codegen.training.loop import train
    from codegen.training.progress import Progress
    from derive.interrupts import Interrupts
    from derive.files import make_folder

    started = time.perf_counter()
    settings = option_settings(args)
    settings.check()  # before any work: a bad value costs no derivation and no compile
    network = load_spec(args.spec)
    settings = spec_settings(settings, network, args)
    module = _build(network, args.dtype, quiet=args.quiet)
    data = load(args.data, module, samples=args.samples, seed=args.seed)
    train_set, test_set = prepare(*data.split(args.test_fraction, args.seed))
    train_set, test_set = train_set.astype(module.DTYPE), test_set.astype(module.DTYPE)
    same_rows = data.reuse_for_test or (args.test_fraction == 0 and data.test is None)
    run_dir = Path(args.output) if args.output else new_run_dir(module_name(network, args.dtype))
    fresh = not run_dir.exists()
    make_folder(run_dir)  # an unwritable run directory fails now, not after the training
    progress = Progress(settings.epochs, quiet=args.quiet,
                        batches=-(-len(train_set) // settings.batch_size))
    # Held from here to the end: train() lets Ctrl-C through until its first epoch (nothing
    # is trained yet) and holds it during the epochs itself; after them it waits, so that
    # what was trained is saved.
    with Interrupts(hold=True) as late:
        try:
            result = train(module, train_set.X, train_set.Y, settings, on_epoch=progress,
                           test=None if same_rows else (test_set.X, test_set.Y))
        except BaseException:
            if fresh and run_dir.is_dir() and not any(run_dir.iterdir()):
                run_dir.rmdir()  # a failed run leaves nothing behind
            raise
        finally:
            progress.close()
        metrics = _metrics(args, network, module, settings, result, train_set, test_set,
                           same_rows, test_split=data.test is not None)
        metrics["seconds_total"] = time.perf_counter() - started
        written = write_run(run_dir, module, result, metrics, warn=_warn)
    _summary(metrics, result, run_dir, written, late.seen)
    return 130 if result.interrupted or late.seen else 0


def _given(args: argparse.Namespace) -> dict:
    """The epochs, batch size and optimizer the options give."""
    return {key: getattr(args, key) for key in DEFAULTS if getattr(args, key) is not None}


def option_settings(args: argparse.Namespace):
    """The training Settings of the options (:data:`DEFAULTS` where they give no epochs,
    batch size or optimizer); ``train`` and ``sweep`` share them."""
    from codegen.training.loop import Settings
    return Settings(**(DEFAULTS | _given(args)), lr=args.lr, momentum=args.momentum,
                    beta1=args.beta1, beta2=args.beta2, eps=args.eps,
                    weight_decay=args.weight_decay, seed=args.seed)


def spec_settings(settings, network, args: argparse.Namespace):
    """``settings`` with the spec's epochs, batch size and optimizer where the options gave
    none (the spec's were checked when it was read)."""
    from dataclasses import replace
    given = _given(args)
    from_spec = {key: getattr(network, key) for key in DEFAULTS
                 if key not in given and getattr(network, key) is not None}
    return replace(settings, **from_spec)


def whole(low: int, high: int):
    """An argparse type: a whole number from ``low`` to ``high``."""
    return bounded(int, low, high, what=f"a whole number of at least {low} and at most {high}")


def _metrics(args, network, module, settings, result, train_set, test_set,
             same_rows: bool, test_split: bool) -> dict:
    """metrics.json: the run's settings, costs, accuracies and speed."""
    from codegen.training.loop import accuracy
    params = result.params
    metrics = {
        "spec": network.name, "data": args.data, "train_rows": len(train_set),
        "test_rows": len(test_set), "same_rows_for_test": same_rows,
        "test_split": test_split,
        "epochs": result.epochs, "interrupted": result.interrupted,
        "optimizer": settings.optimizer, "batch_size": settings.batch_size,
        "hyper": dict(zip(module.HYPER_NAMES, map(float, settings.hyper(module)))),
        "seed": settings.seed, "dtype": args.dtype,
        "train_cost": float(module.cost(params, train_set.X, train_set.Y)),
        "test_cost": float(module.cost(params, test_set.X, test_set.Y)),
        "seconds_training": result.seconds,
        "samples_per_second": result.samples / result.seconds if result.seconds else None,
        "seconds_total": None,
    }
    if module.IS_CLASSIFIER:
        metrics["train_accuracy"] = accuracy(module, params, train_set.X, train_set.Y)
        metrics["test_accuracy"] = accuracy(module, params, test_set.X, test_set.Y)
    return metrics


def _warn(text: str) -> None:
    print(f"chainrule train: {text}", file=sys.stderr)


def _build(network, dtype: str, quiet: bool):
    """The generated module, compiled, saying what takes time on a first run (generating,
    compiling); a module that does not compile is refused (and not kept)."""
    from codegen.modules import build, compile_module, is_current, module_path
    path = module_path(network, dtype)
    say = (lambda text: None) if quiet else (lambda text: print(text, file=sys.stderr))
    if not is_current(path, network, dtype):
        say(f"chainrule train: deriving {printable(network.name)} and generating "
            f"{printable(path)} ...")
    cache = path.parent / "__pycache__"
    if not any(cache.glob(f"{path.stem}.train_epoch-*.nbi")):
        say("chainrule train: compiling the trainer with Numba (cached for the next run) ...")
    module = build(network, dtype=dtype)
    from derive.interrupts import Interrupts
    # Ctrl-C waits for the compile: raised inside LLVM's callbacks it is printed as an ignored
    # exception (and can leave Numba's library half-built), so it is taken after the compile
    with Interrupts(hold=True) as held:
        compile_module(module)
    if held.seen:
        raise KeyboardInterrupt
    return module


def _summary(metrics: dict, result, run_dir: Path, written: list[Path],
             late_interrupt: bool) -> None:
    if result.interrupted:
        epochs = f"{result.epochs} epoch" + ("" if result.epochs == 1 else "s")
        print(f"chainrule train: interrupted after {epochs}; kept what was trained so far",
              file=sys.stderr)
    elif late_interrupt:
        print("chainrule train: interrupted after the last epoch; the run was saved whole",
              file=sys.stderr)
    if result.rose:
        print(f"chainrule train: the cost rose from {result.history[0]:.6g} (epoch 1) to "
              f"{result.history[-1]:.6g}; try a smaller learning rate than "
              f"{metrics['hyper']['lr']:g} (--lr)", file=sys.stderr)
    test = ("train rows" if metrics["same_rows_for_test"]
            else "held-out rows" + (": the data's test split" if metrics["test_split"] else ""))
    lines = [f"{printable(metrics['spec'])}: {result.epochs} epochs, {metrics['optimizer']}, "
             f"batch {metrics['batch_size']}, {metrics['seconds_training']:.2f} s",
             f"  train cost {metrics['train_cost']:.6g}   test cost {metrics['test_cost']:.6g} "
             f"({metrics['test_rows']} {test})"]
    if "test_accuracy" in metrics:
        lines.append(f"  train accuracy {metrics['train_accuracy']:.4f}   "
                     f"test accuracy {metrics['test_accuracy']:.4f}")
    lines.append(f"  wrote {printable(run_dir)}/ ({', '.join(p.name for p in written)})")
    print("\n".join(lines))
