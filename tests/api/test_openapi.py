"""The OpenAPI document is the contract regional systems code against: it must be a valid
OpenAPI 3 document, and every operation must say what it does and who answers what."""

from __future__ import annotations

from openapi_spec_validator import validate


def test_the_document_is_valid_openapi(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    validate(spec)


def test_every_operation_is_summarised_and_secured(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            assert operation.get("summary"), f"{method.upper()} {path} has no summary"
            assert operation["responses"], f"{method.upper()} {path} documents no response"
