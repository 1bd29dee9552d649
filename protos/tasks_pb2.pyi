import datetime

from google.api import annotations_pb2 as _annotations_pb2
from google.protobuf import descriptor_pb2 as _descriptor_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class TaskStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TASK_STATUS_UNSPECIFIED: _ClassVar[TaskStatus]
    TASK_STATUS_STARTING: _ClassVar[TaskStatus]
    TASK_STATUS_PROCESSING: _ClassVar[TaskStatus]
    TASK_STATUS_SUCCEEDED: _ClassVar[TaskStatus]
    TASK_STATUS_FAILED: _ClassVar[TaskStatus]
    TASK_STATUS_CANCELLED: _ClassVar[TaskStatus]

class OcrStrategy(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    OCR_STRATEGY_UNSPECIFIED: _ClassVar[OcrStrategy]
    OCR_STRATEGY_AUTO: _ClassVar[OcrStrategy]
    OCR_STRATEGY_ALL: _ClassVar[OcrStrategy]

class SegmentationStrategy(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SEGMENTATION_STRATEGY_UNSPECIFIED: _ClassVar[SegmentationStrategy]
    SEGMENTATION_STRATEGY_LAYOUT_ANALYSIS: _ClassVar[SegmentationStrategy]
    SEGMENTATION_STRATEGY_PAGE: _ClassVar[SegmentationStrategy]

class ErrorHandling(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ERROR_HANDLING_UNSPECIFIED: _ClassVar[ErrorHandling]
    ERROR_HANDLING_FAIL: _ClassVar[ErrorHandling]
    ERROR_HANDLING_CONTINUE: _ClassVar[ErrorHandling]

class SegmentType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SEGMENT_TYPE_UNSPECIFIED: _ClassVar[SegmentType]
    SEGMENT_TYPE_CAPTION: _ClassVar[SegmentType]
    SEGMENT_TYPE_FOOTNOTE: _ClassVar[SegmentType]
    SEGMENT_TYPE_FORMULA: _ClassVar[SegmentType]
    SEGMENT_TYPE_LIST_ITEM: _ClassVar[SegmentType]
    SEGMENT_TYPE_PAGE: _ClassVar[SegmentType]
    SEGMENT_TYPE_PAGE_FOOTER: _ClassVar[SegmentType]
    SEGMENT_TYPE_PAGE_HEADER: _ClassVar[SegmentType]
    SEGMENT_TYPE_PICTURE: _ClassVar[SegmentType]
    SEGMENT_TYPE_SECTION_HEADER: _ClassVar[SegmentType]
    SEGMENT_TYPE_TABLE: _ClassVar[SegmentType]
    SEGMENT_TYPE_TEXT: _ClassVar[SegmentType]
    SEGMENT_TYPE_TITLE: _ClassVar[SegmentType]

class CroppingStrategy(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CROPPING_STRATEGY_UNSPECIFIED: _ClassVar[CroppingStrategy]
    CROPPING_STRATEGY_AUTO: _ClassVar[CroppingStrategy]
    CROPPING_STRATEGY_ALL: _ClassVar[CroppingStrategy]

class GenerationStrategy(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    GENERATION_STRATEGY_UNSPECIFIED: _ClassVar[GenerationStrategy]
    GENERATION_STRATEGY_AUTO: _ClassVar[GenerationStrategy]
    GENERATION_STRATEGY_LLM: _ClassVar[GenerationStrategy]
    GENERATION_STRATEGY_IGNORE: _ClassVar[GenerationStrategy]

class SegmentFormat(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SEGMENT_FORMAT_UNSPECIFIED: _ClassVar[SegmentFormat]
    SEGMENT_FORMAT_HTML: _ClassVar[SegmentFormat]
    SEGMENT_FORMAT_MARKDOWN: _ClassVar[SegmentFormat]

class EmbedSource(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    EMBED_SOURCE_UNSPECIFIED: _ClassVar[EmbedSource]
    EMBED_SOURCE_CONTENT: _ClassVar[EmbedSource]
    EMBED_SOURCE_HTML: _ClassVar[EmbedSource]
    EMBED_SOURCE_MARKDOWN: _ClassVar[EmbedSource]
    EMBED_SOURCE_LLM: _ClassVar[EmbedSource]
TASK_STATUS_UNSPECIFIED: TaskStatus
TASK_STATUS_STARTING: TaskStatus
TASK_STATUS_PROCESSING: TaskStatus
TASK_STATUS_SUCCEEDED: TaskStatus
TASK_STATUS_FAILED: TaskStatus
TASK_STATUS_CANCELLED: TaskStatus
OCR_STRATEGY_UNSPECIFIED: OcrStrategy
OCR_STRATEGY_AUTO: OcrStrategy
OCR_STRATEGY_ALL: OcrStrategy
SEGMENTATION_STRATEGY_UNSPECIFIED: SegmentationStrategy
SEGMENTATION_STRATEGY_LAYOUT_ANALYSIS: SegmentationStrategy
SEGMENTATION_STRATEGY_PAGE: SegmentationStrategy
ERROR_HANDLING_UNSPECIFIED: ErrorHandling
ERROR_HANDLING_FAIL: ErrorHandling
ERROR_HANDLING_CONTINUE: ErrorHandling
SEGMENT_TYPE_UNSPECIFIED: SegmentType
SEGMENT_TYPE_CAPTION: SegmentType
SEGMENT_TYPE_FOOTNOTE: SegmentType
SEGMENT_TYPE_FORMULA: SegmentType
SEGMENT_TYPE_LIST_ITEM: SegmentType
SEGMENT_TYPE_PAGE: SegmentType
SEGMENT_TYPE_PAGE_FOOTER: SegmentType
SEGMENT_TYPE_PAGE_HEADER: SegmentType
SEGMENT_TYPE_PICTURE: SegmentType
SEGMENT_TYPE_SECTION_HEADER: SegmentType
SEGMENT_TYPE_TABLE: SegmentType
SEGMENT_TYPE_TEXT: SegmentType
SEGMENT_TYPE_TITLE: SegmentType
CROPPING_STRATEGY_UNSPECIFIED: CroppingStrategy
CROPPING_STRATEGY_AUTO: CroppingStrategy
CROPPING_STRATEGY_ALL: CroppingStrategy
GENERATION_STRATEGY_UNSPECIFIED: GenerationStrategy
GENERATION_STRATEGY_AUTO: GenerationStrategy
GENERATION_STRATEGY_LLM: GenerationStrategy
GENERATION_STRATEGY_IGNORE: GenerationStrategy
SEGMENT_FORMAT_UNSPECIFIED: SegmentFormat
SEGMENT_FORMAT_HTML: SegmentFormat
SEGMENT_FORMAT_MARKDOWN: SegmentFormat
EMBED_SOURCE_UNSPECIFIED: EmbedSource
EMBED_SOURCE_CONTENT: EmbedSource
EMBED_SOURCE_HTML: EmbedSource
EMBED_SOURCE_MARKDOWN: EmbedSource
EMBED_SOURCE_LLM: EmbedSource

class Chunkr(_message.Message):
    __slots__ = ()
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: _descriptor.FieldDescriptor
    TERMINAL_FIELD_NUMBER: _ClassVar[int]
    terminal: _descriptor.FieldDescriptor
    NULL_WHEN_EMPTY_FIELD_NUMBER: _ClassVar[int]
    null_when_empty: _descriptor.FieldDescriptor
    FILE_URL_FIELD_NUMBER: _ClassVar[int]
    file_url: _descriptor.FieldDescriptor
    MINIMUM_FIELD_NUMBER: _ClassVar[int]
    minimum: _descriptor.FieldDescriptor
    MAXIMUM_FIELD_NUMBER: _ClassVar[int]
    maximum: _descriptor.FieldDescriptor
    UNSET_AS_FIELD_NUMBER: _ClassVar[int]
    unset_as: _descriptor.FieldDescriptor
    def __init__(self) -> None: ...

class ChunkProcessing(_message.Message):
    __slots__ = ("target_length", "tokenizer", "ignore_headers_and_footers")
    TARGET_LENGTH_FIELD_NUMBER: _ClassVar[int]
    TOKENIZER_FIELD_NUMBER: _ClassVar[int]
    IGNORE_HEADERS_AND_FOOTERS_FIELD_NUMBER: _ClassVar[int]
    target_length: int
    tokenizer: str
    ignore_headers_and_footers: bool
    def __init__(self, target_length: _Optional[int] = ..., tokenizer: _Optional[str] = ..., ignore_headers_and_footers: _Optional[bool] = ...) -> None: ...

class GenerationConfig(_message.Message):
    __slots__ = ("crop_image", "html", "markdown", "llm", "embed_sources", "extended_context", "format", "strategy", "description")
    CROP_IMAGE_FIELD_NUMBER: _ClassVar[int]
    HTML_FIELD_NUMBER: _ClassVar[int]
    MARKDOWN_FIELD_NUMBER: _ClassVar[int]
    LLM_FIELD_NUMBER: _ClassVar[int]
    EMBED_SOURCES_FIELD_NUMBER: _ClassVar[int]
    EXTENDED_CONTEXT_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    STRATEGY_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    crop_image: CroppingStrategy
    html: GenerationStrategy
    markdown: GenerationStrategy
    llm: str
    embed_sources: _containers.RepeatedScalarFieldContainer[EmbedSource]
    extended_context: bool
    format: SegmentFormat
    strategy: GenerationStrategy
    description: bool
    def __init__(self, crop_image: _Optional[_Union[CroppingStrategy, str]] = ..., html: _Optional[_Union[GenerationStrategy, str]] = ..., markdown: _Optional[_Union[GenerationStrategy, str]] = ..., llm: _Optional[str] = ..., embed_sources: _Optional[_Iterable[_Union[EmbedSource, str]]] = ..., extended_context: _Optional[bool] = ..., format: _Optional[_Union[SegmentFormat, str]] = ..., strategy: _Optional[_Union[GenerationStrategy, str]] = ..., description: _Optional[bool] = ...) -> None: ...

class SegmentProcessing(_message.Message):
    __slots__ = ("caption", "footnote", "formula", "list_item", "page", "page_footer", "page_header", "picture", "section_header", "table", "text", "title")
    CAPTION_FIELD_NUMBER: _ClassVar[int]
    FOOTNOTE_FIELD_NUMBER: _ClassVar[int]
    FORMULA_FIELD_NUMBER: _ClassVar[int]
    LIST_ITEM_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    PAGE_FOOTER_FIELD_NUMBER: _ClassVar[int]
    PAGE_HEADER_FIELD_NUMBER: _ClassVar[int]
    PICTURE_FIELD_NUMBER: _ClassVar[int]
    SECTION_HEADER_FIELD_NUMBER: _ClassVar[int]
    TABLE_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    caption: GenerationConfig
    footnote: GenerationConfig
    formula: GenerationConfig
    list_item: GenerationConfig
    page: GenerationConfig
    page_footer: GenerationConfig
    page_header: GenerationConfig
    picture: GenerationConfig
    section_header: GenerationConfig
    table: GenerationConfig
    text: GenerationConfig
    title: GenerationConfig
    def __init__(self, caption: _Optional[_Union[GenerationConfig, _Mapping]] = ..., footnote: _Optional[_Union[GenerationConfig, _Mapping]] = ..., formula: _Optional[_Union[GenerationConfig, _Mapping]] = ..., list_item: _Optional[_Union[GenerationConfig, _Mapping]] = ..., page: _Optional[_Union[GenerationConfig, _Mapping]] = ..., page_footer: _Optional[_Union[GenerationConfig, _Mapping]] = ..., page_header: _Optional[_Union[GenerationConfig, _Mapping]] = ..., picture: _Optional[_Union[GenerationConfig, _Mapping]] = ..., section_header: _Optional[_Union[GenerationConfig, _Mapping]] = ..., table: _Optional[_Union[GenerationConfig, _Mapping]] = ..., text: _Optional[_Union[GenerationConfig, _Mapping]] = ..., title: _Optional[_Union[GenerationConfig, _Mapping]] = ...) -> None: ...

class Configuration(_message.Message):
    __slots__ = ("chunk_processing", "ocr_strategy", "segmentation_strategy", "segment_processing", "high_resolution", "error_handling", "expires_in")
    CHUNK_PROCESSING_FIELD_NUMBER: _ClassVar[int]
    OCR_STRATEGY_FIELD_NUMBER: _ClassVar[int]
    SEGMENTATION_STRATEGY_FIELD_NUMBER: _ClassVar[int]
    SEGMENT_PROCESSING_FIELD_NUMBER: _ClassVar[int]
    HIGH_RESOLUTION_FIELD_NUMBER: _ClassVar[int]
    ERROR_HANDLING_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_IN_FIELD_NUMBER: _ClassVar[int]
    chunk_processing: ChunkProcessing
    ocr_strategy: OcrStrategy
    segmentation_strategy: SegmentationStrategy
    segment_processing: SegmentProcessing
    high_resolution: bool
    error_handling: ErrorHandling
    expires_in: int
    def __init__(self, chunk_processing: _Optional[_Union[ChunkProcessing, _Mapping]] = ..., ocr_strategy: _Optional[_Union[OcrStrategy, str]] = ..., segmentation_strategy: _Optional[_Union[SegmentationStrategy, str]] = ..., segment_processing: _Optional[_Union[SegmentProcessing, _Mapping]] = ..., high_resolution: _Optional[bool] = ..., error_handling: _Optional[_Union[ErrorHandling, str]] = ..., expires_in: _Optional[int] = ...) -> None: ...

class BoundingBox(_message.Message):
    __slots__ = ("left", "top", "width", "height")
    LEFT_FIELD_NUMBER: _ClassVar[int]
    TOP_FIELD_NUMBER: _ClassVar[int]
    WIDTH_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    left: float
    top: float
    width: float
    height: float
    def __init__(self, left: _Optional[float] = ..., top: _Optional[float] = ..., width: _Optional[float] = ..., height: _Optional[float] = ...) -> None: ...

class OcrResult(_message.Message):
    __slots__ = ("bbox", "text", "confidence")
    BBOX_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    CONFIDENCE_FIELD_NUMBER: _ClassVar[int]
    bbox: BoundingBox
    text: str
    confidence: float
    def __init__(self, bbox: _Optional[_Union[BoundingBox, _Mapping]] = ..., text: _Optional[str] = ..., confidence: _Optional[float] = ...) -> None: ...

class Segment(_message.Message):
    __slots__ = ("segment_id", "segment_type", "bbox", "page_number", "page_width", "page_height", "content", "html", "markdown", "image", "ocr", "confidence", "llm", "text", "description", "embed")
    SEGMENT_ID_FIELD_NUMBER: _ClassVar[int]
    SEGMENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    BBOX_FIELD_NUMBER: _ClassVar[int]
    PAGE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    PAGE_WIDTH_FIELD_NUMBER: _ClassVar[int]
    PAGE_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    HTML_FIELD_NUMBER: _ClassVar[int]
    MARKDOWN_FIELD_NUMBER: _ClassVar[int]
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    OCR_FIELD_NUMBER: _ClassVar[int]
    CONFIDENCE_FIELD_NUMBER: _ClassVar[int]
    LLM_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    EMBED_FIELD_NUMBER: _ClassVar[int]
    segment_id: str
    segment_type: SegmentType
    bbox: BoundingBox
    page_number: int
    page_width: float
    page_height: float
    content: str
    html: str
    markdown: str
    image: str
    ocr: _containers.RepeatedCompositeFieldContainer[OcrResult]
    confidence: float
    llm: str
    text: str
    description: str
    embed: str
    def __init__(self, segment_id: _Optional[str] = ..., segment_type: _Optional[_Union[SegmentType, str]] = ..., bbox: _Optional[_Union[BoundingBox, _Mapping]] = ..., page_number: _Optional[int] = ..., page_width: _Optional[float] = ..., page_height: _Optional[float] = ..., content: _Optional[str] = ..., html: _Optional[str] = ..., markdown: _Optional[str] = ..., image: _Optional[str] = ..., ocr: _Optional[_Iterable[_Union[OcrResult, _Mapping]]] = ..., confidence: _Optional[float] = ..., llm: _Optional[str] = ..., text: _Optional[str] = ..., description: _Optional[str] = ..., embed: _Optional[str] = ...) -> None: ...

class Chunk(_message.Message):
    __slots__ = ("chunk_id", "chunk_length", "segments", "embed", "content")
    CHUNK_ID_FIELD_NUMBER: _ClassVar[int]
    CHUNK_LENGTH_FIELD_NUMBER: _ClassVar[int]
    SEGMENTS_FIELD_NUMBER: _ClassVar[int]
    EMBED_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    chunk_id: str
    chunk_length: int
    segments: _containers.RepeatedCompositeFieldContainer[Segment]
    embed: str
    content: str
    def __init__(self, chunk_id: _Optional[str] = ..., chunk_length: _Optional[int] = ..., segments: _Optional[_Iterable[_Union[Segment, _Mapping]]] = ..., embed: _Optional[str] = ..., content: _Optional[str] = ...) -> None: ...

class Page(_message.Message):
    __slots__ = ("image", "page_number", "page_width", "page_height", "dpi")
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    PAGE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    PAGE_WIDTH_FIELD_NUMBER: _ClassVar[int]
    PAGE_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    DPI_FIELD_NUMBER: _ClassVar[int]
    image: str
    page_number: int
    page_width: float
    page_height: float
    dpi: float
    def __init__(self, image: _Optional[str] = ..., page_number: _Optional[int] = ..., page_width: _Optional[float] = ..., page_height: _Optional[float] = ..., dpi: _Optional[float] = ...) -> None: ...

class Output(_message.Message):
    __slots__ = ("chunks", "file_name", "mime_type", "page_count", "pages", "pdf_url")
    CHUNKS_FIELD_NUMBER: _ClassVar[int]
    FILE_NAME_FIELD_NUMBER: _ClassVar[int]
    MIME_TYPE_FIELD_NUMBER: _ClassVar[int]
    PAGE_COUNT_FIELD_NUMBER: _ClassVar[int]
    PAGES_FIELD_NUMBER: _ClassVar[int]
    PDF_URL_FIELD_NUMBER: _ClassVar[int]
    chunks: _containers.RepeatedCompositeFieldContainer[Chunk]
    file_name: str
    mime_type: str
    page_count: int
    pages: _containers.RepeatedCompositeFieldContainer[Page]
    pdf_url: str
    def __init__(self, chunks: _Optional[_Iterable[_Union[Chunk, _Mapping]]] = ..., file_name: _Optional[str] = ..., mime_type: _Optional[str] = ..., page_count: _Optional[int] = ..., pages: _Optional[_Iterable[_Union[Page, _Mapping]]] = ..., pdf_url: _Optional[str] = ...) -> None: ...

class Progress(_message.Message):
    __slots__ = ("stage", "pages_done", "pages_total")
    STAGE_FIELD_NUMBER: _ClassVar[int]
    PAGES_DONE_FIELD_NUMBER: _ClassVar[int]
    PAGES_TOTAL_FIELD_NUMBER: _ClassVar[int]
    stage: str
    pages_done: int
    pages_total: int
    def __init__(self, stage: _Optional[str] = ..., pages_done: _Optional[int] = ..., pages_total: _Optional[int] = ...) -> None: ...

class Task(_message.Message):
    __slots__ = ("task_id", "status", "message", "created_at", "started_at", "finished_at", "expires_at", "configuration", "output", "task_url", "progress", "input_file_url", "input_file")
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    FINISHED_AT_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    CONFIGURATION_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_FIELD_NUMBER: _ClassVar[int]
    TASK_URL_FIELD_NUMBER: _ClassVar[int]
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    INPUT_FILE_URL_FIELD_NUMBER: _ClassVar[int]
    INPUT_FILE_FIELD_NUMBER: _ClassVar[int]
    task_id: str
    status: TaskStatus
    message: str
    created_at: _timestamp_pb2.Timestamp
    started_at: _timestamp_pb2.Timestamp
    finished_at: _timestamp_pb2.Timestamp
    expires_at: _timestamp_pb2.Timestamp
    configuration: Configuration
    output: Output
    task_url: str
    progress: Progress
    input_file_url: str
    input_file: InputFile
    def __init__(self, task_id: _Optional[str] = ..., status: _Optional[_Union[TaskStatus, str]] = ..., message: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., started_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., finished_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., expires_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., configuration: _Optional[_Union[Configuration, _Mapping]] = ..., output: _Optional[_Union[Output, _Mapping]] = ..., task_url: _Optional[str] = ..., progress: _Optional[_Union[Progress, _Mapping]] = ..., input_file_url: _Optional[str] = ..., input_file: _Optional[_Union[InputFile, _Mapping]] = ...) -> None: ...

class InputFile(_message.Message):
    __slots__ = ("name", "mime_type", "page_count")
    NAME_FIELD_NUMBER: _ClassVar[int]
    MIME_TYPE_FIELD_NUMBER: _ClassVar[int]
    PAGE_COUNT_FIELD_NUMBER: _ClassVar[int]
    name: str
    mime_type: str
    page_count: int
    def __init__(self, name: _Optional[str] = ..., mime_type: _Optional[str] = ..., page_count: _Optional[int] = ...) -> None: ...

class CreateTaskRequest(_message.Message):
    __slots__ = ("file", "url", "file_id", "file_name", "configuration")
    FILE_FIELD_NUMBER: _ClassVar[int]
    URL_FIELD_NUMBER: _ClassVar[int]
    FILE_ID_FIELD_NUMBER: _ClassVar[int]
    FILE_NAME_FIELD_NUMBER: _ClassVar[int]
    CONFIGURATION_FIELD_NUMBER: _ClassVar[int]
    file: bytes
    url: str
    file_id: str
    file_name: str
    configuration: Configuration
    def __init__(self, file: _Optional[bytes] = ..., url: _Optional[str] = ..., file_id: _Optional[str] = ..., file_name: _Optional[str] = ..., configuration: _Optional[_Union[Configuration, _Mapping]] = ...) -> None: ...

class GetTaskRequest(_message.Message):
    __slots__ = ("task_id", "include_chunks", "base64_urls", "wait")
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_CHUNKS_FIELD_NUMBER: _ClassVar[int]
    BASE64_URLS_FIELD_NUMBER: _ClassVar[int]
    WAIT_FIELD_NUMBER: _ClassVar[int]
    task_id: str
    include_chunks: bool
    base64_urls: bool
    wait: int
    def __init__(self, task_id: _Optional[str] = ..., include_chunks: _Optional[bool] = ..., base64_urls: _Optional[bool] = ..., wait: _Optional[int] = ...) -> None: ...

class ListTasksRequest(_message.Message):
    __slots__ = ("page", "limit", "page_size", "page_token", "start", "end", "include_chunks", "base64_urls", "statuses", "oldest_first")
    PAGE_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    START_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_CHUNKS_FIELD_NUMBER: _ClassVar[int]
    BASE64_URLS_FIELD_NUMBER: _ClassVar[int]
    STATUSES_FIELD_NUMBER: _ClassVar[int]
    OLDEST_FIRST_FIELD_NUMBER: _ClassVar[int]
    page: int
    limit: int
    page_size: int
    page_token: str
    start: _timestamp_pb2.Timestamp
    end: _timestamp_pb2.Timestamp
    include_chunks: bool
    base64_urls: bool
    statuses: _containers.RepeatedScalarFieldContainer[TaskStatus]
    oldest_first: bool
    def __init__(self, page: _Optional[int] = ..., limit: _Optional[int] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., start: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., include_chunks: _Optional[bool] = ..., base64_urls: _Optional[bool] = ..., statuses: _Optional[_Iterable[_Union[TaskStatus, str]]] = ..., oldest_first: _Optional[bool] = ...) -> None: ...

class ListTasksResponse(_message.Message):
    __slots__ = ("tasks", "next_page_token")
    TASKS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    tasks: _containers.RepeatedCompositeFieldContainer[Task]
    next_page_token: str
    def __init__(self, tasks: _Optional[_Iterable[_Union[Task, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class UpdateTaskRequest(_message.Message):
    __slots__ = ("task_id", "configuration")
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    CONFIGURATION_FIELD_NUMBER: _ClassVar[int]
    task_id: str
    configuration: Configuration
    def __init__(self, task_id: _Optional[str] = ..., configuration: _Optional[_Union[Configuration, _Mapping]] = ...) -> None: ...

class CancelTaskRequest(_message.Message):
    __slots__ = ("task_id",)
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    task_id: str
    def __init__(self, task_id: _Optional[str] = ...) -> None: ...

class DeleteTaskRequest(_message.Message):
    __slots__ = ("task_id",)
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    task_id: str
    def __init__(self, task_id: _Optional[str] = ...) -> None: ...

class DeleteTaskResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class WatchTaskRequest(_message.Message):
    __slots__ = ("task_id",)
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    task_id: str
    def __init__(self, task_id: _Optional[str] = ...) -> None: ...

class WatchTasksRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class TaskEvent(_message.Message):
    __slots__ = ("kind", "task", "time")
    class Kind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        KIND_UNSPECIFIED: _ClassVar[TaskEvent.Kind]
        KIND_SNAPSHOT: _ClassVar[TaskEvent.Kind]
        KIND_CHANGED: _ClassVar[TaskEvent.Kind]
        KIND_DELETED: _ClassVar[TaskEvent.Kind]
    KIND_UNSPECIFIED: TaskEvent.Kind
    KIND_SNAPSHOT: TaskEvent.Kind
    KIND_CHANGED: TaskEvent.Kind
    KIND_DELETED: TaskEvent.Kind
    KIND_FIELD_NUMBER: _ClassVar[int]
    TASK_FIELD_NUMBER: _ClassVar[int]
    TIME_FIELD_NUMBER: _ClassVar[int]
    kind: TaskEvent.Kind
    task: Task
    time: _timestamp_pb2.Timestamp
    def __init__(self, kind: _Optional[_Union[TaskEvent.Kind, str]] = ..., task: _Optional[_Union[Task, _Mapping]] = ..., time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class File(_message.Message):
    __slots__ = ("file_id", "file_name", "content_type", "file_size", "metadata", "created_at", "url")
    FILE_ID_FIELD_NUMBER: _ClassVar[int]
    FILE_NAME_FIELD_NUMBER: _ClassVar[int]
    CONTENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    FILE_SIZE_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    URL_FIELD_NUMBER: _ClassVar[int]
    file_id: str
    file_name: str
    content_type: str
    file_size: int
    metadata: str
    created_at: _timestamp_pb2.Timestamp
    url: str
    def __init__(self, file_id: _Optional[str] = ..., file_name: _Optional[str] = ..., content_type: _Optional[str] = ..., file_size: _Optional[int] = ..., metadata: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., url: _Optional[str] = ...) -> None: ...

class UploadFileRequest(_message.Message):
    __slots__ = ("file", "file_name", "metadata")
    FILE_FIELD_NUMBER: _ClassVar[int]
    FILE_NAME_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    file: bytes
    file_name: str
    metadata: str
    def __init__(self, file: _Optional[bytes] = ..., file_name: _Optional[str] = ..., metadata: _Optional[str] = ...) -> None: ...

class GetFileRequest(_message.Message):
    __slots__ = ("file_id",)
    FILE_ID_FIELD_NUMBER: _ClassVar[int]
    file_id: str
    def __init__(self, file_id: _Optional[str] = ...) -> None: ...

class ListFilesRequest(_message.Message):
    __slots__ = ("limit", "cursor")
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    CURSOR_FIELD_NUMBER: _ClassVar[int]
    limit: int
    cursor: str
    def __init__(self, limit: _Optional[int] = ..., cursor: _Optional[str] = ...) -> None: ...

class ListFilesResponse(_message.Message):
    __slots__ = ("files", "has_more", "next_cursor")
    FILES_FIELD_NUMBER: _ClassVar[int]
    HAS_MORE_FIELD_NUMBER: _ClassVar[int]
    NEXT_CURSOR_FIELD_NUMBER: _ClassVar[int]
    files: _containers.RepeatedCompositeFieldContainer[File]
    has_more: bool
    next_cursor: str
    def __init__(self, files: _Optional[_Iterable[_Union[File, _Mapping]]] = ..., has_more: _Optional[bool] = ..., next_cursor: _Optional[str] = ...) -> None: ...

class GetFileContentRequest(_message.Message):
    __slots__ = ("file_id",)
    FILE_ID_FIELD_NUMBER: _ClassVar[int]
    file_id: str
    def __init__(self, file_id: _Optional[str] = ...) -> None: ...

class FileContent(_message.Message):
    __slots__ = ("content", "content_type", "file_name")
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    CONTENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    FILE_NAME_FIELD_NUMBER: _ClassVar[int]
    content: bytes
    content_type: str
    file_name: str
    def __init__(self, content: _Optional[bytes] = ..., content_type: _Optional[str] = ..., file_name: _Optional[str] = ...) -> None: ...

class GetFileUrlRequest(_message.Message):
    __slots__ = ("file_id",)
    FILE_ID_FIELD_NUMBER: _ClassVar[int]
    file_id: str
    def __init__(self, file_id: _Optional[str] = ...) -> None: ...

class FileUrl(_message.Message):
    __slots__ = ("url", "expires_at")
    URL_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    url: str
    expires_at: _timestamp_pb2.Timestamp
    def __init__(self, url: _Optional[str] = ..., expires_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class DeleteFileRequest(_message.Message):
    __slots__ = ("file_id",)
    FILE_ID_FIELD_NUMBER: _ClassVar[int]
    file_id: str
    def __init__(self, file_id: _Optional[str] = ...) -> None: ...

class DeleteFileResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class Webhook(_message.Message):
    __slots__ = ("webhook_id", "url", "event_types", "secret", "created_at")
    WEBHOOK_ID_FIELD_NUMBER: _ClassVar[int]
    URL_FIELD_NUMBER: _ClassVar[int]
    EVENT_TYPES_FIELD_NUMBER: _ClassVar[int]
    SECRET_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    webhook_id: str
    url: str
    event_types: _containers.RepeatedScalarFieldContainer[str]
    secret: str
    created_at: _timestamp_pb2.Timestamp
    def __init__(self, webhook_id: _Optional[str] = ..., url: _Optional[str] = ..., event_types: _Optional[_Iterable[str]] = ..., secret: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CreateWebhookRequest(_message.Message):
    __slots__ = ("url", "event_types")
    URL_FIELD_NUMBER: _ClassVar[int]
    EVENT_TYPES_FIELD_NUMBER: _ClassVar[int]
    url: str
    event_types: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, url: _Optional[str] = ..., event_types: _Optional[_Iterable[str]] = ...) -> None: ...

class GetWebhookRequest(_message.Message):
    __slots__ = ("webhook_id",)
    WEBHOOK_ID_FIELD_NUMBER: _ClassVar[int]
    webhook_id: str
    def __init__(self, webhook_id: _Optional[str] = ...) -> None: ...

class ListWebhooksRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListWebhooksResponse(_message.Message):
    __slots__ = ("webhooks",)
    WEBHOOKS_FIELD_NUMBER: _ClassVar[int]
    webhooks: _containers.RepeatedCompositeFieldContainer[Webhook]
    def __init__(self, webhooks: _Optional[_Iterable[_Union[Webhook, _Mapping]]] = ...) -> None: ...

class DeleteWebhookRequest(_message.Message):
    __slots__ = ("webhook_id",)
    WEBHOOK_ID_FIELD_NUMBER: _ClassVar[int]
    webhook_id: str
    def __init__(self, webhook_id: _Optional[str] = ...) -> None: ...

class DeleteWebhookResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...
