"""The client checked against a real server's /openapi.json: its routes, request fields and error codes
are the document's, so a server change this package misses fails here."""

from __future__ import annotations

from dataclasses import fields

import pytest
from isola_client import ROUTES, SERVER_ERROR_CODES, ExecuteRequest, IsolaClient


@pytest.fixture(scope="module")
def document(isola_url: str) -> dict:
    with IsolaClient(isola_url) as client:
        return client.openapi()


@pytest.mark.parametrize(("name", "route"), ROUTES.items())
def test_every_route_the_client_calls_is_in_the_document(document: dict, name: str, route: tuple[str, str]) -> None:
    method, path = route
    assert path in document["paths"], f"{name}: {path} is not in /openapi.json"
    assert method.lower() in document["paths"][path], f"{name}: {method} {path} is not in /openapi.json"


def test_the_request_fields_are_the_documents(document: dict) -> None:
    documented = set(document["components"]["schemas"]["ExecuteRequest"]["properties"])
    assert {item.name for item in fields(ExecuteRequest)} == documented


def test_the_error_codes_are_the_documents(document: dict) -> None:
    documented = set(document["components"]["schemas"]["ErrorBody"]["properties"]["error"]["properties"]["code"]["enum"])
    assert documented == SERVER_ERROR_CODES
