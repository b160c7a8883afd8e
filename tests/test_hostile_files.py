"""Files from outside are bounded: every fault is the library's error, in bounded time
and memory, never a traceback.

The workbooks that would have exhausted memory or time (a declared range of 17
billion cells, rows padded far to the right, a zip bomb, a style sheet of 100,001
formats, an XML entity bomb) are read in a fresh process, which reports what it
raised and the most memory it ever held.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

import kpi_formula as kf
from kpi_formula.cli import main
from kpi_formula.data import load_data, read_data
from kpi_formula.inputs import MAX_CELL_CHARS
from kpi_formula.plan.planfile import load_plan, read_plan
from kpi_formula.plan.report import import_report

from .conftest import EXAMPLES, ROOT

PLAN = EXAMPLES / "modena_2025" / "plan.toml"


def _cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    status = main(argv, out=io.StringIO())
    error = capsys.readouterr().err
    assert "Traceback" not in error
    return status, error


@pytest.mark.parametrize(
    ("read", "words"),
    [
        (load_plan, "it does not exist"),
        (load_data, "it does not exist"),
        (import_report, "it does not exist"),
    ],
)
def test_a_missing_file_is_said_plainly(
    tmp_path: Path, read: Callable[[Path], object], words: str
) -> None:
    for name in ("missing.toml", "missing.csv", "missing.xlsx", "missing.txt"):
        with pytest.raises(kf.KpiFormulaError) as caught:
            read(tmp_path / name)
        assert f"cannot read {tmp_path / name}: {words}" in str(caught.value)
        assert caught.value.hint


def test_a_folder_is_not_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("piano.toml", "piano.csv", "piano.xlsx"):
        folder = tmp_path / name
        folder.mkdir()
        with pytest.raises(kf.PlanError, match="it is a folder, not a file"):
            load_plan(folder)
        with pytest.raises(kf.DataError, match="it is a folder, not a file"):
            load_data(folder)
    status, error = _cli(
        ["plan", "evaluate", str(PLAN), "--data", str(tmp_path), "--year", "2024"], capsys
    )
    assert status == 2 and "it is a folder, not a file" in error


def test_no_permission_is_said_plainly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # The tests may run as root, whom no permission stops: the system's refusal is played.
    def refuse(self: Path, *args: object, **kwargs: object) -> object:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "open", refuse)
    monkeypatch.setattr(Path, "write_text", refuse)
    monkeypatch.setattr(Path, "write_bytes", refuse)
    status, error = _cli(["plan", "validate", str(tmp_path / "p.toml")], capsys)
    assert status == 2 and f"cannot read {tmp_path / 'p.toml'}: no permission" in error
    monkeypatch.undo()
    sheet = tmp_path / "piano.csv"
    sheet.write_text("codice;padre;nome;peso\nM;;m;100 %\nA;M;a;100 %\n", encoding="utf-8")
    monkeypatch.setattr(Path, "write_text", refuse)
    status, error = _cli(["plan", "import", str(sheet), "-o", str(tmp_path / "x.toml")], capsys)
    assert status == 2 and "cannot write" in error and "no permission" in error


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".toml"])
def test_writing_into_a_missing_folder_is_said_plainly(
    tmp_path: Path, suffix: str, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("openpyxl")
    target = tmp_path / "nowhere" / f"piano{suffix}"
    if suffix == ".toml":
        sheet = tmp_path / "piano.csv"
        sheet.write_text("codice;padre;nome;peso\nM;;m;100 %\nA;M;a;100 %\n", encoding="utf-8")
        argv = ["plan", "import", str(sheet), "-o", str(target)]
    else:
        argv = ["plan", "export", str(PLAN), "-o", str(target)]
    status, error = _cli(argv, capsys)
    assert status == 2
    assert f"cannot write {target}: the folder {target.parent} does not exist" in error
    assert "hint: create the folder first" in error


def test_a_csv_cell_beyond_the_csv_limit_is_refused_with_its_line(tmp_path: Path) -> None:
    long = "x" * (MAX_CELL_CHARS + 1)
    with pytest.raises(kf.DataError, match=r"a cell is longer than 131\.072 characters") as caught:
        read_data(f"code;year;value\nA;2024;1\nB;2024;{long}\n", source="d.csv")
    assert caught.value.line == 3
    sheet = tmp_path / "piano.csv"
    sheet.write_text(f"codice;padre;nome;peso\nM;;{long};100 %\n", encoding="utf-8")
    with pytest.raises(kf.PlanError, match="longer than") as caught_plan:
        load_plan(sheet)
    assert caught_plan.value.line == 2


def test_a_file_past_the_size_limit_is_refused_without_reading_it_all() -> None:
    zero = Path("/dev/zero")
    if not zero.exists():
        pytest.skip("no /dev/zero here")
    for read in (load_data, load_plan):
        with pytest.raises(kf.KpiFormulaError, match="larger than 64 MiB"):
            read(zero)


def test_text_in_no_known_encoding_is_refused_with_its_place(tmp_path: Path) -> None:
    toml = tmp_path / "piano.toml"
    toml.write_bytes(b'title = "ok"\ntitle2 = "\xff"\n')
    with pytest.raises(kf.PlanError, match="0xFF cannot be read as UTF-8") as caught:
        load_plan(toml)
    assert (caught.value.line, caught.value.column) == (2, 11)
    data = tmp_path / "dati.csv"
    data.write_bytes(b"code;year;value\nA\x81;2024;1\n")  # 0x81 is no Windows-1252 character
    with pytest.raises(kf.DataError, match="UTF-8 or Windows-1252") as caught_data:
        load_data(data)
    assert caught_data.value.line == 2


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("[[node]]\ncode = 'M'\nweight = nan\n", "nan is not a number"),
        ("[[node]]\ncode = 'M'\nweight = -inf\n", "-inf is not a number"),
        ("[[node]]\ncode = 'M'\nweight = 1e400\n", "inf is not a number"),
        ("[[node]]\ncode = 'M'\nweight = '1e999999999 %'\n", "weight"),
        ("[[node]]\ncode = 'M'\nweight = '" + "1" * 5000 + " %'\n", "digits"),
        ("[[node]]\ncode = 'M'\nweight = " + "1" * 5000 + "\n", "too long"),
        ("title = 'x'\na = " + "[" * 2000 + "]" * 2000 + "\n", "too deeply"),
    ],
)
def test_numbers_no_plan_can_hold_are_refused_with_the_place(text: str, words: str) -> None:
    with pytest.raises(kf.PlanError, match=re.escape(words)):
        read_plan(text, source="p.toml")


@pytest.mark.parametrize("value", ["1E+999999999", "1e-999999999", "9" * 2000, "NaN", "inf"])
def test_data_values_no_number_can_hold_are_refused(value: str) -> None:
    with pytest.raises(kf.DataError) as caught:
        read_data(f"code,year,value\nA,2024,{value}\n", source="d.csv")
    assert caught.value.line == 2


# --- workbooks ---------------------------------------------------------------------


def _workbook(path: Path, **parts: Callable[[bytes], bytes] | bytes) -> Path:
    """A small workbook written by openpyxl, its parts then replaced or added."""
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    for row in (["code", "year", "value"], ["A", 2024, 1.5]):
        book.active.append(row)
    plain = io.BytesIO()
    book.save(plain)
    names = {name.replace("__", "/").replace("_xml", ".xml"): part for name, part in parts.items()}
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            data = source.read(item.filename)
            change = names.pop(item.filename, None)
            if isinstance(change, bytes):
                data = change
            elif change is not None:
                data = change(data)
            out.writestr(item, data)
        for name, added in names.items():
            assert isinstance(added, bytes)
            out.writestr(name, added)
    return path


def _rows(rows: bytes) -> Callable[[bytes], bytes]:
    return lambda sheet: re.sub(
        rb"<sheetData>.*</sheetData>", b"<sheetData>" + rows + b"</sheetData>", sheet
    )


def _declared(sheet: bytes) -> bytes:
    return re.sub(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1:XFD1048576"/>', sheet)


def _padded() -> Callable[[bytes], bytes]:
    # 201 rows, each with one cell in column ALL (1,000): 201,000 cells once padded
    rows = b"".join(b'<row r="%d"><c r="ALL%d"><v>1</v></c></row>' % (n, n) for n in range(1, 202))
    return _rows(rows)


def _wide() -> Callable[[bytes], bytes]:
    return _rows(b'<row r="1">' + b"<c/>" * 3_000_000 + b"</row>")


def _many() -> Callable[[bytes], bytes]:
    return _rows((b"<row>" + b"<c><v>1</v></c>" * 1_000 + b"</row>") * 201)


def _styles(styles: bytes) -> bytes:
    return styles.replace(b'<cellXfs count="1">', b'<cellXfs count="1">' + b"<xf/>" * 100_001)


_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        b'<!ENTITY lol%d "%s">' % (n, (b"&lol%d;" % (n - 1) if n > 1 else b"&lol;") * 10)
        for n in range(1, 10)
    )
    + b']><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b"<si><t>&lol9;</t></si></sst>"
)


def _bomb(path: Path) -> Path:
    """A workbook whose sheet unzips to 130 MiB of spaces (130 KiB zipped)."""
    _workbook(path)
    with (
        zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as book,
        book.open("xl/worksheets/sheet2.xml", "w", force_zip64=True) as part,
    ):
        for _ in range(130):
            part.write(b" " * 2**20)
    return path


HOSTILE: dict[str, tuple[Callable[[Path], Path], str]] = {
    "declared": (
        lambda p: _workbook(p, xl__worksheets__sheet1_xml=_declared),
        "declares the range A1:XFD1048576, 17.179.869.184 cells",
    ),
    "padded": (
        lambda p: _workbook(p, xl__worksheets__sheet1_xml=_padded()),
        "more than 200.000 cells",
    ),
    "wide": (lambda p: _workbook(p, xl__worksheets__sheet1_xml=_wide()), "more than 16.384 cells"),
    "many": (
        lambda p: _workbook(p, xl__worksheets__sheet1_xml=_many()),
        "more than 200.000 cells",
    ),
    "beyond": (
        lambda p: _workbook(p, xl__worksheets__sheet1_xml=_rows(b'<row r="1"><c r="XFE1"/></row>')),
        "beyond Excel's last cell",
    ),
    "styles": (lambda p: _workbook(p, xl__styles_xml=_styles), "more than 100.000 XML elements"),
    "laughs": (lambda p: _workbook(p, xl__sharedStrings_xml=_LAUGHS), "XML document type"),
    "bomb": (_bomb, "unzipped, it would take 130 MiB, more than 128 MiB"),
    "parts": (
        lambda p: _workbook(p, **{f"x{n}": b"" for n in range(10_001)}),
        "more than 10.000 parts",
    ),
    "infinite": (
        lambda p: _workbook(
            p,
            xl__worksheets__sheet1_xml=_rows(
                b'<row r="1"><c t="inlineStr"><is><t>code</t></is></c>'
                b'<c t="inlineStr"><is><t>2024</t></is></c></row>'
                b'<row r="2"><c t="inlineStr"><is><t>A</t></is></c><c><v>1e999</v></c></row>'
            ),
        ),
        "[Sheet]:2:2: the cell holds inf",
    ),
    "text": (
        lambda p: (p.write_text("code,year,value\n", encoding="utf-8"), p)[1],
        "cannot be read as an .xlsx workbook",
    ),
    "truncated": (
        lambda p: (p.write_bytes(_workbook(p).read_bytes()[:-200]), p)[1],
        "cannot be read as an .xlsx workbook",
    ),
}


def run_hostile(folder: str) -> None:
    """Read every hostile workbook in this process; print what each raised, then the
    most memory the process held (KiB).  Run in a fresh process by the test below."""
    import resource

    found = {}
    for name, (build, _) in HOSTILE.items():
        path = build(Path(folder) / f"{name}.xlsx")
        try:
            load_data(path)
            found[name] = "no error"
        except kf.KpiFormulaError as error:
            found[name] = f"{type(error).__name__}: {error}"
        except BaseException as error:  # the test reports it
            found[name] = f"ESCAPED {type(error).__name__}: {error}"
    found["peak_kib"] = str(_peak_kib(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))
    print(json.dumps(found))


def _peak_kib(maxrss: int) -> int:
    """The most memory this process's own image held (KiB): Linux's VmHWM, which
    starts afresh at exec, where ru_maxrss keeps the peak of the process that forked."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text(encoding="ascii", errors="replace").splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return maxrss


