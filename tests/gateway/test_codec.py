"""chunkr/codec.py: Chunkr's JSON as the chunkr-ai 0.3.7 SDK writes and reads it."""

from __future__ import annotations

from typing import Any

import pytest
from chunkr_ai.api import configuration as sdk
from chunkr_ai.api.task_response import TaskResponse
from google.protobuf.timestamp_pb2 import Timestamp

from chunkr import codec
from protos import tasks_pb2 as pb
from server.configuration import defaults


@pytest.mark.parametrize(
    ("table", "sdk_enum"),
    [
        (codec.TASK_STATUS, sdk.Status),
        (codec.OCR_STRATEGY, sdk.OcrStrategy),
        (codec.SEGMENTATION_STRATEGY, sdk.SegmentationStrategy),
        (codec.ERROR_HANDLING, sdk.ErrorHandlingStrategy),
        (codec.SEGMENT_TYPE, sdk.SegmentType),
        (codec.CROPPING_STRATEGY, sdk.CroppingStrategy),
        (codec.GENERATION_STRATEGY, sdk.GenerationStrategy),
        (codec.SEGMENT_FORMAT, sdk.SegmentFormat),
        (codec.EMBED_SOURCE, sdk.EmbedSource),
    ],
)
def test_enum_strings_are_the_sdks(table: codec.ChunkrEnum, sdk_enum: Any) -> None:
    assert sorted(table.strings.values()) == sorted(e.value for e in sdk_enum)


def test_tokenizer_names_are_the_sdks() -> None:
    assert sorted(codec.TOKENIZER_ENUMS) == sorted(t.value for t in sdk.Tokenizer)


def test_defaults_round_trip_through_json() -> None:
    assert codec.configuration_from_json(codec.configuration_to_json(defaults())) == defaults()


def test_the_sdks_configuration_decodes_field_by_field() -> None:
    config = sdk.Configuration(
        chunk_processing=sdk.ChunkProcessing(target_length=100, tokenizer=sdk.Tokenizer.CL100K_BASE),
        ocr_strategy=sdk.OcrStrategy.ALL,
        segmentation_strategy=sdk.SegmentationStrategy.PAGE,
        error_handling=sdk.ErrorHandlingStrategy.CONTINUE,
        high_resolution=False,
        expires_in=3600,
        segment_processing=sdk.SegmentProcessing(
            Table=sdk.GenerationConfig(format=sdk.SegmentFormat.MARKDOWN, strategy=sdk.GenerationStrategy.IGNORE),
            Picture=sdk.GenerationConfig(crop_image=sdk.CroppingStrategy.AUTO, embed_sources=[sdk.EmbedSource.HTML]),
        ),
        pipeline=sdk.Pipeline.CHUNKR,
    )
    message = codec.configuration_from_json(config.model_dump(mode="json", exclude_none=True))
    assert message.chunk_processing.target_length == 100
    assert message.chunk_processing.tokenizer == "Cl100kBase"
    assert not message.chunk_processing.HasField("ignore_headers_and_footers")
    assert message.ocr_strategy == pb.OCR_STRATEGY_ALL
    assert message.segmentation_strategy == pb.SEGMENTATION_STRATEGY_PAGE
    assert message.error_handling == pb.ERROR_HANDLING_CONTINUE
    assert message.high_resolution is False and message.expires_in == 3600
    assert message.segment_processing.table.format == pb.SEGMENT_FORMAT_MARKDOWN
    assert message.segment_processing.table.strategy == pb.GENERATION_STRATEGY_IGNORE
    assert list(message.segment_processing.picture.embed_sources) == [pb.EMBED_SOURCE_HTML]
    assert not message.segment_processing.HasField("text")


@pytest.mark.parametrize(
    ("value", "name"),
    [("Word", "Word"), ({"Enum": "Word"}, "Word"), ({"String": "bert-base-uncased"}, "bert-base-uncased")],
)
def test_tokenizer_spellings(value: object, name: str) -> None:
    message = codec.configuration_from_json({"chunk_processing": {"tokenizer": value}})
    assert message.chunk_processing.tokenizer == name
    assert sdk.ChunkProcessing(tokenizer=codec.tokenizer_to_json(name)).tokenizer is not None


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"ocr_strategy": "Sometimes"}, "Invalid ocr_strategy: 'Sometimes' (expected one of Auto, All)"),
        ({"ocr_strategy": 3}, "Invalid ocr_strategy: expected a string, got number"),
        ({"chunk_processing": {"target_length": "many"}}, "Invalid chunk_processing.target_length: expected an integer"),
        ({"chunk_processing": []}, "Invalid chunk_processing: expected an object, got array"),
        ({"chunk_processing": {"tokenizer": {"Enum": "Nope"}}}, "Invalid chunk_processing.tokenizer: 'Nope'"),
        ({"chunk_processing": {"tokenizer": 5}}, "Invalid chunk_processing.tokenizer"),
        ({"high_resolution": "yes"}, "Invalid high_resolution: expected a boolean, got string"),
        ({"expires_in": 1.5}, "Invalid expires_in: expected an integer"),
        ({"expires_in": 2**40}, "Invalid expires_in: 1099511627776 is out of range"),
        ({"expires_in": 15484256469.0}, "Invalid expires_in: 15484256469 is out of range"),  # found by schemathesis
        ({"segment_processing": {"Tabel": {}}}, "Invalid segment_processing key: 'Tabel'"),
        ({"segment_processing": {"Table": {"format": "Pdf"}}}, "Invalid segment_processing.Table.format: 'Pdf'"),
        ({"segment_processing": {"Table": {"embed_sources": "HTML"}}}, "Invalid segment_processing.Table.embed_sources"),
    ],
)
def test_wrong_types_and_values_name_the_field(body: dict[str, Any], message: str) -> None:
    with pytest.raises(codec.InvalidChunkrJson) as raised:
        codec.configuration_from_json(body)
    assert raised.value.message.startswith(message)


