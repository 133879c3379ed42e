"""A large output written around the page cache (``medcalc.batch.direct_file``, issue 17):
the file holds exactly the bytes given, whatever their sizes against the chunk and the block
alignment; where the file system has no ``O_DIRECT`` or it is not wanted, the same bytes the
ordinary way; an error gives the file up without writing what was staged."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from medcalc.batch import direct_file

CHUNK = 8 << 20  # the writer's chunk (its module's CHUNK); pieces are cut around it


def _supports_direct(folder: Path) -> bool:
    """Whether the file system of ``folder`` opens files with O_DIRECT."""
    flag = getattr(os, "O_DIRECT", 0)
    if not flag:
        return False
    probe = folder / "probe"
    try:
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | flag, 0o600)
    except OSError:
        return False
    os.close(fd)
    probe.unlink()
    return True


SIZES = [
    [],
    [b""],
    [b"x"],
    [b"a" * 4095],
    [b"a" * 4096],
    [b"a" * 4097],
    [b"\xef\xbb\xbf", b"b" * (CHUNK - 3)],  # exactly one chunk
    [b"c" * (CHUNK - 1), b"d", b"e"],  # one byte past it
    [b"f" * 1000] * 9000 + [bytearray(b"g" * (3 * CHUNK + 17))],  # many, then across chunks
]


@pytest.mark.parametrize("pieces", SIZES, ids=lambda p: str(sum(len(x) for x in p)))
@pytest.mark.parametrize("wanted", [True, False])
def test_the_file_holds_exactly_the_bytes_given(
    tmp_path: Path, pieces: list[bytes], wanted: bool
) -> None:
    path = tmp_path / "out.csv"
    path.write_bytes(b"what was there before, longer than some of the outputs" * 100)
    with direct_file(path, direct=wanted) as f:
        for piece in pieces:
            assert f.write(memoryview(piece)) == len(piece)
        direct = f.direct
    assert path.read_bytes() == b"".join(pieces)
    assert direct == (wanted and _supports_direct(tmp_path))


def test_an_error_gives_the_file_up(tmp_path: Path) -> None:
    """An error while writing reaches the caller as it is; what was staged is not written."""
    path = tmp_path / "out.csv"

    def write_then_fail() -> None:
        with direct_file(path) as f:
            f.write(b"j" * 100)
            raise ValueError("stop")

    with pytest.raises(ValueError, match="stop"):
        write_then_fail()
    assert path.stat().st_size == (0 if _supports_direct(tmp_path) else 100)