def test_hostile_workbooks_are_refused_in_bounded_time_and_memory(tmp_path: Path) -> None:
    pytest.importorskip("openpyxl")
    script = f"from tests.test_hostile_files import run_hostile; run_hostile({str(tmp_path)!r})"
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,  # a hang guard, not a measure: each workbook takes well under a second
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    found = json.loads(done.stdout.splitlines()[-1])
    for name, (_, words) in HOSTILE.items():
        assert found[name].startswith("DataError: "), (name, found[name])
        assert words in found[name], (name, found[name])
    assert int(found["peak_kib"]) < 400 * 1024  # KiB: a few hundred MB at most


def test_a_declared_range_is_refused_before_anything_is_parsed(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "declared.xlsx", xl__worksheets__sheet1_xml=_declared)
    assert path.stat().st_size < 6_000
    with pytest.raises(kf.DataError, match="save it again") as caught:
        load_data(path)
    assert str(caught.value).startswith(f"{path}: the workbook is refused: its sheet declares")


def test_a_sheet_declaring_less_than_it_holds_loses_no_row(tmp_path: Path) -> None:
    def small(sheet: bytes) -> bytes:
        return re.sub(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1:B1"/>', sheet)

    path = _workbook(tmp_path / "small.xlsx", xl__worksheets__sheet1_xml=small)
    assert load_data(path) == {("A", 2024): kf.parse_value("1,5 N.").amount}  # type: ignore[union-attr]


def test_the_command_line_says_the_workbook_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _workbook(tmp_path / "declared.xlsx", xl__worksheets__sheet1_xml=_declared)
    status, error = _cli(["eval", "A", "--data", str(path)], capsys)
    assert status == 2 and "the workbook is refused: its sheet declares the range" in error
    status, error = _cli(["plan", "validate", str(path)], capsys)
    assert status == 2 and "is refused" in error
