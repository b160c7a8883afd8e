"""Start-up: a command loads what it uses and no more; every public name still resolves.

Timing is measured in ``benchmarks/run.py`` (``startup``), never asserted here:
these tests hold the mechanism — which modules a fresh process imports.
"""

from __future__ import annotations

import importlib
import json
import pathlib
import subprocess
import sys

import pytest

import kpi_formula as kf
from _kpi_formula_command import _on_first_use

HEAVY = (
    "kpi_formula.plan",
    "kpi_formula.targets",
    "kpi_formula.scoring",
    "kpi_formula.engines.sql",
    "kpi_formula.engines.generated",
    "kpi_formula.larkparse",
    "kpi_formula.inputs",  # the readers of files and workbooks
    "kpi_formula.catalog",
    "kpi_formula.resolver",  # a catalog's reading, only with a catalog
    "difflib",  # suggestions, made only for a code that is missing
    "lark",
    "sqlglot",
    "zipfile",
    "pathlib",
    "csv",
    "shutil",
)


EVAL = (
    "import io\nfrom kpi_formula.cli import main\n"
    "main(['eval', '(A - A-1) / A-1', 'A=110', 'A@2024=100', '--year', '2025'],"
    " out=io.StringIO())\n"
)
"""``kpi-formula eval`` of a formula, as a fresh process runs it."""


def _printed_after(code: str) -> str:
    """What a fresh process running ``code`` prints."""
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    return done.stdout


def _modules_after(code: str) -> set[str]:
    printed = _printed_after(f"import json, sys\n{code}\nprint(json.dumps(sorted(sys.modules)))")
    return set(json.loads(printed.splitlines()[-1]))


def _loaded(modules: set[str], prefix: str) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for name in modules)


def test_eval_on_the_command_line_loads_no_plan_target_or_sql_machinery() -> None:
    modules = _modules_after(EVAL)
    assert "kpi_formula.evaluator" in modules  # it did evaluate
    assert [name for name in HEAVY if _loaded(modules, name)] == []


COMMAND = (
    "import sys\nsys.argv = ['kpi-formula', 'eval', '(A - A-1) / A-1', 'A=110', 'A@2024=100',"
    " '--year', '2025']\nfrom _kpi_formula_command import main\nstatus = main()\n"
)
"""The ``kpi-formula`` command, through the entry point its script calls."""


@pytest.mark.skipif(
    sys.version_info >= (3, 12), reason="from 3.12 on, dataclasses reads annotations by inspect"
)
def test_the_command_evaluates_without_importing_inspect() -> None:
    modules = _modules_after(COMMAND)
    assert "kpi_formula.evaluator" in modules
    assert {"inspect", "dis", "tokenize"} & modules == set()


def test_the_command_stands_in_for_inspect_only_where_it_saves_it() -> None:
    printed = _printed_after(
        COMMAND + "import dataclasses\nprint(type(dataclasses.inspect).__name__)"
    )
    assert printed.splitlines()[-1] == ("_OnFirstUse" if sys.version_info < (3, 12) else "module")


def test_a_stand_in_used_while_standing_in_gives_way_to_the_real_module(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # an import hook reading inspect while dataclasses is being imported would meet the
    # stand-in in sys.modules: it must get the real module, not import the stand-in again
    (tmp_path / "stand_in_probe.py").write_text("VALUE = 42\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    stand_in = _on_first_use("stand_in_probe")
    monkeypatch.setitem(sys.modules, "stand_in_probe", stand_in)
    assert stand_in.VALUE == 42
    real = sys.modules["stand_in_probe"]
    assert real is not stand_in and real.VALUE == 42


def test_the_command_leaves_inspect_whole_for_whoever_uses_it() -> None:
    printed = _printed_after(
        COMMAND + "import dataclasses, inspect, types\n"
        "Point = dataclasses.dataclass(type('Point', (), {'__annotations__': {'x': 'int'}}))\n"
        "print(status, type(inspect) is types.ModuleType, Point.__doc__, inspect.isclass(Point))"
    )
    # the value and the status, then: the real inspect for an import, a docstring
    # written by inspect through dataclasses' stand-in, and inspect's functions at hand
    assert printed.splitlines() == ["0.1", "0 True Point(x: 'int') True"]


def test_the_installed_command_is_that_entry_point() -> None:
    from importlib.metadata import entry_points

    (command,) = entry_points(group="console_scripts", name="kpi-formula")
    assert command.value == "_kpi_formula_command:main"
    assert command.load() is importlib.import_module("_kpi_formula_command").main


def test_eval_compiles_only_the_patterns_it_meets() -> None:
    printed = _printed_after(
        EVAL + "from kpi_formula import data, printer, treebuild, values\n"
        "print(printer._PLAIN_CODE.cache_info().currsize, data._DATE.cache_info().currsize,"
        " treebuild._GLUED.cache_info().currsize, values._THOUSANDS.cache_info().currsize)"
    )
    assert printed.split() == ["0", "0", "0", "0"]  # none compiled: none met


def test_a_lazy_pattern_reads_as_the_eager_one() -> None:
    from kpi_formula import printer

    assert printer.format_ref("Città", -1) == "Città-1"  # Unicode's letters: plain
    assert printer.format_ref("m²", -1) == '"m²"[-1]'  # Unicode, not a letter: quoted
    assert printer.format_ref("A B.1", -1) == "A B.1-1"  # ASCII words: plain
    assert printer.format_ref("A-B", 0) == '"A-B"'


def test_importing_the_package_loads_what_is_used() -> None:
    modules = _modules_after("import kpi_formula")
    assert not _loaded(modules, "kpi_formula.targets")
    assert not _loaded(modules, "kpi_formula.engines")
    modules = _modules_after("import kpi_formula as kf\nkf.parse_target('>= 5')")
    assert _loaded(modules, "kpi_formula.targets")


def test_every_public_name_resolves_and_is_listed() -> None:
    for name in kf.__all__:
        assert getattr(kf, name) is not None, name
    assert set(kf.__all__) <= set(dir(kf))
    assert kf.lint("A * 1.000")[0].kind == "thousands"  # the function, not its module
    assert callable(kf.to_sql)
    namespace: dict[str, object] = {}
    exec("from kpi_formula import *", namespace)
    assert set(kf.__all__) <= set(namespace)


def test_an_unknown_name_is_an_attribute_error() -> None:
    try:
        kf.no_such_name  # noqa: B018
    except AttributeError as error:
        assert "no_such_name" in str(error)
    else:
        raise AssertionError("kf.no_such_name resolved")
