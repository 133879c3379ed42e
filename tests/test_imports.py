"""The calculation core stays pure and `import medcalc` stays light."""

from __future__ import annotations

import ast
import importlib.resources
import subprocess
import sys
from fnmatch import fnmatch
from pathlib import Path

import pytest

SRC = Path(__file__).parents[1] / "src" / "medcalc"

#: Modules that compute: they may not touch files, the environment or the clock. The whole
#: chain floor, and the pure modules of the floors around it.
CORE = sorted(
    [
        "messages.py",
        "errors.py",
        "money.py",
        "tariff/_model.py",
        "tariff/_sections.py",
        "tariff/_book.py",
        "tariff/_diff.py",
        "present/_json.py",
        "present/_schemas.py",
        "present/_layers.py",
        "present/_translate.py",
        "present/_text.py",
        "present/_cells.py",
        "present/_premiums_text.py",
        "present/_claims_text.py",
        "present/_explanation.py",
        "batch/_rows.py",
        "batch/_rules.py",
        "batch/_headers.py",
        "batch/_compare_summary.py",
        "audit/_oracle.py",
    ]
    + [p.relative_to(SRC).as_posix() for p in (SRC / "chain").glob("*.py")]
)
#: Modules that may read files or use an optional dependency, each for a reason.
NOT_PURE = {
    # shells and the optional floors (numpy; hypothesis; the web stack)
    **{f"{floor}/*": floor for floor in ("cli", "service", "fast", "audit")},
    "_compat.py": "installs the finder of 0.1's module paths in sys.meta_path",
    "_lazy.py": "imports a face's modules on first use (importlib, sys.modules)",
    "tariff/_loader.py": "reads tariff files",
    "tariff/_discovery.py": "finds tariff files on disk and in the environment",
    "tariff/_yaml.py": "yaml",
    "tariff/_reader.py": "yaml nodes",
    "tariff/_read_*.py": "yaml nodes",
    "present/_layout.py": "tabulate",
    "present/_table.py": "tabulate",
    "present/_tariffs.py": "shows the tariff file's path",
    "present/_tariff_diff.py": "tabulate",
    "present/_html.py": "jinja2 reads its template from the package",
    "batch/*": "files on disk; the columnar path (numpy, pyarrow)",
}
FORBIDDEN_MODULES = {
    "os",
    "pathlib",
    "io",
    "sys",
    "time",
    "shutil",
    "tempfile",
    "subprocess",
    "socket",
    "random",
    "glob",
    "yaml",
    "click",
    "numpy",
    "hypothesis",
}
FORBIDDEN_CALLS = {"open", "print", "input", "today", "now", "utcnow", "getenv"}


