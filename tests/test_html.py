"""The HTML scorecard, rendered by a real browser: Debian's Chromium, headless.

The assertions read the DOM Chromium builds from the page (``--dump-dom``), its
screenshots at desktop and phone widths, and its A4 print (the PDF's pages and
their text); they skip where no Chromium is installed (``.ci/run`` installs it
with apt).  Each card is held to the evaluation it shows, row by row, so a page
that swapped met and missed, or close and far, fails.
"""

from __future__ import annotations

import cProfile
import datetime as dt
import io
import os
import pstats
import re
import shutil
import struct
import subprocess
import unicodedata
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpi_formula.cli import main
from kpi_formula.data import load_data
from kpi_formula.missing import ND
from kpi_formula.plan import evaluate_plan, load_plan, render_page
from kpi_formula.plan.html import CLOSE_BAND, traffic_light
from kpi_formula.plan.scores import IndicatorResult, IndicatorValue, NodeScore, PlanEvaluation

from .conftest import EXAMPLES

BROWSER = shutil.which("chromium") or shutil.which("chromium-browser")
needs_browser = pytest.mark.skipif(BROWSER is None, reason="no Chromium on this machine")
MODENA = EXAMPLES / "modena_2025"

HOSTILE_SHEET = """\
codice;padre;nome;peso;algoritmo;unità;baseline 2024;target 2025
M1;;<script>document.title='pwned'</script>Servizi;100 %;;;;
<b>EV</b>;M1;<img src=x onerror="document.title='pwned'">Pratiche evase;50 %;\
EVASE / RICEVUTE * 100;%;90,00 %;>= 90,00 %
TEMPI;M1;Tempo <svg onload=alert(1)>;50 %;GIORNI / EVASE;gg;30 gg;<= 20 gg
"""
DATA = (
    "code;year;value\nEVASE;2024;900\nRICEVUTE;2024;1.000\nGIORNI;2024;27.000\n"
    "EVASE;2025;947\nRICEVUTE;2025;1.000\nGIORNI;2025;23.675\n"
)
RELATIVE_SHEET = """\
codice;padre;nome;peso;algoritmo;unità;baseline 2024;target 2025
M1;;Servizi;100 %;;;;
EV;M1;Pratiche evase;50 %;EVASE / RICEVUTE;%;72,10 %;+10 % rispetto alla baseline
TEMPI;M1;Tempo medio;50 %;GIORNI / EVASE;gg;30 gg;<= 20 gg
"""
RELATIVE_DATA = "code;year;value\n" + "".join(
    f"{code};{year};{value}\n"
    for year, values in {
        2023: ("700", "1.000", "28.000"),
        2024: ("721", "1.000", "27.000"),
        2025: ("800", "1.000", "17.600"),
    }.items()
    for code, value in zip(("EVASE", "RICEVUTE", "GIORNI"), values, strict=True)
)


