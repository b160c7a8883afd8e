"""A formula-evaluation service: kpi_formula behind FastAPI, ready to deploy.

    pip install 'kpi_formula[service]'
    uvicorn --app-dir examples/service app:app

``POST /evaluate`` takes a formula, driver values and a year, and answers the
evaluation as :meth:`kpi_formula.Result.to_dict` writes it (N/D is a value:
``"value": null`` with its reasons).  ``POST /check`` judges a value against a
target (with the ``baseline`` a relative target needs and the indicator's
``direction``) and answers :meth:`kpi_formula.Outcome.to_dict`.  ``GET /health``
answers ``{"status": "ok"}`` for load balancers.

Numbers in a body are read exactly: every JSON number becomes a ``Decimal``
from its digits, never a float (``12345678901234567890.123`` stays so).  NaN,
infinities and numbers past the library's limits are refused, as is one
driver-year given twice with different values.

Every refusal has one shape, whatever found it (the JSON reader, validation or
the library)::

    {"detail": [{"loc": ["body", "formula"], "msg": "two operators in a row ...",
                 "type": "formula-syntax", "line": 1, "column": 11,
                 "hint": "remove one of them, or put an operand between them"}]}

``loc`` names the item, ``type`` is the library's stable error code (or
pydantic's, or ``json-invalid``), ``line``/``column``/``hint`` are ``null`` where
they do not apply.  Bad input is a 422, a body past :data:`MAX_BODY_BYTES` a 413;
messages are excerpts, never the whole input.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Annotated, Any, Literal, TypeVar

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError
from starlette.exceptions import HTTPException

import kpi_formula as kf
from kpi_formula.catalog import close_matches
from kpi_formula.decimals import to_decimal
from kpi_formula.direction import Direction, parse_direction
from kpi_formula.errors import clip, msg
from kpi_formula.evaluator import MissingPolicy
from kpi_formula.text import MAX_TEXT_LENGTH

MAX_BODY_BYTES = 1_048_576
"""The largest request body read (1 MiB); a larger one is a 413."""

MAX_DRIVER_VALUES = 10_000
"""The most driver values one evaluation takes."""

MAX_MESSAGE_CHARS = 1_000
"""Error messages are cut to about this length (the library's own are shorter)."""

FIRST_YEAR, LAST_YEAR = 1, 9999
"""Years are calendar years, as dates have them."""

_T = TypeVar("_T")

# ---------------------------------------------------------------------------
# Bodies: bounded, and JSON numbers read exactly


class _BodyTooLarge(HTTPException):
    def __init__(self) -> None:
        super().__init__(
            413, msg("the body is longer than the limit of {limit:,} bytes", limit=MAX_BODY_BYTES)
        )


class _DuplicateKey(json.JSONDecodeError):
    """An object of the body names one key twice: which value was meant is unknown."""

    def __init__(self, key: str, document: str) -> None:
        self.key = key
        super().__init__(f"the key {clip(key)!r} is given twice", document, 0)


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object; a key given twice is refused (a reader would keep one of the
    values without a word, and a merged body could swap the formula evaluated)."""
    found = dict(pairs)
    if len(found) < len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key, "")
            seen.add(key)
    return found


def _read_json(body: bytes) -> Any:
    """The body's JSON, every number a ``Decimal`` read from its digits.

    ``NaN`` and ``Infinity`` (which Python's reader accepts though JSON has
    neither) become Decimal NaN and infinities, so that validation refuses them
    naming the item that holds them.  An object naming a key twice is refused.
    """
    try:
        return json.loads(
            body,
            parse_float=Decimal,
            parse_int=Decimal,
            parse_constant=Decimal,
            object_pairs_hook=_object,
        )
    except _DuplicateKey as error:
        raise _DuplicateKey(error.key, body.decode("utf-8", "replace")) from None
    except json.JSONDecodeError:
        raise
    except (ValueError, RecursionError) as error:  # undecodable bytes, nesting too deep
        what = msg("it nests too deeply") if isinstance(error, RecursionError) else str(error)
        raise json.JSONDecodeError(clip(what, 200), body.decode("utf-8", "replace"), 0) from None


class _ExactRequest(Request):
    """A request whose body is bounded and whose JSON keeps every digit."""

    async def body(self) -> bytes:
        if not hasattr(self, "_body"):
            declared = self.headers.get("content-length", "")
            if declared.isdigit() and (len(declared) > 12 or int(declared) > MAX_BODY_BYTES):
                raise _BodyTooLarge
            chunks, size = [], 0
            async for chunk in self.stream():
                size += len(chunk)
                if size > MAX_BODY_BYTES:
                    raise _BodyTooLarge
                chunks.append(chunk)
            self._body = b"".join(chunks)
        return self._body

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = _read_json(await self.body())
        return self._json


class _ExactRoute(APIRoute):
    """Routes that read their requests as :class:`_ExactRequest`."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def exact(request: Request) -> Response:
            return await handler(_ExactRequest(request.scope, request.receive))

        return exact


# ---------------------------------------------------------------------------
# One shape for every refusal


class ErrorItem(BaseModel):
    """One thing wrong with a request."""

    loc: list[str | int] = Field(description="where: ['body', 'data', 3, 'value']")
    msg: str = Field(description="what is wrong, with a caret excerpt for text")
    type: str = Field(description="the library's error code, or pydantic's error type")
    line: int | None = Field(description="1-based line of the fault in the text, where known")
    column: int | None = Field(description="1-based column of the fault, where known")
    hint: str | None = Field(description="what to do about it, where the library says")


class ErrorAnswer(BaseModel):
    """The answer to a refused request (422, or 413 for a body too long)."""

    detail: list[ErrorItem]


_REFUSALS: dict[int | str, dict[str, Any]] = {
    422: {"model": ErrorAnswer, "description": "The request is refused: what, where, hint."},
    413: {"model": ErrorAnswer, "description": "The body is longer than the limit."},
}


def _said(error: kf.KpiFormulaError) -> str:
    """The error's text without its hint (which has a key of its own)."""
    text = str(error)
    if error.hint is not None:
        text = text.removesuffix(f"\nhint: {error.hint}")
    return text


def _library_context(error: kf.KpiFormulaError) -> dict[str, Any]:
    details = error.details()
    return {
        "message": clip(_said(error), MAX_MESSAGE_CHARS),
        "hint": details["hint"],
        "line": details.get("line"),
        "column": details.get("column"),
    }


def _library_error(error: kf.KpiFormulaError) -> PydanticCustomError:
    """A library error as pydantic reports it: its code as the type."""
    return PydanticCustomError(error.error_code, "{message}", _library_context(error))


def _invalid(code: str, message: str, hint: str) -> PydanticCustomError:
    """A refusal of the service's own, in the library's manner: a code, words, a hint."""
    return PydanticCustomError(code, "{message}", {"message": message, "hint": hint})


def _refusal(loc: tuple[str | int, ...], code: str, context: dict[str, Any]) -> Exception:
    """A refusal found while answering (past validation), located at ``loc``;
    ``context`` holds its ``message`` and ``hint`` (and ``line``, ``column``)."""
    return RequestValidationError(
        [{"loc": loc, "type": code, "msg": context["message"], "ctx": context}]
    )


@contextmanager
def _refusing(*loc: str | int) -> Iterator[None]:
    """Turn the library's errors into refusals located at ``loc``."""
    try:
        yield
    except kf.KpiFormulaError as error:
        raise _refusal(loc, error.error_code, _library_context(error)) from None


def _shaped(
    loc: list[str | int],
    said: str,
    kind: str,
    *,
    line: object = None,
    column: object = None,
    hint: object = None,
) -> dict[str, Any]:
    """One item of an error answer (:class:`ErrorItem`), bounded."""
    return {
        "loc": loc,
        "msg": clip(str(said), MAX_MESSAGE_CHARS),
        "type": kind,
        "line": line if isinstance(line, int) else None,
        "column": column if isinstance(column, int) else None,
        "hint": None if hint is None else clip(str(hint), MAX_MESSAGE_CHARS),
    }


def _position(text: str, position: int) -> tuple[int, int]:
    before = text[:position]
    return before.count("\n") + 1, position - (before.rfind("\n") + 1) + 1


def _unknown_key(loc: list[str | int], path: str) -> dict[str, Any]:
    """A key the request's model does not have: the hint offers the keys of the
    model that was asked (an item of ``data``, or the endpoint's body) — a close
    one, else all of them, and says where a key of the other endpoint belongs."""
    key = str(loc[-1])
    model = DriverValue if "data" in loc[:-1] else _ENDPOINTS.get(path)
    known = sorted(model.model_fields) if model is not None else []
    elsewhere = [
        other
        for other, request in _ENDPOINTS.items()
        if other != path and key in request.model_fields
    ]
    close = close_matches(key, [each for each in known if each != key], limit=1)
    keys = ", ".join(known)
    if elsewhere and model is not None:
        hint = msg(
            "{key} is a key of POST {other}; the keys here are {keys}",
            key=repr(key),
            other=elsewhere[0],
            keys=keys,
        )
    elif close:
        hint = msg("did you mean {key}?", key=repr(close[0]))
    else:
        hint = msg("the keys are {keys}", keys=keys)
    return _shaped(loc, msg("unknown key {key}", key=repr(clip(key))), "extra_forbidden", hint=hint)


def _item(error: dict[str, Any], body: object, path: str = "") -> dict[str, Any]:
    """One error as pydantic or FastAPI reported it, in the service's shape."""
    context = error.get("ctx") or {}
    loc = list(error["loc"])
    if error["type"] == "json_invalid":  # FastAPI's: loc ends with the offset in the body
        offset = loc.pop() if len(loc) > 1 and isinstance(loc[-1], int) else 0
        line, column = _position(body, offset) if isinstance(body, str) else (None, None)
        return _shaped(
            loc,
            msg("the body is not JSON: {error}", error=clip(context.get("error", ""), 200)),
            "json-invalid",
            line=line,
            column=column,
            hint=msg("send a JSON object; write N/D as null (NaN and Infinity are not JSON)"),
        )
    if error["type"] == "extra_forbidden":  # a misspelt key is never ignored
        return _unknown_key(loc, path)
    return _shaped(
        loc,
        error["msg"],
        error["type"],
        line=context.get("line"),
        column=context.get("column"),
        hint=context.get("hint"),
    )


# ---------------------------------------------------------------------------
# Request and answer models


def _reading(read: Callable[[str], _T]) -> BeforeValidator:
    """Read text with the library, its errors kept whole (code, line, column, hint)."""

    def validate(value: object) -> object:
        if not isinstance(value, str):
            return value  # the field type refuses it, saying it is written as text
        try:
            return read(value)
        except kf.KpiFormulaError as error:
            raise _library_error(error) from None

    return BeforeValidator(validate)


def _number(value: Decimal) -> Decimal:
    """A JSON number, held to the library's limits; NaN is not N/D here (write null)."""
    if value.is_nan():
        raise _invalid(
            "not-a-number", msg("NaN is not a number"), msg("write null for a value that is N/D")
        )
    try:
        number = to_decimal(value, msg("the number"))
    except kf.KpiFormulaError as error:
        raise _library_error(error) from None
    assert isinstance(number, Decimal)
    return number


def _driver_value(value: object) -> Decimal | kf.Quantity | None:
    """A driver value as :func:`kpi_formula.evaluate` reads it; None is N/D.  Text
    written with a unit keeps it (``"3 gg"``), so that evaluation refuses adding
    values of different units, and a driver-year given in two units is a conflict."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return _number(value)
    if isinstance(value, str):
        try:
            parsed = kf.parse_value(value)
            read = to_decimal(parsed, msg("the value"))
        except kf.KpiFormulaError as error:
            raise _library_error(error) from None
        if not isinstance(read, Decimal):
            return None
        if isinstance(parsed, kf.Quantity) and parsed.unit is not None:
            return parsed
        return read
    raise _invalid(
        "value-type",
        msg("a value is a number, text or null, not {given}", given=type(value).__name__),
        msg('for example 1100, "1.100 N." or null (N/D)'),
    )


def _judged_value(value: object) -> Decimal | kf.Quantity | dt.date | kf.NotAvailable | None:
    """A value to judge: a number (in the target's unit), document text, or null (N/D)."""
    if value is None:
        return kf.ND
    if isinstance(value, Decimal):
        return _number(value)
    if isinstance(value, str):
        try:
            return kf.parse_value(value)
        except kf.KpiFormulaError as error:
            raise _library_error(error) from None
    raise _invalid(
        "value-type",
        msg("a value is a number, text or null, not {given}", given=type(value).__name__),
        msg('for example 0.9032 (a fraction, against a target in %), "90,32 %" or null (N/D)'),
    )


_VALUE_SCHEMA = {
    "anyOf": [{"type": "number"}, {"type": "string"}, {"type": "null"}],
    "examples": [1100, "1.100 N.", "72,10 %", None],
}

Formula = Annotated[kf.Formula, _reading(kf.parse)]
Target = Annotated[kf.Target, _reading(kf.parse_target)]
Year = Annotated[int, Field(ge=FIRST_YEAR, le=LAST_YEAR, examples=[2025])]
DriverValueIn = Annotated[
    Decimal | kf.Quantity | None,
    PlainValidator(_driver_value),
    WithJsonSchema({**_VALUE_SCHEMA, "description": "null is N/D; text is read as documents"}),
]
JudgedValue = Annotated[
    Decimal | kf.Quantity | dt.date | kf.NotAvailable | None,
    PlainValidator(_judged_value),
    WithJsonSchema(
        {
            **_VALUE_SCHEMA,
            "description": "a number in the target's unit (a "
            "percentage as a fraction), document text, or null (N/D)",
        }
    ),
]
DirectionIn = Annotated[Direction, _reading(parse_direction)]
Code = Annotated[
    str,
    BeforeValidator(lambda value: value.strip() if isinstance(value, str) else value),
    Field(min_length=1, max_length=MAX_TEXT_LENGTH, examples=["82.A3.1_INSTAGRAM"]),
]
"""A driver's code; spaces around it are no part of it (as on the command line)."""
DecimalText = Annotated[
    str,
    Field(pattern=r"^-?[0-9]+(\.[0-9]+)?(E[+-][0-9]+)?$", examples=["0.1"]),
]


class _Request(BaseModel):
    """A request's body: a key it does not know is refused, not ignored."""

    model_config = ConfigDict(extra="forbid")


class DriverValue(_Request):
    """One driver value: ``code``, ``year`` and a value (a JSON number, read exactly;
    text read the document's way, ``"1.100 N."``; ``null`` is N/D)."""

    code: Code
    year: Year
    value: DriverValueIn


class EvaluationRequest(_Request):
    """A formula to evaluate for a year on the given driver values."""

    formula: Formula
    year: Year
    data: list[DriverValue] = Field(default_factory=list, max_length=MAX_DRIVER_VALUES)
    on_missing: MissingPolicy = "propagate"


class CheckRequest(_Request):
    """A value to judge against a target.

    ``baseline`` is the reference value of a relative target (``Aumento del 20%
    rispetto alla baseline``); ``null`` is a N/D baseline, leaving it out is not
    giving one.  ``direction`` says whether a higher value is better (``higher``,
    ``crescente``, ``↑``) or a lower one (``lower``, ``decrescente``, ``↓``): it
    decides what a target written as a bare number means.
    """

    target: Target
    actual: JudgedValue
    baseline: JudgedValue = None  # left out: not given (null is read as N/D)
    direction: DirectionIn | None = None


_ENDPOINTS: dict[str, type[_Request]] = {"/evaluate": EvaluationRequest, "/check": CheckRequest}
"""Each endpoint's body, for the keys a hint offers."""


class InputAnswer(BaseModel):
    """A value the evaluation read."""

    code: str
    year: int
    value: DecimalText | None


class EvaluationAnswer(BaseModel):
    """:meth:`kpi_formula.Result.to_dict`: decimals as strings, N/D as ``null``."""

    value: DecimalText | None
    missing: bool
    reasons: list[str]
    year: int
    formula: str
    notes: list[str]
    inputs: list[InputAnswer] | None
    on_missing: MissingPolicy


class CheckAnswer(BaseModel):
    """:meth:`kpi_formula.Outcome.to_dict`; ``baseline`` only for a relative target."""

    met: bool | None
    achievement: DecimalText | None
    actual: str | None = Field(
        description="a decimal string in the value's unit, an ISO date, or null (N/D)"
    )
    actual_text: str
    target: str
    threshold: DecimalText | None = Field(
        description="the amount the value was compared with, in its unit"
    )
    notes: list[str] = Field(description="how the target was read")
    unit: str | None = Field(description="the unit of actual, threshold and baseline")
    baseline: DecimalText | None = None


class Health(BaseModel):
    """The service is up."""

    status: Literal["ok"]


# ---------------------------------------------------------------------------
# The service

app = FastAPI(
    title="kpi_formula service",
    summary="Evaluate indicators' formulas and judge values against targets.",
)
app.router.route_class = _ExactRoute


@app.exception_handler(RequestValidationError)
async def refused(request: Request, error: RequestValidationError) -> JSONResponse:
    """Validation errors, and library errors met while answering: one shape."""
    duplicate = error.__cause__
    if isinstance(duplicate, _DuplicateKey):
        item = _shaped(
            ["body"],
            msg("the key {key} is given twice in one object", key=repr(clip(duplicate.key))),
            "duplicate-key",
            hint=msg("give each key once"),
        )
        return JSONResponse(status_code=422, content={"detail": [item]})
    detail = [_item(item, error.body, request.url.path) for item in error.errors()]
    return JSONResponse(status_code=422, content={"detail": detail})


@app.exception_handler(HTTPException)
async def http_error(request: Request, error: HTTPException) -> JSONResponse:
    """Other HTTP errors (404, 405, 413) in the same shape."""
    loc: list[str | int] = ["body"] if error.status_code == 413 else []
    item = _shaped(loc, error.detail, f"http-{error.status_code}")
    return JSONResponse(
        status_code=error.status_code, content={"detail": [item]}, headers=error.headers
    )


@app.exception_handler(Exception)
async def failed(request: Request, error: Exception) -> JSONResponse:
    """A fault of the service itself: a 500 in the same shape, telling nothing of its
    insides (the server's log has the traceback)."""
    item = _shaped(
        [],
        msg("the service failed to answer"),
        "internal",
        hint=msg("try again later; if it lasts, tell the service's keepers"),
    )
    return JSONResponse(status_code=500, content={"detail": [item]})


_Held = Decimal | kf.Quantity | None


def _amount_and_unit(value: _Held) -> tuple[Decimal | None, str | None]:
    if isinstance(value, kf.Quantity):
        return value.amount, value.unit
    return value, None


def _agree(held: _Held, given: _Held) -> bool:
    """Two values of one driver-year say the same: one amount, and one unit where
    both name one (``1.000 €`` and ``1.000 N.`` do not)."""
    (amount, unit), (other, other_unit) = _amount_and_unit(held), _amount_and_unit(given)
    return amount == other and (unit == other_unit or unit is None or other_unit is None)


def _driver_data(items: list[DriverValue]) -> dict[tuple[str, int], _Held]:
    """The values by driver-year; one driver-year given twice, differently (in
    amount or unit), is refused."""
    data: dict[tuple[str, int], _Held] = {}
    first: dict[tuple[str, int], int] = {}
    for index, item in enumerate(items):
        key = (item.code, item.year)
        if key in data and not _agree(data[key], item.value):
            said = msg(
                "{code}@{year} is given twice with different values (items {first} and {index})",
                code=clip(item.code),
                year=item.year,
                first=first[key],
                index=index,
            )
            hint = msg("give each driver-year once")
            raise _refusal(
                ("body", "data", index), "duplicate-driver-year", {"message": said, "hint": hint}
            )
        if key not in data or _amount_and_unit(item.value)[1] is not None:
            data[key] = item.value  # the unit, where one of the two gives it
        first.setdefault(key, index)
    return data


@app.post("/evaluate", response_model=EvaluationAnswer, responses=_REFUSALS)
def evaluate(request: EvaluationRequest) -> dict[str, Any]:
    """Evaluate ``formula`` for ``year``; the answer is ``Result.to_dict()``."""
    data = _driver_data(request.data)
    try:
        with _refusing("body"):
            result = kf.evaluate(
                request.formula, data, year=request.year, on_missing=request.on_missing
            )
    except RequestValidationError as refusal:  # values of two units joined: the formula's fault
        if refusal.errors()[0]["type"] == kf.UnitMismatchError.error_code:
            refusal.errors()[0]["loc"] = ("body", "formula")
        raise
    return result.to_dict()


@app.post(
    "/check", response_model=CheckAnswer, response_model_exclude_unset=True, responses=_REFUSALS
)
def check(request: CheckRequest) -> dict[str, Any]:
    """Judge ``actual`` against ``target``; the answer is ``Outcome.to_dict()``."""
    target, direction = request.target, request.direction
    if not target.needs_baseline:
        # a baseline sent for a target that is not relative is not used: the notes say so
        given = kf.ND if request.baseline is None else request.baseline
        unused = given if "baseline" in request.model_fields_set else None
        with _refusing("body", "actual"):
            outcome = target.check(request.actual, baseline=unused, direction=direction)
        return outcome.to_dict()
    if "baseline" not in request.model_fields_set:
        error = kf.BaselineRequiredError(str(target), target.change.reference)  # type: ignore[union-attr]
        hint = msg('send the reference value as "baseline", e.g. "baseline": "1.500 N."')
        raise _refusal(
            ("body", "baseline"), error.error_code, {"message": error.reason, "hint": hint}
        )
    with _refusing("body"):
        outcome = target.check(request.actual, baseline=request.baseline, direction=direction)
    return outcome.to_dict()


@app.get("/health", response_model=Health)
def health() -> dict[str, str]:
    """Whether the service is up (for load balancers and orchestrators)."""
    return {"status": "ok"}
