"""Taking inputs in: files from outside, argument types, optional dependencies.

Every file the library reads or writes — plan files (TOML), planning reports,
CSV sheets and data, ``.xlsx`` workbooks — goes through here, within the limits
below, and every fault comes out as the caller's error type
(:class:`~kpi_formula.PlanError`, :class:`~kpi_formula.DataError`) naming the
file and, where it can, the line: never a traceback, a hang or memory used up.

=================================  =================================================
:data:`MAX_FILE_BYTES`             a file as stored: 64 MiB
:data:`MAX_CELL_CHARS`             a CSV cell: 131,072 characters (the csv module's
                                   own limit)
:data:`MAX_SHEET_CELLS`            an ``.xlsx`` sheet: 200,000 cells, each row
                                   counted up to its last cell, and no more declared
                                   (``<dimension ref="A1:XFD1048576">`` is refused)
:data:`MAX_UNZIPPED_BYTES`         an ``.xlsx`` workbook unzipped: 128 MiB in all
:data:`MAX_PART_ELEMENTS`          XML elements of a workbook's parts beside its
                                   cells (styles, names, column widths): 100,000
=================================  =================================================

A workbook is checked before openpyxl parses any of it: the sizes its zip
directory declares (the unzipping stops there, whatever the data says), then
each XML part read by a streaming scan that stops at the first limit passed
(a document type declaration, which no workbook needs, is refused too).  Only
then does openpyxl read it, in read-only mode, ignoring the dimension the
sheet declares so that no row is left out.
"""

from __future__ import annotations

import datetime as dt
import importlib
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from types import ModuleType, TracebackType
from typing import TYPE_CHECKING, Any

from .errors import KpiFormulaError, _FileError, clip, msg
from .text import require_text

if TYPE_CHECKING:  # workbooks alone need zipfile and expat, files alone pathlib and csv:
    # they are imported there, so that what reads no file (the command line evaluating a
    # formula) starts faster
    import zipfile
    from pathlib import Path

__all__ = [
    "EXCEL_COLUMNS",
    "EXCEL_ROWS",
    "MAX_CELL_CHARS",
    "MAX_FILE_BYTES",
    "MAX_PART_ELEMENTS",
    "MAX_SHEET_CELLS",
    "MAX_UNZIPPED_BYTES",
    "Number",
    "Uncomputed",
    "Workbook",
    "csv_delimiter",
    "csv_rows",
    "read_bytes",
    "read_csv_file",
    "read_text_file",
    "require_module",
    "require_text",
    "write_file",
]

MAX_FILE_BYTES = 64 * 2**20
"""The largest file read, as stored on disk."""
MAX_CELL_CHARS = 131_072
"""The longest CSV cell (the csv module's own field limit)."""
MAX_SHEET_CELLS = 200_000
"""The most cells of one ``.xlsx`` sheet, each row counted up to its last cell."""
MAX_UNZIPPED_BYTES = 128 * 2**20
"""The most bytes of an ``.xlsx`` workbook's parts, unzipped, in all."""
MAX_PARTS = 10_000
"""The most parts (zip members) of an ``.xlsx`` workbook."""
_MAX_DIRECTORY_BYTES = MAX_PARTS * 400  # an entry of the zip directory with a long name
MAX_PART_ELEMENTS = 100_000
"""The most XML elements of a workbook's part outside its cells."""
EXCEL_COLUMNS = 16_384
EXCEL_ROWS = 1_048_576
"""Excel's own bounds (``XFD1048576``): nothing Excel writes goes beyond them."""

_FileErrorType = type[_FileError]


def _grouped(number: int) -> str:
    """A count as people read it here: ``131.072``."""
    return f"{number:,}".replace(",", ".")


def _os_error(
    error: OSError, path: Path, error_type: _FileErrorType, *, writing: bool
) -> _FileError:
    """The library's words for what the system said about ``path``."""
    doing = (
        msg("cannot write {path}", path=str(path))
        if writing
        else msg("cannot read {path}", path=str(path))
    )
    if isinstance(error, IsADirectoryError):
        why, hint = msg("it is a folder, not a file"), msg("name a file")
    elif isinstance(error, PermissionError):
        why = msg("no permission")
        hint = msg("check the permissions of the file and its folder, or choose another place")
    elif isinstance(error, FileNotFoundError) and writing:
        why = msg("the folder {folder} does not exist", folder=str(path.parent))
        hint = msg("create the folder first, or write the file elsewhere")
    elif isinstance(error, FileNotFoundError):
        why = msg("it does not exist")
        hint = msg("check the path (a relative path starts from the current folder)")
    elif isinstance(error, NotADirectoryError):
        why, hint = msg("a part of the path is a file, not a folder"), msg("check the path")
    else:
        why, hint = (
            msg("the system says: {reason}", reason=error.strerror or type(error).__name__),
            msg("check the path"),
        )
    return error_type(msg("{doing}: {why}", doing=doing, why=why), hint=hint)


