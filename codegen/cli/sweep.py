"""Train a grid of settings on a Dask cluster and write a row of metrics per run.

Every combination of the grid's values is one run of `chainrule train` (the same options,
the same held-out rows for every run, or with folds=K each fold held out in turn); the runs
go to an in-process LocalCluster of worker processes, or to an existing cluster's scheduler (--scheduler ADDRESS: its workers need
chainrule installed, not the spec or the data, which the client sends them). The output
folder gets sweep.csv (one row per run: its settings, the training and held-out cost, the
accuracy for classifiers, seconds, and the error of a run that failed) and sweep.png (the
metric against each swept setting); the best settings are named at the end.

Examples:
  chainrule sweep xor --data xor --grid lr=0.1,0.5 optimizer=sgd,adam hidden=2,4 seeds=3
  chainrule sweep iris_softmax --data iris --grid lr=0.01,0.1 batch_size=8,32 --epochs 100
  chainrule sweep my_net.toml --data csv:rows.csv --grid lr=0.01,0.1 --scheduler tcp://h:8786
  chainrule sweep iris_softmax --data iris --grid lr=0.1,0.5 folds=5

Grid keys: hidden (sizes of a layered spec's hidden layers: 16 for each, or 16x8 for one
per layer), lr, optimizer, batch_size, epochs, momentum, beta1, beta2, eps, weight_decay,
seed (or seeds=N: N seeds from --seed on), each with the values `chainrule train` accepts;
folds=K (K from 2 to the count of rows): K-fold cross-validation, the rows dealt into K folds
with --seed (class by class for a classifier), every combination run K times, each training
on K-1 folds and measured on the one held out (sweep.csv's fold column; the best settings
and the plot average over the folds, as over the seeds; not with --test-fraction or data that
has a test split of its own); at most MAX_RUNS (10,000) runs. Ctrl-C cancels the runs not
yet finished and writes the rows of those that are (exit status 130); exit status 1 when a
run failed.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from pathlib import Path

from derive.cli.options import POSITIVE, bounded
from derive.errors import ChainruleError, printable, shown

#: The most worker processes --workers starts.
MAX_WORKERS = 256
#: How long the client waits for a --scheduler to answer and to have a worker (seconds).
CONNECT_TIMEOUT = 10


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of `chainrule sweep`: those of `chainrule train` (the settings the grid leaves
    alone), the grid, and where the runs go."""
    from codegen.cli import train
    from codegen.training.sweep_results import METRICS
    train.add_arguments(parser)
    for action in parser._actions:  # -o names the sweep's folder, not a run's
        if action.dest == "output":
            action.metavar, action.help = "DIR", "output folder (default: " \
                "runs/<spec>-sweep-<date>-<time>)"
        if action.dest == "quiet":
            action.help = "no progress bar"
        if action.dest == "test_fraction":  # None: not given (folds=K holds out the folds)
            action.default = None
            action.help += "; not with folds=K"
    parser.add_argument("--grid", nargs="+", action="extend", required=True,
                        metavar="KEY=VALUES",
                        help="settings to sweep, e.g. lr=0.01,0.1 optimizer=sgd,adam hidden=16,32 "
                             "seeds=3 folds=5")
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help="a running Dask scheduler (tcp://host:8786); default: a local "
                             "cluster in this process")
    parser.add_argument("--workers", type=train.whole(1, MAX_WORKERS), metavar="N",
                        help="worker processes of the local cluster (default: one per CPU "
                             "core, at most one per run)")
    parser.add_argument("--metric", choices=tuple(METRICS), default="test_cost",
                        help="what names the best settings and the plot shows "
                             "(default: test_cost)")


