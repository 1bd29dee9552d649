"""Segments in reading order → chunks of at most `target_length` tokens.

Rules (Chunkr's): a segment is never split unless it alone is longer than the
target; a section header (or title) starts a new chunk and travels with the
content after it; target_length 0 means one segment per chunk. Tokenizers are
loaded only from what is on disk: a tokenizer that would need a download is an
INVALID_ARGUMENT, never a network call from a worker.
"""

from __future__ import annotations

import glob
import hashlib
import os
import re
import tempfile
import uuid
from collections.abc import Callable, Iterator
from functools import lru_cache
from pathlib import Path

from protos import tasks_pb2 as pb
from server.errors import InvalidArgument

TokenCounter = Callable[[str], int]
_WORD = re.compile(r"[^\s]*\w[^\s]*")  # a whitespace-separated token with a letter or digit: not "|", "##" or "---"
_CL100K_URL = "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken"
_HEADING_TYPES = frozenset({pb.SEGMENT_TYPE_SECTION_HEADER, pb.SEGMENT_TYPE_TITLE})
_SPLITTABLE = frozenset(
    {
        pb.SEGMENT_TYPE_TEXT,
        pb.SEGMENT_TYPE_LIST_ITEM,
        pb.SEGMENT_TYPE_FOOTNOTE,
        pb.SEGMENT_TYPE_CAPTION,
        pb.SEGMENT_TYPE_PAGE,
    }
)


def count_words(text: str) -> int:
    """The Word tokenizer: words as a reader counts them, so Markdown table pipes and
    heading marks do not make a chunk look longer than it is."""
    return len(_WORD.findall(text))


def _tiktoken_cache_file() -> Path | None:
    """Where tiktoken keeps cl100k_base once downloaded (its own cache key scheme)."""
    name = hashlib.sha1(_CL100K_URL.encode()).hexdigest()
    for directory in (
        os.environ.get("TIKTOKEN_CACHE_DIR"),
        os.environ.get("DATA_GYM_CACHE_DIR"),
        os.path.join(tempfile.gettempdir(), "data-gym-cache"),
    ):
        if directory and (Path(directory) / name).is_file():
            return Path(directory) / name
    return None


def _hf_tokenizer_file(name: str) -> Path | None:
    """A tokenizer.json path given directly, or in the Hugging Face hub cache for a repo id."""
    direct = Path(name).expanduser()
    if direct.is_file():
        return direct
    if direct.is_dir() and (direct / "tokenizer.json").is_file():
        return direct / "tokenizer.json"
    if "/" not in name or name.startswith(("/", ".")):
        return None
    hub = Path(
        os.environ.get("HF_HUB_CACHE") or Path(os.environ.get("HF_HOME", "~/.cache/huggingface")).expanduser() / "hub"
    )
    pattern = str(hub / f"models--{name.replace('/', '--')}" / "snapshots" / "*" / "tokenizer.json")
    found = sorted(glob.glob(pattern))
    return Path(found[-1]) if found else None


@lru_cache(maxsize=8)
def token_counter(tokenizer: str) -> TokenCounter:
    """A function counting tokens for `tokenizer`; raises InvalidArgument when it
    cannot be loaded offline."""
    if tokenizer == "Word":
        return count_words
    if tokenizer == "Cl100kBase":
        try:
            import tiktoken
        except ImportError:
            raise InvalidArgument(
                "Tokenizer Cl100kBase is not available offline: install `chunkd[tokenizers]` and its cl100k_base data"
            ) from None
        if _tiktoken_cache_file() is None:
            raise InvalidArgument(
                "Tokenizer Cl100kBase is not available offline: its encoding file is not in the tiktoken cache "
                "(set TIKTOKEN_CACHE_DIR to a directory holding it)"
            )
        encoding = tiktoken.get_encoding("cl100k_base")
        return lambda text: len(encoding.encode(text, disallowed_special=()))
    path = _hf_tokenizer_file(tokenizer)
    if path is None:
        raise InvalidArgument(
            f"Tokenizer {tokenizer} is not available offline: "
            "give a tokenizer.json path or the id of a Hugging Face model in the local cache"
        )
    try:
        from tokenizers import Tokenizer
    except ImportError:
        raise InvalidArgument(
            f"Tokenizer {tokenizer} needs the `tokenizers` package: install `chunkd[tokenizers]`"
        ) from None
    try:
        loaded = Tokenizer.from_file(str(path))
    except Exception as exc:  # the file is the caller's; any parse failure is their argument's fault
        raise InvalidArgument(f"Tokenizer {tokenizer} could not be loaded: {exc}") from None
    return lambda text: len(loaded.encode(text, add_special_tokens=False).ids)


def _split_text(text: str, count: TokenCounter, target: int) -> list[str]:
    """Pieces of `text` no longer than `target` tokens, cut at sentence ends where possible."""
    sentences = re.split(r"(?<=[.!?。])\s+", text)
    pieces: list[str] = []
    current = ""
    for sentence in sentences:
        candidate = f"{current} {sentence}".strip()
        if count(candidate) <= target:
            current = candidate
            continue
        if current:
            pieces.append(current)
        if count(sentence) <= target:
            current = sentence
            continue
        current = ""
        for word in sentence.split():  # a sentence longer than the target: cut between words
            candidate = f"{current} {word}".strip()
            if current and count(candidate) > target:
                pieces.append(current)
                current = word
            else:
                current = candidate
    if current:
        pieces.append(current)
    return pieces or [text]


def split_long_segment(segment: pb.Segment, count: TokenCounter, target: int) -> list[pb.Segment]:
    """A text-like segment longer than the target as several segments sharing its box."""
    if target <= 0 or segment.segment_type not in _SPLITTABLE or count(segment.embed) <= target:
        return [segment]
    parts = _split_text(segment.text or segment.content, count, target)
    if len(parts) == 1:
        return [segment]
    out = []
    for index, part in enumerate(parts):
        piece = pb.Segment()
        piece.CopyFrom(segment)
        piece.segment_id = str(uuid.uuid5(uuid.UUID(segment.segment_id), str(index)))
        piece.text = part
        # the formatted fields were made for the whole; a piece carries its own text in each
        piece.content = piece.markdown = piece.embed = part
        piece.html = f"<p>{part}</p>"
        out.append(piece)
    return out


def build_chunks(
    segments: Iterator[pb.Segment] | list[pb.Segment],
    target_length: int,
    count: TokenCounter,
    chunk_namespace: uuid.UUID,
) -> list[pb.Chunk]:
    """Group segments (already in reading order, headers/footers already removed if
    asked) into chunks."""
    chunks: list[pb.Chunk] = []
    current: list[pb.Segment] = []
    length = 0
    only_headings = True

    def close() -> None:
        nonlocal current, length, only_headings
        if current:
            chunk = pb.Chunk(
                chunk_id=str(uuid.uuid5(chunk_namespace, f"chunk:{len(chunks)}")),
                chunk_length=length,
                segments=current,
            )
            chunk.content = "\n\n".join(s.content for s in current if s.content)
            chunk.embed = "\n\n".join(s.embed for s in current if s.embed)
            chunks.append(chunk)
        current, length, only_headings = [], 0, True

    for whole in segments:
        for segment in split_long_segment(whole, count, target_length):
            tokens = count(segment.embed)
            heading = segment.segment_type in _HEADING_TYPES
            if target_length == 0:
                current, length = [segment], tokens
                close()
                continue
            if current and not only_headings and (heading or length + tokens > target_length):
                close()
            current.append(segment)
            length += tokens
            only_headings = only_headings and heading
    close()
    return chunks
