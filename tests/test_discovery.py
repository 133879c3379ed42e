"""Finding tariff files (bundled, --tariffs, MEDCALC_TARIFFS) and loading them as one book."""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

import medcalc
from medcalc.errors import TariffError, TariffFileError, TariffOverlapError
from medcalc.tariff import (
    ENV_VAR,
    MAX_BYTES,
    bundled_dir,
    load_book,
    tariff_dirs,
    tariff_files,
    validate_paths,
)

TEMPLATE = """\
format: 1
series: {series}
version: "{version}"
title: {{zh: 测试}}
region: {{code: "441802", name: {{zh: 清城区}}}}
effective: {{from: {start}, to: {end}}}
status: illustrative
"""


def write(path: Path, *, series: str = "s", version: str = "1", start: str = "2018-01-01",
          end: str = "2018-12-31") -> Path:  # fmt: skip
    path.parent.mkdir(parents=True, exist_ok=True)
    text = TEMPLATE.format(series=series, version=version, start=start, end=end)
    path.write_text(text, encoding="utf-8")
    return path


def test_bundled_dir_is_the_checkout_tariffs() -> None:
    """From a source checkout (editable install) the bundled tables are the repo's tariffs/."""
    found = bundled_dir()
    repo_tariffs = Path(medcalc.__file__).parent.parent.parent / "tariffs"
    if (Path(medcalc.__file__).parent / "_bundled_tariffs").is_dir():
        pytest.skip("running from a wheel install")
    assert found == (repo_tariffs if repo_tariffs.is_dir() else None)


def test_dirs_in_order_bundled_extra_env(tmp_path: Path) -> None:
    """Directories come bundled first, then --tariffs, then MEDCALC_TARIFFS (path list)."""
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    for d in (b, c):
        d.mkdir()
    env = {ENV_VAR: f"{b}{os.pathsep}{os.pathsep}{c}"}
    assert tariff_dirs([a], env, bundled=False) == [a, b, c]
    bundled = bundled_dir()
    assert tariff_dirs([a], env) == [*([bundled] if bundled else []), a, b, c]
    assert tariff_dirs([], {}, bundled=False) == []


def test_tariff_files_recursive_sorted(tmp_path: Path) -> None:
    """Directories are searched recursively for .yaml/.yml, sorted; hidden files are skipped;
    files and missing paths are kept as given, and a file reached twice is listed once."""
    write(tmp_path / "d" / "b.yml")
    write(tmp_path / "d" / "sub" / "a.yaml")
    write(tmp_path / "d" / "a.yaml")
    write(tmp_path / "d" / ".hidden" / "x.yaml")
    write(tmp_path / "d" / ".backup.yaml")
    (tmp_path / "d" / "notes.txt").write_text("not a tariff")
    single = write(tmp_path / "single.yaml")
    missing = tmp_path / "missing.yaml"
    found = tariff_files([tmp_path / "d", single, missing, tmp_path / "d"])
    d = tmp_path / "d"
    assert found == [d / "a.yaml", d / "b.yml", d / "sub" / "a.yaml", single, missing]


def test_load_book_from_env_and_extra(tmp_path: Path) -> None:
    """load_book reads the --tariffs directories and those of MEDCALC_TARIFFS."""
    write(tmp_path / "extra" / "one.yaml", series="one")
    write(tmp_path / "env1" / "two.yaml", series="two")
    write(tmp_path / "env2" / "three.yaml", series="three")
    env = {ENV_VAR: os.pathsep.join([str(tmp_path / "env1"), str(tmp_path / "env2")])}
    book = load_book([tmp_path / "extra"], env, bundled=False)
    assert book.series() == ("one", "three", "two")


def test_load_book_includes_bundled() -> None:
    """With no configuration, the bundled series are found."""
    if bundled_dir() is None:
        pytest.skip("no bundled tariffs")
    assert "qingyuan-qingcheng" in load_book(env={}).series()