def run(args: argparse.Namespace) -> int:
    """Check the grid, plan the runs, run them on the cluster, write the results."""
    from codegen.modules import module_name
    from codegen.training.runs import new_run_dir
    from codegen.training.sweep import plan
    from derive.files import make_folder

    from codegen.cli.train import option_settings, spec_settings
    from codegen.modules import load_spec

    base = option_settings(args)
    base.check()
    grid = parse_grid(args.grid, first_seed=args.seed)  # all of it before any work starts
    _no_conflicts(args, grid, base)
    if args.scheduler is not None and args.workers is not None:
        raise ChainruleError("--workers is for the local cluster; the cluster of --scheduler "
                             "has its own workers", hint="leave out one of them")
    if args.scheduler is not None:
        _check_address(args.scheduler)
    network = load_spec(args.spec)
    base = spec_settings(base, network, args)  # the spec's [training] where no option says
    sweep = plan(network, args.data, grid, base, test_fraction=args.test_fraction,
                 samples=args.samples, dtype=args.dtype)
    if args.metric.endswith("accuracy") and not sweep.is_classifier:
        raise ChainruleError(f"--metric {args.metric} needs a classifier spec (a cross-entropy "
                             "loss)", hint="use --metric test_cost")
    folder = Path(args.output) if args.output else new_run_dir(
        module_name(sweep.network, args.dtype) + "-sweep")
    fresh = not folder.exists()
    make_folder(folder)  # an unwritable folder fails now, not after the runs
    try:
        outcome = _execute(args, sweep)
    except BaseException:
        if fresh and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()  # a sweep that never ran leaves nothing behind
        raise
    return _finish(args, sweep, outcome, folder)


def parse_grid(items: list[str], first_seed: int = 0) -> dict[str, list]:
    """The grid of ``--grid KEY=V1,V2 ...``, every value read with the type `chainrule
    train`'s option of the same setting has; ``seeds=N`` becomes N seeds from
    ``first_seed`` on.

    Raises:
        ChainruleError: an item that is not KEY=VALUES, an unknown or repeated key, an empty
            value, a value out of range, or more runs than MAX_RUNS (counted before any
            value is read).
    """
    from codegen.training.grid import KEYS, count_runs, folds, known_hint, seeds
    texts: dict[str, list[str]] = {}
    for item in items:
        key, equals, values = item.partition("=")
        key = key.strip()
        if not equals or not key:
            raise ChainruleError(f"--grid {shown(item)}: expected KEY=VALUES, e.g. "
                                 "lr=0.01,0.1")
        if key not in KEYS and key not in ("seeds", "folds"):
            raise ChainruleError(f"--grid: unknown setting {shown(key)}", hint=known_hint(key))
        name = {"seeds": "seed", "folds": "fold"}.get(key, key)
        if name in texts:
            both = " (seed and seeds set the same setting)" if name == "seed" else ""
            raise ChainruleError(f"--grid: {name} is given twice{both}",
                                 hint="give each setting once, its values joined by commas")
        parts = values.split(",")
        if any(not part.strip() for part in parts):
            raise ChainruleError(f"--grid {shown(item)}: an empty value",
                                 hint="values are joined by commas, without empty ones")
        if key == "seeds":
            if len(parts) != 1:
                raise ChainruleError(f"--grid {shown(item)}: seeds is one count",
                                     hint="seeds=3 runs seeds 0, 1, 2 (from --seed on); "
                                          "seed=0,5 names them")
            parts = [str(s) for s in seeds(_value("seeds", parts[0]), first_seed)]
        if key == "folds":
            if len(parts) != 1:
                raise ChainruleError(f"--grid {shown(item)}: folds is one count",
                                     hint="folds=5: 5-fold cross-validation")
            parts = [str(f) for f in folds(_value("folds", parts[0]))]
        texts[name] = parts
    if not texts:
        raise ChainruleError("--grid: the grid is empty", hint="e.g. --grid lr=0.01,0.1")
    count_runs({key: len(parts) for key, parts in texts.items()})
    grid = {key: [_value(key, part) for part in parts] for key, parts in texts.items()}
    return {("folds" if key == "fold" else key): (len(values) if key == "fold" else values)
            for key, values in grid.items()}  # the grid's folds=K is a count, as in Python


