"""A sweep: the runs of a grid trained on a Dask cluster, one row of metrics per run.

The client does what needs the spec and the data: it reads the spec, builds the generated
module of every hidden size the grid asks for (a layered spec rebuilt by its layered builder
at each size), loads and splits the data once, and sends the workers the modules' source
text and the rows (:class:`Plan`, :func:`plan`; the rows, one split or K folds, in
:mod:`codegen.training.sweep_rows`). A worker needs no disk in common with the
client: it writes the text it gets into its own cache folder (``$CHAINRULE_CACHE_DIR`` or
``~/.cache/chainrule`` on the worker, under ``sweep/``), named by the text's digest, so that
Numba's cache beside it is the worker's own and a module is compiled once per machine, not
once per run (:func:`worker_module`). It trains and returns a row (:func:`run_one`); a run that
fails returns a row with its error instead, and the sweep goes on. (A worker on the client's
own machine that finds the client's file with the same text uses that file.)

:func:`execute` submits the runs to a ``distributed.Client`` and collects the rows as they
finish; a Ctrl-C cancels the runs not yet finished and keeps the rows of those that are.
"""

from __future__ import annotations

import contextlib
import hashlib
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Iterator, Mapping, Sequence

from codegen.modules import (build, cache_dir, companion_digest, has_companion, install,
                             load_module, load_spec, module_path)
from codegen.origin import companion_path
from codegen.training.grid import Run, grid_runs, hidden_text
from codegen.training.loop import Settings, scorer, train
from codegen.training.sweep_rows import Rows, sweep_rows
from derive.errors import ChainruleError, printable
from derive.interrupts import Interrupts
from derive.spec.model import Network

#: How long a row's error may be (a Numba error can run to pages): one line, cut here.
MAX_ERROR_TEXT = 300
#: The folder (in the per-user cache) of the modules a sweep builds and receives.
SWEEP_FOLDER = "sweep"


@dataclass(frozen=True)
class ModuleCode:
    """A generated module's source text as the workers receive it."""

    stem: str
    text: str
    #: where the client keeps it: a worker on the same machine (a LocalCluster) that finds
    #: this very text there uses that file, and Numba's cache beside it, as the client does
    path: str = ""
    #: the bytes of its companion file (a big network's names and starting values), if any;
    #: the text holds their digest, so the text's digest stands for both
    companion: bytes | None = None

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


@dataclass
class Plan:
    """What a sweep runs: the runs, the module of each hidden size, the rows."""

    network: Network
    runs: list[Run]
    #: hidden sizes asked for (None: the spec's own) → the module's text
    codes: dict[tuple[int, ...] | None, ModuleCode]
    rows: Rows
    is_classifier: bool
    swept: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- on the client

def plan(spec: str | Path | Network, source: str, grid: Mapping[str, Sequence[Any]],
         base: Settings | None = None, *, test_fraction: float | None = None,
         samples: int = 2000, dtype: str = "float64") -> Plan:
    """Check the grid, build the modules and load the data of a sweep; no run starts yet.

    Args:
        spec: a spec file, an example's name or a Network.
        source: the data (as ``chainrule train --data``); the split is made once, with
            ``base.seed``, so that every run is judged on the same held-out rows.
        grid: setting → values (see :func:`codegen.training.grid.grid_runs`); ``folds=K``
            deals the rows into K folds with ``base.seed`` instead of a split.
        base: the settings the grid leaves alone.
        test_fraction, samples, dtype: as ``chainrule train``'s options (test_fraction 0.2
            where not given; not with folds).

    Raises:
        ChainruleError: a bad grid (``hidden`` for a free-form spec among them), spec or data;
            folds with a held-out split given too (a test fraction, the data's own test rows),
            or more folds than rows.
    """
    from codegen.training.data import load
    base = base or Settings()
    base.check()
    runs = grid_runs(grid, base)
    folds = max((run.fold for run in runs if run.fold is not None), default=None)
    if folds is not None and test_fraction is not None:
        raise ChainruleError(f"folds={folds} holds out each fold in turn, and a test fraction "
                             f"({test_fraction:g}) holds out rows too",
                             hint="leave out --test-fraction, or folds from the grid")
    network = load_spec(spec)
    hiddens = list(dict.fromkeys(run.hidden for run in runs))
    networks = {hidden: resized(network, hidden) for hidden in hiddens}
    module = build(network, dtype=dtype)
    # every run's learning rate is a number in its row: the spec's where the grid gives none
    lr = float(module.DEFAULT_HYPER[0])
    runs = [run if run.settings.lr is not None else
            Run(run.number, run.swept, _with_lr(run.settings, lr)) for run in runs]
    data = load(source, module, samples=samples, seed=base.seed)
    rows = sweep_rows(data, base.seed, module.DTYPE, source, test_fraction=test_fraction,
                      folds=folds)
    codes = {hidden: _code(network if hidden is None else variant, dtype, module)
             for hidden, variant in networks.items()}
    return Plan(network, runs, codes, rows, bool(module.IS_CLASSIFIER),
                swept=list(runs[0].swept))  # seeds=N is swept as seed, folds=K as fold


