"""The command line's standard streams.

A command's answer goes to an output whose failures to write (a closed pipe, a
full disk) are told apart from every other error, so that they are said as
such; its warnings and errors go to a stderr that never ends the command: where
stderr is closed or cannot be written, what is said there is dropped.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import sys
from collections.abc import Iterable
from typing import Any, TextIO, cast

__all__ = ["STDERR", "OutputFailedError", "discard", "dropping", "guarded", "settle"]


class OutputFailedError(Exception):
    """Writing the command's output failed; ``error`` is what the system said, or
    the character the output's encoding could not write."""

    def __init__(self, error: OSError | UnicodeEncodeError) -> None:
        super().__init__(error)
        self.error = error


class _Guarded:
    """A text stream whose failures to write raise :class:`OutputFailedError`.

    An unbuffered stream (``python -u``, ``PYTHONUNBUFFERED``) hands each text to
    the file descriptor in one call, and the interpreter ignores a write that takes
    only part of it (a nearly full disk, a file size limit): the guard writes such a
    stream's bytes itself, until all are written or the system refuses.
    """

    __slots__ = ("_stream",)

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        stream = self._stream
        try:
            raw = getattr(stream, "buffer", None)
            if isinstance(raw, io.RawIOBase):
                stream.flush()
                lines = text.replace("\n", os.linesep) if os.linesep != "\n" else text
                _write_all(raw, lines.encode(stream.encoding, stream.errors or "strict"))
                return len(text)
            return stream.write(text)
        except (OSError, UnicodeEncodeError) as error:
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


def _write_all(raw: io.RawIOBase, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = raw.write(view)
        if not written:  # a descriptor that takes nothing, and says no error
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        view = view[written:]


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


def settle() -> None:
    """Flush the process's stdout and stderr; one that cannot take what is left in
    its buffer is discarded, so that the interpreter's last flush does not fail
    ("Exception ignored", status 120).  For a program's entry point, at its end."""
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):
            discard(stream)


class _Dropping:
    """A text stream writing to ``stream`` (None: the process's stderr, as it is at
    each write); where it is closed or cannot be written, what is written is
    dropped, and the stream itself is left as it is."""

    __slots__ = ("_stream",)

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        stream = self._stream if self._stream is not None else sys.stderr
        if stream is None:
            return 0
        try:
            return stream.write(text)
        except (OSError, UnicodeEncodeError):
            return 0

    def flush(self) -> None:
        stream = self._stream if self._stream is not None else sys.stderr
        if stream is None:
            return
        with contextlib.suppress(OSError):
            stream.flush()


def dropping(stream: TextIO | None) -> TextIO:
    """A stand-in for ``stream`` (a closed one: None) that drops what it cannot write."""
    return cast(TextIO, _Dropping(stream)) if stream is not None else _CLOSED


class _Closed:
    """A closed stream's stand-in: what it is given goes nowhere."""

    __slots__ = ()

    def write(self, text: str) -> int:
        return 0

    def flush(self) -> None:
        pass


_CLOSED = cast(TextIO, _Closed())


STDERR: TextIO = cast(TextIO, _Dropping())
"""Where the command line writes its warnings and errors."""
