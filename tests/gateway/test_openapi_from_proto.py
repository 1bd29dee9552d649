"""The OpenAPI document says what tasks.proto says: its comments are the
descriptions of the schemas, their fields and the operations; `(Chunkr.minimum)`
is the schema's `minimum`, and the gateway refuses less; a property is nullable
only where Chunkr's JSON of it can be null."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from chunkr import codec
from chunkr.names import json_key, maximum, minimum
from gateway.app import create_app
from gateway.bindings import API_PREFIX, bindings, bound_rpcs, rpc_method
from gateway.comments import comment
from protos import tasks_pb2 as pb
from server.config import Settings
from tests.gateway.rest import assert_plain_error


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return create_app(Settings(data_dir=Path(tmp_path_factory.mktemp("data")))).openapi()  # type: ignore[no-any-return]


def _nullable(schema: dict[str, Any]) -> bool:
    return any(option.get("type") == "null" for option in schema.get("anyOf", ()))


def test_every_task_field_is_described_by_its_comment_in_the_proto(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    task = schemas["TaskResponse"]
    assert task["description"] == "A document-processing task."
    fields = {json_key(field): field for field in pb.Task.DESCRIPTOR.fields}
    assert set(task["properties"]) == set(fields) - {"file_info", "input_file_url"}
    for key, schema in task["properties"].items():
        assert schema["description"] and schema["description"] == comment(fields[key].full_name), key
    assert task["properties"]["started_at"]["description"] == "When processing began; unset while Starting."
    input_file_url = schemas["OutputConfiguration"]["properties"]["input_file_url"]
    assert input_file_url["description"] == comment(pb.Task.DESCRIPTOR.fields_by_name["input_file_url"].full_name)


def test_a_comment_over_several_lines_reads_as_one_sentence(document: dict[str, Any]) -> None:
    message = document["components"]["schemas"]["TaskResponse"]["properties"]["message"]["description"]
    assert message == (
        'A readable note on the status: "Task queued" while Starting, "Task cancelled", '
        "why a task failed, or which pages were skipped."
    )


def test_every_schema_and_enum_made_from_the_proto_is_described(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    assert schemas["Segment"]["description"] == comment("chunkd.v1.Segment")
    assert schemas["Status"]["description"].startswith("Where a task is in its life")
    assert schemas["ChunkProcessing"]["description"] == "How segments are grouped into chunks."
    assert [name for name, schema in schemas.items() if not schema.get("description")] == []
    for name in ("Segment", "Chunk", "OutputResponse", "Page", "FileInfo", "WebhookInfo", "GenerationConfigOut"):
        undescribed = [key for key, field in schemas[name]["properties"].items() if not field.get("description")]
        assert undescribed == [], name


def test_every_operation_is_described_by_its_rpcs_comment(document: dict[str, Any]) -> None:
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            assert operation.get("description"), (method, path)
    for rpc in bound_rpcs():
        said = comment(rpc_method(rpc).full_name)
        assert said
        for binding in bindings(rpc):
            for prefix in (API_PREFIX, ""):
                operation = document["paths"][prefix + binding.path][binding.method.lower()]
                assert operation["description"].startswith(said), (rpc, binding)
    cancel = document["paths"]["/api/v1/task/{task_id}/cancel"]["get"]["description"]
    assert cancel.startswith("Only a Starting task can be cancelled") and 'NOT_FOUND "Task not found"' in cancel


MINIMA = [
    field
    for message in (pb.Configuration.DESCRIPTOR, pb.ChunkProcessing.DESCRIPTOR)
    for field in message.fields
    if minimum(field) is not None
]


def test_the_proto_declares_the_bounds_of_target_length_and_expires_in() -> None:
    assert {field.name: minimum(field) for field in MINIMA} == {"target_length": 0, "expires_in": 0}
    assert {field.name: maximum(field) for field in MINIMA} == {"target_length": 1_000_000, "expires_in": None}


@pytest.mark.parametrize("field", MINIMA, ids=lambda field: field.name)
def test_a_declared_minimum_is_in_the_document_and_less_is_refused(
    field: Any, document: dict[str, Any], http: httpx.Client
) -> None:
    schema = document["components"]["schemas"][field.containing_type.name]["properties"][field.name]
    bounds = {"minimum": 0} if maximum(field) is None else {"minimum": 0, "maximum": maximum(field)}
    assert {"type": "integer", **bounds} in schema["anyOf"]
    body: dict[str, Any] = {"file": "QUJD", field.name: -1}
    if field.containing_type.name == "ChunkProcessing":
        body = {"file": "QUJD", "chunk_processing": {field.name: -1}}
    response = http.post("/task/parse", json=body)
    assert_plain_error(response, 400)
    assert response.text.startswith("Invalid ") and f"{field.name}: -1" in response.text


def test_only_what_chunkrs_json_can_leave_null_is_nullable(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    task = schemas["TaskResponse"]["properties"]
    nullable = {key for key, schema in task.items() if _nullable(schema)}
    assert nullable == {"started_at", "finished_at", "expires_at", "output", "task_url", "progress"}
    configuration = schemas["OutputConfiguration"]["properties"]
    assert _nullable(configuration["ocr_strategy"]) and _nullable(configuration["expires_in"])
    assert not _nullable(schemas["Segment"]["properties"]["segment_type"])
    assert not _nullable(schemas["FileInfo"]["properties"]["created_at"])
    assert _nullable(schemas["GenerationConfigOut"]["properties"]["crop_image"])


def test_a_task_with_nothing_set_is_null_exactly_where_the_document_allows(document: dict[str, Any]) -> None:
    body = codec.task_to_json(pb.Task(status=pb.TASK_STATUS_STARTING))
    nulls = {key for key, value in body.items() if value is None}
    properties = document["components"]["schemas"]["TaskResponse"]["properties"]
    assert nulls == {key for key, schema in properties.items() if _nullable(schema)} - {"progress"}
    assert body["created_at"] == "1970-01-01T00:00:00Z" and body["progress"] is not None


def test_a_segment_of_unset_type_is_text() -> None:
    task = pb.Task(status=pb.TASK_STATUS_SUCCEEDED)
    task.output.chunks.add().segments.add(segment_id="s")
    segment = codec.task_to_json(task)["output"]["chunks"][0]["segments"][0]
    assert segment["segment_type"] == "Text"
