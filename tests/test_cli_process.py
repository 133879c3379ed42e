"""What the ``medcalc`` program sets in its own process (issue 17): one BLAS thread, and for
``batch`` and ``compare`` a C allocator that keeps the memory a block frees for the next
(``medcalc.cli.keep_freed_memory``) and no transparent huge pages
(``medcalc.cli.no_huge_pages``). Each case runs in a fresh interpreter (the settings hold for
the whole process); the allocator's state is read with glibc's ``mallinfo2`` (2.33+), the
huge pages' from /proc/self/status (Linux 5.0+)."""

from __future__ import annotations

import ctypes
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from medcalc.cli import ALLOCATOR_SETTINGS, BLAS_THREADS

EXAMPLES = Path(__file__).parents[1] / "examples"


def _glibc() -> bool:
    """Whether the C library is glibc with ``mallinfo2`` (2.33 and later)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        name = os.confstr("CS_GNU_LIBC_VERSION") or ""
    except (ValueError, OSError):  # musl has no such name
        return False
    return name.startswith("glibc") and hasattr(ctypes.CDLL(None), "mallinfo2")


def _huge_pages_status() -> str | None:
    """This process's ``THP_enabled`` (Linux 5.0+), None where the kernel does not say."""
    try:
        lines = Path("/proc/self/status").read_text().splitlines()
    except OSError:
        return None
    found = [line.split()[1] for line in lines if line.startswith("THP_enabled")]
    return found[0] if found else None


glibc_only = pytest.mark.skipif(not _glibc(), reason="the allocator settings are glibc's")
# The program's processes inherit this one's setting: a check needs huge pages allowed here.
huge_pages_allowed = pytest.mark.skipif(
    _huge_pages_status() != "1", reason="huge pages not allowed, or not said, in this process"
)

#: Defines ``info()``, glibc's counts over its arenas, and ``malloc``/``free``.
MALLINFO = textwrap.dedent(
    """
    import ctypes, threading

    class MallInfo2(ctypes.Structure):
        _fields_ = [(name, ctypes.c_size_t) for name in (
            "arena", "ordblks", "smblks", "hblks", "hblkhd",
            "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")]

    libc = ctypes.CDLL(None)
    libc.mallinfo2.restype = MallInfo2
    libc.malloc.restype = ctypes.c_void_p
    libc.malloc.argtypes = (ctypes.c_size_t,)
    libc.free.argtypes = (ctypes.c_void_p,)
    info = libc.mallinfo2
    """
)

#: Prints where a 16 MiB block came from, and whether the heap kept it once freed: glibc's
#: default maps anything above 128 KiB on its own the first time (``hblks``: chunks served by
#: mmap) and gives the heap's free top back above twice its threshold; with the settings the
#: heap serves up to 32 MiB and keeps up to 1 GiB.
MAPPED = MALLINFO + textwrap.dedent(
    """
    before = info().hblks
    block = libc.malloc(16 << 20)
    print("mapped" if info().hblks > before else "heap")
    libc.free(block)
    print("kept" if info().arena >= 16 << 20 else "given-back")
    """
)

#: Prints how many arenas glibc has once another thread allocated (``malloc_info`` lists
#: each as a heap): glibc gives a new thread an arena of its own; with one arena, none.
ARENA = MALLINFO + textwrap.dedent(
    """
    held = []
    worker = threading.Thread(target=lambda: held.append(libc.malloc(1 << 20)))
    worker.start()
    worker.join()
    text, size = ctypes.c_char_p(), ctypes.c_size_t()
    libc.open_memstream.restype = ctypes.c_void_p
    pointer = ctypes.POINTER
    libc.open_memstream.argtypes = (pointer(ctypes.c_char_p), pointer(ctypes.c_size_t))
    libc.malloc_info.argtypes = (ctypes.c_int, ctypes.c_void_p)
    libc.fclose.argtypes = (ctypes.c_void_p,)
    stream = libc.open_memstream(ctypes.byref(text), ctypes.byref(size))
    libc.malloc_info(0, stream)
    libc.fclose(stream)
    print(ctypes.string_at(text, size.value).decode().count("<heap nr="), "arenas")
    libc.free(held[0])
    """
)