def test_nulls_and_the_sdks_llm_keys_are_accepted_and_ignored() -> None:
    body = {"llm_processing": {"model_id": "x"}, "pipeline": "Chunkr", "ocr_strategy": None, "chunk_processing": None}
    assert codec.configuration_from_json(body) == pb.Configuration()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"ocr_stratgy": "All"}, "Unknown field: 'ocr_stratgy' (expected one of chunk_processing,"),
        ({"chunk_processing": {"target_lenght": 5}}, "Unknown field in chunk_processing: 'target_lenght'"),
        ({"segment_processing": {"Table": {"fromat": "Html"}}}, "Unknown field in segment_processing.Table: 'fromat'"),
        ({"llm_processing": "fast"}, "Invalid llm_processing: expected an object, got string"),
    ],
)
def test_unknown_keys_are_refused_by_name(body: dict[str, Any], message: str) -> None:
    with pytest.raises(codec.InvalidChunkrJson) as raised:
        codec.configuration_from_json(body)
    assert raised.value.message.startswith(message)


def _timestamp(seconds: int) -> Timestamp:
    return Timestamp(seconds=seconds, nanos=123456000)


def sample_task() -> pb.Task:
    segment = pb.Segment(
        segment_id="s1",
        segment_type=pb.SEGMENT_TYPE_SECTION_HEADER,
        bbox=pb.BoundingBox(left=1, top=2, width=3, height=4),
        page_number=1,
        page_width=612,
        page_height=792,
        content="Intro",
        text="Intro",
        html="<h2>Intro</h2>",
        markdown="## Intro",
        image="http://x/files/tasks/t/img.jpg?expires=1&signature=s",
        ocr=[pb.OcrResult(bbox=pb.BoundingBox(left=1, top=2, width=3, height=4), text="Intro", confidence=0.9)],
        confidence=0.5,
    )
    return pb.Task(
        task_id="t",
        status=pb.TASK_STATUS_SUCCEEDED,
        message="Task succeeded",
        created_at=_timestamp(1_700_000_000),
        started_at=_timestamp(1_700_000_001),
        finished_at=_timestamp(1_700_000_002),
        configuration=defaults(),
        output=pb.Output(
            chunks=[pb.Chunk(chunk_id="c1", chunk_length=1, segments=[segment], content="Intro")],
            file_name="a.pdf",
            mime_type="application/pdf",
            page_count=1,
            pages=[pb.Page(image="data:image/jpeg;base64,AA==", page_number=1, page_width=612, page_height=792, dpi=144)],
            pdf_url="http://x/files/tasks/t/a.pdf?expires=1&signature=s",
        ),
        task_url="http://x/api/v1/task/t",
        input_file_url="http://x/files/tasks/t/input/a.pdf?expires=1&signature=s",
    )


def test_the_sdk_parses_a_task_and_reads_its_markdown() -> None:
    body = codec.task_to_json(sample_task())
    parsed = TaskResponse(**body)
    assert parsed.status == sdk.Status.SUCCEEDED
    assert parsed.created_at.isoformat() == "2023-11-14T22:13:20.123456+00:00"
    assert parsed.expires_at is None
    assert parsed.markdown() == "## Intro"
    assert parsed.output is not None and parsed.output.chunks[0].segments[0].segment_type == sdk.SegmentType.SECTION_HEADER
    assert parsed.configuration.input_file_url == sample_task().input_file_url
    assert body["output"]["chunks"][0]["segments"][0]["bbox"] == {"left": 1, "top": 2, "width": 3, "height": 4}


def test_a_task_without_output_has_output_null() -> None:
    task = pb.Task(task_id="t", status=pb.TASK_STATUS_STARTING, created_at=_timestamp(1), configuration=defaults())
    body = codec.task_to_json(task)
    assert body["output"] is None and body["started_at"] is None
    assert TaskResponse(**body).status == sdk.Status.STARTING


def test_file_urls_go_through_the_rewrite() -> None:
    body = codec.task_to_json(sample_task(), lambda url: "R:" + url)
    assert body["configuration"]["input_file_url"].startswith("R:")
    assert body["output"]["pdf_url"].startswith("R:")
    assert body["output"]["pages"][0]["image"].startswith("R:")
    assert body["output"]["chunks"][0]["segments"][0]["image"].startswith("R:")
    assert body["task_url"] == "http://x/api/v1/task/t"


def test_timestamps_accept_z_offsets_and_naive_utc() -> None:
    z = codec.timestamp_from_json("2024-01-02T03:04:05Z", "start")
    assert codec.timestamp_from_json("2024-01-02T04:04:05+01:00", "start") == z
    assert codec.timestamp_from_json("2024-01-02T03:04:05", "start") == z
    assert codec.timestamp_to_json(z) == "2024-01-02T03:04:05Z"
    with pytest.raises(codec.InvalidChunkrJson, match="not an ISO 8601"):
        codec.timestamp_from_json("yesterday", "start")
