"""The message catalogs hold every text of the source, in Italian and English.

What ``python tools/catalogs.py check`` says, as tests: each message marked in
the source (``msg(...)``, ``_(...)``) is in both catalogs, the Italian ones are
translated with the same placeholders, the compiled ``.mo`` files are those of
the ``.po`` files; and the sweep finds texts for people not yet marked.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from .conftest import ROOT

pytest.importorskip("babel")


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("catalogs", ROOT / "tools" / "catalogs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("catalogs", module)
    spec.loader.exec_module(module)
    return module


catalogs = _tool()


@pytest.fixture(scope="module")
def template() -> Any:
    return catalogs.extract()


def test_both_catalogs_hold_every_message_of_the_source(template: Any) -> None:
    assert catalogs.missing(template) == [], "run: python tools/catalogs.py update"


def test_the_extraction_sees_the_marks_of_every_face(template: Any) -> None:
    ids = {message.id for message in template}
    where = {location[0] for message in template for location in message.locations}
    assert "{reason}\nhint: {hint}" in ids  # errors.py
    faces = ("cli", "repl", "output", "errors", "i18n", "plan/cli", "plan/scorecard", "plan/html")
    assert {f"src/kpi_formula/{face}.py" for face in faces} <= where


def test_italian_is_translated_with_the_same_placeholders() -> None:
    assert catalogs.untranslated() == [], "translate them in locale/it/LC_MESSAGES/*.po"


def test_the_compiled_catalogs_are_those_of_the_po_files() -> None:
    assert catalogs.uncompiled() == [], "run: python tools/catalogs.py update"


def test_placeholders_are_compared_by_name_conversion_and_format() -> None:
    assert catalogs.brace_fields("{code!r} at {column}") == [
        ("code", "r", ""),
        ("column", None, ""),
    ]
    assert catalogs.brace_fields("{code} at {column}") != catalogs.brace_fields(
        "{code!r} at {column}"
    )
    assert catalogs.percent_fields("invalid %(type)s value: %(value)r") == [
        "%(type)s",
        "%(value)r",
    ]


def test_the_sweep_reports_texts_not_marked(tmp_path: Path) -> None:
    source = tmp_path / "module.py"
    source.write_text(
        "from kpi_formula.errors import KpiFormulaError, PlanError, msg\n"
        "def f(code, template, reasons):\n"
        "    reasons.append(f'{code} is N/D')\n"
        "    reasons.append(msg('{code} is N/D', code=code))\n"
        "    msg(template)\n"
        "    raise KpiFormulaError(f'unknown {code}', hint='check it')\n"
        "def g(code):\n"
        "    raise PlanError(msg('unknown {code}', code=code), hint=msg('check it'))\n",
        encoding="utf-8",
    )
    lines = sorted(line.partition(": ")[0].rpartition(":")[2] for line in catalogs.sweep([source]))
    assert lines == ["3", "5", "6", "6"]  # the f-strings and the plain hint; msg(template)
