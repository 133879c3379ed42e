"""What the ``medcalc`` program sets in its own process: numpy's BLAS threads, and for a large
run the C allocator's settings (glibc only) and no transparent huge pages (Linux).

**BLAS threads.** numpy's OpenBLAS starts a thread per core when numpy is imported, and each
spins about 0.1 s waiting for work. medcalc multiplies no matrices: on the 2-core machine of
docs/performance.md that spinning took 0.1 s of CPU from a 1 M-claim batch's own threads
(user time 1.13 s against 1.01 s; median of ten interleaved runs 0.96 s against 0.85 s).

**Freed memory kept.** A batch allocates and frees the same large arrays block after block
(numpy's temporaries, the input's buffers, the columns of each block), on several threads.
With glibc's default settings much of that memory goes back to the kernel when freed
(``munmap`` above the mmap threshold, which starts at 128 KiB; the heap's top trimmed above
twice that threshold; each thread's own arena, a 64 MiB mapping, shrunk as it empties), and
the next block faults it in again: the kernel zeroes every page anew. For 1 M claims on two
threads that was 63,000 page faults and 220 huge pages a run. With
:data:`ALLOCATOR_SETTINGS` the freed memory stays in the process and is reused: 35,000
faults and 160 huge pages, a fifth less system time, the median of eight interleaved runs
0.80 s against 0.90 s (on one thread 1.20 s against 1.23 s); 10 M claims: 13.5 s against
15.3 s, peak 1.81 GB against 1.74 GB (docs/performance.md).

**No transparent huge pages.** numpy asks the kernel for huge pages for every array of
4 MiB or more; each is zeroed whole (2 MiB) when first touched. A batch's arrays live for a
block, and on this virtual machine zeroing fresh pages was a fifth to a third of a run's
CPU samples (``clear_page_erms``). With huge pages off for the process (``prctl``) the
pages zeroed are only those touched: 1 M claims on two threads, median of fourteen
interleaved runs 1.12 → 1.00 s (system time 0.56 → 0.29 s), on one thread 1.47 → 1.34 s;
10 M claims the same time and peak (13.2 and 13.8 s, 1.81 and 1.80 GB: one run each).

Only the program sets them (:func:`medcalc.cli.run`; the memory's for ``batch`` and
``compare``): they hold for the rest of the process (and the huge pages' for a process it
would start: medcalc starts none), which a program embedding :func:`medcalc.cli.main` did
not ask for; ``serve`` keeps glibc's defaults (a long-lived process should give memory
back).
"""

from __future__ import annotations

import os
import sys

__all__ = [
    "ALLOCATOR_SETTINGS",
    "BLAS_THREADS",
    "keep_freed_memory",
    "no_huge_pages",
    "one_blas_thread",
]

_MIB = 1 << 20

BLAS_THREADS = "OPENBLAS_NUM_THREADS"
"""The environment variable OpenBLAS (numpy's BLAS) reads when it is loaded."""


def one_blas_thread() -> None:
    """One BLAS thread (:data:`BLAS_THREADS`), unless the environment already says how many.
    Only before numpy is imported: OpenBLAS reads it when loaded."""
    os.environ.setdefault(BLAS_THREADS, "1")


ALLOCATOR_SETTINGS: tuple[tuple[str, int, int], ...] = (
    # (name, mallopt parameter, value)
    # Allocations up to 32 MiB from the heap, not mapped and unmapped each time (some glibc
    # releases refuse more: half their 64 MiB heap size; larger arrays, of 10 M rows, are
    # still mapped and given back). Setting it also stops glibc from moving the threshold
    # (and the trim threshold) as blocks are freed.
    ("M_MMAP_THRESHOLD", -3, 32 * _MIB),
    # The heap's free top kept up to 1 GiB instead of given back (and faulted in again).
    ("M_TRIM_THRESHOLD", -1, 1024 * _MIB),
    # One arena: the worker threads' arrays come from the same heap as the main thread's
    # (each thread's own arena is a 64 MiB mapping, shrunk page range by page range).
    ("M_ARENA_MAX", -8, 1),
)
"""glibc's ``mallopt`` settings of a large run: name, parameter number (malloc.h), value."""


def keep_freed_memory() -> bool:
    """Apply :data:`ALLOCATOR_SETTINGS` to this process's C allocator; whether every one was taken.

    False, and nothing changed, where the C library is not glibc (macOS, Windows, musl).
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = os.confstr("CS_GNU_LIBC_VERSION")
    except (ValueError, OSError):  # a C library without the name (musl)
        return False
    if not libc or not libc.startswith("glibc"):
        return False
    import ctypes  # only here: about 2 ms of start-up

    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    taken = [mallopt(parameter, value) == 1 for _, parameter, value in ALLOCATOR_SETTINGS]
    return all(taken)


_PR_SET_THP_DISABLE = 41
"""prctl's option (linux/prctl.h): no transparent huge pages for this process."""


def no_huge_pages() -> bool:
    """No transparent huge pages for the rest of this process (Linux's ``prctl``); whether
    that was done (False elsewhere, or where the kernel refuses).

    numpy asks for huge pages for every array of 4 MiB or more, and a batch's arrays live for
    a block: each huge page is zeroed whole (2 MiB) when first touched, on this virtual
    machine at the cost of a third of a run's CPU samples, for few TLB misses saved.
    """
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        prctl = ctypes.CDLL(None).prctl
    except (OSError, AttributeError):
        return False
    prctl.restype = ctypes.c_int
    prctl.argtypes = (ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong)
    return bool(prctl(_PR_SET_THP_DISABLE, 1, 0, 0, 0) == 0)
