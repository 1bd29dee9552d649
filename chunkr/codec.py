"""Chunkr's JSON ↔ chunkd's protos: the one codec.

The REST gateway speaks Chunkr's JSON (what the `chunkr-ai==0.3.7` SDK sends
and parses) and the client library prints the same JSON for `--json`, so both
go through this module and nothing else spells Chunkr's field names or enum
strings. Decoding is strict (a caller's typo becomes a clear InvalidChunkrJson
naming the field, not a silent default): wrong types, unknown enum strings and
unknown keys are refused, except the two the SDK may send that chunkd has no
use for, `pipeline` and `llm_processing`, which are accepted and ignored.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from google.protobuf.internal.enum_type_wrapper import EnumTypeWrapper
from google.protobuf.timestamp_pb2 import Timestamp

from protos import tasks_pb2 as pb

Json = dict[str, Any]
UrlRewrite = Callable[[str], str]


class InvalidChunkrJson(ValueError):
    """Chunkr JSON the codec refuses; the message names the field, for the caller."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ChunkrEnum:
    """One proto enum and Chunkr's strings for it; 0 ("unset") has none."""

    strings: Mapping[int, str]

    @classmethod
    def of(cls, enum: EnumTypeWrapper, prefix: str, spelled: Mapping[str, str] | None = None) -> ChunkrEnum:
        """Chunkr's spelling of each value is the proto name after the prefix in
        PascalCase (SECTION_HEADER → SectionHeader), except where Chunkr spells
        an acronym in capitals (LLM, HTML)."""
        strings: dict[int, str] = {}
        for name, number in enum.items():
            if number:
                short = name.removeprefix(prefix)
                strings[number] = (spelled or {}).get(short) or "".join(p.capitalize() for p in short.split("_"))
        return cls(strings)

    def to_json(self, number: int) -> str | None:
        return self.strings.get(number)

    def from_json(self, value: object, path: str) -> int:
        """A Chunkr enum string → its number; None → 0 (not given)."""
        if value is None:
            return 0
        if not isinstance(value, str):
            raise _wrong_type(path, "a string", value)
        for number, text in self.strings.items():
            if text == value:
                return number
        raise InvalidChunkrJson(f"Invalid {path}: {value!r} (expected one of {', '.join(self.strings.values())})")


TASK_STATUS = ChunkrEnum.of(pb.TaskStatus, "TASK_STATUS_")
OCR_STRATEGY = ChunkrEnum.of(pb.OcrStrategy, "OCR_STRATEGY_")
SEGMENTATION_STRATEGY = ChunkrEnum.of(pb.SegmentationStrategy, "SEGMENTATION_STRATEGY_")
ERROR_HANDLING = ChunkrEnum.of(pb.ErrorHandling, "ERROR_HANDLING_")
SEGMENT_TYPE = ChunkrEnum.of(pb.SegmentType, "SEGMENT_TYPE_")
CROPPING_STRATEGY = ChunkrEnum.of(pb.CroppingStrategy, "CROPPING_STRATEGY_")
GENERATION_STRATEGY = ChunkrEnum.of(pb.GenerationStrategy, "GENERATION_STRATEGY_", {"LLM": "LLM"})
SEGMENT_FORMAT = ChunkrEnum.of(pb.SegmentFormat, "SEGMENT_FORMAT_")
EMBED_SOURCE = ChunkrEnum.of(pb.EmbedSource, "EMBED_SOURCE_", {"HTML": "HTML", "LLM": "LLM"})
EVENT_KIND = ChunkrEnum.of(pb.TaskEvent.Kind, "KIND_")

# Chunkr's tokenizer is `{"Enum": name}` for its built-in ones and
# `{"String": name}` for a Hugging Face id; chunkd stores the bare name.
TOKENIZER_ENUMS = ("Word", "Cl100kBase", "XlmRobertaBase", "BertBaseUncased")

