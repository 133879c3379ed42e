"""What the ``medcalc`` program sets in its own process (issue 17): one BLAS thread, and for
``batch`` and ``compare`` a C allocator that keeps the memory a block frees for the next
(``medcalc.cli.keep_freed_memory``). Each case runs in a fresh interpreter (both settings
hold for the whole process); the allocator's state is read with glibc's ``mallinfo2``."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from medcalc.cli import ALLOCATOR_SETTINGS, BLAS_THREADS

EXAMPLES = Path(__file__).parents[1] / "examples"
GLIBC = sys.platform.startswith("linux") and os.confstr("CS_GNU_LIBC_VERSION").startswith("glibc")
glibc_only = pytest.mark.skipif(not GLIBC, reason="the allocator settings are glibc's")

#: Prints whether a 16 MiB allocation was mapped on its own (glibc's ``hblks``: chunks served
#: by mmap) rather than taken from the heap: glibc's default maps anything above 128 KiB the
#: first time; with the settings, the heap serves up to 32 MiB.
MAPPED = textwrap.dedent(
    """
    import ctypes

    class MallInfo2(ctypes.Structure):
        _fields_ = [(name, ctypes.c_size_t) for name in (
            "arena", "ordblks", "smblks", "hblks", "hblkhd",
            "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")]

    libc = ctypes.CDLL(None)
    libc.mallinfo2.restype = MallInfo2
    libc.malloc.restype = ctypes.c_void_p
    libc.malloc.argtypes = (ctypes.c_size_t,)
    libc.free.argtypes = (ctypes.c_void_p,)
    before = libc.mallinfo2().hblks
    block = libc.malloc(16 << 20)
    print("mapped" if libc.mallinfo2().hblks > before else "heap")
    libc.free(block)
    """
)


#: Prints whether this process may take transparent huge pages (Linux 5.0+ says so in
#: /proc/self/status; "1" where the line is missing: the check is then vacuous).
HUGE = textwrap.dedent(
    """
    lines = open("/proc/self/status").read().splitlines()
    status = [line.split()[1] for line in lines if line.startswith("THP_enabled")]
    print("huge" if (status or ["1"])[0] == "1" else "no-huge")
    """
)


def _python(code: str, *, env: dict[str, str] | None = None) -> list[str]:
    """What ``code`` prints, run by a fresh interpreter (``env``: its whole environment)."""
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env=os.environ.copy() if env is None else env,
        timeout=120,
    )
    return done.stdout.split()


def _program(argv: list[str]) -> str:
    """Code running the program (:func:`medcalc.cli.run`) with ``argv``, which must fail (the
    program then raises SystemExit instead of ending the process at once)."""
    return textwrap.dedent(
        f"""
        import sys
        import medcalc.cli
        sys.argv = ["medcalc", *{argv!r}]
        try:
            medcalc.cli.run()
        except SystemExit as exc:
            assert exc.code not in (0, None), exc.code
        """
    )


def _embedded(argv: list[str]) -> str:
    """Code running :func:`medcalc.cli.main` (a program embedding the command line)."""
    return textwrap.dedent(
        f"""
        import medcalc.cli
        try:
            medcalc.cli.main({argv!r})
        except SystemExit as exc:
            assert exc.code not in (0, None), exc.code
        """
    )


# A batch and a comparison that fail after they began (an unknown series: the tariffs are
# loaded first), so the process is still there to be asked.
BATCH = ["batch", "claims", str(EXAMPLES / "claims.csv"), "-o", os.devnull, "--series", "x"]


def _compare(tmp_path: Path) -> list[str]:
    proposal = EXAMPLES / "proposal_threshold_3000.yaml"
    return [
        "compare",
        "claims",
        str(EXAMPLES / "claims.csv"),
        "--proposal",
        str(proposal),
        "-o",
        str(tmp_path / "out.csv"),
        "--series",
        "x",
    ]


@glibc_only
def test_settings_are_taken_and_keep_a_block_in_the_heap() -> None:
    # Within what every glibc takes (some releases refuse an mmap threshold above 32 MiB).
    values = {name: value for name, _, value in ALLOCATOR_SETTINGS}
    assert values["M_MMAP_THRESHOLD"] <= 32 << 20
    applied = _python(
        "from medcalc.cli import keep_freed_memory\nprint(keep_freed_memory())\n" + MAPPED
    )
    assert applied == ["True", "heap"]
    assert _python(MAPPED) == ["mapped"]  # glibc's default, for contrast


@glibc_only
def test_batch_and_compare_of_the_program_keep_freed_memory(tmp_path: Path) -> None:
    assert _python(_program(BATCH) + MAPPED + HUGE) == ["heap", "no-huge"]
    assert _python(_program(_compare(tmp_path)) + MAPPED + HUGE) == ["heap", "no-huge"]


@glibc_only
def test_an_embedding_program_keeps_its_allocator(tmp_path: Path) -> None:
    assert _python(_embedded(BATCH) + MAPPED + HUGE) == ["mapped", "huge"]
    assert _python(_embedded(_compare(tmp_path)) + MAPPED + HUGE) == ["mapped", "huge"]
    # the program's other commands leave it too (serve runs long: memory is given back)
    failing = _program(["tariff", "show", "no-such-series"])
    assert _python(failing + MAPPED + HUGE) == ["mapped", "huge"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux's prctl")
def test_no_huge_pages_is_said_in_the_process_status() -> None:
    said = _python("from medcalc.cli import no_huge_pages\nprint(no_huge_pages())\n" + HUGE)
    assert said == ["True", "no-huge"]


def test_keep_freed_memory_says_whether_it_applied() -> None:
    # True exactly where the C library is glibc (a fresh process: the settings stay)
    said = _python("from medcalc.cli import keep_freed_memory as k; print(k())")
    assert said == [str(GLIBC)]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="threads counted in /proc")
def test_the_program_has_one_blas_thread() -> None:
    count = "import numpy, os\nprint(len(os.listdir('/proc/self/task')))\n"
    unset = {k: v for k, v in os.environ.items() if k != BLAS_THREADS}
    failing = _program(["tariff", "show", "no-such-series"])
    assert _python(failing + count, env=unset) == ["1"]
    # The user's own setting wins.
    said = _python(
        failing + f"import os\nprint(os.environ[{BLAS_THREADS!r}])\n",
        env={**unset, BLAS_THREADS: "2"},
    )
    assert said == ["2"]
    # Without the program, numpy's OpenBLAS starts a thread per core (where it has more
    # than one core and is built with threads; else there is nothing to compare with).
    threads = int(_python(count, env=unset)[0])
    if threads == 1:
        pytest.skip("numpy starts no BLAS threads here")
    assert threads > 1
