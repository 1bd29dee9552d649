"""Chunkr's JSON shapes as pydantic models, for the OpenAPI document only.

Requests are decoded and responses encoded by `chunkr.codec` (the one codec);
the models of messages are made here from the same descriptors the codec reads
(chunkr/names.py: keys, enum strings, which values may be null, least values),
so a field added to the proto is in the document as it is in the JSON, described
by its comment in the proto (gateway/comments.py). Response models
forbid extra keys, so a key the codec adds without describing it fails the
schema test.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from functools import cache
from typing import Any

from google.protobuf.descriptor import FieldDescriptor as Proto
from pydantic import BaseModel, ConfigDict, Field, create_model

from chunkr import codec
from chunkr.names import (
    FieldDescriptor,
    MessageDescriptor,
    chunkr_enum,
    is_timestamp,
    json_key,
    maximum,
    may_be_null,
    minimum,
)
from gateway.comments import comment
from protos import tasks_pb2 as pb

# Chunkr's OpenAPI names for the enums whose proto names differ.
ENUM_NAMES = {"TaskStatus": "Status", "ErrorHandling": "ErrorHandlingStrategy", "Kind": "EventKind"}


@cache
def enum_model(enum: Any) -> type[Enum]:
    """A proto enum as a str Enum of Chunkr's strings."""
    table = chunkr_enum(enum)
    name = ENUM_NAMES.get(table.name, table.name)
    model: type[Enum] = Enum(name, {text: text for text in table.strings.values()}, type=str)  # type: ignore[misc]  # the functional API, with a name made at run time
    model.__doc__ = comment(enum.full_name)
    return model


# Made at run time from the descriptors, so mypy cannot use them as types: the fields
# annotated with them carry `type: ignore[valid-type]`.
Status = enum_model(pb.TaskStatus.DESCRIPTOR)
TokenizerName = Enum("Tokenizer", {name: name for name in codec.TOKENIZER_ENUMS}, type=str)  # type: ignore[misc]  # the functional API
TokenizerName.__doc__ = "Chunkr's built-in tokenizers"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TokenizerEnum(Strict):
    """One of Chunkr's built-in tokenizers."""

    Enum: TokenizerName


class TokenizerString(Strict):
    """A tokenizer named by its Hugging Face id."""

    String: str = Field(description="A Hugging Face tokenizer id available to the server offline")


SCALARS: dict[int, type] = {
    Proto.TYPE_BOOL: bool,
    Proto.TYPE_STRING: str,
    Proto.TYPE_INT32: int,
    Proto.TYPE_INT64: int,
    Proto.TYPE_FLOAT: float,
    Proto.TYPE_DOUBLE: float,
}
# The fields whose JSON is not their value (codec.SPECIAL_ENCODERS), as they are written and read.
SPECIAL_OUT: dict[str, Any] = {
    codec.TOKENIZER_FIELD: TokenizerEnum | TokenizerString | None,
    codec.METADATA_FIELD: dict[str, Any],
}
SPECIAL_IN: dict[str, tuple[Any, Any]] = {
    codec.TOKENIZER_FIELD: (
        TokenizerEnum | TokenizerString | str | None,
        Field(None, description='`{"Enum": "Word"}`, `{"String": "<hf id>"}`, or the bare name'),
    ),
}


def _item_type(field: FieldDescriptor, model: Any) -> Any:
    if is_timestamp(field):
        return datetime
    if field.message_type is not None:
        return model(field.message_type)
    if field.enum_type is not None:
        return enum_model(field.enum_type)
    return SCALARS[field.type]


def _out_type(field: FieldDescriptor) -> Any:
    """A field's type as codec.message_to_json writes it: null where the codec may write null."""
    if field.full_name in SPECIAL_OUT:
        return SPECIAL_OUT[field.full_name]
    kind = _item_type(field, response_model)
    if field.is_repeated:
        kind = list[kind]  # type: ignore[valid-type]
    return kind | None if may_be_null(field) else kind


def _described(field: FieldDescriptor, default: Any) -> Any:
    """The field's pydantic Field: its proto comment as description, its declared bounds."""
    return Field(default, description=comment(field.full_name) or None, ge=minimum(field), le=maximum(field))


def response_fields(message: MessageDescriptor) -> dict[str, Any]:
    """Every field of `message` under its Chunkr key, all required, as create_model takes them."""
    return {json_key(field): (_out_type(field), _described(field, ...)) for field in message.fields}


NAMES = {"File": "FileInfo", "Webhook": "WebhookInfo", "Output": "OutputResponse"}


def _within(message: MessageDescriptor) -> set[str]:
    """The names of `message` and of the messages its fields hold, at any depth."""
    names = {message.name}
    for field in message.fields:
        if field.message_type is not None and field.message_type.name not in names:
            names |= _within(field.message_type)
    return names


REQUEST_MESSAGES = _within(pb.Configuration.DESCRIPTOR)


@cache
def response_model(message: MessageDescriptor) -> type[BaseModel]:
    """The model of a message as Chunkr's JSON has it in a response (where the
    message is also a request body, its name takes an `Out`)."""
    name = NAMES.get(message.name) or message.name + ("Out" if message.name in REQUEST_MESSAGES else "")
    return create_model(name, __base__=Strict, __doc__=comment(message.full_name), **response_fields(message))