def _types() -> dict:
    """Each grid key's argparse type: the bounds `chainrule train` and its Settings hold."""
    from codegen.cli.train import whole
    from derive.vocabulary import OPTIMIZERS
    from codegen.training.grid import MAX_RUNS
    from codegen.training.loop import MAX_BATCH_SIZE, MAX_EPOCHS, MAX_SEED
    from derive.spec.limits import MAX_LAYERED_PARAMETERS
    fraction = bounded(float, 0, 1, high_open=True, what="a number in [0, 1)")

    def optimizer(text: str) -> str:
        if text not in OPTIMIZERS:
            raise argparse.ArgumentTypeError(f"expected one of {', '.join(OPTIMIZERS)}, got "
                                             f"{shown(text)}")
        return text

    size = whole(1, MAX_LAYERED_PARAMETERS)

    def hidden(text: str) -> tuple[int, ...]:
        return tuple(size(part) for part in text.split("x"))

    return {"lr": POSITIVE, "eps": POSITIVE, "momentum": fraction, "beta1": fraction,
            "beta2": fraction, "weight_decay": bounded(float, 0, what="a number of at least 0"),
            "epochs": whole(1, MAX_EPOCHS), "batch_size": whole(1, MAX_BATCH_SIZE),
            "seed": whole(0, MAX_SEED), "seeds": whole(1, MAX_RUNS), "folds": _count,
            "fold": whole(1, MAX_RUNS), "optimizer": optimizer,
            "hidden": hidden}


def _count(text: str) -> int:
    """A whole number as folds=K gives it (its range is checked by grid.folds, in one
    message for the command line and Python)."""
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {shown(text)}") from None


def _value(key: str, text: str):
    try:
        return _types()[key](text.strip())
    except argparse.ArgumentTypeError as err:
        raise ChainruleError(f"--grid {key}: {err}") from None


def _no_conflicts(args: argparse.Namespace, grid: dict, base) -> None:
    """A setting swept by the grid and set by its option too is a contradiction: one error."""
    from codegen.training.loop import Settings
    defaults = Settings()
    for key in grid:
        if key not in ("hidden", "seed", "folds") and getattr(base, key) != getattr(defaults, key):
            option = "--" + key.replace("_", "-")
            raise ChainruleError(f"{option} and the grid's {key} both set {key}",
                                 hint=f"leave out {option}, or {key} from the grid")


def _execute(args: argparse.Namespace, sweep):
    """The runs on the cluster, with a progress bar over them. Ctrl-C while the cluster
    closes (which takes seconds) is held until it is closed: the rows are kept."""
    from codegen.training.sweep import execute, local_client
    from derive.interrupts import Interrupts
    progress = _Progress(len(sweep.runs), quiet=args.quiet)
    with contextlib.ExitStack() as stack:
        if args.scheduler is None:
            workers = args.workers or max(1, min(_cores(), len(sweep.runs)))
            client = stack.enter_context(local_client(workers))
        else:
            client = stack.enter_context(_remote_client(args.scheduler))
        try:
            outcome = execute(sweep, client, on_row=progress)
        finally:
            progress.close()
            with Interrupts(hold=True) as late:
                stack.close()
    outcome.interrupted = outcome.interrupted or late.seen
    return outcome


