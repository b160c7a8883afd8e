"""The analysts' prompt in a real terminal, through pexpect (skipped without it).

No step waits on time.  prompt_toolkit reads keys in raw mode and hands the
terminal back between two prompts; so, for it, the terminal's own echo is off
and, before typing, a probe key is sent and its echo awaited (then erased): a
key comes back only once the prompt itself has read it.  The plain prompt
reads lines in the terminal's cooked mode, which keeps keys typed early for it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pytest

from .conftest import EXAMPLES

pexpect = pytest.importorskip("pexpect")

MODENA = EXAMPLES / "modena_2025"
PROBE = "~"
ERASE = "\x7f"
PROMPTS = [
    pytest.param(None, id="prompt_toolkit"),
    pytest.param("plain", id="plain"),
]


def spawn(tmp_path: Path, prompt: str | None, *args: str) -> Any:
    if prompt is None:
        pytest.importorskip("prompt_toolkit")
    env = dict(
        os.environ,
        TERM="xterm",
        PROMPT_TOOLKIT_NO_CPR="1",
        KPI_FORMULA_HISTORY=str(tmp_path / "history"),
    )
    if prompt:
        env["KPI_FORMULA_PROMPT"] = prompt
    child = pexpect.spawn(
        sys.executable,
        ["-m", "kpi_formula", "repl", "--year", "2025", *args],
        env=env,
        encoding="utf-8",
        timeout=60,
        dimensions=(40, 200),
        echo=bool(prompt),  # readline draws what it reads only where the terminal echoes
    )
    child.probing = prompt is None
    child.expect("kpi>")
    return child


def reading(child: Any) -> None:
    """Return once the prompt reads keys: a probe comes back, drawn by the prompt."""
    if child.probing:
        child.send(PROBE)
        child.expect_exact(PROBE)
        child.send(ERASE)


def ask(child: Any, line: str, *answers: str) -> None:
    """Type ``line`` and wait for each of ``answers`` (regular expressions), then the prompt."""
    reading(child)
    child.send(line + "\r")
    for answer in answers:
        child.expect(answer)
    child.expect("kpi>")


def complete(child: Any, keys: str, completed: str, *answers: str) -> None:
    """Type ``keys`` and Tab; the line must now hold ``completed``; run it and
    wait for each of ``answers``, then the prompt."""
    reading(child)
    child.send(keys + "\t")
    child.expect_exact(completed[len(keys) :])
    child.send("\r")
    for answer in answers:
        child.expect(answer)
    child.expect("kpi>")


def leave(child: Any) -> None:
    reading(child)
    child.send("\x04")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


@pytest.mark.parametrize("prompt", PROMPTS)
def test_a_session_in_a_terminal(tmp_path: Path, prompt: str | None) -> None:
    child = spawn(tmp_path, prompt)
    ask(child, "A = 110", "A@2025 = 110")
    ask(child, "A-1 = 100", "A@2024 = 100")
    # a formula left open continues; an empty line cancels it
    reading(child)
    child.send("(A +\r")
    child.expect(r"\.\.\. \(empty line cancels\)>")
    child.send("1) * 2\r")
    child.expect("= 222")
    child.expect("kpi>")
    reading(child)
    child.send("(A *\r")
    child.expect(r"\(empty line cancels\)>")
    child.send("\r")
    child.expect("the unfinished formula was cancelled")
    child.expect("kpi>")
    ask(child, "A / 3", "A / 3 = 36,67")  # values the Italian way
    # Tab completes paths after :load, commands, and codes in formulas
    complete(child, f":load {MODENA / 'da'}", f":load {MODENA / 'data.csv'}", "426 values")
    ask(child, ":data", "82.A3.1_INSTAGRAM@2023")
    complete(child, "82.A3.1_INS", "82.A3.1_INSTAGRAM")
    ask(child, "A +* 3", "two operators in a row")
    complete(child, ":yea", ":year")
    ask(child, ":year 2024", "year 2024")
    leave(child)
    assert "A = 110" in (tmp_path / "history").read_text(encoding="utf-8")


@pytest.mark.parametrize("prompt", PROMPTS)
def test_codes_with_spaces_complete(tmp_path: Path, prompt: str | None) -> None:
    child = spawn(tmp_path, prompt, "--data", str(MODENA / "data.csv"))
    # the data end in 2024: N/D, explained
    complete(child, "Controlli S", "Controlli Servizi", "Controlli Servizi@2025")
    complete(child, "A + N ImprAtt_U", "A + N ImprAtt_UULL_Tot")
    leave(child)


def test_the_prompts_commands_on_a_plan(tmp_path: Path) -> None:
    child = spawn(
        tmp_path,
        "plain",
        "--data",
        str(MODENA / "data.csv"),
        "--plan",
        str(MODENA / "plan.toml"),
    )
    ask(child, ":year 2024", "year 2024")
    # :explain shows how an indicator's value comes from its own formula
    ask(child, ":explain D1", r"D1\.1\.0 \+ D1\.1\.1 \+", "= 1.136")
    # _ is the last value
    ask(child, "_ / 2", "_ / 2 = 568")
    # a mistyped code: N/D, and the codes the session knows that are close
    ask(child, "D1.1.0_O * 2", "did you mean 'D1.1.0_0'")
    # :missing lists what the data lacks for a formula
    ask(child, ":missing A + D1.1.0_0", r"A@2024  missing  \(for A \+ D1\.1\.0_0\)")
    leave(child)


def test_the_prompt_speaks_italian(tmp_path: Path) -> None:
    child = spawn(tmp_path, "plain", "--lang", "it")
    ask(child, ":year", "anno 2025")
    ask(child, "A +* 2", "errore: ")
    ask(child, ":check 90,32 % >= 98 %", "non raggiunto; grado di raggiungimento 92,2 %")
    leave(child)


def test_keys_typed_while_an_answer_prints_wait_for_the_next_prompt(tmp_path: Path) -> None:
    pytest.importorskip("prompt_toolkit")
    child = spawn(tmp_path, None, "--plan", str(MODENA / "plan.toml"))
    reading(child)
    # one write: the Ctrl-D is in the terminal before the scorecard is worked out,
    # and must end the session at the next prompt, not be lost in between
    child.send(":scorecard 2025\r\x04")
    child.expect("score")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