@cache
def request_model(message: MessageDescriptor) -> type[BaseModel]:
    """The model of a partial message in a request: every key optional. Unknown keys are refused by
    the codec, not here, so that the document does not claim more than Chunkr's."""
    fields: dict[str, Any] = {}
    for field in message.fields:
        if field.full_name in SPECIAL_IN:
            fields[json_key(field)] = SPECIAL_IN[field.full_name]
            continue
        kind = _item_type(field, request_model)
        kind = (list[kind] if field.is_repeated else kind) | None  # type: ignore[valid-type]
        fields[json_key(field)] = (kind, _described(field, None))
    return create_model(message.name, __doc__=comment(message.full_name), **fields)


Configuration = request_model(pb.Configuration.DESCRIPTOR)


class CreateTaskBody(Configuration):  # type: ignore[valid-type,misc]  # made at run time
    """JSON body of `POST /task/parse`: the file and the configuration keys at top level."""

    file: str = Field(description="Base64 content, a `data:` URL, or an http(s) URL the server fetches")
    file_name: str | None = Field(None, description="Used when the file is not a URL with a name of its own")


class CreateTaskForm(BaseModel):
    """Multipart body of `POST /task/parse`; configuration keys may be sent as
    form fields too (objects as JSON text)."""

    file: bytes = Field(json_schema_extra={"format": "binary"})
    file_name: str | None = None


class UploadFileForm(BaseModel):
    """Multipart body of `POST /files`."""

    file: bytes = Field(json_schema_extra={"format": "binary"})
    file_metadata: str | None = Field(None, description="A JSON object as a string, kept with the file")


class CreateWebhookBody(BaseModel):
    """Body of `POST /webhooks`."""

    url: str = Field(description="http(s); public unless the server allows private URLs")
    event_types: list[str] = Field(default_factory=list, description='Empty = every type; known: "task.parse.updated"')


# ------------------------------------------------------------------ responses

FileInfo = response_model(pb.File.DESCRIPTOR)
WebhookInfo = response_model(pb.Webhook.DESCRIPTOR)
ConfigurationOut = response_model(pb.Configuration.DESCRIPTOR)
Progress = response_model(pb.Progress.DESCRIPTOR)
TASK = pb.Task.DESCRIPTOR.fields_by_name
FILE_INFO = json_key(TASK["input_file"])


class OutputConfiguration(ConfigurationOut):  # type: ignore[valid-type,misc]  # made at run time
    """The task's full configuration, defaults filled in; v1 carries the input file's URL here."""

    input_file_url: str | None = _described(TASK["input_file_url"], ...)


ParseConfiguration = create_model(
    "ParseConfiguration",
    __base__=Strict,
    __doc__="Chunkr 2.x's configuration of a parse task, defaults filled in.",
    **{key: value for key, value in response_fields(pb.Configuration.DESCRIPTOR).items() if key in
       codec.PARSE_CONFIGURATION_KEYS},
)
InputFileInfo = create_model(
    "InputFileInfo",
    __base__=response_model(pb.InputFile.DESCRIPTOR),
    __doc__="Chunkr 2.x's `file_info`: what is known of the input file.",
    url=(str, Field(description="Signed URL (or data: URL) of the input file")),
)
# Not required: chunkd's addition to Chunkr's TaskResponse.
TASK_FIELDS = {**response_fields(pb.Task.DESCRIPTOR), "progress": (Progress | None, _described(TASK["progress"], None))}
TaskResponse = create_model(
    "TaskResponse",
    __base__=Strict,
    __doc__=comment(pb.Task.DESCRIPTOR.full_name),
    **{key: value for key, value in TASK_FIELDS.items() if key not in (FILE_INFO, "input_file_url")}
    | {"configuration": (OutputConfiguration, _described(TASK["configuration"], ...))},
)


class SortOrder(str, Enum):
    """The order of `GET /tasks` for 2.x callers, by creation time."""

    asc = "asc"
    desc = "desc"


class TaskType(str, Enum):
    """Chunkr 2.x's kind of task; chunkd's tasks are all Parse."""

    Parse = "Parse"
    Extract = "Extract"


class VersionInfo(Strict):
    """Chunkr 2.x's versions of the client that made the task and of the server."""

    client_version: str = Field(description='Always "Unspecified": chunkd keeps no client versions')
    server_version: str


TaskResponseV2 = create_model(
    "TaskResponseV2",
    __base__=Strict,
    __doc__="A task in Chunkr 2.x's JSON (the `/tasks/...` paths).",
    task_type=(TaskType, Field(description="Always Parse")),
    completed=(bool, Field(description="Succeeded, Failed or Cancelled")),
    version_info=(VersionInfo, Field(description="chunkd's version; no client versions are kept")),
    **TASK_FIELDS
    | {
        "configuration": (ParseConfiguration, _described(TASK["configuration"], ...)),
        FILE_INFO: (InputFileInfo, _described(TASK["input_file"], ...)),
    },
)


class TasksPage(Strict):
    """One page of `GET /tasks` for 2.x callers."""

    tasks: list[TaskResponseV2]  # type: ignore[valid-type]
    next_cursor: datetime | None = Field(description="Pass as `cursor` for the next page; null on the last")
    has_more: bool


EVENT = pb.TaskEvent.DESCRIPTOR.fields_by_name


class TaskEvent(Strict):
    """The `data:` of one Server-Sent Event of `GET /task/{task_id}/events`;
    the SSE `event:` field is the kind in lower case."""

    kind: enum_model(pb.TaskEvent.Kind.DESCRIPTOR) | None = _described(EVENT["kind"], ...)  # type: ignore[valid-type]
    time: datetime | None = _described(EVENT["time"], ...)
    task: TaskResponse = _described(EVENT["task"], ...)  # type: ignore[valid-type]
    progress: Progress = _described(TASK["progress"], ...)  # type: ignore[valid-type]
