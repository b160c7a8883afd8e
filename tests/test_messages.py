"""Every message the value and target readers can give, read by a person here.

The readers' errors are written by the library, never generated from grammar
symbols: a fuzzed input may only produce one of the templates below, and each
template is shown once with the input that produces it.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

import kpi_formula as kf

TEMPLATES = {
    r"the (value|target) is empty": ("", "the value is empty"),
    r"cannot read the (value|target) '.*' at '.*'": (
        "12 kg",
        "cannot read the value '12 kg' at 'kg'",
    ),
    r"the (value|target) '.*' ends too early": ("€", "the value '€' ends too early"),
    r"cannot read the (value|target) '.*'": ("5 ,", "cannot read the value '5 ,' at ','"),
    r"[0-9./-]+ is not a calendar date": ("31-02-2024", "31-02-2024 is not a calendar date"),
    r"a number of more than 1000 digits": ("1" * 1001, "a number of more than 1000 digits"),
    r"a percentage with a scale \(.*\)": ("5 mln %", "a percentage with a scale (mln)"),
    r"invisible or control character U\+[0-9A-F]{4} \(.*\)": (
        "5\u200b",
        "invisible or control character U+200B (ZERO WIDTH SPACE)",
    ),
    r"control character U\+[0-9A-F]{4}": ("5\x00", "control character U+0000"),
    r"input of [0-9,]+ characters is longer than the limit of 10,000": (
        "1" * 10_001,
        "input of 10,001 characters is longer than the limit of 10,000",
    ),
    r"a (value|target) is text, not \w+": (5, "a value is text, not int"),
}
_PHRASES = re.compile(r"\b(empty the|unexpected the|the the|\$END|[A-Z_]{4,}:)")


def reason_of(function: object, text: object) -> str | None:
    try:
        function(text)  # type: ignore[operator]
    except kf.KpiFormulaError as error:
        return error.reason
    return None


@pytest.mark.parametrize("template", sorted(TEMPLATES))
def test_each_template_as_a_person_reads_it(template: str) -> None:
    text, message = TEMPLATES[template]
    assert reason_of(kf.parse_value, text) == message
    assert re.fullmatch(template, message)


TARGET_TEMPLATES = {
    r"the cell holds \d+ targets: .*": (">= 1 >= 2", "the cell holds 2 targets: >= 1; >= 2"),
    r"the cell sets no target": ("n.d.", "the cell sets no target"),
    r"'.*' is not a unit, nor a word of what is counted": (
        "almeno 12 kg",
        "'kg' is not a unit, nor a word of what is counted",
    ),
    r"the words '.*' would change what the target means, and are not read as a description": (
        "almeno 5 pratiche oltre soglia",
        "the words 'oltre' would change what the target means, and are not read as a "
        "description",
    ),
    r"the words '.*' would change the sign of the amount or what it is measured from, and "
    r"are not read as a description": (
        "30 gg prima della scadenza",
        "the words 'prima' would change the sign of the amount or what it is measured from, "
        "and are not read as a description",
    ),
    r"is '.*' a change of \S+ % or of \S+ units\? .* goes before a percentage, and the % "
    r"is missing": (
        "Aumento del 10 rispetto al 2023",
        "is 'Aumento del 10' a change of 10 % or of 10 units? del goes before a percentage, "
        "and the % is missing",
    ),
    r"a change relative to a reference needs its direction": (
        "5% rispetto al 2024",
        "a change relative to a reference needs its direction",
    ),
    r"a range goes from its lower bound to its upper one": (
        "tra 90% e 70%",
        "a range goes from its lower bound to its upper one",
    ),
    r"a range's bounds are in \S+ and \S+": ("tra 5 gg e 7 €", "a range's bounds are in gg and €"),
    r"a year has no \S+ \w+": ("entro il terzo semestre 2025", "a year has no terzo semestre"),
    r"is [0-9]+ a year, or an amount of \w+\?": (
        "entro il 2025 pratiche",
        "is 2025 a year, or an amount of pratiche?",
    ),
}


def test_the_target_messages() -> None:
    assert reason_of(kf.parse_target, "forse") == "cannot read the target 'forse' at 'forse'"
    assert reason_of(kf.parse_target, "Anno 2016:") == "the target 'Anno 2016:' ends too early"


@pytest.mark.parametrize("template", sorted(TARGET_TEMPLATES))
def test_each_target_template_as_a_person_reads_it(template: str) -> None:
    text, message = TARGET_TEMPLATES[template]
    assert reason_of(kf.parse_target, text) == message
    assert re.fullmatch(template, message)


def known(reason: str) -> bool:
    templates = [*TEMPLATES, *TARGET_TEMPLATES]
    return any(re.fullmatch(template, reason, re.DOTALL) for template in templates)


_PIECES = [
    ">=",
    "<",
    "=",
    "1",
    "1.100",
    ",5",
    "%",
    "€",
    "N.",
    "gg",
    "mln",
    "di",
    "euro",
    "Anno",
    "2025",
    ":",
    "entro",
    "il",
    "31-12-2025",
    "rispetto",
    "alla",
    "baseline",
    "Aumento",
    "del",
    "maggiore",
    "o",
    "uguale",
    "a",
    "n.d.",
    "(",
    ")",
    "-",
    "+",
    " ",
    "x",
    "\u200b",
    "Mantenimento",
    "valore",
    "anno precedente",
    "31/02/2025",
    "tra",
    "e",
    "da",
    "SI",
    "pratiche",
    "ulteriori",
    "oltre",
    "‰",
    "giugno",
    "semestre",
    '"',
    ".",
]


@given(st.lists(st.sampled_from(_PIECES), max_size=12).map(" ".join))
def test_any_failure_is_one_of_the_templates(text: str) -> None:
    for function in (kf.parse_value, kf.parse_target, kf.parse_targets):
        reason = reason_of(function, text)
        if reason is not None:
            assert known(reason), reason
            assert not _PHRASES.search(reason), reason