def _as_path(path: str | Path) -> Path:
    from pathlib import Path

    return Path(path)


def read_bytes(path: str | Path, error_type: _FileErrorType) -> bytes:
    """The bytes of ``path``, at most :data:`MAX_FILE_BYTES` of them."""
    path = _as_path(path)
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise _os_error(error, path, error_type, writing=False) from None
    if len(data) > MAX_FILE_BYTES:
        raise error_type(
            msg(
                "{path} is larger than {limit} MiB, the most a file may hold",
                path=str(path),
                limit=MAX_FILE_BYTES // 2**20,
            ),
            hint=msg("split it, or keep in it only what the plan needs"),
        )
    return data


def _decoding_error(
    error: UnicodeDecodeError, data: bytes, path: Path, error_type: _FileErrorType, what: str
) -> _FileError:
    line = data.count(b"\n", 0, error.start) + 1
    column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
    return error_type(
        msg(
            "the byte {byte} cannot be read as {encoding}",
            byte=format(data[error.start], "#04X").replace("X", "x"),
            encoding=what,
        ),
        hint=msg("save the file again as UTF-8 text"),
        line=line,
        column=column,
        source=str(path),
    )


def read_text_file(path: str | Path, error_type: _FileErrorType) -> str:
    """The UTF-8 text of ``path`` (a byte-order mark dropped), or ``error_type``."""
    path = _as_path(path)
    data = read_bytes(path, error_type)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise _decoding_error(error, data, path, error_type, "UTF-8") from None


def read_csv_file(path: str | Path, error_type: _FileErrorType) -> str:
    """The text of a CSV file as spreadsheets save it: UTF-8 (a byte-order mark
    dropped), else Windows-1252 (Excel's "CSV (separato da ;)" on Italian Windows)."""
    path = _as_path(path)
    data = read_bytes(path, error_type)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as error:
        raise _decoding_error(error, data, path, error_type, "UTF-8 or Windows-1252") from None


def csv_delimiter(header: str) -> str:
    """The separator of a CSV file: ``;``, tab or ``,``, whichever its header holds most."""
    return max((";", "\t", ","), key=header.count)


def csv_rows(
    text: str, delimiter: str, error_type: _FileErrorType, *, source: str
) -> Iterator[tuple[int, list[str]]]:
    """The rows of CSV ``text``, each with the line it starts on (a quoted cell
    may hold line breaks).  A cell past :data:`MAX_CELL_CHARS` is ``error_type``."""
    import csv

    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    line = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            limit = "field larger than field limit" in str(error)
            raise error_type(
                msg(
                    "a cell is longer than {limit} characters",
                    limit=_grouped(MAX_CELL_CHARS),
                )
                if limit
                else msg("the CSV cannot be read: {reason}", reason=str(error)),
                hint=msg("no cell of a plan or of data is that long: check the file")
                if limit
                else msg("check the quotes of the row"),
                line=line,
                source=source,
            ) from None
        yield line, row
        line = reader.line_num + 1


def write_file(
    path: str | Path, error_type: _FileErrorType, write: Callable[[Path], object]
) -> None:
    """Run ``write(path)``, saying in the library's words why it failed, if it did."""
    path = _as_path(path)
    try:
        write(path)
    except OSError as error:
        raise _os_error(error, path, error_type, writing=True) from None


def require_module(name: str, *, extra: str, purpose: str) -> ModuleType:
    """Import an optional dependency, or say which extra brings it."""
    try:
        return importlib.import_module(name)
    except ImportError:
        raise KpiFormulaError(
            msg("{purpose} needs {name}", purpose=purpose, name=name),
            hint=msg("pip install 'kpi_formula[{extra}]'", extra=extra),
        ) from None


