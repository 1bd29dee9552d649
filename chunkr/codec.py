"""Chunkr's JSON ↔ chunkd's protos: the one codec.

The REST gateway speaks Chunkr's JSON (what the `chunkr-ai==0.3.7` SDK sends
and parses) and the client library prints the same JSON for `--json`, so both
go through this module. It walks the messages' descriptors: the keys, enum
strings and null conventions are those tasks.proto declares (chunkr/names.py),
so no field or enum value is listed here; only Chunkr's layouts of a task
(v1 and 2.x) are written out. Decoding is strict (a caller's typo becomes a clear InvalidChunkrJson
naming the field, not a silent default): wrong types, unknown enum strings and
unknown keys are refused, except the two the SDK may send that chunkd has no
use for, `pipeline` and `llm_processing`, which are accepted and ignored.
"""

from __future__ import annotations

import json
import keyword
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from functools import cache
from typing import Any

from google.protobuf.descriptor import FieldDescriptor as Field
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp

from chunkr.names import (
    ChunkrEnum,
    FieldDescriptor,
    InvalidChunkrJson,
    chunkr_enum,
    file_url,
    is_timestamp,
    json_key,
    json_type,
    keyed_by_json_name,
    null_when_empty,
    null_when_unset,
    terminal_values,
    unset_as,
)
from protos import tasks_pb2 as pb

__all__ = ["ChunkrEnum", "InvalidChunkrJson"]

Json = dict[str, Any]
UrlRewrite = Callable[[str], str]

TASK_STATUS = chunkr_enum(pb.TaskStatus.DESCRIPTOR)
OCR_STRATEGY = chunkr_enum(pb.OcrStrategy.DESCRIPTOR)
SEGMENTATION_STRATEGY = chunkr_enum(pb.SegmentationStrategy.DESCRIPTOR)
ERROR_HANDLING = chunkr_enum(pb.ErrorHandling.DESCRIPTOR)
SEGMENT_TYPE = chunkr_enum(pb.SegmentType.DESCRIPTOR)
CROPPING_STRATEGY = chunkr_enum(pb.CroppingStrategy.DESCRIPTOR)
GENERATION_STRATEGY = chunkr_enum(pb.GenerationStrategy.DESCRIPTOR)
SEGMENT_FORMAT = chunkr_enum(pb.SegmentFormat.DESCRIPTOR)
EMBED_SOURCE = chunkr_enum(pb.EmbedSource.DESCRIPTOR)
EVENT_KIND = chunkr_enum(pb.TaskEvent.Kind.DESCRIPTOR)
# The statuses a task never leaves, as tasks.proto marks them (`(Chunkr.terminal)`).
TERMINAL_STATUSES = terminal_values(pb.TaskStatus.DESCRIPTOR)

# Chunkr's tokenizer is `{"Enum": name}` for its built-in ones and
# `{"String": name}` for a Hugging Face id; chunkd stores the bare name.
TOKENIZER_ENUMS = ("Word", "Cl100kBase", "XlmRobertaBase", "BertBaseUncased")
TOKENIZER_FIELD = pb.ChunkProcessing.DESCRIPTOR.fields_by_name["tokenizer"].full_name
METADATA_FIELD = pb.File.DESCRIPTOR.fields_by_name["metadata"].full_name

# Top-level keys of a configuration that are not Configuration fields, accepted and ignored:
IGNORED_CONFIGURATION_KEYS = frozenset(
    {
        "target_chunk_length",  # Chunkr's older flat spelling of chunk_processing.target_length (read apart)
        # Chunkr's older options, still in scripts written for it.
        "model",
        "json_schema",
        # Sent by the SDK: chunkd runs no LLM pipelines.
        "pipeline",
        "llm_processing",
        # Read-only; accepted so that a configuration read from a task can be sent back.
        "input_file_url",
    }
)


# ---------------------------------------------------------------- decoding


def _wrong_type(path: str, expected: str, value: object) -> InvalidChunkrJson:
    return InvalidChunkrJson(f"Invalid {path}: expected {expected}, got {json_type(value)}")


def _bool(value: object, path: str) -> bool:
    if not isinstance(value, bool):
        raise _wrong_type(path, "a boolean", value)
    return value


def _int(value: object, path: str, bits: int = 32) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        if not (isinstance(value, float) and value.is_integer()):
            raise _wrong_type(path, "an integer", value)
        value = int(value)  # 3.0 is an integer, and must fit like one
    if not -(2 ** (bits - 1)) <= value < 2 ** (bits - 1):
        raise InvalidChunkrJson(f"Invalid {path}: {value} is out of range")
    return value


