"""The HTML scorecard, rendered by a real browser: Debian's Chromium, headless.

The assertions read the DOM Chromium builds from the page (``--dump-dom``), its
screenshots at desktop and phone widths, and its A4 print; they skip where no
Chromium is installed (``.ci/run`` installs it with apt).
"""

from __future__ import annotations

import io
import os
import re
import shutil
import struct
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from kpi_formula.cli import main

from .conftest import EXAMPLES

BROWSER = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(BROWSER is None, reason="no Chromium on this machine")

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


class _Elements(HTMLParser):
    """Counts the elements of a DOM, and keeps the text of headings and the title."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: dict[str, int] = {}
        self.classes: dict[str, int] = {}
        self.attributes: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag] = self.tags.get(tag, 0) + 1
        for name, value in attrs:
            self.attributes.append(name)
            if name == "class" and value:
                for each in value.split():
                    self.classes[each] = self.classes.get(each, 0) + 1

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def page(tmp_path: Path, plan: Path, data: Path, year: str, *extra: str) -> Path:
    html = tmp_path / "scorecard.html"
    argv = ["plan", "scorecard", str(plan), "--data", str(data), "--year", year, *extra]
    assert main([*argv, "--html", str(html)], out=io.StringIO()) == 0
    return html


def rendered(tmp_path: Path, html: Path) -> _Elements:
    done = chromium(tmp_path, "--dump-dom", html.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    elements = _Elements()
    elements.feed(done.stdout)
    return elements


def test_the_modena_scorecard_as_the_browser_builds_it(tmp_path: Path) -> None:
    modena = EXAMPLES / "modena_2025"
    html = page(tmp_path, modena / "plan.toml", modena / "data.csv", "2024", "--targets", "2025")
    dom = rendered(tmp_path, html)
    assert dom.classes["indicator"] == 103  # every listing of an indicator has its card
    assert dom.tags["svg"] == 78  # a chart for each that has numbers (milestones have dates)
    assert dom.classes["met-yes"] + dom.classes["met-no"] + dom.classes.get("met-nd", 0) == 103
    assert dom.classes["kind-area"] == 3
    assert "script" not in dom.tags and "img" not in dom.tags
    text = " ".join(dom.text)
    assert "96,7 %" in text and "Competitività delle imprese" in text


def test_text_from_the_plan_never_becomes_an_element(tmp_path: Path) -> None:
    sheet = tmp_path / "piano.csv"
    sheet.write_text(HOSTILE_SHEET, encoding="utf-8")
    data = tmp_path / "dati.csv"
    data.write_text(DATA, encoding="utf-8")
    dom = rendered(tmp_path, page(tmp_path, sheet, data, "2025"))
    assert "script" not in dom.tags and "img" not in dom.tags and "b" not in dom.tags
    assert "onerror" not in dom.attributes and "onload" not in dom.attributes
    text = " ".join(dom.text)
    assert "<script>document.title='pwned'</script>Servizi" in text
    assert "<img src=x onerror=" in text
    assert "pwned" not in next(iter(t for t in dom.text if t.strip()), "")  # the title


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", header[16:24])
    return width, height


@pytest.mark.parametrize(("width", "height"), [(1280, 1600), (390, 844)], ids=["desktop", "phone"])
def test_screenshots(tmp_path: Path, width: int, height: int) -> None:
    modena = EXAMPLES / "modena_2025"
    html = page(tmp_path, modena / "plan.toml", modena / "data.csv", "2024", "--targets", "2025")
    shot = tmp_path / "shot.png"
    done = chromium(
        tmp_path, f"--screenshot={shot}", f"--window-size={width},{height}", html.as_uri()
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert png_size(shot) == (width, height)
    assert shot.stat().st_size > 20_000  # a page drawn, not a blank one


def test_it_prints_on_a4(tmp_path: Path) -> None:
    modena = EXAMPLES / "modena_2025"
    html = page(tmp_path, modena / "plan.toml", modena / "data.csv", "2024", "--targets", "2025")
    pdf = tmp_path / "scorecard.pdf"
    done = chromium(tmp_path, f"--print-to-pdf={pdf}", "--no-pdf-header-footer", html.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    content = pdf.read_bytes()
    assert content.startswith(b"%PDF")
    boxes = set(re.findall(rb"/MediaBox ?\[0 0 ([0-9.]+) ([0-9.]+)\]", content))
    assert boxes and all(
        abs(float(w) - 595.3) < 1 and abs(float(h) - 841.9) < 1 for w, h in boxes
    )  # A4: 210 x 297 mm, in points
    assert len(re.findall(rb"/Type ?/Page[^s]", content)) > 3  # the tree over several pages