# --- .xlsx workbooks ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Number:
    """A number cell of a workbook: its value as Excel holds it (15 significant
    digits at most, Excel's own precision) and the format Excel shows it in
    (``0.00%``, ``#,##0``, ``General``)."""

    value: Decimal
    number_format: str = "General"

    @property
    def in_percent(self) -> bool:
        """Whether Excel shows it as a percentage (``0.00%``): its value is then
        the fraction, written with a unit of %.  Quoted texts and bracketed codes
        of the format (``0.00" gg"``, ``[Red]``) and its sections for negatives,
        zero and text are not what shows a positive number."""
        section = self.number_format.split(";", 1)[0]
        return "%" in re.sub(r'"[^"]*+"|\[[^\]]*+\]|\\.', "", section)


@dataclass(frozen=True, slots=True)
class Uncomputed:
    """A formula cell of a workbook saved without the value it computes (a
    workbook written by a program, never opened and saved in Excel): what it
    shows is not in the file."""

    formula: str


_REFERENCE = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]{1,7})")
_FORMULA_TAG = re.compile(rb"<(?:[A-Za-z0-9_]+:)?f[\s/>]")


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


class _RefusedError(Exception):
    """A limit passed while scanning a part; carries the words to say it."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class _PartScan:
    """Counts what one XML part of a workbook holds, refusing at the first limit."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.root: str | None = None
        self.elements = 0
        self.cell_elements = 0
        self.strings = 0
        self.in_cells = False
        self.cells = 0
        self.row_cells = 0
        self.row_width = 0
        self.column = 0

    def start(self, tag: str, attributes: dict[str, str]) -> None:
        local = tag.rpartition(":")[2]  # no namespaces: a prefix, if any, is cut off
        if self.root is None:
            self.root = local
        if self.in_cells:
            self.cell_elements += 1
            if self.cell_elements > 4 * MAX_SHEET_CELLS:
                raise self._too_many()
            if local == "row":
                self._end_row()
                self.column = 0
            elif local == "c":
                self._cell(attributes.get("r"))
            return
        self.elements += 1
        if self.root == "sst" and local == "si":
            self.strings += 1
            if self.strings > MAX_SHEET_CELLS:
                raise self._too_many()
        elif self.elements > MAX_PART_ELEMENTS and self.root != "sst":
            raise _RefusedError(
                msg(
                    "its part {part} holds more than {limit} XML elements",
                    part=self.name,
                    limit=_grouped(MAX_PART_ELEMENTS),
                ),
                msg("save it again from Excel or LibreOffice; a sheet of a plan needs far fewer"),
            )
        elif self.root == "sst" and self.elements > 4 * MAX_SHEET_CELLS:
            raise self._too_many()
        if self.root == "worksheet":
            if local == "sheetData":
                self.in_cells = True
            elif local == "dimension":
                self._declared(attributes.get("ref", ""))

    def end(self, tag: str) -> None:
        if self.in_cells and tag.rpartition(":")[2] == "sheetData":
            self._end_row()
            self.in_cells = False

    def _cell(self, reference: str | None) -> None:
        found = _REFERENCE.fullmatch(reference or "")
        if found:
            self.column = _column_number(found[1])
            if self.column > EXCEL_COLUMNS or int(found[2]) > EXCEL_ROWS:
                raise _RefusedError(
                    msg(
                        "its cell {cell} lies beyond Excel's last cell, XFD1048576", cell=reference
                    ),
                    msg("save it again from Excel or LibreOffice"),
                )
        else:
            self.column += 1
        self.row_cells += 1
        self.row_width = max(self.row_width, self.column)
        if self.row_cells > EXCEL_COLUMNS:
            raise _RefusedError(
                msg(
                    "a row of its sheet holds more than {limit} cells, Excel's most",
                    limit=_grouped(EXCEL_COLUMNS),
                ),
                msg("save it again from Excel or LibreOffice"),
            )
        if self.cells + self.row_width > MAX_SHEET_CELLS:
            raise self._too_many()

    def _end_row(self) -> None:
        self.cells += self.row_width
        self.row_cells = self.row_width = 0

    def _declared(self, reference: str) -> None:
        corners = [_REFERENCE.fullmatch(corner) for corner in reference.split(":")]
        if len(corners) != 2 or not all(corners):
            return  # a single cell, or no dimension worth the name: the scan counts
        first, last = corners
        assert first is not None and last is not None
        columns = abs(_column_number(last[1]) - _column_number(first[1])) + 1
        rows = abs(int(last[2]) - int(first[2])) + 1
        if columns * rows > MAX_SHEET_CELLS:
            raise _RefusedError(
                msg(
                    "its sheet declares the range {range}, {cells} cells: more than {limit}",
                    range=reference,
                    cells=_grouped(columns * rows),
                    limit=_grouped(MAX_SHEET_CELLS),
                ),
                msg(
                    "if the sheet holds less than that, the program that wrote it declared it "
                    "wrongly: open it in Excel or LibreOffice and save it again"
                ),
            )

    def _too_many(self) -> _RefusedError:
        return _RefusedError(
            msg(
                "its sheet holds more than {limit} cells",
                limit=_grouped(MAX_SHEET_CELLS),
            ),
            msg("keep in the workbook only what the plan or the data needs"),
        )


