"""Results keep what a newer server adds; a body that is not an envelope is client_bad_response."""

from __future__ import annotations

import pytest
from isola_client import ExecuteRequest, ExecuteResult, IsolaError

ENVELOPE = {
    "id": "ex_1",
    "status": "completed",
    "return_code": 0,
    "output": None,
    "stdout": "null\n",
    "stderr": "",
    "stdout_truncated": False,
    "stderr_truncated": False,
    "stdout_json": None,
    "error": None,
    "started_at": "2026-01-01T00:00:00.000Z",
    "finished_at": "2026-01-01T00:00:00.010Z",
    "elapsed_ms": 10,
    "timings": {"queue_ms": 0, "setup_ms": 1, "run_ms": 9},
    "environment": {"lane": "quickjs", "hash": "abc", "cache": "hit"},
    "a_field_from_the_future": [1, 2],
}


def test_unknown_fields_stay_reachable_in_raw() -> None:
    result = ExecuteResult.from_json(ENVELOPE)
    assert result.raw["a_field_from_the_future"] == [1, 2]
    assert result.has_stdout_json
    assert result.stdout_json is None


def test_stdout_json_absent_is_not_a_json_null() -> None:
    result = ExecuteResult.from_json({key: value for key, value in ENVELOPE.items() if key != "stdout_json"})
    assert not result.has_stdout_json


def test_a_body_without_the_envelope_fields_is_client_bad_response() -> None:
    with pytest.raises(IsolaError) as raised:
        ExecuteResult.from_json({"id": "ex_1", "status": "completed"})
    assert raised.value.code == "client_bad_response"


def test_the_request_sends_only_what_was_given() -> None:
    request = ExecuteRequest(language="python", code="print(1)", packages=("six",), network={"allow": ["example.com"]})
    assert request.to_json() == {"language": "python", "code": "print(1)", "packages": ["six"], "network": {"allow": ["example.com"]}}


def test_an_uploaded_wasm_module_is_sent_by_id_without_code() -> None:
    request = ExecuteRequest(language="wasm", module={"id": "ab" * 32})
    assert request.to_json() == {"language": "wasm", "module": {"id": "ab" * 32}}
