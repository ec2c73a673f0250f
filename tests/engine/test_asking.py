"""Asking off the loop's thread, when a slot is free: the loop never waits for the strategy, and
every suggestion knows every result told before it was asked for."""

from __future__ import annotations

import threading

from localtune.engine.asking import PENDING, Asker
from localtune.engine.search import Search, Suggestion
from tests.engine.conftest import request

WAIT = 10.0


class GatedSearch(Search):
    """A real Search whose asks block until the test opens the gate (a slow strategy), and which
    records how many results had been told when each ask started."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.gate = threading.Event()
        self.asking = threading.Event()
        self.asks = 0
        self.told = 0
        self.told_at_ask: list[int] = []

    def ask(self) -> Suggestion | None:
        self.told_at_ask.append(self.told)
        self.asking.set()
        self.gate.wait(WAIT)
        self.asks += 1
        return super().ask()

    def tell(self, suggestion: Suggestion, value: float | None) -> None:
        super().tell(suggestion, value)
        self.told += 1


def _take(asks: Asker) -> Suggestion:
    while True:
        got = asks.take()
        assert got is not None
        if isinstance(got, Suggestion):
            return got
        threading.Event().wait(0.005)


def test_a_slow_ask_leaves_the_loop_free_and_wakes_it_when_ready() -> None:
    search = GatedSearch(request("a"))
    woken = threading.Event()
    asks = Asker(search, woken.set)
    assert asks.take() is PENDING  # started, not waited for
    assert search.asking.wait(WAIT) and asks.outstanding()
    assert asks.take() is PENDING  # still the same ask: one at a time
    search.gate.set()
    assert woken.wait(WAIT)
    first = asks.take()
    assert isinstance(first, Suggestion) and search.asks == 1
    assert not asks.outstanding()
    asks.close()


def test_nothing_is_asked_before_a_slot_asks_for_it() -> None:
    """A suggestion is asked for when its slot is free, after the results recorded before: the
    second ask starts only at the second take, and sees the result told in between."""
    search = GatedSearch(request("b"))
    search.gate.set()
    asks = Asker(search, lambda: None)
    first = _take(asks)
    threading.Event().wait(0.1)
    assert search.asks == 1 and not asks.outstanding()  # no suggestion made ahead of time
    asks.mark_launched(first.definition_index, first.tuned)
    asks.tell(first, 0.5)
    second = _take(asks)
    assert second.trial_id != first.trial_id
    assert search.told_at_ask == [0, 1]
    asks.close()


def test_tells_wait_for_a_running_ask() -> None:
    search = GatedSearch(request("c"))
    search.gate.set()
    asks = Asker(search, lambda: None)
    first = _take(asks)
    search.gate.clear()
    search.asking.clear()
    assert asks.take() is PENDING
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


def test_an_exhausted_strategy_ends_the_asking() -> None:
    grid = request("d", strategy="Grid", continuous=False, categorical={"c": ["a", "b"]})
    search = GatedSearch(grid)
    search.gate.set()
    asks = Asker(search, lambda: None)
    taken = []
    while True:
        result = asks.take()
        if result is None:
            break
        if isinstance(result, Suggestion):
            taken.append(result.tuned["c"])
    assert sorted(taken) == ["a", "b"]
    assert not asks.outstanding()
    assert asks.take() is None
    asks.close()
