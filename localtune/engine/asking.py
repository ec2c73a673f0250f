"""The strategy thinks while jobs run: asks are made ahead of time, on a thread of their own.

A Bayesian ask (GP fit, acquisition optimisation) takes tens of milliseconds, more on a busy
laptop. Made by the tuning loop when a slot frees, it would leave that slot idle for as long, and
the loop could not record other jobs' ends meanwhile. :class:`AskAhead` keeps up to ``depth``
suggestions ready (or being computed) on one background thread, so a freed slot is refilled at
once with a suggestion that already knows every result recorded before it was asked.

Every call into the :class:`~localtune.engine.search.Search` goes through :attr:`AskAhead.lock`
(strategies are not thread-safe; the loop and the asking thread take turns).

Asks run with BLAS limited to one thread (threadpoolctl, while the ask runs): training jobs run
beside them on the same cores, and a multi-threaded BLAS on a busy machine made asks many times
slower. The limit is process-wide for its duration, so other numpy work of a process that hosts
the engine is single-threaded during an ask too.

Choice (UNKNOWN, SageMaker does not say when it asks): ``depth`` 1 — one suggestion ahead. Each
suggestion knows every result recorded before it was asked (the strategy treats it as pending
until launched, like a running job); a deeper queue makes suggestions staler. On the seed example
(``benchmarks.seed_e2e``, 2 shared cores at load ~5) depth 1 left a freed slot idle 27-41 ms on
average, depth 2 17 ms; median best AUC 0.98577 (20 repeats) against 0.98503 (10 repeats), a
difference within noise (Mann-Whitney p = 0.43), so the less stale choice was kept. Depth 2 pays
off when asks are slow relative to jobs (63 → 31 ms idle at load 10).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor

from threadpoolctl import ThreadpoolController

from localtune.engine.search import Search, Suggestion

__all__ = ["DEPTH", "AskAhead", "Pending"]

DEPTH = 1


class Pending:
    """Returned by :meth:`AskAhead.take` while the next suggestion is still being computed."""


PENDING = Pending()


class AskAhead:
    """Suggestions asked ahead of time (see the module docstring)."""

    def __init__(self, search: Search, wake: Callable[[], None], depth: int = DEPTH) -> None:
        self.search = search
        self.lock = threading.RLock()
        self._wake = wake
        self._depth = max(1, depth)
        self._queue: deque[Future[Suggestion | None]] = deque()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="localtune-ask")
        self._exhausted = False
        self._blas = ThreadpoolController()

    # -- the asking side -----------------------------------------------------------------------
    def fill(self, remaining: int) -> None:
        """Start asks until ``min(depth, remaining)`` suggestions are ready or in progress
        (``remaining``: how many more configurations the budget allows)."""
        while not self._exhausted and len(self._queue) < min(self._depth, remaining):
            future = self._pool.submit(self._ask)
            future.add_done_callback(lambda _: self._wake())
            self._queue.append(future)

    def _ask(self) -> Suggestion | None:
        with self.lock, self._blas.limit(limits=1, user_api="blas"):
            return self.search.ask()

    def take(self, remaining: int) -> Suggestion | Pending | None:
        """The next suggestion if one is ready, :data:`PENDING` while it is being computed
        (the loop is woken when it is ready), None when the strategy has nothing left."""
        self.fill(remaining)
        if not self._queue:
            return None
        if not self._queue[0].done():
            return PENDING
        suggestion = self._queue.popleft().result()
        if suggestion is None:
            self._exhausted = True
            self._queue.clear()  # later asks of an exhausted search are None too
        return suggestion

    def outstanding(self) -> bool:
        """Whether an ask is in progress or a suggestion is waiting to be taken."""
        return bool(self._queue)

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