def test_load_book_reports_every_problem_of_every_file(tmp_path: Path) -> None:
    """One TariffFileError lists the problems of all bad files, file by file."""
    write(tmp_path / "a.yaml", version="1")
    (tmp_path / "b.yaml").write_text(
        TEMPLATE.format(series="s", version="2", start="2019-01-01", end="2019-12-31")
        .replace("illustrative", "draft"),
        encoding="utf-8",
    )  # fmt: skip
    (tmp_path / "c.yaml").write_text("format: 1\nseries: s\n", encoding="utf-8")
    with pytest.raises(TariffFileError) as info:
        load_book([tmp_path], {}, bundled=False)
    paths = [Path(p.path).name for p in info.value.problems]
    assert paths[0] == "b.yaml"
    assert set(paths[1:]) == {"c.yaml"}
    assert len(paths) == 6  # b: status; c: version, title, region, effective, status


def test_overlap_names_both_files(tmp_path: Path) -> None:
    """Two versions of one series in force on a common day: the error names both files."""
    first = write(tmp_path / "2018.yaml", version="2018.1")
    second = write(tmp_path / "2018b.yaml", version="2018.2", start="2018-07-01", end="2019-06-30")
    with pytest.raises(TariffOverlapError) as info:
        load_book([tmp_path], {}, bundled=False)
    assert str(first) in str(info.value) and str(second) in str(info.value)


def test_validate_paths_reports_overlap_at_effective(tmp_path: Path) -> None:
    """validate_paths reports an overlap as a problem at the later file's `effective` key."""
    first = write(tmp_path / "2018.yaml", version="2018.1")
    second = write(tmp_path / "2018b.yaml", version="2018.2", start="2018-07-01", end="2019-06-30")
    write(tmp_path / "2020.yaml", version="2020.1", start="2020-01-01", end="2020-12-31")
    (problem,) = validate_paths([tmp_path])
    assert (problem.path, problem.line, problem.column) == (str(second), 6, 1)
    assert str(first) in problem.message
    assert "2018.2 (2018-07-01..2019-06-30) overlaps 2018.1" in problem.message