def _cores() -> int:
    """The CPU cores this process may use (its affinity, else the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _remote_client(address: str):
    """A Client of the scheduler at ``address`` that has a worker, or one clear error."""
    from distributed import Client
    try:
        client = Client(address, timeout=f"{CONNECT_TIMEOUT}s")
    except Exception as err:  # a refused or timed-out connection
        raise ChainruleError(f"cannot reach the Dask scheduler at {shown(address)}: "
                             f"{_first_line(err)}",
                             hint="give its address as tcp://HOST:PORT") from None
    try:
        client.wait_for_workers(1, timeout=CONNECT_TIMEOUT)
    except Exception:
        client.close()
        raise ChainruleError(f"the Dask scheduler at {shown(address)} has no workers "
                             f"(waited {CONNECT_TIMEOUT} s)",
                             hint="start a worker: dask worker ADDRESS") from None
    return client


def _check_address(address: str) -> None:
    """A clear error for an address that names no scheduler, before a Client is made (a
    Client that fails to start on a bad address hangs 20 s on its way out)."""
    from distributed.comm.addressing import get_address_host_port, parse_address
    from distributed.comm.registry import get_backend
    try:
        scheme, _ = parse_address(address)
        get_backend(scheme)
        if scheme in ("tcp", "tls", "ws", "wss"):
            _, port = get_address_host_port(address)
            if not 0 < int(port) < 65536:
                raise ValueError(f"port {port} is not from 1 to 65535")
    except (ValueError, TypeError) as err:
        raise ChainruleError(f"--scheduler {shown(address)} is not a Dask scheduler's address: "
                             f"{_first_line(err)}", hint="give it as tcp://HOST:PORT") from None


def _first_line(err: BaseException) -> str:
    text = str(err).strip().splitlines()
    return printable(text[0][:200]) if text else type(err).__name__


class _Progress:
    """A progress bar over the runs (tqdm, on a terminal), with the count of failed runs."""

    def __init__(self, total: int, quiet: bool):
        self.bar, self.failed = None, 0
        if not quiet and sys.stderr.isatty():
            from tqdm import tqdm
            self.bar = tqdm(total=total, unit="run", file=sys.stderr, dynamic_ncols=True)

    def __call__(self, row: dict) -> None:
        self.failed += bool(row.get("error"))
        if self.bar is not None:
            self.bar.set_postfix({"failed": self.failed}, refresh=False)
            self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _finish(args: argparse.Namespace, sweep, outcome, folder: Path) -> int:
    """Write sweep.csv and the plot (Ctrl-C waits for them), then say what the sweep found."""
    from codegen.training.grid import shown_value
    from codegen.training.sweep_results import best, write_results
    from derive.interrupts import Interrupts
    with Interrupts(hold=True) as late:
        written = write_results(folder, outcome.rows, sweep.swept, args.metric,
                                title=sweep.network.name, warn=_warn)
    rows, total = outcome.rows, len(sweep.runs)
    failed = [r for r in rows if r.get("error")]
    if outcome.interrupted:
        _warn(f"interrupted: {len(rows)} of {total} runs finished and are kept, the other "
              f"{total - len(rows)} were cancelled")
    if failed:
        _warn(f"{len(failed)} of {len(rows)} runs failed (sweep.csv holds each error); run "
              f"{failed[0]['run']}: {failed[0]['error']}")
    found = best(rows, sweep.swept, args.metric)
    lines = [f"{printable(sweep.network.name)}: {len(rows)} of {total} runs in "
             f"{outcome.seconds:.2f} s ({len(failed)} failed)"]
    if found:
        averaged = [f"{k}s" for k in ("seed", "fold") if k in sweep.swept]
        over = (f", mean over {found.runs} {averaged[0] if len(averaged) == 1 else 'runs (seeds × folds)'}"
                if found.runs > 1 else "")
        settings = " ".join(f"{k}={shown_value(k, v)}"
                            for k, v in found.settings.items()) or f"(the {' and '.join(averaged)} only)"
        lines.append(f"  best {args.metric} {found.value:.6g}{over}: {settings}")
    lines.append(f"  wrote {printable(folder)}/ ({', '.join(p.name for p in written)})")
    print("\n".join(lines))
    if outcome.interrupted or late.seen:
        return 130
    return 1 if failed else 0


def _warn(text: str) -> None:
    print(f"chainrule sweep: {text}", file=sys.stderr)
