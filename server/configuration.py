"""Task configuration, its one home: Chunkr's defaults, validation, partial-update
merging and the stored text.

The proto `Configuration` is the data model; enum 0 and unset optionals mean
"not given", so a partial configuration merges with `MergeFrom`. A task's
configuration is resolved once, when it is created or updated, and stored resolved;
the worker hands that message to the pipeline, which applies no defaults of its own.
"""

from __future__ import annotations

from functools import lru_cache

from google.protobuf import json_format
from google.protobuf.message import Message

from chunkr.names import maximum, minimum

from protos import tasks_pb2 as pb
from server.errors import InvalidArgument

DEFAULT_TARGET_LENGTH = 512
DEFAULT_TOKENIZER = "Word"
MAX_NAME_LENGTH = 1000  # a tokenizer's or an LLM prompt's name, stored in every task's configuration

# Each segment type's options: the SegmentProcessing field of its name (SEGMENT_TYPE_LIST_ITEM →
# list_item); tests/test_vocabulary.py checks that every type has one and every field a type.
SEGMENT_TYPE_FIELDS: dict[int, str] = {
    number: name.removeprefix("SEGMENT_TYPE_").lower() for name, number in pb.SegmentType.items() if number
}

def _default_generation(segment_type: int) -> pb.GenerationConfig:
    """Chunkr's per-type defaults: tables as HTML, everything else as Markdown,
    pictures always cropped."""
    is_table = segment_type == pb.SEGMENT_TYPE_TABLE
    crop = pb.CROPPING_STRATEGY_ALL if segment_type == pb.SEGMENT_TYPE_PICTURE else pb.CROPPING_STRATEGY_AUTO
    return pb.GenerationConfig(
        crop_image=crop,
        html=pb.GENERATION_STRATEGY_AUTO,
        markdown=pb.GENERATION_STRATEGY_AUTO,
        embed_sources=[pb.EMBED_SOURCE_MARKDOWN],
        extended_context=False,
        description=False,
        format=pb.SEGMENT_FORMAT_HTML if is_table else pb.SEGMENT_FORMAT_MARKDOWN,
        strategy=pb.GENERATION_STRATEGY_AUTO,
    )


def defaults() -> pb.Configuration:
    config = pb.Configuration(
        chunk_processing=pb.ChunkProcessing(
            target_length=DEFAULT_TARGET_LENGTH,
            tokenizer=DEFAULT_TOKENIZER,
            ignore_headers_and_footers=True,
        ),
        ocr_strategy=pb.OCR_STRATEGY_AUTO,
        segmentation_strategy=pb.SEGMENTATION_STRATEGY_LAYOUT_ANALYSIS,
        high_resolution=True,
        error_handling=pb.ERROR_HANDLING_FAIL,
    )
    for segment_type, field in SEGMENT_TYPE_FIELDS.items():
        getattr(config.segment_processing, field).CopyFrom(_default_generation(segment_type))
    return config


def _bounds_text(least: int | None, greatest: int | None) -> str:
    if least is not None and greatest is not None:
        return f"must be between {least} and {greatest}"
    return f"must be >= {least}" if least is not None else f"must be <= {greatest}"


def check_values(message: Message, path: str = "") -> None:
    """Every value given in `message` (and the messages in it) one that tasks.proto declares:
    an enum's value, a number within its field's `(Chunkr.minimum)` and `(Chunkr.maximum)`."""
    for field, value in message.ListFields():
        name = path + field.name
        if field.is_repeated:
            continue
        if field.message_type is not None:
            check_values(value, name + ".")
            continue
        if field.enum_type is not None and value not in field.enum_type.values_by_number:
            raise InvalidArgument(f"Invalid {name}: {value}")
        least, greatest = minimum(field), maximum(field)
        if (least is not None and value < least) or (greatest is not None and value > greatest):
            raise InvalidArgument(f"Invalid {name}: {value} ({_bounds_text(least, greatest)})")


def validate(partial: pb.Configuration) -> None:
    """Reject what no default can repair, with a message naming the field."""
    check_values(partial)
    chunking = partial.chunk_processing
    if len(chunking.tokenizer) > MAX_NAME_LENGTH:
        raise InvalidArgument(
            f"Invalid chunk_processing.tokenizer: {len(chunking.tokenizer):,} characters "
            f"(the limit is {MAX_NAME_LENGTH})"
        )
    for field in SEGMENT_TYPE_FIELDS.values():
        generation: pb.GenerationConfig = getattr(partial.segment_processing, field)
        if len(generation.llm) > MAX_NAME_LENGTH:
            raise InvalidArgument(
                f"Invalid segment_processing.{field}.llm: {len(generation.llm):,} characters "
                f"(the limit is {MAX_NAME_LENGTH})"
            )


def resolve(partial: pb.Configuration, base: pb.Configuration | None = None) -> pb.Configuration:
    """The full configuration: `partial` laid over `base` (or Chunkr's defaults)."""
    validate(partial)
    merged = pb.Configuration()
    merged.CopyFrom(base if base is not None else defaults())
    # embed_sources is a list: a given list replaces the old one instead of appending.
    for field in SEGMENT_TYPE_FIELDS.values():
        given: pb.GenerationConfig = getattr(partial.segment_processing, field)
        if given.embed_sources:
            del getattr(merged.segment_processing, field).embed_sources[:]
    merged.MergeFrom(partial)
    return merged


def generation_for(config: pb.Configuration, segment_type: int) -> pb.GenerationConfig:
    generation: pb.GenerationConfig = getattr(config.segment_processing, SEGMENT_TYPE_FIELDS[segment_type])
    return generation


def configuration_to_text(configuration: pb.Configuration) -> str:
    """How a task's configuration is stored (TaskRow.configuration): proto JSON, readable in the database."""
    # Most tasks share a handful of configurations; JSON printing is a tenth of a create.
    return _configuration_text(configuration.SerializeToString(deterministic=True))


@lru_cache(maxsize=4096)
def _configuration_text(serialized: bytes) -> str:
    configuration = pb.Configuration()
    configuration.ParseFromString(serialized)
    text: str = json_format.MessageToJson(configuration, indent=None, preserving_proto_field_name=True)
    return text


@lru_cache(maxsize=4096)
def _configuration_bytes(text: str) -> bytes:
    serialized: bytes = json_format.Parse(text, pb.Configuration()).SerializeToString()
    return serialized


def configuration_from_text(text: str) -> pb.Configuration:
    configuration = pb.Configuration()
    configuration.ParseFromString(_configuration_bytes(text))
    return configuration