def _float(value: object, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _wrong_type(path, "a number", value)
    return float(value)


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


SCALAR_DECODERS: dict[int, Callable[[object, str], Any]] = {
    Field.TYPE_BOOL: _bool,
    Field.TYPE_STRING: _str,
    Field.TYPE_INT32: _int,
    Field.TYPE_INT64: lambda value, path: _int(value, path, 64),
    Field.TYPE_FLOAT: _float,
    Field.TYPE_DOUBLE: _float,
}


def _scalar_from_json(field: FieldDescriptor, value: object, path: str) -> Any:
    """A value of a field that is not a message: an enum string, or a JSON scalar of the field's type."""
    if field.full_name == TOKENIZER_FIELD:
        return tokenizer_from_json(value, path)
    if field.enum_type is not None:
        return chunkr_enum(field.enum_type).from_json(value, path)
    decode = SCALAR_DECODERS.get(field.type)
    if decode is None:
        raise InvalidChunkrJson(f"Invalid {path}: not settable in JSON")
    return decode(value, path)


def _message_from_json(field: FieldDescriptor, value: object, path: str, target: Message) -> None:
    if is_timestamp(field):
        target.CopyFrom(timestamp_from_json(value, path))
    else:
        message_from_json(value, target, path)


def _check_keys(obj: Mapping[str, Any], message: Any, path: str, also: frozenset[str]) -> None:
    """Unknown keys are refused, so that a misspelt option is an error rather
    than a silently ignored one (Chunkr ignores them; the SDK sends none)."""
    keys = [json_key(field) for field in message.fields]
    known = {*keys, *(field.name for field in message.fields), *also}
    unknown = [key for key in obj if key not in known]
    if not unknown:
        return
    if keyed_by_json_name(message):
        raise InvalidChunkrJson(f"Invalid {path} key: {unknown[0]!r} (expected one of {', '.join(keys)})")
    where = f" in {path}" if path else ""
    allowed = ", ".join(sorted({*keys, *also}))
    raise InvalidChunkrJson(f"Unknown field{where}: {sorted(unknown)[0]!r} (expected one of {allowed})")


def message_from_json(obj: object, message: Message, path: str, also: frozenset[str] = frozenset()) -> Message:
    """Chunkr's JSON object → `message`, field by field as the descriptor says:
    each key its field's Chunkr key (or proto name), each value checked for its
    type; absent and null values stay unset. Keys in `also` are passed over."""
    obj = _object(obj, path or "configuration")
    descriptor = message.DESCRIPTOR
    _check_keys(obj, descriptor, path, also)
    fields = {json_key(field): field for field in descriptor.fields} | dict(descriptor.fields_by_name)
    for key, value in obj.items():
        field = fields.get(key)
        if field is None or value is None:
            continue
        where = f"{path}.{key}" if path else key
        target = getattr(message, field.name)
        if not field.is_repeated:
            if field.message_type is not None:
                _message_from_json(field, value, where, target)
            else:
                setattr(message, field.name, _scalar_from_json(field, value, where))
            continue
        if not isinstance(value, list):
            raise _wrong_type(where, "an array", value)
        for i, item in enumerate(value):
            if field.message_type is not None:
                _message_from_json(field, item, f"{where}[{i}]", target.add())
            else:
                target.append(_scalar_from_json(field, item, f"{where}[{i}]"))
    return message


def configuration_from_json(obj: object) -> pb.Configuration:
    """Chunkr's configuration keys (top level of a create/update body, or a
    `configuration` object) → a partial Configuration: what is absent or null
    stays unset, so the server fills in defaults or keeps current values."""
    obj = _object(obj, "configuration")
    if obj.get("llm_processing") is not None:
        _object(obj["llm_processing"], "llm_processing")
    if obj.get("pipeline") is not None:
        _str(obj["pipeline"], "pipeline")
    message = pb.Configuration()
    message_from_json(obj, message, "", also=IGNORED_CONFIGURATION_KEYS)
    # Chunkr's older flat spelling of the chunk target.
    if obj.get("target_chunk_length") is not None and not message.chunk_processing.HasField("target_length"):
        message.chunk_processing.target_length = _int(obj["target_chunk_length"], "target_chunk_length")
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


def tokenizer_to_json(name: str) -> dict[str, str] | None:
    if not name:
        return None
    return {"Enum": name} if name in TOKENIZER_ENUMS else {"String": name}


def _same(url: str) -> str:
    return url


# Fields whose Chunkr JSON is not their value: the tokenizer's tagged name, a file's metadata object.
SPECIAL_ENCODERS: dict[str, Callable[[Any], Any]] = {
    TOKENIZER_FIELD: tokenizer_to_json,
    METADATA_FIELD: lambda text: json.loads(text or "{}"),
}


_BUILDING: set[Any] = set()  # the messages whose encoders are being made


def _expression(field: FieldDescriptor, namespace: dict[str, Any]) -> str:
    """A Python expression for the field's Chunkr JSON, of the message `m` and the URL rewrite `rw`."""
    name = field.name
    value = f"m.{name}" if not keyword.iskeyword(name) else f"getattr(m, {name!r})"
    helper = f"_{len(namespace)}"
    special = SPECIAL_ENCODERS.get(field.full_name)
    if special is not None:
        namespace[helper] = special
        return f"{helper}({{}})".format(value)
    encode = "{}"  # how one value is written: a format of the value's expression
    if is_timestamp(field):
        namespace[helper], encode = timestamp_to_json, f"{helper}({{}})"
    elif field.message_type is not None:
        nested = field.message_type
        namespace[helper] = message_to_json if nested in _BUILDING else _encoder(nested)  # a recursive message
        encode = f"{helper}({{}}, rw)"
    elif field.enum_type is not None:
        namespace[helper] = dict(chunkr_enum(field.enum_type).strings)
        encode = f"{helper}.get({{}}, {unset_as(field)!r})"
    elif file_url(field):
        encode = "(rw({0}) if {0} else {0})"
    if field.is_repeated:
        items = f"list({value})" if encode == "{}" else f"[{encode.format('v')} for v in {value}]"
        if field.enum_type is not None:  # enum values Chunkr has no string for are left out
            items = f"[x for x in {items} if x is not None]"
        return f"({items} or None)" if null_when_empty(field) else items
    encoded = encode.format(value)
    if null_when_unset(field):
        return f"({encoded} if m.HasField({name!r}) else None)"
    if null_when_empty(field):
        return f"({encoded} if {value} else None)"
    return encoded


@cache
def _encoder(message: Any) -> Callable[[Message, UrlRewrite], Json]:
    """The message's encoder as one generated function: a dict display of its
    fields, as fast as one written by hand (the JSON of a task with chunks is
    most of the gateway's work), made from the descriptor."""
    namespace: dict[str, Any] = {}
    _BUILDING.add(message)
    try:
        entries = ", ".join(f"{json_key(field)!r}: {_expression(field, namespace)}" for field in message.fields)
    finally:
        _BUILDING.discard(message)
    exec(f"def encode(m, rw):\n    return {{{entries}}}", namespace)
    return namespace["encode"]  # type: ignore[no-any-return]


def message_to_json(message: Message, rewrite_url: UrlRewrite = _same) -> Json:
    """Any message → Chunkr's JSON, as the proto declares it: every field under
    its Chunkr key, enums as Chunkr's strings (an unset one as its field's
    `(Chunkr.unset_as)`, else null), timestamps in RFC 3339, unset optional
    values and the fields marked `(Chunkr.null_when_empty)` null when empty, and
    file URLs through `rewrite_url`."""
    return _encoder(message.DESCRIPTOR)(message, rewrite_url)


def configuration_to_json(message: pb.Configuration) -> Json:
    """A Configuration → Chunkr's configuration object (unset values are null)."""
    return message_to_json(message)


FILE_INFO = json_key(pb.Task.DESCRIPTOR.fields_by_name["input_file"])


def task_to_json(task: pb.Task, rewrite_url: UrlRewrite = _same) -> Json:
    """A Task → Chunkr's TaskResponse. `rewrite_url` maps each file URL (the
    gateway points them at the base URL the caller used). v1 has no `file_info`,
    and carries `input_file_url` inside the configuration."""
    body = message_to_json(task, rewrite_url)
    del body[FILE_INFO]
    body["configuration"]["input_file_url"] = body.pop("input_file_url")
    return body


# Chunkr 2.x's task JSON, on the `/tasks/...` paths, as its generated SDK reads it
# (chunkr-ai 0.1.0a15, Stainless-generated from Chunkr's OpenAPI: types/task_response.py,
# parse_configuration.py, file_info.py, version_info.py, parse_output_response.py).
# It differs from v1 in: `task_type`, `completed`, `file_info`, `version_info`, and a
# configuration of the parse keys only (`input_file_url` moves to the top level;
# `expires_in` and `high_resolution` are not part of it). `output` is v1's.
PARSE_CONFIGURATION_KEYS = (
    "chunk_processing", "error_handling", "ocr_strategy", "segment_processing", "segmentation_strategy"
)


def task_to_json_v2(task: pb.Task, rewrite_url: UrlRewrite = _same, *, server_version: str) -> Json:
    """A Task → Chunkr 2.x's TaskResponse (a parse task). chunkd keeps no client
    versions, so `version_info.client_version` is always "Unspecified"."""
    body = message_to_json(task, rewrite_url)
    body["configuration"] = {key: body["configuration"][key] for key in PARSE_CONFIGURATION_KEYS}
    body[FILE_INFO] = {"url": body["input_file_url"] or "", **body[FILE_INFO]}
    return {
        "task_type": "Parse",
        "completed": task.status in TERMINAL_STATUSES,
        "version_info": {"client_version": "Unspecified", "server_version": server_version},
        **body,
    }


def event_to_json(event: pb.TaskEvent, rewrite_url: UrlRewrite = _same) -> Json:
    """A WatchTask event: its kind, when, the task as TaskResponse, and
    chunkd's progress (which Chunkr's TaskResponse has no field for)."""
    return {
        "kind": EVENT_KIND.to_json(event.kind),
        "time": timestamp_to_json(event.time) if event.HasField("time") else None,
        "task": task_to_json(event.task, rewrite_url),
        "progress": message_to_json(event.task.progress),
    }