@pytest.fixture(autouse=True)
def _english(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pages in English unless a test asks otherwise, whatever this machine's locale."""
    monkeypatch.setenv("KPI_FORMULA_LANG", "en")


def chromium(tmp_path: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    assert BROWSER is not None
    return subprocess.run(
        [
            BROWSER,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            f"--user-data-dir={tmp_path / 'profile'}",
            *arguments,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "HOME": str(tmp_path)},
    )


@dataclass
class Element:
    """An element of the DOM the browser built: its tag, attributes, children, text."""

    tag: str
    attributes: dict[str, str]
    children: list[Element | str] = field(default_factory=list)

    @property
    def classes(self) -> set[str]:
        return set(self.attributes.get("class", "").split())

    @property
    def text(self) -> str:
        return "".join(child if isinstance(child, str) else child.text for child in self.children)

    def walk(self) -> Iterator[Element]:
        yield self
        for child in self.children:
            if isinstance(child, Element):
                yield from child.walk()

    def all(self, tag: str = "", css: str = "") -> list[Element]:
        return [
            element
            for element in self.walk()
            if (not tag or element.tag == tag) and (not css or css in element.classes)
        ]

    def one(self, tag: str = "", css: str = "") -> Element:
        found = self.all(tag, css)
        assert len(found) == 1, (tag, css, len(found))
        return found[0]


_VOID = {"meta", "link", "br", "img", "input", "hr", "area", "base", "col", "source", "wbr"}


class _Tree(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {name: value or "" for name, value in attrs})
        self.stack[-1].children.append(element)
        if tag not in _VOID:
            self.stack.append(element)

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def scorecard(tmp_path: Path, plan: Path, data: Path, year: str, *extra: str) -> Path:
    html = tmp_path / "scorecard.html"
    argv = ["plan", "scorecard", str(plan), "--data", str(data), "--year", year, *extra]
    assert main([*argv, "--html", str(html)], out=io.StringIO()) == 0
    return html


def rendered(tmp_path: Path, html: Path) -> Element:
    done = chromium(tmp_path, "--dump-dom", html.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    tree = _Tree()
    tree.feed(done.stdout)
    return tree.root


def modena_page(tmp_path: Path) -> Path:
    return scorecard(
        tmp_path, MODENA / "plan.toml", MODENA / "data.csv", "2024", "--targets", "2025"
    )


def expected_state(result: IndicatorResult) -> str:
    """The traffic light README documents: met; missed by less than 10 %; far; N/D."""
    if result.met is True:
        return "met"
    if result.met is False:
        assert result.achievement is not None
        return "close" if result.achievement >= Decimal("0.9") else "far"
    return "nd" if result.value is ND else "unjudged"


# ----------------------------------------------------------------------------- no browser


def _result(
    met: bool | None, achievement: str | None, value: object = Decimal(1)
) -> IndicatorResult:
    return IndicatorResult(
        id="A",
        code="A",
        name="a",
        value=value,  # type: ignore[arg-type]
        reasons=(),
        target=">= 1",
        met=met,
        achievement=None if achievement is None else Decimal(achievement),
    )


@pytest.mark.parametrize(
    ("met", "achievement", "value", "state"),
    [
        (True, "1", Decimal(1), "met"),
        (False, "0.9", Decimal(1), "close"),
        (False, "0.8999", Decimal(1), "far"),
        (False, "0", Decimal(1), "far"),
        (None, None, ND, "nd"),
        (None, None, Decimal(1), "unjudged"),
    ],
)
def test_the_traffic_light_and_its_band(
    met: bool | None, achievement: str | None, value: object, state: str
) -> None:
    assert Decimal("0.9") == CLOSE_BAND
    assert traffic_light(_result(met, achievement, value)) == state


_ALLOWED_TAGS = {
    "#document", "html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "h3",
    "dl", "dt", "dd", "div", "section", "span", "p", "ul", "li", "strong", "main", "article",
    "svg", "line", "polyline", "circle", "text",
}  # fmt: skip
_values = st.one_of(
    st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), allow_nan=False, places=4),
    st.decimals(allow_nan=False, allow_infinity=False).filter(lambda d: abs(d.adjusted()) < 999),
    st.just(ND),
    st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31)),
)


@st.composite
def _evaluations(draw: st.DrawFn) -> tuple[PlanEvaluation, dict[str, dict[int, IndicatorValue]]]:
    results, history = [], {}
    for number in range(draw(st.integers(0, 5))):
        met = draw(st.sampled_from([True, False, None]))
        achievement = (
            Decimal(1)
            if met
            else None
            if met is None
            else draw(st.decimals(Decimal(0), Decimal("0.9999"), places=4))
        )
        key = f"I{number}"
        results.append(
            IndicatorResult(
                id=key,
                code=draw(st.text(max_size=8)) or key,
                name=draw(st.text(max_size=30)),
                value=draw(_values),
                reasons=tuple(draw(st.lists(st.text(max_size=20), max_size=2))),
                target=draw(st.none() | st.text(max_size=30)),
                met=met,
                achievement=achievement,
                unit=draw(st.sampled_from([None, "%", "€", "N.", "gg"])),
            )
        )
        history[key] = draw(st.dictionaries(st.integers(2020, 2026), _values, max_size=4))
    children = tuple(
        NodeScore("indicator", r.code, r.name, Decimal(1), r.achievement, indicator=r)
        for r in results
    )
    group = NodeScore("group", "G", draw(st.text(max_size=20)), Decimal(1), None, children)
    tree = NodeScore("plan", "", draw(st.text(max_size=40)), Decimal(1), None, (group,))
    return PlanEvaluation(2025, 2025, tree, tuple(results)), history


