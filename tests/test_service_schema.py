"""The example service against its own OpenAPI schema, with schemathesis.

Schemathesis draws requests from the schema, valid and invalid, and checks each
answer: never a server error, only declared status codes, answers that match
their declared models (the 422 shape included), invalid requests refused.  A
request the schema allows may still be refused — the schema cannot say which
strings are formulas — so "valid data accepted" is not asked.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import settings

from .test_service_example import load_service

pytest.importorskip("fastapi")
pytest.importorskip("httpx")
pytest.importorskip("schemathesis")
import schemathesis
from schemathesis.config import SchemathesisConfig

CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": 2025,
        "checks": {
            "negative_data_rejection": {"expected-statuses": [413, 422]},
            "positive_data_acceptance": {"enabled": False},
        },
    }
)
schema = schemathesis.openapi.from_asgi("/openapi.json", load_service().app, config=CONFIG)


@schema.parametrize()
@settings(max_examples=60)
def test_the_service_keeps_to_its_schema(case: Any) -> None:
    case.call_and_validate()
