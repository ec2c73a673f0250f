"""The strategy is asked on a thread of its own, when a slot is free.

A Bayesian ask (GP fit, acquisition optimisation) takes tens of milliseconds, more on a busy
laptop. Made on the tuning loop's thread, it would stop the loop from recording other jobs' ends
and stop requests meanwhile. :class:`Asker` makes one ask at a time on a background thread: the
loop calls :meth:`Asker.take` when a slot is free, which starts the ask and returns
:data:`PENDING`; the loop is woken when the suggestion is ready and takes it then.

Every call into the :class:`~localtune.engine.search.Search` goes through :attr:`Asker.lock`
(strategies are not thread-safe; the loop and the asking thread take turns).

Asks run with BLAS limited to one thread (threadpoolctl, while the ask runs): training jobs run
beside them on the same cores, and a multi-threaded BLAS on a busy machine made asks many times
slower. The limit is process-wide for its duration, so other numpy work of a process that hosts
the engine is single-threaded during an ask too.

Choice (UNKNOWN, SageMaker does not say when it asks): an ask starts when a slot is free — after
the loop has told the strategy every result it recorded in that turn — not before. Each
suggestion then knows every result recorded before its slot freed, and at most
``MaxParallelTrainingJobs − 1`` trials are pending when it is made. The rule before asked one
suggestion ahead while every slot was busy: a freed slot was refilled at once, but with a
suggestion made without the result of the job whose slot it took — ``MaxParallelTrainingJobs +
1`` trials in flight, in effect. On the seed example (``benchmarks.seed_e2e``, 2 cores, 20
repeats each, one session) asking when a slot frees left it idle 28.8 ms per refill instead of
7.9 (the ≤ 50 ms target holds) at the same median wall time (1.45 vs 1.43 s: the cores were busy
with the other jobs anyway), and the median best AUC of RandomSeed 123 was 0.98584 against
0.98511 (Mann-Whitney p = 0.15); without the engine, over seeds 0–39 (``benchmarks.seed_seeds``,
3 against 4 in flight) the mean best AUC was 0.98625 against 0.98581 (p = 0.077), with fewer
wasted trainings. Training jobs of real workloads take minutes, so an ask's few tens of
milliseconds of idle slot cost nothing there, and staleness is what remains.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor

from threadpoolctl import ThreadpoolController

from localtune.engine.search import Search, Suggestion

__all__ = ["PENDING", "Asker", "Pending"]


class Pending:
    """Returned by :meth:`Asker.take` while the next suggestion is still being computed."""


PENDING = Pending()


class Asker:
    """The strategy's asks, one at a time on a thread of its own (see the module docstring)."""

    def __init__(self, search: Search, wake: Callable[[], None]) -> None:
        self.search = search
        self.lock = threading.RLock()
        self._wake = wake
        self._future: Future[Suggestion | None] | None = None
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="localtune-ask")
        self._exhausted = False
        self._blas = ThreadpoolController()

    def _ask(self) -> Suggestion | None:
        with self.lock, self._blas.limit(limits=1, user_api="blas"):
            return self.search.ask()

    def take(self) -> Suggestion | Pending | None:
        """For a free slot: the suggestion if one is ready, else :data:`PENDING` (an ask is
        started if none is running; the loop is woken when it is ready), or None when the
        strategy has nothing left."""
        if self._exhausted:
            return None
        if self._future is None:
            self._future = self._pool.submit(self._ask)
            self._future.add_done_callback(lambda _: self._wake())
        if not self._future.done():
            return PENDING
        suggestion = self._future.result()
        self._future = None
        self._exhausted = suggestion is None  # later asks of an exhausted search are None too
        return suggestion

    def outstanding(self) -> bool:
        """Whether an ask is in progress or its suggestion is waiting to be taken."""
        return self._future is not None

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    # -- the loop's other calls, serialised with the asks -----------------------------------------
    def tell(self, suggestion: Suggestion, value: float | None) -> None:
        with self.lock:
            self.search.tell(suggestion, value)

    def observe(self, definition_index: int, tuned: Mapping[str, str], value: float | None) -> None:
        with self.lock:
            self.search.observe(definition_index, tuned, value)

    def mark_launched(self, definition_index: int, tuned: Mapping[str, str]) -> None:
        with self.lock:
            self.search.mark_launched(definition_index, tuned)
