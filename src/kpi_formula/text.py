"""The input hygiene policy shared by every parser of the library.

Text copied out of PDF reports carries artefacts.  Before any parser sees a
string, this module applies one documented policy, character for character
(so that positions in error messages stay those of the user's text):

* non-breaking, narrow and figure spaces become a plain space;
* the unicode minus ``−`` and the dashes ``‒ –`` become ``-``;
* ``×``, ``·``, ``∙`` and ``•`` become ``*``, and ``÷`` becomes ``/``;
* the typographic apostrophe ``’`` (and ``‘``) becomes ``'``, and the curly
  double quotes ``“ ”`` become ``"``;
* zero-width characters, NUL and other control characters (tab, newline and
  carriage return excepted) are refused with an error naming their position:
  they are invisible, and guessing what they stood for would be unsafe.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from .errors import _TextError, msg

__all__ = [
    "MAX_TEXT_LENGTH",
    "check_length",
    "hygiene_problem",
    "normalise",
    "require_text",
    "translate",
]

MAX_TEXT_LENGTH = 10_000
"""The longest formula, value or target text accepted, in characters."""

_TRANSLATION = str.maketrans(
    {
        "\u00a0": " ",  # no-break space
        "\u2007": " ",  # figure space
        "\u202f": " ",  # narrow no-break space
        "\u2009": " ",  # thin space
        "\u2212": "-",  # minus sign
        "\u2012": "-",  # figure dash
        "\u2013": "-",  # en dash
        "\u00d7": "*",  # multiplication sign
        "\u00b7": "*",  # middle dot
        "\u2219": "*",  # bullet operator
        "\u2022": "*",  # bullet
        "\u00f7": "/",  # division sign
        "\u2019": "'",  # right single quotation mark, the typographic apostrophe
        "\u2018": "'",  # left single quotation mark
        "\u201c": '"',  # left double quotation mark
        "\u201d": '"',  # right double quotation mark
    }
)
_ALLOWED_CONTROLS = frozenset("\t\n\r")
_ASCII_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _is_forbidden(char: str) -> bool:
    if char in _ALLOWED_CONTROLS:
        return False
    category = unicodedata.category(char)
    # Cc: control characters; Cf: format characters such as zero-width space,
    # BOM and bidirectional marks; Cs/Co/Cn: surrogates, private use, unassigned.
    return category in ("Cc", "Cf", "Cs", "Co", "Cn")


def check_length(text: str, fail: Callable[[str, int, str], Exception]) -> None:
    """Refuse text longer than :data:`MAX_TEXT_LENGTH` through ``fail``."""
    if len(text) > MAX_TEXT_LENGTH:
        raise fail(
            msg(
                "input of {length} characters is longer than the limit of {limit}",
                length=format(len(text), ","),
                limit=format(MAX_TEXT_LENGTH, ","),
            ),
            MAX_TEXT_LENGTH,
            msg("split the formula into indicators that refer to each other"),
        )


def hygiene_problem(text: str) -> int | None:
    """The position of the first character the hygiene policy refuses in ``text``
    (invisible or control), or None: for values built by hand, which must hold
    only what a reader accepts."""
    if text.isascii():
        control = _ASCII_CONTROL.search(text)
        return None if control is None else control.start()
    for position, char in enumerate(text):
        if _is_forbidden(char):
            return position
    return None


def normalise(
    text: str,
    fail: Callable[[str, int, str], Exception],
    too_long: Callable[[str, int, str], Exception] | None = None,
) -> str:
    """Apply the hygiene policy; invisible or control characters go to ``fail``.

    ``fail(message, position, hint)`` builds the caller's own error type;
    ``too_long`` (default: ``fail``) the one for text beyond the length limit.
    """
    check_length(text, too_long or fail)
    if not text.isascii():  # the policy replaces no ASCII character
        text = text.translate(_TRANSLATION)
    position = hygiene_problem(text)
    if position is not None:
        char = text[position]
        if text.isascii():
            raise fail(
                msg("control character U+{code}", code=format(ord(char), "04X")),
                position,
                msg("delete it: control characters cannot appear in formulas or values"),
            )
        raise fail(
            msg(
                "invisible or control character U+{code} ({name})",
                code=format(ord(char), "04X"),
                name=unicodedata.name(char, "unnamed"),
            ),
            position,
            msg("delete it: it often comes with text copied from PDF files"),
        )
    return text


def translate(text: str) -> str:
    """``text`` with the policy's replacements (spaces, dashes, quotes, apostrophes)
    and nothing refused: for text built by hand that must read back the same."""
    return text.translate(_TRANSLATION)


def require_text(value: object, error_type: type[_TextError], what: str, example: str) -> str:
    """``value`` itself if it is a str, else ``error_type`` naming what was given."""
    if isinstance(value, str):
        return value
    raise error_type(
        msg("{what} is text, not {kind}", what=what, kind=type(value).__name__),
        text=repr(value),
        position=0,
        hint=msg("pass a str such as {example!r}", example=example),
    )