# GenerationConfig keys in Chunkr's order, and the segment_processing keys.
SEGMENT_PROCESSING_KEYS: dict[str, str] = {
    "Caption": "caption",
    "Footnote": "footnote",
    "Formula": "formula",
    "ListItem": "list_item",
    "Page": "page",
    "PageFooter": "page_footer",
    "PageHeader": "page_header",
    "Picture": "picture",
    "SectionHeader": "section_header",
    "Table": "table",
    "Text": "text",
    "Title": "title",
}
CONFIGURATION_KEYS = frozenset(
    {
        "chunk_processing",
        "error_handling",
        "expires_in",
        "high_resolution",
        "ocr_strategy",
        "segment_processing",
        "segmentation_strategy",
        "target_chunk_length",  # Chunkr's older flat spelling of chunk_processing.target_length
        # Chunkr's older options, still in scripts written for it; accepted and ignored.
        "model",
        "json_schema",
        # Accepted so that the SDK's requests pass, and ignored: chunkd runs no LLM pipelines.
        "pipeline",
        "llm_processing",
        # Read-only; accepted so that a configuration read from a task can be sent back.
        "input_file_url",
    }
)
CHUNK_PROCESSING_KEYS = frozenset({"target_length", "tokenizer", "ignore_headers_and_footers"})
GENERATION_KEYS = frozenset(
    {"crop_image", "format", "strategy", "html", "markdown", "llm", "embed_sources", "extended_context", "description"}
)


# ---------------------------------------------------------------- decoding


def _type_name(value: object) -> str:
    return "null" if value is None else {dict: "object", list: "array", str: "string", bool: "boolean"}.get(
        type(value), "number" if isinstance(value, (int, float)) else type(value).__name__
    )


def _wrong_type(path: str, expected: str, value: object) -> InvalidChunkrJson:
    return InvalidChunkrJson(f"Invalid {path}: expected {expected}, got {_type_name(value)}")


def _bool(value: object, path: str) -> bool:
    if not isinstance(value, bool):
        raise _wrong_type(path, "a boolean", value)
    return value