#: Prints whether this process may take transparent huge pages.
HUGE = textwrap.dedent(
    """
    lines = open("/proc/self/status").read().splitlines()
    status = [line.split()[1] for line in lines if line.startswith("THP_enabled")]
    print("huge" if status == ["1"] else "no-huge")
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


def _batch(tmp_path: Path) -> list[str]:
    """A batch that fails after it began: an unknown series, found once the tariffs are
    loaded (the process is still there to be asked)."""
    out = str(tmp_path / "out.csv")
    return ["batch", "claims", str(EXAMPLES / "claims.csv"), "-o", out, "--series", "x"]


def _compare(tmp_path: Path) -> list[str]:
    """A comparison that fails the same way."""
    proposal = EXAMPLES / "proposal_threshold_3000.yaml"
    claims = str(EXAMPLES / "claims.csv")
    out = str(tmp_path / "out.csv")
    return ["compare", "claims", claims, "--proposal", str(proposal), "-o", out, "--series", "x"]


#: A command of the program that is neither a batch nor a comparison, failing.
OTHER = ["tariff", "show", "no-such-series"]


@glibc_only
def test_settings_are_taken_and_keep_freed_memory() -> None:
    # Within what every glibc takes (some releases refuse an mmap threshold above 32 MiB).
    values = {name: value for name, _, value in ALLOCATOR_SETTINGS}
    assert values["M_MMAP_THRESHOLD"] <= 32 << 20
    keep = "from medcalc.cli import keep_freed_memory\nprint(keep_freed_memory())\n"
    assert _python(keep + MAPPED) == ["True", "heap", "kept"]
    assert _python(keep + ARENA) == ["True", "1", "arenas"]
    # glibc's defaults, for contrast
    assert _python(MAPPED) == ["mapped", "given-back"]
    assert _python(ARENA) == ["2", "arenas"]


@glibc_only
def test_batch_and_compare_of_the_program_keep_freed_memory(tmp_path: Path) -> None:
    assert _python(_program(_batch(tmp_path)) + MAPPED) == ["heap", "kept"]
    assert _python(_program(_compare(tmp_path)) + MAPPED) == ["heap", "kept"]


@glibc_only
def test_an_embedding_program_keeps_its_allocator(tmp_path: Path) -> None:
    assert _python(_embedded(_batch(tmp_path)) + MAPPED) == ["mapped", "given-back"]
    assert _python(_embedded(_compare(tmp_path)) + MAPPED) == ["mapped", "given-back"]
    # the program's other commands leave it too (serve runs long: memory is given back)
    assert _python(_program(OTHER) + MAPPED) == ["mapped", "given-back"]


@huge_pages_allowed
def test_batch_and_compare_of_the_program_take_no_huge_pages(tmp_path: Path) -> None:
    assert _python(_program(_batch(tmp_path)) + HUGE) == ["no-huge"]
    assert _python(_program(_compare(tmp_path)) + HUGE) == ["no-huge"]
    # embedded, and the program's other commands: as the process was
    assert _python(_embedded(_batch(tmp_path)) + HUGE) == ["huge"]
    assert _python(_program(OTHER) + HUGE) == ["huge"]
    said = _python("from medcalc.cli import no_huge_pages\nprint(no_huge_pages())\n" + HUGE)
    assert said == ["True", "no-huge"]


def test_keep_freed_memory_says_whether_it_applied() -> None:
    # True exactly where the C library is glibc (a fresh process: the settings stay)
    said = _python("from medcalc.cli import keep_freed_memory as k; print(k())")
    libc = ""
    if sys.platform.startswith("linux"):
        try:
            libc = os.confstr("CS_GNU_LIBC_VERSION") or ""
        except (ValueError, OSError):
            libc = ""
    assert said == [str(libc.startswith("glibc"))]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="threads counted in /proc")
def test_the_program_has_one_blas_thread() -> None:
    count = "import numpy, os\nprint(len(os.listdir('/proc/self/task')))\n"
    unset = {k: v for k, v in os.environ.items() if k != BLAS_THREADS}
    assert _python(_program(OTHER) + count, env=unset) == ["1"]
    # The user's own setting wins.
    said = _python(
        _program(OTHER) + f"import os\nprint(os.environ[{BLAS_THREADS!r}])\n",
        env={**unset, BLAS_THREADS: "2"},
    )
    assert said == ["2"]
    # Without the program, numpy's OpenBLAS starts a thread per core (where it has more
    # than one core and is built with threads; else there is nothing to compare with).
    threads = int(_python(count, env=unset)[0])
    if threads == 1:
        pytest.skip("numpy starts no BLAS threads here")
    assert threads > 1