@settings(max_examples=60)
@given(_evaluations(), st.sampled_from(["en", "it"]))
def test_any_evaluation_makes_a_page_of_its_own_elements(
    drawn: tuple[PlanEvaluation, dict[str, dict[int, IndicatorValue]]], language: str
) -> None:
    evaluation, history = drawn
    page = render_page(
        evaluation,
        history=history,
        language=language,  # type: ignore[arg-type]
        evaluated=dt.date(2026, 1, 31),
        source="<dati>.csv",
    )
    tree = _Tree()
    tree.feed(page)
    dom = tree.root
    assert {element.tag for element in dom.walk()} <= _ALLOWED_TAGS
    assert dom.one("html").attributes["lang"] == language
    cards = dom.all("article", "indicator")
    assert len(cards) == len(evaluation.indicators)
    for card, result in zip(cards, evaluation.indicators, strict=True):
        assert card.attributes["data-state"] == traffic_light(result)
        assert card.one("h3").text == f"{result.code} {result.name}"
        charts = card.all("svg")
        numbers = [v for v in history[result.id].values() if isinstance(v, Decimal)]
        if charts:
            assert len(charts[0].all("text", "point-value")) == len(numbers)
    judged = sum(result.met is not None for result in evaluation.indicators)
    assert dom.one(css="headline").attributes["data-judged"] == str(judged)


def test_the_page_parses_nothing_the_evaluation_read(tmp_path: Path) -> None:
    """Formulas, targets and baselines are read once, by the evaluation: the page
    draws from its verdicts (profiled: no reader of the library runs)."""
    plan = load_plan(MODENA / "plan.toml")
    data = load_data(MODENA / "data.csv")
    evaluation = evaluate_plan(plan, data, year=2024, target_year=2025)
    history = {
        result.id: {2024: result.value, 2023: result.value} for result in evaluation.indicators
    }
    profile = cProfile.Profile()
    page = profile.runcall(render_page, evaluation, history=history, language="it")
    assert page.count("<article") == 103
    called = {
        (Path(filename).name, name)
        for filename, _line, name in pstats.Stats(profile).stats  # type: ignore[attr-defined]
        if "kpi_formula" in filename
    }
    readers = {
        (module, name)
        for module, name in called
        if re.match(r"_?(parse|read)(_|$)", name)
        or name in {"_targets", "first_target", "_judge", "evaluate"}
    }
    assert readers == set()
    assert ("html.py", "render_page") in called  # the profile saw the page being made