def _int(value: object, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        if not (isinstance(value, float) and value.is_integer()):
            raise _wrong_type(path, "an integer", value)
        value = int(value)  # 3.0 is an integer, and must fit like one
    if not -(2**31) <= value < 2**31:
        raise InvalidChunkrJson(f"Invalid {path}: {value} is out of range")
    return value


def _str(value: object, path: str) -> str:
    if not isinstance(value, str):
        raise _wrong_type(path, "a string", value)
    return value


def _object(value: object, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise _wrong_type(path, "an object", value)
    return value


def tokenizer_from_json(value: object, path: str = "chunk_processing.tokenizer") -> str:
    """`"Word"`, `{"Enum": "Word"}` or `{"String": "bert-base-uncased"}` → the name."""
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping) and len(value) == 1:
        (kind, name), = value.items()
        if kind in ("Enum", "String") and isinstance(name, str):
            if kind == "Enum" and name not in TOKENIZER_ENUMS:
                raise InvalidChunkrJson(f"Invalid {path}: {name!r} (expected one of {', '.join(TOKENIZER_ENUMS)})")
            return name
    raise InvalidChunkrJson(f'Invalid {path}: expected a string, {{"Enum": name}} or {{"String": name}}')


def _check_keys(obj: Mapping[str, Any], allowed: frozenset[str], path: str) -> None:
    """Unknown keys are refused, so that a misspelt option is an error rather
    than a silently ignored one (Chunkr ignores them; the SDK sends none)."""
    unknown = sorted(set(obj) - allowed)
    if unknown:
        where = f" in {path}" if path else ""
        raise InvalidChunkrJson(f"Unknown field{where}: {unknown[0]!r} (expected one of {', '.join(sorted(allowed))})")


def _chunk_processing_from_json(obj: Mapping[str, Any], path: str) -> pb.ChunkProcessing:
    _check_keys(obj, CHUNK_PROCESSING_KEYS, path)
    message = pb.ChunkProcessing()
    if obj.get("target_length") is not None:
        message.target_length = _int(obj["target_length"], f"{path}.target_length")
    if obj.get("tokenizer") is not None:
        message.tokenizer = tokenizer_from_json(obj["tokenizer"], f"{path}.tokenizer")
    if obj.get("ignore_headers_and_footers") is not None:
        message.ignore_headers_and_footers = _bool(
            obj["ignore_headers_and_footers"], f"{path}.ignore_headers_and_footers"
        )
    return message


def _generation_from_json(obj: Mapping[str, Any], path: str) -> pb.GenerationConfig:
    _check_keys(obj, GENERATION_KEYS, path)
    message = pb.GenerationConfig()
    for key, table in (
        ("crop_image", CROPPING_STRATEGY),
        ("html", GENERATION_STRATEGY),
        ("markdown", GENERATION_STRATEGY),
        ("format", SEGMENT_FORMAT),
        ("strategy", GENERATION_STRATEGY),
    ):
        setattr(message, key, table.from_json(obj.get(key), f"{path}.{key}"))
    if obj.get("llm") is not None:
        message.llm = _str(obj["llm"], f"{path}.llm")
    if obj.get("embed_sources") is not None:
        sources = obj["embed_sources"]
        if not isinstance(sources, list):
            raise _wrong_type(f"{path}.embed_sources", "an array", sources)
        message.embed_sources.extend(
            EMBED_SOURCE.from_json(s, f"{path}.embed_sources[{i}]") for i, s in enumerate(sources)
        )
    if obj.get("extended_context") is not None:
        message.extended_context = _bool(obj["extended_context"], f"{path}.extended_context")
    if obj.get("description") is not None:
        message.description = _bool(obj["description"], f"{path}.description")
    return message


def configuration_from_json(obj: object) -> pb.Configuration:
    """Chunkr's configuration keys (top level of a create/update body, or a
    `configuration` object) → a partial Configuration: what is absent or null
    stays unset, so the server fills in defaults or keeps current values."""
    obj = _object(obj, "configuration")
    _check_keys(obj, CONFIGURATION_KEYS, "")
    if obj.get("llm_processing") is not None:
        _object(obj["llm_processing"], "llm_processing")
    if obj.get("pipeline") is not None:
        _str(obj["pipeline"], "pipeline")
    message = pb.Configuration()
    if obj.get("chunk_processing") is not None:
        message.chunk_processing.CopyFrom(
            _chunk_processing_from_json(_object(obj["chunk_processing"], "chunk_processing"), "chunk_processing")
        )
    # Chunkr's older flat spelling of the chunk target.
    if obj.get("target_chunk_length") is not None and not message.chunk_processing.HasField("target_length"):
        message.chunk_processing.target_length = _int(obj["target_chunk_length"], "target_chunk_length")
    message.ocr_strategy = OCR_STRATEGY.from_json(obj.get("ocr_strategy"), "ocr_strategy")  # type: ignore[assignment]  # an OcrStrategy number
    message.segmentation_strategy = SEGMENTATION_STRATEGY.from_json(  # type: ignore[assignment]  # a SegmentationStrategy number
        obj.get("segmentation_strategy"), "segmentation_strategy"
    )
    message.error_handling = ERROR_HANDLING.from_json(obj.get("error_handling"), "error_handling")  # type: ignore[assignment]  # an ErrorHandling number
    if obj.get("high_resolution") is not None:
        message.high_resolution = _bool(obj["high_resolution"], "high_resolution")
    if obj.get("expires_in") is not None:
        message.expires_in = _int(obj["expires_in"], "expires_in")
    if obj.get("segment_processing") is not None:
        processing = _object(obj["segment_processing"], "segment_processing")
        for key, value in processing.items():
            field = SEGMENT_PROCESSING_KEYS.get(key) or (key if key in SEGMENT_PROCESSING_KEYS.values() else None)
            if field is None:
                raise InvalidChunkrJson(
                    f"Invalid segment_processing key: {key!r} (expected one of {', '.join(SEGMENT_PROCESSING_KEYS)})"
                )
            if value is not None:
                path = f"segment_processing.{key}"
                getattr(message.segment_processing, field).CopyFrom(_generation_from_json(_object(value, path), path))
    return message


def timestamp(moment: datetime) -> Timestamp:
    """A datetime → Timestamp; a naive datetime means UTC."""
    ts = Timestamp()
    ts.FromDatetime(moment if moment.tzinfo else moment.replace(tzinfo=UTC))
    return ts


def timestamp_from_json(value: object, path: str) -> Timestamp:
    """An ISO 8601 string (Z or offset; naive means UTC) → Timestamp."""
    if not isinstance(value, str):
        raise _wrong_type(path, "an ISO 8601 date-time string", value)
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise InvalidChunkrJson(f"Invalid {path}: {value!r} is not an ISO 8601 date-time") from None
    return timestamp(moment)


# ---------------------------------------------------------------- encoding


def timestamp_to_json(ts: Timestamp) -> str:
    """RFC 3339 in UTC with microseconds, as Chunkr (chrono) writes it."""
    moment: datetime = ts.ToDatetime(tzinfo=UTC)
    return moment.isoformat().replace("+00:00", "Z")


def _optional_timestamp(message: Any, field: str) -> str | None:
    return timestamp_to_json(getattr(message, field)) if message.HasField(field) else None


def tokenizer_to_json(name: str) -> dict[str, str] | None:
    if not name:
        return None
    return {"Enum": name} if name in TOKENIZER_ENUMS else {"String": name}


def _optional(message: Any, field: str) -> Any:
    return getattr(message, field) if message.HasField(field) else None


def _generation_to_json(message: pb.GenerationConfig) -> Json:
    return {
        "crop_image": CROPPING_STRATEGY.to_json(message.crop_image),
        "format": SEGMENT_FORMAT.to_json(message.format),
        "strategy": GENERATION_STRATEGY.to_json(message.strategy),
        "html": GENERATION_STRATEGY.to_json(message.html),
        "markdown": GENERATION_STRATEGY.to_json(message.markdown),
        "llm": message.llm or None,
        "embed_sources": [EMBED_SOURCE.strings[s] for s in message.embed_sources if s in EMBED_SOURCE.strings],
        "extended_context": _optional(message, "extended_context"),
        "description": _optional(message, "description"),
    }


def configuration_to_json(message: pb.Configuration) -> Json:
    """A Configuration → Chunkr's configuration object (unset values are null)."""
    chunking = message.chunk_processing
    return {
        "chunk_processing": {
            "target_length": _optional(chunking, "target_length"),
            "tokenizer": tokenizer_to_json(chunking.tokenizer),
            "ignore_headers_and_footers": _optional(chunking, "ignore_headers_and_footers"),
        },
        "error_handling": ERROR_HANDLING.to_json(message.error_handling),
        "expires_in": _optional(message, "expires_in"),
        "high_resolution": _optional(message, "high_resolution"),
        "ocr_strategy": OCR_STRATEGY.to_json(message.ocr_strategy),
        "segment_processing": {
            key: _generation_to_json(getattr(message.segment_processing, field))
            for key, field in SEGMENT_PROCESSING_KEYS.items()
        },
        "segmentation_strategy": SEGMENTATION_STRATEGY.to_json(message.segmentation_strategy),
    }


def _same(url: str) -> str:
    return url


def _url(url: str, rewrite: UrlRewrite) -> str | None:
    return rewrite(url) if url else None


def bbox_to_json(box: pb.BoundingBox) -> Json:
    return {"left": box.left, "top": box.top, "width": box.width, "height": box.height}


def segment_to_json(segment: pb.Segment, rewrite_url: UrlRewrite = _same) -> Json:
    return {
        "segment_id": segment.segment_id,
        "segment_type": SEGMENT_TYPE.to_json(segment.segment_type) or "Text",
        "bbox": bbox_to_json(segment.bbox),
        "page_number": segment.page_number,
        "page_width": segment.page_width,
        "page_height": segment.page_height,
        "content": segment.content,
        "text": segment.text,
        "html": segment.html,
        "markdown": segment.markdown,
        "image": _url(segment.image, rewrite_url),
        "llm": segment.llm or None,
        "ocr": [
            {"bbox": bbox_to_json(o.bbox), "text": o.text, "confidence": _optional(o, "confidence")}
            for o in segment.ocr
        ],
        "confidence": _optional(segment, "confidence"),
        "embed": segment.embed or None,
        "description": segment.description or None,
    }


def chunk_to_json(chunk: pb.Chunk, rewrite_url: UrlRewrite = _same) -> Json:
    return {
        "chunk_id": chunk.chunk_id,
        "chunk_length": chunk.chunk_length,
        "segments": [segment_to_json(s, rewrite_url) for s in chunk.segments],
        "embed": chunk.embed or None,
        "content": chunk.content,
    }


def output_to_json(output: pb.Output, rewrite_url: UrlRewrite = _same) -> Json:
    return {
        "chunks": [chunk_to_json(c, rewrite_url) for c in output.chunks],
        "file_name": output.file_name or None,
        "mime_type": output.mime_type or None,
        "page_count": output.page_count or None,
        "pages": [
            {
                "image": rewrite_url(p.image) if p.image else "",
                "page_number": p.page_number,
                "page_width": p.page_width,
                "page_height": p.page_height,
                "dpi": p.dpi or None,
            }
            for p in output.pages
        ]
        or None,
        "pdf_url": _url(output.pdf_url, rewrite_url),
    }


def progress_to_json(progress: pb.Progress) -> Json:
    return {"stage": progress.stage, "pages_done": progress.pages_done, "pages_total": progress.pages_total}


def task_to_json(task: pb.Task, rewrite_url: UrlRewrite = _same) -> Json:
    """A Task → Chunkr's TaskResponse. `rewrite_url` maps each file URL (the
    gateway points them at the base URL the caller used)."""
    configuration = configuration_to_json(task.configuration)
    configuration["input_file_url"] = _url(task.input_file_url, rewrite_url)
    return {
        "task_id": task.task_id,
        "status": TASK_STATUS.to_json(task.status),
        "message": task.message,
        "created_at": timestamp_to_json(task.created_at),
        "started_at": _optional_timestamp(task, "started_at"),
        "finished_at": _optional_timestamp(task, "finished_at"),
        "expires_at": _optional_timestamp(task, "expires_at"),
        "configuration": configuration,
        "output": output_to_json(task.output, rewrite_url) if task.HasField("output") else None,
        "task_url": task.task_url or None,
        "progress": progress_to_json(task.progress),
    }


# Chunkr 2.x's task JSON, on the `/tasks/...` paths, as its generated SDK reads it
# (chunkr-ai 0.1.0a15, Stainless-generated from Chunkr's OpenAPI: types/task_response.py,
# parse_configuration.py, file_info.py, version_info.py, parse_output_response.py).
# It differs from v1 in: `task_type`, `completed`, `file_info`, `version_info`, and a
# configuration of the parse keys only (`input_file_url` moves to the top level;
# `expires_in` and `high_resolution` are not part of it). `output` is v1's.
PARSE_CONFIGURATION_KEYS = (
    "chunk_processing", "error_handling", "ocr_strategy", "segment_processing", "segmentation_strategy"
)
TERMINAL_STATUSES = frozenset({pb.TASK_STATUS_SUCCEEDED, pb.TASK_STATUS_FAILED, pb.TASK_STATUS_CANCELLED})


def task_to_json_v2(task: pb.Task, rewrite_url: UrlRewrite = _same, *, server_version: str) -> Json:
    """A Task → Chunkr 2.x's TaskResponse (a parse task). chunkd keeps no client
    versions, so `version_info.client_version` is always "Unspecified"."""
    v1 = task_to_json(task, rewrite_url)
    configuration = v1["configuration"]
    input_file_url = configuration["input_file_url"]
    return {
        "task_id": task.task_id,
        "task_type": "Parse",
        "status": v1["status"],
        "completed": task.status in TERMINAL_STATUSES,
        "message": task.message,
        "created_at": v1["created_at"],
        "started_at": v1["started_at"],
        "finished_at": v1["finished_at"],
        "expires_at": v1["expires_at"],
        "configuration": {key: configuration[key] for key in PARSE_CONFIGURATION_KEYS},
        "file_info": {
            "url": input_file_url or "",
            "name": task.input_file.name or None,
            "mime_type": task.input_file.mime_type or None,
            "page_count": task.input_file.page_count or None,
        },
        "version_info": {"client_version": "Unspecified", "server_version": server_version},
        "input_file_url": input_file_url,
        "output": v1["output"],
        "task_url": v1["task_url"],
        "progress": v1["progress"],
    }


def event_to_json(event: pb.TaskEvent, rewrite_url: UrlRewrite = _same) -> Json:
    """A WatchTask event: its kind, when, the task as TaskResponse, and
    chunkd's progress (which Chunkr's TaskResponse has no field for)."""
    return {
        "kind": EVENT_KIND.to_json(event.kind),
        "time": timestamp_to_json(event.time) if event.HasField("time") else None,
        "task": task_to_json(event.task, rewrite_url),
        "progress": progress_to_json(event.task.progress),
    }