def _with_lr(settings: Settings, lr: float) -> Settings:
    from dataclasses import replace
    return replace(settings, lr=lr)


def resized(network: Network, hidden: tuple[int, ...] | None) -> Network:
    """``network`` with hidden layers of sizes ``hidden`` (one size: every hidden layer),
    rebuilt by the layered builder from the spec's own tables (its given weights and biases
    fit only its own sizes, so the new ones are drawn with its ``init_seed``).

    Raises:
        ChainruleError: a free-form spec, a spec without hidden layers, a count of sizes that
            is not the spec's count of hidden layers, or a network past the layered limits.
    """
    if hidden is None:
        return network
    if network.layers is None:
        raise ChainruleError("the grid's hidden needs a layered spec ([layers] sizes), and "
                             f"{printable(network.name)} is free-form",
                             hint="sweep hidden sizes of a layered spec; a free-form spec's "
                                  "shape is its equations")
    sizes = list(network.layers.sizes)
    count = len(sizes) - 2
    if count == 0:
        raise ChainruleError(f"the grid's hidden: {printable(network.name)} has no hidden layer "
                             f"(sizes {sizes})", hint="leave hidden out of the grid")
    if len(hidden) not in (1, count):
        raise ChainruleError(f"the grid's hidden {hidden_text(hidden)} gives {len(hidden)} sizes "
                             f"for {count} hidden layers",
                             hint="one size for every hidden layer, or one per hidden layer")
    new = [sizes[0], *(hidden * count if len(hidden) == 1 else hidden), sizes[-1]]
    if network.text is None:
        layers = network.layers
        return Network.layered(new, list(layers.activations), bias=list(layers.biases),
                               loss=layers.loss, notation=layers.notation, name=network.name,
                               title=network.title, learning_rate=network.learning_rate,
                               freeze=network.freeze)
    from derive.spec import typed
    from derive.spec.source import Source
    file = network.source.file or "<spec>"
    data = typed.parse_toml(network.text, file)
    data["layers"]["sizes"] = new
    for key in ("weights", "biases"):
        data.get("values", {}).pop(key, None)
    try:
        variant = Network.from_mapping(data, Source.of_toml(file, network.text))
    except ChainruleError as err:  # past the layered limits at this size
        raise ChainruleError(f"the grid's hidden {hidden_text(hidden)}: {err}") from None
    variant.text = network.text
    return variant


def _code(network: Network, dtype: str, base_module: ModuleType) -> ModuleCode:
    """The module text of one hidden size: the base module's own file, or a variant's, built
    (once, then reused while it is current) in the sweep folder of the per-user cache."""
    if network.layers is None or base_module.SPEC_HASH == _hash(network, dtype):
        path = Path(base_module.__file__)
    else:
        sizes = network.layers.sizes[1:-1]
        tag = hidden_text(sizes)
        if len(tag) > 40:  # a hundred layers of 1,000: name it by a digest instead
            tag = hashlib.sha256(tag.encode()).hexdigest()[:12]
        path = cache_dir() / SWEEP_FOLDER / f"{module_path(network, dtype).stem}_h{tag}.py"
        path = Path(build(network, dtype=dtype, out=path).__file__)
    text = path.read_text(encoding="utf-8")
    companion = companion_path(path).read_bytes() if companion_digest(text) else None
    return ModuleCode(path.stem, text, str(path), companion)


def _hash(network: Network, dtype: str) -> str:
    from codegen.origin import spec_hash
    return spec_hash(network, dtype)


# --------------------------------------------------------------------------- on a worker

#: the modules this worker process has loaded, by the digest of their text
_LOADED: dict[str, ModuleType] = {}


def worker_module(code: ModuleCode) -> ModuleType:
    """The module of ``code``, loaded and compiled in this process (once): its text is kept
    in this machine's cache folder under its digest, so Numba's cache of it is this
    machine's own and warm for the next run and the next sweep."""
    from codegen.modules import compile_module
    digest = code.digest
    if digest in _LOADED:
        return _LOADED[digest]
    path = Path(code.path) if code.path and _holds(Path(code.path), code.text) else \
        cache_dir() / SWEEP_FOLDER / "received" / f"{code.stem[:80]}_{digest[:16]}.py"
    if not _holds(path, code.text):
        install(code.text, code.companion, path=path)
    module = load_module(path)
    compile_module(module)
    _LOADED[digest] = module
    return module


def _holds(path: Path, text: str) -> bool:
    """Whether the file at ``path`` holds ``text``, with its companion file when it has one
    (False when there is no such file)."""
    try:
        return path.is_file() and path.read_text(encoding="utf-8") == text \
            and has_companion(text, path)
    except (OSError, UnicodeDecodeError):
        return False