def test_validate_paths_reports_all_problems(tmp_path: Path) -> None:
    """validate_paths gives every problem of every file, a missing path included."""
    good = write(tmp_path / "good.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text(good.read_text().replace('"1"', "1"), encoding="utf-8")
    missing = tmp_path / "nowhere"
    found = validate_paths([good, bad, missing])
    assert [(Path(p.path).name, p.line, p.column) for p in found] == [
        ("bad.yaml", 3, 10),
        ("nowhere", 1, 1),
    ]
    assert found[1].message == "no such file or directory"
    assert validate_paths([good]) == []


# -- what MEDCALC_TARIFFS may name, and files that are not regular (issue 11) ----------------

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")


def test_env_entry_must_be_an_existing_directory(tmp_path: Path) -> None:
    """Like --tariffs, each MEDCALC_TARIFFS entry is an existing directory: a file or a missing
    path is a TariffError naming the entry, raised before anything is read."""
    good = tmp_path / "good"
    good.mkdir()
    file = write(tmp_path / "one.yaml")
    with pytest.raises(TariffError) as info:
        tariff_dirs([], {ENV_VAR: f"{good}{os.pathsep}{file}"}, bundled=False)
    assert str(info.value) == (
        f"{ENV_VAR}: '{file}' is a file, not a directory ({ENV_VAR} lists tariff "
        f"directories, separated by '{os.pathsep}')"
    )
    with pytest.raises(TariffError) as info:
        load_book([], {ENV_VAR: str(tmp_path / "nowhere")}, bundled=False)
    assert str(info.value) == f"{ENV_VAR}: directory '{tmp_path / 'nowhere'}' does not exist"


@contextlib.contextmanager
def feeding(fifo: Path, data: bytes) -> Iterator[None]:
    """A thread writes ``data`` into ``fifo`` for whoever opens it to read, so that code which
    wrongly reads a FIFO gets a tariff (and the test fails) instead of blocking for ever."""

    def feed() -> None:
        with contextlib.suppress(OSError), fifo.open("wb") as f:
            f.write(data)

    thread = threading.Thread(target=feed, daemon=True)
    thread.start()
    try:
        yield
    finally:
        # Release the writer when nothing read: a reader opening and closing ends its open().
        os.close(os.open(fifo, os.O_RDONLY | os.O_NONBLOCK))
        thread.join(5)


@needs_fifo
def test_env_entry_that_is_a_fifo_is_refused_without_opening_it(tmp_path: Path) -> None:
    """A FIFO in MEDCALC_TARIFFS is refused from its stat, never opened: opening it would wait
    for a writer (before issue 11 load_book blocked there, or read what came down the pipe)."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    tariff = TEMPLATE.format(series="s", version="1", start="2018-01-01", end="2018-12-31")
    with feeding(fifo, tariff.encode()), pytest.raises(TariffError, match="is a FIFO, not a dir"):
        load_book([], {ENV_VAR: str(fifo)}, bundled=False)


@needs_fifo
def test_fifo_in_a_tariff_directory_is_reported_not_read(tmp_path: Path) -> None:
    """A *.yaml FIFO in a tariff directory is a problem at 1:1, neither read (it would block)
    nor skipped quietly; so is a broken link, which was skipped before issue 11."""
    write(tmp_path / "a.yaml")
    os.mkfifo(tmp_path / "b.yaml")
    (tmp_path / "c.yaml").symlink_to(tmp_path / "gone.yaml")
    assert [
        (Path(p.path).name, p.line, p.column, p.message) for p in validate_paths([tmp_path])
    ] == [
        ("b.yaml", 1, 1, "not a regular file (a FIFO); a tariff is a .yaml file"),
        ("c.yaml", 1, 1, "no such file or directory"),
    ]
    with pytest.raises(TariffFileError, match=r"b\.yaml:1:1: not a regular file"):
        load_book([tmp_path], {}, bundled=False)


def test_file_above_the_size_limit_is_refused(tmp_path: Path) -> None:
    """A file over MAX_BYTES (256 KiB) is one problem at 1:1 giving its size: a 200 MB file
    (sparse here) is refused after reading MAX_BYTES + 1 bytes, not checked for seconds."""
    big = write(tmp_path / "big.yaml")
    os.truncate(big, 200_000_000)
    (problem,) = validate_paths([big])
    assert (problem.line, problem.column) == (1, 1)
    assert problem.message == (
        f"the file is 200,000,000 bytes; a tariff file may be at most {MAX_BYTES:,} bytes"
    )
    os.truncate(big, MAX_BYTES)  # the limit itself is allowed (the NUL padding is not)
    (problem,) = validate_paths([big])
    assert "U+0000 (a control character)" in problem.message


@pytest.mark.parametrize(
    "lone", ["tariffs", b"tariffs", Path("tariffs")], ids=["str", "bytes", "path"]
)
def test_one_path_where_a_list_of_directories_is_expected_is_refused(lone: object) -> None:
    """A lone path is refused with a TariffError, never walked as the characters 't', 'a', ..."""
    with pytest.raises(TariffError) as caught:
        load_book(lone, {})  # type: ignore[arg-type]
    assert str(caught.value) == (
        "tariff directories: expected a list of directories, got the one path 'tariffs'; "
        "give it as a list: ['tariffs']"
    )
    with pytest.raises(TariffError):
        tariff_dirs(lone, {}, bundled=False)  # type: ignore[arg-type]


def test_entry_that_is_not_a_path_is_refused(tmp_path: Path) -> None:
    """Each entry goes through Path(): a str is accepted, an int is a TariffError naming it."""
    assert tariff_dirs([str(tmp_path)], {}, bundled=False) == [tmp_path]
    with pytest.raises(TariffError) as caught:
        tariff_dirs([tmp_path, 7], {}, bundled=False)  # type: ignore[list-item]
    assert str(caught.value) == "tariff directories: entry 2 is int 7, not a path"
    with pytest.raises(TariffError) as caught:
        load_book(7, {})  # type: ignore[arg-type]
    assert str(caught.value) == "tariff directories: expected a list of directories, got int"
