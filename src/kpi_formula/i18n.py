"""People's language: which one, and the catalogs that say things in it.

Programs read English: the library's errors, reasons and notes are English
:class:`~kpi_formula.errors.Message` s, each keeping its template and values.
People read Italian or English: the faces — the command line, the prompt, the
scorecards — say every text through a :class:`Translator`, which looks the
template up in the gettext catalog of the chosen language
(``kpi_formula/locale/<lang>/LC_MESSAGES/kpi_formula.mo``) and fills it in
again.  A text without a template is looked up as it is.  English is the
source's own language: its catalog lists every text (translators and the
catalog tool work from it), and at run time English is said as written, with
no catalog to load.

The language is chosen by :func:`choose_language`: ``--lang``, then the
environment variable ``KPI_FORMULA_LANG``, then the plan's own ``language``,
then the locale (``LC_ALL``, ``LC_MESSAGES``, ``LANG``), then English.

>>> from kpi_formula.errors import msg
>>> translator("it").say(msg("{code}@{year} is N/D", code="A", year=2024))  # doctest: +SKIP
'A@2024 è N/D'
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from typing import TYPE_CHECKING, Any, Literal, Protocol, TypeAlias

if TYPE_CHECKING:
    import gettext

__all__ = [
    "LANGUAGES",
    "Language",
    "Translator",
    "argparse_speaking",
    "choose_language",
    "translator",
]

Language: TypeAlias = Literal["en", "it"]
LANGUAGES: tuple[Language, ...] = ("en", "it")
DOMAIN = "kpi_formula"
_LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")


def _language_of(value: str | None) -> Language | None:
    """``it``, ``it_IT.UTF-8``, ``Italian``, ``en_GB`` → the language, if one we speak."""
    if not value:
        return None
    head = value.strip().casefold().replace("-", "_").split(".")[0].split("_")[0]
    for language in LANGUAGES:
        if head == language or head == {"en": "english", "it": "italian"}[language]:
            return language
    return None


def choose_language(
    explicit: str | None = None,
    *,
    plan: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> Language:
    """The language to speak: ``explicit`` (``--lang``), else ``KPI_FORMULA_LANG``,
    else the plan's ``language``, else the locale, else English.

    An explicit choice or ``KPI_FORMULA_LANG`` naming a language we do not speak
    is an error (a typo must not silently fall back); a locale we do not speak
    falls through to English.
    """
    from .errors import KpiFormulaError, msg

    environ = os.environ if environ is None else environ
    named = (("--lang", explicit), ("KPI_FORMULA_LANG", environ.get("KPI_FORMULA_LANG")))
    for what, value in named:
        if value:
            found = _language_of(value)
            if found is None:
                raise KpiFormulaError(
                    msg(
                        "{what} names the language {value!r}, which is not spoken here",
                        what=what,
                        value=value[:40],
                    ),
                    hint=msg("use it (Italiano) or en (English)"),
                )
            return found
    if plan:
        found = _language_of(plan)
        if found is not None:
            return found
    for variable in _LOCALE_VARIABLES:
        value = environ.get(variable)
        if value:  # the first one set decides, as POSIX has it
            return _language_of(value) or "en"
    return "en"


class _Catalog(Protocol):
    def gettext(self, message: str, /) -> str: ...

    def ngettext(self, singular: str, plural: str, n: int, /) -> str: ...


class _AsWritten:
    """English, the language the texts are written in: each says itself."""

    def gettext(self, message: str, /) -> str:
        return message

    def ngettext(self, singular: str, plural: str, n: int, /) -> str:
        return singular if n == 1 else plural


class Translator:
    """Says texts in one language.

    ``translator(text)`` translates a fixed text (a label: ``"value"``);
    :meth:`say` a :class:`~kpi_formula.errors.Message` (its template translated,
    then filled with its values, themselves translated when they are Messages).
    """

    def __init__(self, language: Language, catalog: _Catalog) -> None:
        self.language = language
        self._catalog = catalog

    def __call__(self, text: str) -> str:
        return self._catalog.gettext(text)

    def say(self, text: str) -> str:
        """``text`` in this language: a Message by its template, anything else as it is."""
        template: str | None = getattr(text, "template", None)
        if template is None:
            return self._catalog.gettext(text) if text else text
        values: dict[str, Any] = getattr(text, "values", {})
        translated = self._catalog.gettext(template)
        if not values:
            return translated
        filled = {
            key: self.say(value) if hasattr(value, "template") else value
            for key, value in values.items()
        }
        try:
            return translated.format(**filled)
        except (KeyError, IndexError, ValueError):  # a broken translation: say it in English
            return template.format(**filled)

    def error(self, error: BaseException) -> str:
        """An error's paragraph in this language: its reason, where it is (``line``,
        ``column``, the caret) and its hint, as ``str(error)`` has them in English."""
        text = error.args[0] if len(error.args) == 1 else None
        return self.say(text) if isinstance(text, str) else str(error)


_LOCALE = os.path.join(os.path.dirname(__file__), "locale")
"""The compiled catalogs, shipped in the package (``locale/<lang>/LC_MESSAGES``)."""


def _catalog(domain: str, language: Language) -> _Catalog:
    if language == "en":  # said as written: no catalog to load at start-up
        return _AsWritten()
    import gettext

    found: gettext.NullTranslations = gettext.translation(
        domain, localedir=_LOCALE, languages=[language], fallback=True
    )
    return found


@cache
def translator(language: Language) -> Translator:
    """The translator of ``language`` (English when its catalog is missing)."""
    return Translator(language, _catalog(DOMAIN, language))


@contextmanager
def argparse_speaking(language: Language) -> Iterator[None]:
    """Within the block, :mod:`argparse` says its own words (``usage:``,
    ``options``, ``the following arguments are required``) in ``language``.

    argparse takes them from :mod:`gettext` through two module globals, ``_``
    and ``ngettext``, with no hook per parser; the block points them at the
    ``argparse`` catalog of ``language`` and puts them back after.  The command
    line parses its arguments inside it, once per process.
    """
    import argparse

    catalog = _catalog("argparse", language)
    saved = argparse._, argparse.ngettext  # type: ignore[attr-defined]
    argparse._, argparse.ngettext = catalog.gettext, catalog.ngettext  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved  # type: ignore[attr-defined]
