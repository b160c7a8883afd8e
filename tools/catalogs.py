"""Keep the message catalogs in step with the source.

Every text the library and its faces write for people is marked in the source:
``msg("the value {text!r} is ambiguous", text=...)`` for Messages and
``_("weight")`` for fixed labels (``_`` being a :class:`kpi_formula.i18n.Translator`).
This script reads those marks with Babel and keeps the gettext catalogs of
``src/kpi_formula/locale`` up to date::

    python tools/catalogs.py update    # extract, merge into it/ and en/, compile the .mo
    python tools/catalogs.py check     # what is missing, untranslated or stale (exit 1)
    python tools/catalogs.py sweep     # texts for people not yet marked: errors built
                                       # from f-strings or plain strings, and the like

After ``update``, translate the new entries of ``locale/it/LC_MESSAGES/kpi_formula.po``
(they are empty, or marked ``fuzzy`` with a guess from a similar old message), then
run ``update`` again to compile them.  The English catalog is filled by the
script (each message as itself); edit it only to reword English without
touching the code.  After a merge that touched the ``.po`` files, ``update``
compiles the ``.mo`` files anew.

A second domain, ``argparse``, holds Italian for Python's own argparse texts
(``usage:``, ``options``, its errors), extracted from the running Python's
``argparse`` module; entries of other Python versions are kept.

Babel is a development dependency (the ``dev`` extra); the package itself reads
the compiled catalogs with the standard library's :mod:`gettext`.
"""

from __future__ import annotations

import argparse
import ast
import builtins
import copy
import io
import re
import string
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir, extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "kpi_formula"
LOCALE = PACKAGE / "locale"
DOMAIN = "kpi_formula"
ARGPARSE = "argparse"
LANGUAGES = ("en", "it")
KEYWORDS = {"msg": None, "_": None}
"""``msg(template, **values)`` and ``_(label)``: the first argument is the text."""
_ARGPARSE_KEYWORDS = {"_": None, "ngettext": (1, 2)}
_PERCENT_FIELD = re.compile(r"%(?:\([^)]*\))?[-#0 +]*[0-9*]*(?:\.[0-9*]+)?[a-zA-Z%]")


def po_path(language: str, domain: str = DOMAIN) -> Path:
    """Where the ``.po`` catalog of ``language`` lives (its ``.mo`` beside it)."""
    return LOCALE / language / "LC_MESSAGES" / f"{domain}.po"


def _new_catalog(language: str, domain: str) -> Catalog:
    team = {"en": "English", "it": "Italiano"}[language]
    return Catalog(
        locale=language,
        domain=domain,
        header_comment=f"# {team} for kpi_formula ({domain}); python tools/catalogs.py updates it.",
        project="kpi_formula",
        version="",
        copyright_holder="kpi_formula",
        msgid_bugs_address="",
        last_translator="kpi_formula",
        language_team=team,
        fuzzy=False,
    )


def _flags(message: str | tuple[str, ...]) -> set[str]:
    text = message if isinstance(message, str) else message[0]
    return {"python-brace-format"} if brace_fields(text) else set()


def extract() -> Catalog:
    """Every marked text of the package's source, with where it is written."""
    template = _new_catalog("en", DOMAIN)
    found = extract_from_dir(
        str(PACKAGE),
        method_map=[("**.py", "python")],
        keywords=KEYWORDS,
        comment_tags=("TRANSLATORS:",),
        strip_comment_tags=True,
    )
    for filename, lineno, message, comments, context in found:
        where = (PACKAGE / filename).relative_to(ROOT).as_posix()
        template.add(
            message,
            locations=[(where, lineno)],
            auto_comments=comments,
            context=context,
            flags=_flags(message),
        )
    return template


def extract_argparse() -> Catalog:
    """argparse's own texts, as the running Python writes them."""
    import argparse as module

    template = _new_catalog("en", ARGPARSE)
    path = Path(module.__file__ or "")
    for lineno, message, comments, context in extract_from_file(
        "python", str(path), keywords=_ARGPARSE_KEYWORDS
    ):
        template.add(message, locations=[("argparse.py", lineno)], auto_comments=comments)
        del context
    return template


def _read(path: Path, language: str, domain: str) -> Catalog:
    if not path.exists():
        return _new_catalog(language, domain)
    with path.open("rb") as file:
        return read_po(file, locale=language, domain=domain)