@pytest.mark.parametrize("name", CORE)
def test_core_module_is_pure(name: str) -> None:
    """A calculation module imports no I/O, environment or clock module and calls none of them."""
    tree = ast.parse((SRC / name).read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                assert alias.name.split(".")[0] not in FORBIDDEN_MODULES, (name, alias.name)
        elif isinstance(node, ast.ImportFrom) and node.module:
            assert node.module.split(".")[0] not in FORBIDDEN_MODULES, (name, node.module)
        elif isinstance(node, ast.Call):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            assert called not in FORBIDDEN_CALLS, (name, called, node.lineno)


def test_import_medcalc_is_light() -> None:
    """`import medcalc` loads none of hypothesis, numpy, the XLSX libraries, jinja2, tabulate
    or click."""
    code = (
        "import sys, medcalc\n"
        "heavy = {'hypothesis', 'numpy', 'openpyxl', 'xlsxwriter', 'python_calamine', 'jinja2'}\n"
        "heavy |= {'tabulate', 'click'}\n"
        "print(sorted(heavy & set(m.split('.')[0] for m in sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_cli_does_not_import_the_service_stack() -> None:
    """`medcalc --help` and every command but `serve` run without starlette, uvicorn,
    prometheus_client or anyio: `medcalc serve` imports them when it runs. Every command's
    module is loaded (each is imported when its command is first looked up)."""
    code = (
        "import sys\n"
        "from medcalc.cli import cli\n"
        "commands = dict(cli.commands)\n"
        "assert len(commands) == 7, commands\n"
        "heavy = {'starlette', 'uvicorn', 'prometheus_client', 'anyio', 'medcalc.service'}\n"
        "print(sorted(m for m in sys.modules if m in heavy or m.split('.')[0] in heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_import_medcalc_does_not_import_the_service() -> None:
    """`import medcalc` never loads the service package or its web stack."""
    code = (
        "import sys, medcalc\n"
        "print(sorted(m for m in sys.modules if m.startswith(('medcalc.service', 'starlette'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_core_calculation_modules_are_listed() -> None:
    """Every module of the package is in CORE or in NOT_PURE, so a new one is classified."""
    modules = {p.relative_to(SRC).as_posix() for p in SRC.rglob("*.py")}
    roots = {"__init__.py", "__main__.py"} | {m for m in modules if m.endswith("/__init__.py")}
    unclassified = {
        m for m in modules - set(CORE) - roots if not any(fnmatch(m, g) for g in NOT_PURE)
    }
    assert unclassified == set()


def test_the_package_says_it_is_typed() -> None:
    # PEP 561: without the marker, an embedding program's mypy treats medcalc as untyped.
    assert importlib.resources.files("medcalc").joinpath("py.typed").is_file()


def test_the_floors_hold() -> None:
    """The import-linter contracts of pyproject.toml (docs/architecture.md) are kept: no module
    imports from a floor above its own (pytest alone enforces what CI's lint-imports does)."""
    lint = Path(sys.executable).with_name("lint-imports")
    out = subprocess.run(
        [str(lint)], capture_output=True, text=True, cwd=SRC.parents[1], check=False
    )
    assert out.returncode == 0, out.stdout[-3000:]
    assert "0 broken" in out.stdout


FLOORS = ("tariff", "chain", "fast", "present", "audit", "batch", "service", "cli")
ROOT = SRC.parents[1]


def _private_reaches(path: Path) -> list[str]:
    """Imports in ``path`` of a floor's private module (``medcalc.<floor>._x``) from outside it."""
    parts = path.relative_to(ROOT).parts
    own = parts[2] if parts[:2] == ("src", "medcalc") and len(parts) > 3 else None
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        for name in names:
            bits = name.split(".")
            outside = len(bits) > 2 and bits[0] == "medcalc" and bits[1] in FLOORS
            if outside and bits[2].startswith("_") and bits[1] != own:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {name}")
    return found


def test_no_private_module_is_reached_from_outside_its_floor() -> None:
    """Code, tests, benchmarks and examples use each floor's public face (its ``__all__``);
    private modules are free to move behind it (docs/architecture.md)."""
    folders = ("src", "tests", "benchmarks", "examples")
    files = [p for folder in folders for p in sorted((ROOT / folder).rglob("*.py"))]
    assert [reach for p in files for reach in _private_reaches(p)] == []


def _type_checking_imports(node: ast.stmt) -> bool:
    """``if TYPE_CHECKING:`` holding imports only: the types of names a face imports lazily."""
    return (
        isinstance(node, ast.If)
        and ast.unparse(node.test) == "TYPE_CHECKING"
        and not node.orelse
        and all(isinstance(n, (ast.Import, ast.ImportFrom)) for n in node.body)
    )


@pytest.mark.parametrize("floor", [f for f in FLOORS if f != "cli"])
def test_each_floor_has_a_short_public_face(floor: str) -> None:
    """Each floor's ``__init__`` only re-exports (no logic) and says what it exports."""
    tree = ast.parse((SRC / floor / "__init__.py").read_text(encoding="utf-8"))
    kinds = {type(node).__name__ for node in tree.body if not _type_checking_imports(node)}
    # A module __getattr__ (and the value it builds lazily) is allowed: medcalc.service's app,
    # medcalc.batch's names imported on first use (their imports under `if TYPE_CHECKING:`).
    assert kinds <= {"Expr", "ImportFrom", "Import", "Assign", "AnnAssign", "FunctionDef"}, kinds
    exported = [n for n in tree.body if isinstance(n, ast.Assign) and "__all__" in ast.unparse(n)]
    assert exported, f"{floor}/__init__.py has no __all__"
