"""Blocks of a file worked on side by side, taken back in their order (``batch --threads``).

The columnar path reads, parses and formats a file in blocks; each block's work is numpy and
pyarrow calls that release the GIL, so blocks worked on by threads run on as many cores.
What must happen in the file's order (line numbers, the first error, codes given to distinct
texts, bytes written) stays with the caller, which takes the results in order.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

__all__ = ["in_order"]

T = TypeVar("T")
R = TypeVar("R")


def in_order(work: Callable[[T], R], items: Iterable[T], threads: int) -> Iterator[tuple[T, R]]:
    """Each item with ``work(item)``, in the items' order; with ``threads`` > 1, up to
    ``threads`` items are worked on at once, and the next items are taken from ``items``
    (in this thread) while they are. An error of ``work`` is raised when its item's turn
    comes, and an error of ``items`` itself after the items before it (the items before it
    are all yielded first, as one thread would); the items begun after it are waited for,
    their results dropped.

    At most ``threads + 1`` items are held at once (the caller bounds their size).
    """
    if threads <= 1:
        for item in items:
            yield item, work(item)
        return
    pending: deque[tuple[T, Future[R]]] = deque()
    failure: BaseException | None = None
    with ThreadPoolExecutor(threads, thread_name_prefix="medcalc-block") as pool:
        try:
            taken = iter(items)
            while True:
                try:
                    item = next(taken)
                except StopIteration:
                    break
                except Exception as exc:  # after the items before it, as one thread would
                    failure = exc
                    break
                pending.append((item, pool.submit(work, item)))
                if len(pending) > threads:
                    first, future = pending.popleft()
                    yield first, future.result()
            while pending:
                first, future = pending.popleft()
                yield first, future.result()
        finally:
            for _, future in pending:
                future.cancel()
    if failure is not None:
        raise failure