def _po_bytes(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_po(
        buffer,
        catalog,
        width=100,
        sort_output=True,
        include_lineno=False,
        ignore_obsolete=True,
    )
    return buffer.getvalue()


def mo_bytes(catalog: Catalog) -> bytes:
    """The compiled form of ``catalog`` (fuzzy and empty entries left out)."""
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def _write_if_changed(path: Path, content: bytes) -> bool:
    if path.exists() and path.read_bytes() == content:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return True


def _merged(template: Catalog, language: str, domain: str, *, keep_old: bool) -> Catalog:
    catalog = _read(po_path(language, domain), language, domain)
    previous = {message.id: message for message in catalog if message.id}
    # update() adopts the template's own entries: give each catalog its own copy
    catalog.update(copy.deepcopy(template), update_header_comment=False, update_creation_date=False)
    if keep_old:  # texts of other Python versions' argparse stay translated
        for key, message in previous.items():
            if key not in catalog and message.string:
                catalog[key] = message
    if language == "en":  # English says each message as it is written
        for message in catalog:
            if message.id and (not message.string or message.fuzzy):
                message.string = message.id
                message.flags.discard("fuzzy")
    return catalog


def compile_catalogs() -> list[Path]:
    """Write each ``.mo`` from its ``.po``; returns the files that changed."""
    changed = []
    for po in sorted(LOCALE.glob("*/LC_MESSAGES/*.po")):
        language = po.parent.parent.name
        catalog = _read(po, language, po.stem)
        if _write_if_changed(po.with_suffix(".mo"), mo_bytes(catalog)):
            changed.append(po.with_suffix(".mo"))
    return changed


def update() -> list[Path]:
    """Extract, merge into every catalog, compile; returns the files that changed."""
    changed = []
    template = extract()
    for language in LANGUAGES:
        catalog = _merged(template, language, DOMAIN, keep_old=False)
        if _write_if_changed(po_path(language), _po_bytes(catalog)):
            changed.append(po_path(language))
    argparse_catalog = _merged(extract_argparse(), "it", ARGPARSE, keep_old=True)
    if _write_if_changed(po_path("it", ARGPARSE), _po_bytes(argparse_catalog)):
        changed.append(po_path("it", ARGPARSE))
    return changed + compile_catalogs()


def brace_fields(text: str) -> list[tuple[str, str | None, str]]:
    """The ``{name!conversion:spec}`` fields of a template, sorted."""
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError:
        return [("<unbalanced braces>", None, "")]
    return sorted(
        (name, conversion, spec or "") for _, name, spec, conversion in parsed if name is not None
    )


def percent_fields(text: str) -> list[str]:
    """The ``%s``, ``%(name)r``, ``%%`` fields of an argparse text, sorted."""
    return sorted(_PERCENT_FIELD.findall(text))


def _texts(message: Message) -> tuple[list[str], list[str]]:
    ids = [message.id] if isinstance(message.id, str) else list(message.id)
    string = message.string or ""
    strings = [string] if isinstance(string, str) else list(string)
    return ids, strings


def missing(template: Catalog | None = None) -> list[str]:
    """Messages of the source that a catalog lacks, and entries no longer in the source."""
    template = extract() if template is None else template
    found: list[str] = []
    wanted = {message.id for message in template if message.id}
    for language in LANGUAGES:
        path = po_path(language)
        held = {message.id for message in _read(path, language, DOMAIN) if message.id}
        where = path.relative_to(ROOT)
        found += [f"{where}: missing {key!r}" for key in sorted(wanted - held, key=str)]
        found += [
            f"{where}: no longer in the source: {key!r}" for key in sorted(held - wanted, key=str)
        ]
    return found


def untranslated() -> list[str]:
    """Entries without a translation, fuzzy, or whose translation has other
    placeholders than the English text."""
    found: list[str] = []
    for language in LANGUAGES:
        path = po_path(language)
        for message in _read(path, language, DOMAIN):
            if message.id:
                found.extend(_entry_problems(path, message, brace=True))
    argparse_path = po_path("it", ARGPARSE)
    for message in _read(argparse_path, "it", ARGPARSE):
        if message.id:
            found.extend(_entry_problems(argparse_path, message, brace=False))
    return found


def uncompiled() -> list[str]:
    """``.mo`` files that are not the compiled form of their ``.po``."""
    found = []
    for po in sorted(LOCALE.glob("*/LC_MESSAGES/*.po")):
        mo = po.with_suffix(".mo")
        catalog = _read(po, po.parent.parent.name, po.stem)
        if not mo.exists() or mo.read_bytes() != mo_bytes(catalog):
            found.append(f"{mo.relative_to(ROOT)} does not match its .po: run update")
    return found


def problems() -> list[str]:
    """Everything :func:`missing`, :func:`untranslated` and :func:`uncompiled` find."""
    return [*missing(), *untranslated(), *uncompiled()]


def _entry_problems(path: Path, message: Message, *, brace: bool) -> Iterator[str]:
    where = path.relative_to(ROOT)
    ids, strings = _texts(message)
    if message.fuzzy or not all(strings):
        yield f"{where}: not translated: {message.id!r}"
        return
    fields = brace_fields if brace else percent_fields
    allowed = [fields(text) for text in ids]  # a plural form may drop the count
    for text in strings:
        # a template that is also argparse help keeps its %% (argparse formats help with %)
        if fields(text) not in allowed or text.count("%%") != ids[0].count("%%"):
            yield f"{where}: other placeholders in the translation of {message.id!r}"


_TEXT_ARGUMENTS = {"hint"}


def _is_error_class(name: str) -> bool:
    return name.endswith("Error") or name == "Problem"


def _callee(call: ast.Call) -> str:
    function = call.func
    if isinstance(function, ast.Name):
        return function.id
    if isinstance(function, ast.Attribute):
        return function.attr
    return ""


def _plain_text(node: ast.expr) -> bool:
    """A text written for people without msg(): an f-string, a literal, a
    concatenation or a ``.format()`` of them."""
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and bool(node.value.strip())
    if isinstance(node, ast.BinOp):
        return _plain_text(node.left) or _plain_text(node.right)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return node.func.attr == "format" and _plain_text(node.func.value)
    return False


_BUILTIN_ERRORS = {name for name in dir(builtins) if name.endswith("Error")}


_COLLECTIONS = ("reason", "note", "warning", "problem", "notice")


def _collects_for_people(call: ast.Call) -> bool:
    """``reasons.append(...)``, ``self.notes.append(...)``: a list of texts people read."""
    assert isinstance(call.func, ast.Attribute)
    owner = call.func.value
    name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
    return any(word in name.casefold() for word in _COLLECTIONS)


def sweep(paths: Iterable[Path] | None = None) -> list[str]:
    """Places where a text for people is not marked: an error (or plan problem)
    built from an f-string or a plain string, and ``msg()`` called with
    anything but a literal template."""
    found = []
    files = sorted(PACKAGE.rglob("*.py")) if paths is None else list(paths)
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = _callee(node)
            if name == "msg":
                if not node.args or not (
                    isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)
                ):
                    found.append(f"{where}:{node.lineno}: msg() needs a literal template")
                continue
            if name == "append" and _collects_for_people(node):
                if node.args and _plain_text(node.args[0]):
                    found.append(f"{where}:{node.lineno}: a text for people not marked with msg()")
                continue
            if not _is_error_class(name) or name in _BUILTIN_ERRORS:
                continue
            # an error's text is its first argument; a Problem's, its third; pydantic's
            # custom error's, its second (the first is the kind of error)
            at = {"Problem": 2, "PydanticCustomError": 1}.get(name, 0)
            positional = node.args[at : at + 1]
            texts = [
                *positional,
                *(k.value for k in node.keywords if k.arg in _TEXT_ARGUMENTS | {"message"}),
            ]
            for text in texts:
                if _plain_text(text):
                    found.append(
                        f"{where}:{text.lineno}: {name}(...) is given text not marked with msg()"
                    )
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python tools/catalogs.py", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("action", choices=["update", "compile", "check", "sweep"])
    args = parser.parse_args(argv)
    if args.action == "update":
        for path in update():
            print(f"wrote {path.relative_to(ROOT)}")
        for line in untranslated():
            print(line)
        return 0
    if args.action == "compile":
        for path in compile_catalogs():
            print(f"wrote {path.relative_to(ROOT)}")
        return 0
    lines = problems() if args.action == "check" else sweep()
    for line in lines:
        print(line)
    return 1 if lines else 0


if __name__ == "__main__":
    sys.exit(main())
