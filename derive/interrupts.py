"""Ctrl-C (SIGINT) under control: noted, then raised at once or held back until a block is done.

The command line notes every Ctrl-C so that an error raised because of one (Numba, for
instance, can turn an interrupted compile into a RuntimeError) still ends as "interrupted",
exit status 130; the trainer holds Ctrl-C back while an epoch is finished and recorded and
while a run's files are written, so that what was trained is always saved.
"""

from __future__ import annotations

import signal
import threading


class Interrupts:
    """A SIGINT handler for the duration of a ``with`` block; ``seen`` tells whether one came.

    With ``hold=True`` a Ctrl-C is only noted (the block checks ``seen`` when it suits it);
    otherwise it is noted and raised as KeyboardInterrupt, as Python does by default, and any
    other error that leaves the block after a Ctrl-C leaves it as KeyboardInterrupt. Blocks
    nest: the inner handler rules inside, and the outer one again after. Only the main thread
    receives signals: elsewhere the block runs as it would without this.
    """

    def __init__(self, hold: bool = False):
        self.hold = hold
        self.seen = False
        self._previous = None
        self._installed = False

    def __enter__(self) -> "Interrupts":
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._note)
            self._installed = True
        return self

    def _note(self, signum, frame) -> None:
        self.seen = True
        if not self.hold:
            raise KeyboardInterrupt

    def __exit__(self, kind, error, traceback) -> bool:
        if self._installed:
            # None: the handler was not set from Python; Python's own is the nearest to it
            signal.signal(signal.SIGINT, self._previous if self._previous is not None
                          else signal.default_int_handler)
        if (not self.hold and self.seen and kind is not None and issubclass(kind, Exception)):
            # an error a Ctrl-C caused (Numba turns an interrupted compile into RuntimeError,
            # code that catches KeyboardInterrupt may fail after it) is the interrupt
            raise KeyboardInterrupt from error
        return False