def test_the_scorecard_command_parses_each_formula_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Validation, the scored year, every other year of the charts and the page
    share one parse of each formula, kept with the plan: counted with the
    parser's own cache taken away, as a plan of more formulas than it holds
    would find it."""
    from kpi_formula import formula as formula_module
    from kpi_formula.parser import parse_node

    parsed: Counter[str] = Counter()

    def counting(text: str) -> formula_module.Formula:
        parsed[text] += 1
        return formula_module.Formula(parse_node(text), text)

    monkeypatch.setattr(formula_module, "_formula", counting)
    plan = load_plan(MODENA / "plan.toml")
    texts = {
        indicator.formula
        for indicator in plan.indicators().values()
        if indicator.formula is not None and not indicator.is_input
    }
    parsed.clear()  # what loading the file read is the loader's own business
    html = scorecard(tmp_path, MODENA / "plan.toml", MODENA / "data.csv", "2024")
    assert html.read_text(encoding="utf-8").count("<article") == 103
    assert set(parsed) == texts
    assert max(parsed.values()) == 1, parsed.most_common(3)


# ----------------------------------------------------------------------------- the DOM


@needs_browser
def test_the_modena_scorecard_card_by_card(tmp_path: Path) -> None:
    dom = rendered(tmp_path, modena_page(tmp_path))
    plan = load_plan(MODENA / "plan.toml")
    data = load_data(MODENA / "data.csv")
    evaluation = evaluate_plan(plan, data, year=2024, target_year=2025)
    results = {result.id: result for result in evaluation.indicators}

    cards = dom.all("article", "indicator")
    assert len(cards) == sum(1 for _ in plan.occurrences()) == 103  # every listing has its card
    for card in cards:
        result = results[card.attributes["data-indicator"]]
        state = expected_state(result)
        assert card.attributes["data-state"] == state, result.code
        assert f"state-{state}" in card.classes
        words = {"met": "met", "close": "close", "far": "far", "nd": "N/D", "unjudged": "judged"}
        assert words[state] in card.one(css="state").text, result.code
        shown = dict(
            zip(
                (dt_.text for dt_ in card.all("dt")),
                (dd.text for dd in card.all("dd")),
                strict=True,
            )
        )
        # the target as written; a bare amount adds how it was read, for want of a direction
        implied = result.parsed_target is not None and result.parsed_target.implied
        reading = " → ≥ 100,00 %" if implied else ""
        assert shown["target 2025"] == (result.target or "—") + reading, result.code
        if result.achievement is not None:
            meter = card.one(css="bar")
            assert Decimal(meter.attributes["aria-valuenow"]) == pytest.approx(result.achievement)

    # the summary counts each indicator once
    states = Counter(expected_state(result) for result in evaluation.indicators)
    headline = dom.one(css="headline")
    judged = states["met"] + states["close"] + states["far"]
    assert (
        headline.text == f"{states['met']} of {judged} indicators met" == "66 of 81 indicators met"
    )
    counts = {
        item.classes.pop(): int(item.attributes["data-count"])
        for item in dom.one(css="summary").all("li")
    }
    assert counts == {"state-close": 7, "state-far": 8, "state-nd": 20}
    assert (states["close"], states["far"], states["nd"]) == (7, 8, 20)
    assert "96,7 %" in dom.one(css="summary").text
    assert dom.one("html").attributes["lang"] == "en"

    # the page says when and from what
    facts = dom.one(css="facts").text
    assert dt.date.today().strftime("%d-%m-%Y") in facts
    assert str(MODENA / "data.csv") in facts
    assert "script" not in {element.tag for element in dom.walk()}


@needs_browser
def test_a_chart_writes_its_axes_values_and_target(tmp_path: Path) -> None:
    dom = rendered(tmp_path, modena_page(tmp_path))
    charts = dom.all("svg", "chart")
    assert len(charts) == 78  # every card with numbers (milestones have dates)
    for chart in charts:
        years = [text.text for text in chart.all("text", "year")]
        assert years == sorted(years) and years[-1] == "2025"
        assert len(chart.all("text", "tick")) >= 2
        assert len(chart.all("text", "point-value")) == len(chart.all("circle", "value"))
    d1 = next(card for card in dom.all("article") if card.attributes["data-indicator"] == "D1")
    chart = d1.one("svg")
    assert [text.text for text in chart.all("text", "year")] == ["2022", "2023", "2024", "2025"]
    assert [text.text for text in chart.all("text", "point-value")] == ["981", "1.167", "1.136"]
    assert [text.text for text in chart.all("text", "target-value")] == ["1.100"]
    assert chart.one("text", "axis-unit").text == "N."
    ticks = [text.text for text in chart.all("text", "tick")]
    assert ticks == ["900", "1.000", "1.100", "1.200"]
    assert len(chart.all("line", "target")) == 1
    assert len(chart.all("circle", "baseline")) == 3  # 2022-2024, each on its value
    assert chart.all("text", "baseline-value") == []  # the data say the same: written once
    # big amounts are shortened, the unit left to the axis
    export = next(c for c in dom.all("article") if c.attributes["data-indicator"] == "301.50")
    assert [t.text for t in export.one("svg").all("text", "target-value")] == ["18,8 bn"]
    legend = dom.one(css="legend")
    for kind in ("value", "baseline", "target"):
        assert legend.one(css=f"key-{kind}").text


@needs_browser
def test_a_relative_target_shows_the_threshold_it_works_out_to(tmp_path: Path) -> None:
    sheet = tmp_path / "piano.csv"
    sheet.write_text(RELATIVE_SHEET, encoding="utf-8")
    data = tmp_path / "dati.csv"
    data.write_text(RELATIVE_DATA, encoding="utf-8")
    dom = rendered(tmp_path, scorecard(tmp_path, sheet, data, "2025"))
    cards = {card.attributes["data-indicator"]: card for card in dom.all("article")}
    relative = cards["EV"]
    # +10 % on 2024's 72,10 %: at least 79,31 %, met by 80 %
    assert relative.attributes["data-state"] == "met"
    assert relative.one(css="threshold").text == "→ ≥ 79,31 %"
    chart = relative.one("svg")
    assert [text.text for text in chart.all("text", "target-value")] == ["79,3"]
    (line,) = chart.all("line", "target")
    points = {
        text.text: float(circle.attributes["cy"])
        for text, circle in zip(
            chart.all("text", "point-value"), chart.all("circle", "value"), strict=True
        )
    }
    assert points["80"] < float(line.attributes["y1"]) < points["72,1"]  # drawn between
    assert [text.text for text in chart.all("text", "point-value")] == ["70", "72,1", "80"]
    assert chart.one("text", "axis-unit").text == "%"
    # 22 days against at most 20: missed, 90,9 %: close
    assert cards["TEMPI"].attributes["data-state"] == "close"
    assert cards["TEMPI"].all(css="threshold") == []  # a plain target needs no working out


@needs_browser
def test_text_from_the_plan_never_becomes_an_element(tmp_path: Path) -> None:
    sheet = tmp_path / "piano.csv"
    sheet.write_text(HOSTILE_SHEET, encoding="utf-8")
    data = tmp_path / "dati.csv"
    data.write_text(DATA, encoding="utf-8")
    dom = rendered(tmp_path, scorecard(tmp_path, sheet, data, "2025"))
    tags = {element.tag for element in dom.walk()}
    assert "script" not in tags and "img" not in tags and "b" not in tags
    attributes = {name for element in dom.walk() for name in element.attributes}
    assert "onerror" not in attributes and "onload" not in attributes
    text = dom.text
    assert "<script>document.title='pwned'</script>Servizi" in text
    assert "<img src=x onerror=" in text
    assert "pwned" not in dom.one("head").one("title").text


# ----------------------------------------------------------------------------- screenshots


def png_pixels(path: Path) -> tuple[int, int, list[bytes]]:
    """Width, height and rows of RGB(A) bytes of an 8-bit PNG, unfiltered."""
    content = path.read_bytes()
    assert content[:8] == b"\x89PNG\r\n\x1a\n"
    width, height, depth, colour = struct.unpack(">IIBB", content[16:26])
    assert depth == 8 and colour in (2, 6)
    step = 3 if colour == 2 else 4
    chunks, at = [], 8
    while at < len(content):
        (size,) = struct.unpack(">I", content[at : at + 4])
        if content[at + 4 : at + 8] == b"IDAT":
            chunks.append(content[at + 8 : at + 8 + size])
        at += 12 + size
    raw = zlib.decompress(b"".join(chunks))
    stride = width * step
    rows: list[bytes] = []
    previous = bytearray(stride)
    for y in range(height):
        kind, line = (
            raw[y * (stride + 1)],
            bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)]),
        )
        for x in range(stride):
            left = line[x - step] if x >= step else 0
            up, corner = previous[x], previous[x - step] if x >= step else 0
            if kind == 1:
                line[x] = (line[x] + left) & 255
            elif kind == 2:
                line[x] = (line[x] + up) & 255
            elif kind == 3:
                line[x] = (line[x] + (left + up) // 2) & 255
            elif kind == 4:
                guess = left + up - corner
                near = min((abs(guess - left), 0), (abs(guess - up), 1), (abs(guess - corner), 2))
                line[x] = (line[x] + (left, up, corner)[near[1]]) & 255
        rows.append(bytes(b for i in range(0, stride, step) for b in line[i : i + 3]))
        previous = line
    return width, height, rows


def colours(rows: list[bytes]) -> Counter[bytes]:
    return Counter(row[i : i + 3] for row in rows for i in range(0, len(row), 3))


MET, CLOSE, FAR = bytes.fromhex("1f7a4d"), bytes.fromhex("9a5b00"), bytes.fromhex("b3261e")


@needs_browser
@pytest.mark.parametrize(("width", "height"), [(1280, 1600), (390, 844)], ids=["desktop", "phone"])
def test_screenshots(tmp_path: Path, width: int, height: int) -> None:
    shot = tmp_path / "shot.png"
    done = chromium(
        tmp_path,
        f"--screenshot={shot}",
        f"--window-size={width},{height}",
        modena_page(tmp_path).as_uri(),
    )
    assert done.returncode == 0, done.stderr[-2000:]
    shown_width, shown_height, rows = png_pixels(shot)
    assert (shown_width, shown_height) == (width, height)
    seen = colours(rows)
    # the summary's bar and the first cards draw the three lights
    assert seen[MET] > 200 and seen[CLOSE] > 50 and seen[FAR] > 50, seen.most_common(8)


# ----------------------------------------------------------------------------- print


def pdf_pages(tmp_path: Path, html: Path) -> list[str]:
    pypdf = pytest.importorskip("pypdf")
    pdf = tmp_path / "scorecard.pdf"
    done = chromium(tmp_path, f"--print-to-pdf={pdf}", "--no-pdf-header-footer", html.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    content = pdf.read_bytes()
    assert content.startswith(b"%PDF")
    reader = pypdf.PdfReader(pdf)
    for page in reader.pages:  # A4: 210 x 297 mm, in points
        box = page.mediabox
        assert abs(float(box.width) - 595.3) < 1 and abs(float(box.height) - 841.9) < 1
    # NFKC: the PDF writes "fi" as its ligature
    return [unicodedata.normalize("NFKC", page.extract_text()) for page in reader.pages]


@needs_browser
def test_it_prints_on_a4_with_title_date_and_page_numbers(tmp_path: Path) -> None:
    pages = pdf_pages(tmp_path, modena_page(tmp_path))
    assert len(pages) > 3  # the tree over several sheets
    title = "Camera di Commercio di Modena — Alberatura della pianificazione 2025"
    today = dt.date.today().strftime("%d-%m-%Y")
    for number, text in enumerate(pages, start=1):
        assert text.startswith(title), text[:200]
        assert f"evaluated on {today}" in text
        assert f"page {number} of {len(pages)}" in text


@needs_browser
def test_the_page_speaks_italian(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KPI_FORMULA_LANG", "it")
    html = modena_page(tmp_path)
    dom = rendered(tmp_path, html)
    assert dom.one("html").attributes["lang"] == "it"
    assert dom.one(css="headline").text == "66 su 81 indicatori raggiunti"
    labels = Counter(card.one(css="state").text for card in dom.all("article", "indicator"))
    assert labels == {  # the sign kept with its word by a no-break space
        "✓\u00a0raggiunto": 67,  # 66 indicators, one listed twice
        "–\u00a0N/D": 21,
        "✗\u00a0lontano": 8,
        "≈\u00a0vicino": 7,
    }
    first = dom.all("article", "indicator")[0]
    assert [term.text for term in first.all("dt")] == [
        "valore",
        "target 2025",
        "raggiungimento",
        "peso",
    ]
    assert "vicini al target: 7" in dom.one(css="summary").text
    assert "18,8 mld" in first.one("svg").text  # 18.800.000.000 €, shortened the Italian way
    pages = pdf_pages(tmp_path, html)
    today = dt.date.today().strftime("%d-%m-%Y")
    assert f"valutato il {today}" in pages[0]
    assert all(f"pagina {n} di {len(pages)}" in text for n, text in enumerate(pages, start=1))


@needs_browser
def test_a_hostile_title_stays_text_in_the_print_header(tmp_path: Path) -> None:
    title = '"; } body { display: none } @page { @top-left { content: "x </style><script>'
    result = _result(True, "1")
    tree = NodeScore(
        "plan",
        "",
        title,
        Decimal(1),
        Decimal(1),
        (NodeScore("indicator", "A", "a", Decimal(1), Decimal(1), indicator=result),),
    )
    page = render_page(PlanEvaluation(2025, 2025, tree, (result,)))
    html = tmp_path / "page.html"
    html.write_text(page, encoding="utf-8")
    dom = rendered(tmp_path, html)
    assert "script" not in {element.tag for element in dom.walk()}
    assert dom.one("h1").text == title
    (text,) = pdf_pages(tmp_path, html)
    assert re.sub(r"\s+", " ", text).startswith(re.sub(r"\s+", " ", title))
    assert "page 1 of 1" in text
