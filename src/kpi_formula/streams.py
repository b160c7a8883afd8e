"""The command line's standard streams.

A command's answer goes to an output whose failures to write (a closed pipe, a
full disk) are told apart from every other error, so that they are said as
such; its warnings and errors go to a stderr that never ends the command: where
stderr is closed or cannot be written, what is said there is dropped.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterable
from typing import Any, TextIO, cast

__all__ = ["STDERR", "OutputFailedError", "discard", "guarded"]


class OutputFailedError(Exception):
    """Writing the command's output failed; ``error`` is what the system said."""

    def __init__(self, error: OSError) -> None:
        super().__init__(error)
        self.error = error


class _Guarded:
    """A text stream whose failures to write raise :class:`OutputFailedError`."""

    __slots__ = ("_stream",)

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except OSError as error:
            raise OutputFailedError(error) from error

    def writelines(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        try:
            self._stream.flush()
        except OSError as error:
            raise OutputFailedError(error) from error

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def guarded(stream: TextIO) -> TextIO:
    """``stream``, whose failures to write raise :class:`OutputFailedError`."""
    return cast(TextIO, _Guarded(stream))


def discard(stream: TextIO | None) -> None:
    """Send what is left in a standard stream's buffer, and all it is given from now
    on, to the null device, so that the interpreter's last flush does not fail again."""
    if stream is None:
        return
    with contextlib.suppress(OSError, ValueError, AttributeError):
        null = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(null, stream.fileno())
        finally:
            os.close(null)


class _Stderr:
    """The process's stderr (as it is at each write); where it is closed or cannot
    be written, what is written is dropped."""

    __slots__ = ()

    def write(self, text: str) -> int:
        stream = sys.stderr
        if stream is None:
            return 0
        try:
            return stream.write(text)
        except (OSError, ValueError):
            discard(stream)
            return 0

    def flush(self) -> None:
        stream = sys.stderr
        if stream is None:
            return
        try:
            stream.flush()
        except (OSError, ValueError):
            discard(stream)


STDERR: TextIO = cast(TextIO, _Stderr())
"""Where the command line writes its warnings and errors."""
