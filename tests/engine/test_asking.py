"""Asking ahead: the strategy thinks on its own thread; the loop never waits for it."""

from __future__ import annotations

import threading

from localtune.engine.asking import PENDING, AskAhead
from localtune.engine.search import Search, Suggestion
from tests.engine.conftest import request

WAIT = 10.0


class GatedSearch(Search):
    """A real Search whose asks block until the test opens the gate (a slow strategy)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.gate = threading.Event()
        self.asking = threading.Event()
        self.asks = 0

    def ask(self) -> Suggestion | None:
        self.asking.set()
        self.gate.wait(WAIT)
        self.asks += 1
        return super().ask()


def test_a_slow_ask_leaves_the_loop_free_and_wakes_it_when_ready() -> None:
    search = GatedSearch(request("a"))
    woken = threading.Event()
    asks = AskAhead(search, woken.set, depth=1)
    assert asks.take(remaining=4) is PENDING  # started, not waited for
    assert search.asking.wait(WAIT) and asks.outstanding()
    search.gate.set()
    assert woken.wait(WAIT)
    first = asks.take(remaining=4)
    assert isinstance(first, Suggestion)
    asks.fill(remaining=3)  # the next one is asked at once, while jobs run
    assert asks.outstanding()
    second = None
    while not isinstance(second, Suggestion):
        second = asks.take(remaining=3)
    assert second.trial_id != first.trial_id
    asks.close()


def test_tells_wait_for_a_running_ask() -> None:
    search = GatedSearch(request("b"))
    search.gate.set()
    asks = AskAhead(search, lambda: None)
    first = None
    while not isinstance(first, Suggestion):
        first = asks.take(remaining=4)
    search.gate.clear()
    search.asking.clear()
    asks.fill(remaining=3)
    assert search.asking.wait(WAIT)
    told = threading.Event()

    def tell() -> None:
        asks.tell(first, 0.5)
        told.set()

    thread = threading.Thread(target=tell)
    thread.start()
    assert not told.wait(0.2)  # the strategy is busy asking: the tell is serialised after it
    search.gate.set()
    assert told.wait(WAIT)
    thread.join()
    asks.close()


def test_depth_and_budget_bound_the_asks() -> None:
    search = GatedSearch(request("c"))
    search.gate.set()
    asks = AskAhead(search, lambda: None, depth=2)
    asks.fill(remaining=1)
    asks.fill(remaining=1)
    ready = None
    while not isinstance(ready, Suggestion):
        ready = asks.take(remaining=1)
    assert not asks.outstanding() and search.asks == 1  # the budget allowed one
    asks.fill(remaining=5)
    assert asks.outstanding()
    while search.asks < 3:
        threading.Event().wait(0.01)
    assert search.asks == 3  # two ahead at most
    asks.close()


def test_an_exhausted_strategy_ends_the_asking() -> None:
    grid = request("d", strategy="Grid", continuous=False, categorical={"c": ["a", "b"]})
    search = GatedSearch(grid)
    search.gate.set()
    asks = AskAhead(search, lambda: None)
    taken = []
    while True:
        result = asks.take(remaining=10)
        if result is None:
            break
        if isinstance(result, Suggestion):
            taken.append(result.tuned["c"])
    assert sorted(taken) == ["a", "b"]
    assert not asks.outstanding()
    assert asks.take(remaining=10) is None
    asks.close()
