"""Chunkr's JSON shapes as pydantic models, for the OpenAPI document only.

Requests are decoded and responses encoded by `chunkr.codec` (the one codec);
these models describe the same shapes so that `/openapi.json` and `/docs` are
accurate, and the schema test holds the codec's output to them. Response models
forbid extra keys, so a key the codec adds without describing it fails the test.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from chunkr import codec


def _enum(name: str, table: codec.ChunkrEnum) -> type[Enum]:
    return Enum(name, {text: text for text in table.strings.values()}, type=str)  # type: ignore[return-value]  # the functional API makes a class


# Made at run time from the codec's tables, so mypy cannot use them as types: the fields
# annotated with them carry `type: ignore[valid-type]`.
Status = _enum("Status", codec.TASK_STATUS)
OcrStrategy = _enum("OcrStrategy", codec.OCR_STRATEGY)
SegmentationStrategy = _enum("SegmentationStrategy", codec.SEGMENTATION_STRATEGY)
ErrorHandlingStrategy = _enum("ErrorHandlingStrategy", codec.ERROR_HANDLING)
SegmentType = _enum("SegmentType", codec.SEGMENT_TYPE)
CroppingStrategy = _enum("CroppingStrategy", codec.CROPPING_STRATEGY)
GenerationStrategy = _enum("GenerationStrategy", codec.GENERATION_STRATEGY)
SegmentFormat = _enum("SegmentFormat", codec.SEGMENT_FORMAT)
EmbedSource = _enum("EmbedSource", codec.EMBED_SOURCE)
EventKind = _enum("EventKind", codec.EVENT_KIND)
TokenizerName = _enum("Tokenizer", codec.ChunkrEnum(dict(enumerate(codec.TOKENIZER_ENUMS, 1))))


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TokenizerEnum(Strict):
    Enum: TokenizerName  # type: ignore[valid-type]


class TokenizerString(Strict):
    String: str = Field(description="A Hugging Face tokenizer id available to the server offline")


class ChunkProcessing(BaseModel):
    target_length: int | None = Field(None, ge=0, description="Tokens per chunk; 0 = one segment per chunk")
    tokenizer: TokenizerEnum | TokenizerString | str | None = Field(
        None, description='`{"Enum": "Word"}`, `{"String": "<hf id>"}`, or the bare name'
    )
    ignore_headers_and_footers: bool | None = None


class GenerationConfig(BaseModel):
    crop_image: CroppingStrategy | None = None  # type: ignore[valid-type]
    format: SegmentFormat | None = None  # type: ignore[valid-type]
    strategy: GenerationStrategy | None = None  # type: ignore[valid-type]
    html: GenerationStrategy | None = None  # type: ignore[valid-type]
    markdown: GenerationStrategy | None = None  # type: ignore[valid-type]
    llm: str | None = None
    embed_sources: list[EmbedSource] | None = None  # type: ignore[valid-type]
    extended_context: bool | None = None
    description: bool | None = None


class SegmentProcessing(BaseModel):
    """One key per segment type (Chunkr's PascalCase keys; snake_case is accepted too)."""

    Caption: GenerationConfig | None = None
    Footnote: GenerationConfig | None = None
    Formula: GenerationConfig | None = None
    ListItem: GenerationConfig | None = None
    Page: GenerationConfig | None = None
    PageFooter: GenerationConfig | None = None
    PageHeader: GenerationConfig | None = None
    Picture: GenerationConfig | None = None
    SectionHeader: GenerationConfig | None = None
    Table: GenerationConfig | None = None
    Text: GenerationConfig | None = None
    Title: GenerationConfig | None = None


class Configuration(BaseModel):
    """A partial configuration: what is left out takes the default (on create)
    or keeps its current value (on update). Unknown keys are ignored, as by Chunkr."""

    chunk_processing: ChunkProcessing | None = None
    error_handling: ErrorHandlingStrategy | None = None  # type: ignore[valid-type]
    expires_in: int | None = Field(None, ge=0, description="Seconds after the task finishes until it expires")
    high_resolution: bool | None = None
    ocr_strategy: OcrStrategy | None = None  # type: ignore[valid-type]
    segment_processing: SegmentProcessing | None = None
    segmentation_strategy: SegmentationStrategy | None = None  # type: ignore[valid-type]


class CreateTaskBody(Configuration):
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


# ------------------------------------------------------------------ responses


class CreateWebhookBody(BaseModel):
    """Body of `POST /webhooks`."""

    url: str = Field(description="http(s); public unless the server allows private URLs")
    event_types: list[str] = Field(default_factory=list, description='Empty = every type; known: "task.parse.updated"')


class WebhookInfo(BaseModel):
    """A webhook endpoint; its messages are signed per Standard Webhooks with `secret`."""

    webhook_id: str
    url: str
    event_types: list[str]
    secret: str = Field(description="whsec_ + base64 of the signing key")
    created_at: datetime


class FileInfo(BaseModel):
    """A stored file (`POST /files`, `GET /files/{file_id}`)."""

    file_id: str
    file_name: str
    content_type: str
    file_size: int
    metadata: dict[str, Any]
    created_at: datetime
    url: str = Field(description="`ch://files/{file_id}`: use it as a task's `file`")


class BoundingBox(Strict):
    left: float
    top: float
    width: float
    height: float


class OCRResult(Strict):
    bbox: BoundingBox
    text: str
    confidence: float | None


class Segment(Strict):
    segment_id: str
    segment_type: SegmentType  # type: ignore[valid-type]
    bbox: BoundingBox
    page_number: int = Field(description="1-based")
    page_width: float
    page_height: float
    content: str
    text: str
    html: str
    markdown: str
    image: str | None = Field(description="Signed URL or data: URL of the segment's crop")
    llm: str | None
    ocr: list[OCRResult]
    confidence: float | None
    embed: str | None
    description: str | None


class Chunk(Strict):
    chunk_id: str
    chunk_length: int
    segments: list[Segment]
    embed: str | None
    content: str


class Page(Strict):
    image: str
    page_number: int
    page_width: float
    page_height: float
    dpi: float | None


class OutputResponse(Strict):
    chunks: list[Chunk] = Field(description="Empty unless include_chunks")
    file_name: str | None
    mime_type: str | None
    page_count: int | None
    pages: list[Page] | None
    pdf_url: str | None


class GenerationConfigOut(Strict):
    crop_image: CroppingStrategy | None  # type: ignore[valid-type]
    format: SegmentFormat | None  # type: ignore[valid-type]
    strategy: GenerationStrategy | None  # type: ignore[valid-type]
    html: GenerationStrategy | None  # type: ignore[valid-type]
    markdown: GenerationStrategy | None  # type: ignore[valid-type]
    llm: str | None
    embed_sources: list[EmbedSource]  # type: ignore[valid-type]
    extended_context: bool | None
    description: bool


class ChunkProcessingOut(Strict):
    target_length: int | None
    tokenizer: TokenizerEnum | TokenizerString | None
    ignore_headers_and_footers: bool | None


SegmentProcessingOut = type(
    "SegmentProcessingOut",
    (Strict,),
    {"__annotations__": {key: GenerationConfigOut for key in codec.SEGMENT_PROCESSING_KEYS}},
)


class OutputConfiguration(Strict):
    """The task's full configuration, defaults filled in."""

    chunk_processing: ChunkProcessingOut
    error_handling: ErrorHandlingStrategy | None  # type: ignore[valid-type]
    expires_in: int | None
    high_resolution: bool | None
    ocr_strategy: OcrStrategy | None  # type: ignore[valid-type]
    segment_processing: SegmentProcessingOut  # type: ignore[valid-type]
    segmentation_strategy: SegmentationStrategy | None  # type: ignore[valid-type]
    input_file_url: str | None


class TaskResponse(Strict):
    task_id: str
    status: Status  # type: ignore[valid-type]
    message: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    expires_at: datetime | None
    configuration: OutputConfiguration
    output: OutputResponse | None
    task_url: str | None = Field(description="Absolute URL of this task; append /cancel or /parse")
    progress: Progress | None = Field(None, description="chunkd's: the stage and pages done (Chunkr has no such field)")


class SortOrder(str, Enum):
    asc = "asc"
    desc = "desc"


class TaskType(str, Enum):
    Parse = "Parse"
    Extract = "Extract"


class ParseConfiguration(Strict):
    """Chunkr 2.x's configuration of a parse task, defaults filled in."""

    chunk_processing: ChunkProcessingOut
    error_handling: ErrorHandlingStrategy | None  # type: ignore[valid-type]
    ocr_strategy: OcrStrategy | None  # type: ignore[valid-type]
    segment_processing: SegmentProcessingOut  # type: ignore[valid-type]
    segmentation_strategy: SegmentationStrategy | None  # type: ignore[valid-type]


class InputFileInfo(Strict):
    """Chunkr 2.x's `file_info`: what is known of the input file."""

    url: str = Field(description="Signed URL (or data: URL) of the input file")
    name: str | None
    mime_type: str | None
    page_count: int | None = Field(description="Null until the pages are counted")


class VersionInfo(Strict):
    client_version: str = Field(description='Always "Unspecified": chunkd keeps no client versions')
    server_version: str


class TaskResponseV2(Strict):
    """A task in Chunkr 2.x's JSON (the `/tasks/...` paths)."""

    task_id: str
    task_type: TaskType
    status: Status  # type: ignore[valid-type]
    completed: bool = Field(description="Succeeded, Failed or Cancelled")
    message: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    expires_at: datetime | None
    configuration: ParseConfiguration
    file_info: InputFileInfo
    version_info: VersionInfo
    input_file_url: str | None = Field(description="Deprecated by Chunkr for `file_info.url`")
    output: OutputResponse | None
    task_url: str | None = Field(description="Absolute URL of this task on the 2.x path")
    progress: Progress | None = Field(None, description="chunkd's: the stage and pages done (Chunkr has no such field)")


class TasksPage(Strict):
    """One page of `GET /tasks` for 2.x callers."""

    tasks: list[TaskResponseV2]
    next_cursor: datetime | None = Field(description="Pass as `cursor` for the next page; null on the last")
    has_more: bool


class Progress(Strict):
    stage: str
    pages_done: int
    pages_total: int


class TaskEvent(Strict):
    """The `data:` of one Server-Sent Event of `GET /task/{task_id}/events`;
    the SSE `event:` field is the kind in lower case."""

    kind: EventKind  # type: ignore[valid-type]
    time: datetime | None
    task: TaskResponse
    progress: Progress

