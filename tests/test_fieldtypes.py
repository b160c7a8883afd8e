"""Formulas, targets and quantities as pydantic v2 field types."""

from __future__ import annotations

import pytest

import kpi_formula as kf

pytest.importorskip("pydantic")
import pydantic


class Indicator(pydantic.BaseModel):
    formula: kf.Formula
    target: kf.Target
    baseline: kf.Quantity | None = None


def test_fields_validate_from_text_and_dump_as_canonical_text() -> None:
    indicator = Indicator.model_validate(
        {"formula": "(A - A-1)/A-1", "target": "=> 50,00 %", "baseline": "72,10 %"}
    )
    assert indicator.formula == kf.parse("(A - A-1) / A-1")
    assert indicator.target == kf.parse_target(">= 50,00 %")
    assert indicator.baseline == kf.parse_value("72,10 %")
    dumped = indicator.model_dump()
    assert dumped == {"formula": "(A - A-1) / A-1", "target": ">= 50,00 %", "baseline": "72,10 %"}
    assert Indicator.model_validate_json(indicator.model_dump_json()) == indicator
    assert Indicator(formula=kf.parse("A"), target=kf.parse_target(">= 1")).formula == kf.parse("A")


def test_the_json_schema_says_string() -> None:
    properties = Indicator.model_json_schema()["properties"]
    assert properties["formula"]["type"] == "string"
    assert properties["target"]["type"] == "string"
    assert {"type": "string"}.items() <= properties["baseline"]["anyOf"][0].items()


def test_bad_text_is_a_validation_error_with_the_librarys_position() -> None:
    with pytest.raises(pydantic.ValidationError) as caught:
        Indicator.model_validate({"formula": "(A - B) * / C", "target": "forse"})
    errors = {error["loc"][0]: error for error in caught.value.errors()}
    assert "two operators in a row" in errors["formula"]["msg"]
    assert (errors["formula"]["ctx"]["line"], errors["formula"]["ctx"]["column"]) == (1, 11)
    assert errors["target"]["type"] == "kpi_formula"
    assert "^" in str(caught.value)
    with pytest.raises(pydantic.ValidationError, match="written as text"):
        Indicator.model_validate({"formula": 5, "target": ">= 1"})
    with pytest.raises(pydantic.ValidationError, match="not an amount"):
        Indicator.model_validate({"formula": "A", "target": ">= 1", "baseline": "N/D"})
