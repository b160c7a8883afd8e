"""A formula-evaluation service: kpi_formula behind FastAPI.

    pip install 'kpi_formula[service]'
    uvicorn --app-dir examples/service app:app

``POST /evaluate`` takes a formula, driver values and a year, and answers the
evaluation as :meth:`kpi_formula.Result.to_dict` writes it (N/D is a value:
``"value": null`` with its reasons).  ``POST /check`` judges a value against a
target.  Bad input is a 422 whose detail carries the library's message, with
the caret under the fault, its line and column.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

import kpi_formula as kf

app = FastAPI(title="kpi_formula service")


class DriverValue(BaseModel):
    """One driver value: ``code``, ``year`` and a value (``null`` is N/D; text is
    read the document's way, ``"1.100 N."``)."""

    code: str
    year: int
    value: Decimal | str | None


class EvaluationRequest(BaseModel):
    """A formula to evaluate for a year on the given driver values."""

    formula: kf.Formula
    year: int
    data: list[DriverValue] = Field(default_factory=list)
    on_missing: kf.evaluator.MissingPolicy = "propagate"


class CheckRequest(BaseModel):
    """A value (document text) to judge against a target."""

    target: kf.Target
    actual: str


@app.exception_handler(kf.KpiFormulaError)
async def library_error(request: Request, error: kf.KpiFormulaError) -> JSONResponse:
    """Bad data found while evaluating: a 422 with the library's words."""
    return JSONResponse(status_code=422, content={"detail": [{"msg": str(error)}]})


@app.post("/evaluate")
def evaluate(request: EvaluationRequest) -> dict[str, Any]:
    """Evaluate ``request.formula``; the answer is ``Result.to_dict()``."""
    data = {(item.code, item.year): item.value for item in request.data}
    result = kf.evaluate(request.formula, data, year=request.year, on_missing=request.on_missing)
    return result.to_dict()


@app.post("/check")
def check(request: CheckRequest) -> dict[str, Any]:
    """Judge ``request.actual`` against ``request.target``; ``Outcome.to_dict()``."""
    return request.target.check(request.actual).to_dict()