def _refuse_doctype(*_: object) -> None:
    raise _RefusedError(
        msg("it declares an XML document type, which no workbook holds"),
        msg("save it again from Excel or LibreOffice"),
    )


def _check_directory(data: bytes) -> None:
    """Refuse a zip whose directory alone would fill memory, before zipfile reads it."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 22 - 65_535))
    if end < 0 or end + 22 > len(data):
        return  # no end record: zipfile says the file is not a zip
    directory_bytes = int.from_bytes(data[end + 12 : end + 16], "little")
    if directory_bytes > _MAX_DIRECTORY_BYTES:
        raise _RefusedError(
            msg("it holds more than {limit} parts", limit=_grouped(MAX_PARTS)),
            msg("save it again from Excel or LibreOffice"),
        )


def _scan_part(archive: zipfile.ZipFile, name: str) -> None:
    """Read one XML part of a workbook, streaming, refusing at the first limit."""
    from xml.parsers import expat

    scan = _PartScan(name)
    parser = expat.ParserCreate()
    parser.StartElementHandler = scan.start
    parser.EndElementHandler = scan.end
    parser.StartDoctypeDeclHandler = _refuse_doctype
    parser.EntityDeclHandler = _refuse_doctype
    with archive.open(name) as stream:
        while chunk := stream.read(2**16):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)


class Workbook:
    """An ``.xlsx`` workbook opened for reading (the ``excel`` extra), checked
    against the limits first; use it in a ``with`` block.

    ``names`` are its sheets' names; :meth:`rows` reads one sheet.
    """

    def __init__(self, path: str | Path, error_type: _FileErrorType, *, purpose: str) -> None:
        import zipfile

        self.path = _as_path(path)
        self.error_type = error_type
        openpyxl = require_module("openpyxl", extra="excel", purpose=purpose)
        data = read_bytes(self.path, error_type)
        try:
            _check_directory(data)
            archive = zipfile.ZipFile(io.BytesIO(data))
            self._check(archive)
            self._book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except _RefusedError as refused:
            raise self._fail(
                msg("the workbook is refused: {reason}", reason=refused.message),
                refused.hint,
            ) from None
        except Exception as error:  # openpyxl and zipfile raise many kinds for a damaged file
            raise self._unreadable(error) from None
        self.names: tuple[str, ...] = tuple(self._book.sheetnames)
        self._data, self._openpyxl = data, openpyxl
        self._formulas: Any = None  # the workbook read for its formulas, when asked

    def _fail(self, message: str, hint: str, line: int | None = None) -> _FileError:
        return self.error_type(message, hint=hint, line=line, source=str(self.path))

    def _unreadable(self, error: Exception) -> _FileError:
        reason = " ".join(str(error).split())[:200] or type(error).__name__
        return self._fail(
            msg("it cannot be read as an .xlsx workbook: {reason}", reason=reason),
            msg("save it again from Excel or LibreOffice as an Excel workbook (.xlsx)"),
        )

    def _check(self, archive: zipfile.ZipFile) -> None:
        from xml.parsers import expat

        members = archive.infolist()
        if len(members) > MAX_PARTS:
            raise _RefusedError(
                msg("it holds more than {limit} parts", limit=_grouped(MAX_PARTS)),
                msg("save it again from Excel or LibreOffice"),
            )
        unzipped = sum(member.file_size for member in members)
        if unzipped > MAX_UNZIPPED_BYTES:
            raise _RefusedError(
                msg(
                    "unzipped, it would take {size} MiB, more than {limit} MiB",
                    size=unzipped // 2**20,
                    limit=MAX_UNZIPPED_BYTES // 2**20,
                ),
                msg("keep in the workbook only what the plan or the data needs"),
            )
        for member in members:
            if member.filename.endswith((".xml", ".rels", ".vml")):
                try:
                    _scan_part(archive, member.filename)
                except expat.ExpatError as error:
                    raise _RefusedError(
                        msg(
                            "its part {part} is not well-formed XML ({reason})",
                            part=member.filename,
                            reason=expat.ErrorString(error.code),
                        ),
                        msg("save it again from Excel or LibreOffice"),
                    ) from None

    def __enter__(self) -> Workbook:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Let go of the workbook."""
        self._book.close()
        if self._formulas is not None:
            self._formulas.close()

    def find(self, names: tuple[str, ...]) -> str | None:
        """The first sheet whose name is one of ``names`` (case and spaces aside)."""
        for name in self.names:
            if name.strip().casefold() in names:
                return name
        return None

    def require(self, name: str) -> str:
        """``name`` itself if the workbook has that sheet, else the caller's error."""
        if name in self.names:
            return name
        found = self.find((name.strip().casefold(),))
        if found is not None:
            return found
        raise self._fail(
            msg("the workbook has no sheet {name}", name=repr(name)),
            msg("its sheets are {names}", names=", ".join(repr(n) for n in self.names)),
        )

    def rows(self, name: str, *, uncomputed: bool = False) -> list[tuple[int, list[object]]]:
        """The rows of sheet ``name`` that hold something, each with its number.

        A cell is ``None`` (empty), a ``str``, a ``bool``, a :class:`Number` or a
        ``datetime.datetime``/``datetime.date``; a cell holding one of Excel's
        errors (``#DIV/0!``, ``#N/D``) is its text.  With ``uncomputed``, a formula
        cell saved without its value is an :class:`Uncomputed` rather than
        ``None`` (it costs a second reading of a sheet that has formulas).
        """
        sheet = self._book[name]
        source = f"{self.path}[{name}]"
        sheet.reset_dimensions()  # read every row there is, not only the declared ones
        formulas = self._uncomputed(name) if uncomputed else {}
        found: list[tuple[int, list[object]]] = []
        try:
            for number, row in enumerate(sheet.iter_rows(), start=1):
                values = [
                    self._value(cell, source, number, column) for column, cell in enumerate(row, 1)
                ]
                for column, formula in formulas.get(number, {}).items():
                    if column <= len(values) and values[column - 1] is None:
                        values[column - 1] = Uncomputed(formula)
                if any(value is not None and value != "" for value in values):
                    found.append((number, values))
        except _FileError:
            raise
        except Exception as error:  # a damaged part, met only now in read-only mode
            raise self._unreadable(error) from None
        return found

    def _uncomputed(self, name: str) -> dict[int, dict[int, str]]:
        """The formulas of sheet ``name``, by row and column: none read at all for a
        sheet without any (the common case)."""
        import zipfile

        path = getattr(self._book[name], "_worksheet_path", None)
        try:
            if path is not None:
                with zipfile.ZipFile(io.BytesIO(self._data)) as archive:
                    if not _FORMULA_TAG.search(archive.read(path)):
                        return {}
            if self._formulas is None:
                self._formulas = self._openpyxl.load_workbook(
                    io.BytesIO(self._data), read_only=True, data_only=False
                )
            sheet = self._formulas[name]
            sheet.reset_dimensions()
            formulas: dict[int, dict[int, str]] = {}
            for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
                for column, value in enumerate(row, start=1):
                    text = getattr(value, "text", value)  # an array formula has its text
                    if isinstance(text, str) and text.startswith("="):
                        formulas.setdefault(number, {})[column] = text
        except Exception as error:  # a damaged part, met only now in read-only mode
            raise self._unreadable(error) from None
        return formulas

    def _value(self, cell: Any, source: str, line: int, column: int) -> object:
        value = cell.value
        if isinstance(value, bool) or value is None or isinstance(value, str | dt.date):
            return value
        if isinstance(value, int):
            return Number(Decimal(value), cell.number_format or "General")
        if isinstance(value, float) and value - value == 0:  # finite
            # Excel holds 15 significant digits: 0.30000000000000004 is the 0,3 it shows
            return Number(Decimal(format(value, ".15g")), cell.number_format or "General")
        raise self.error_type(
            msg(
                "the cell holds {value}, which neither a plan nor data can hold",
                value=clip(repr(value)),
            ),
            hint=msg("write a number, a date or text in it"),
            line=line,
            column=column,
            source=source,
        )