def run_one(run: Run, code: ModuleCode, rows: Rows) -> dict[str, Any]:
    """Train one run (on a worker) and return its row: settings, metrics, seconds; a run
    that fails returns its row with ``error`` (one line) instead of metrics."""
    started = time.perf_counter()
    row = settings_row(run)
    try:
        module = worker_module(code)
        X, Y, test_X, test_Y = rows.split(run.fold)
        result = train(module, X, Y, run.settings, test=None if rows.same_rows else (test_X, test_Y))
        measured = scorer(module, (X, Y), (test_X, test_Y))(result.params)
        row.update(train_cost=measured.train_cost, test_cost=measured.test_cost,
                   epochs_trained=result.epochs, seconds_training=result.seconds)
        if module.IS_CLASSIFIER:
            row.update(train_accuracy=measured.train_accuracy,
                       test_accuracy=measured.test_accuracy)
    except Exception as err:  # any failure is this run's row, not the end of the sweep
        row["error"] = error_text(err)
    row["seconds"] = time.perf_counter() - started
    return row


def settings_row(run: Run) -> dict[str, Any]:
    """The start of a run's row: its number and every setting it trains with."""
    s = run.settings
    row: dict[str, Any] = {"run": run.number}
    if run.hidden is not None:
        row["hidden"] = hidden_text(run.hidden)
    if run.fold is not None:
        row["fold"] = run.fold
    row.update(optimizer=s.optimizer, lr=s.lr, batch_size=s.batch_size, epochs=s.epochs,
               momentum=s.momentum, beta1=s.beta1, beta2=s.beta2, eps=s.eps,
               weight_decay=s.weight_decay, seed=s.seed, error="")
    return row


def error_text(err: BaseException) -> str:
    """An error as a row holds it: one printable line, at most :data:`MAX_ERROR_TEXT` long."""
    text = str(err) if isinstance(err, ChainruleError) else \
        f"{type(err).__name__}: {(str(err).strip().splitlines() or [''])[0]}"
    text = printable(" ".join(text.split()))
    return text if len(text) <= MAX_ERROR_TEXT else text[:MAX_ERROR_TEXT - 1] + "…"


# --------------------------------------------------------------------------- the client's loop

@dataclass
class Outcome:
    """What a sweep left: the rows of the runs that finished (in run order), how it ended."""

    rows: list[dict[str, Any]]
    interrupted: bool
    seconds: float


def execute(sweep: Plan, client, on_row: Callable[[dict], None] | None = None,
            poll: float = 0.05) -> Outcome:
    """Run the sweep's runs on ``client``'s cluster and collect their rows as they finish.

    Ctrl-C (in the main thread) cancels the runs not yet finished; the rows of those that
    are finished are kept (:attr:`Outcome.interrupted` says so). A run whose worker fails
    (dies, cannot unpickle the run) is a row with that error.

    Args:
        sweep: the :func:`plan`.
        client: a ``distributed.Client``.
        on_row: called with each row as it arrives (a progress bar).
        poll: how often (seconds) the loop looks for a Ctrl-C while runs are under way.
    """
    from distributed import as_completed
    started = time.perf_counter()
    rows: dict[int, dict] = {}
    with Interrupts(hold=True) as interrupts:
        data = client.scatter(sweep.rows, broadcast=True)
        codes = {hidden: client.scatter(code, broadcast=True)
                 for hidden, code in sweep.codes.items()}
        futures = {client.submit(run_one, run, codes[run.hidden], data, pure=False): run
                   for run in sweep.runs}
        finished = as_completed(futures, loop=client.loop)
        while len(rows) < len(futures) and not interrupts.seen:
            if not finished.has_ready():
                time.sleep(poll)
                continue
            for future in finished.next_batch(block=False):
                run = futures[future]
                try:
                    row = future.result()
                except Exception as err:  # the worker, not the run: still one row
                    row = settings_row(run) | {"error": error_text(err), "seconds": None}
                rows[run.number] = row
                if on_row:
                    on_row(row)
        if interrupts.seen:
            client.cancel([f for f, run in futures.items() if run.number not in rows])
    return Outcome([rows[n] for n in sorted(rows)], interrupts.seen,
                   time.perf_counter() - started)


@contextlib.contextmanager
def local_client(workers: int) -> Iterator[Any]:
    """A ``distributed.Client`` of an in-process LocalCluster of ``workers`` processes with
    one thread each (a training holds its core: threads of one process would contend for it,
    processes keep the runs apart).

    The worker processes are started ignoring SIGINT (an ignored signal stays ignored in a
    child, across exec, and Python then installs no handler of its own), so that a
    terminal's Ctrl-C, which goes to every process of the group, reaches only the client,
    which cancels the runs, and not the workers, which would die mid-run with a traceback.
    While the workers start (a few seconds) the client ignores it too: a Ctrl-C then is lost,
    and the next one stops the sweep.
    """
    import logging

    from distributed import Client, LocalCluster
    in_main = _main_thread()
    previous = signal.getsignal(signal.SIGINT)
    if in_main:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address=None, silence_logs=logging.CRITICAL)
    finally:
        if in_main:  # None: a handler not set from Python; Python's own is the nearest
            signal.signal(signal.SIGINT, previous if previous is not None
                          else signal.default_int_handler)
    with cluster, Client(cluster) as client:
        yield client


def _main_thread() -> bool:
    import threading
    return threading.current_thread() is threading.main_thread()
