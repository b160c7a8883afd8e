"""Taking inputs in: text files, argument types, optional dependencies.

Small checks shared by the readers, so that each reports a bad input through
the library's own error types and in the same words.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

from .errors import KpiFormulaError, _FileError, _TextError

__all__ = [
    "csv_delimiter",
    "read_csv_file",
    "read_text_file",
    "read_xlsx_cells",
    "require_module",
    "require_text",
]


def read_text_file(path: str | Path, error_type: type[_FileError]) -> str:
    """The UTF-8 text of ``path`` (a byte-order mark dropped), or ``error_type``."""
    path = Path(path)
    try:
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise error_type(
            f"cannot read {path}: {error}", hint="check the path and that the file is UTF-8 text"
        ) from None


def read_csv_file(path: Path, error_type: type[_FileError]) -> str:
    """The text of a CSV file as spreadsheets save it: UTF-8 (a byte-order mark
    dropped), else Windows-1252 (Excel's "CSV (separato da ;)" on Italian Windows)."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise error_type(f"cannot read {path}: {error}", hint="check the path") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252")


def csv_delimiter(header: str) -> str:
    """The separator of a CSV file: ``;``, tab or ``,``, whichever its header holds most."""
    return max((";", "\t", ","), key=header.count)


def require_text(value: object, error_type: type[_TextError], what: str, example: str) -> str:
    """``value`` itself if it is a str, else ``error_type`` naming what was given."""
    if isinstance(value, str):
        return value
    raise error_type(
        f"{what} is text, not {type(value).__name__}",
        text=repr(value),
        position=0,
        hint=f"pass a str such as {example!r}",
    )


def require_module(name: str, *, extra: str, purpose: str) -> ModuleType:
    """Import an optional dependency, or say which extra brings it."""
    try:
        return importlib.import_module(name)
    except ImportError:
        raise KpiFormulaError(
            f"{purpose} needs {name}", hint=f"pip install 'kpi_formula[{extra}]'"
        ) from None


def read_xlsx_cells(
    path: Path, error_type: type[_FileError], *, purpose: str
) -> list[list[object]]:
    """The cells of the first sheet of an ``.xlsx`` workbook (the ``excel`` extra)."""
    openpyxl = require_module("openpyxl", extra="excel", purpose=purpose)
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise error_type(
            f"cannot read {path} as .xlsx: {error}", hint="save it again from Excel"
        ) from None
    try:
        return [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    finally:
        workbook.close()
