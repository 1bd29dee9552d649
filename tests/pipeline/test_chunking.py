"""Chunking rules: target_length, section headers, headers/footers, tokenizers."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from reportlab.pdfgen.canvas import Canvas

from protos import tasks_pb2 as pb
from server.errors import InvalidArgument
from server.pipeline.chunking import build_chunks, count_words, token_counter
from tests.pipeline import pdfs
from tests.pipeline.support import run_pipeline, segments_of

NAMESPACE = uuid.UUID(int=7)


def _segment(kind: int, words: int, index: int) -> pb.Segment:
    text = pdfs.words(words, index)
    return pb.Segment(
        segment_id=str(uuid.uuid5(NAMESPACE, str(index))),
        segment_type=kind,
        text=text,
        content=text,
        embed=text,
        markdown=text,
    )


def test_chunks_stay_within_target_length_without_splitting_segments() -> None:
    segments = [_segment(pb.SEGMENT_TYPE_TEXT, n, i) for i, n in enumerate([30, 30, 30, 45, 10, 50, 5])]
    chunks = build_chunks(segments, 60, count_words, NAMESPACE)
    assert [[count_words(s.embed) for s in c.segments] for c in chunks] == [[30, 30], [30], [45, 10], [50, 5]]
    assert [c.chunk_length for c in chunks] == [60, 30, 55, 55]
    assert [s.segment_id for c in chunks for s in c.segments] == [s.segment_id for s in segments]


def test_a_section_header_starts_a_chunk_and_travels_with_its_content() -> None:
    kinds = [pb.SEGMENT_TYPE_TEXT, pb.SEGMENT_TYPE_SECTION_HEADER, pb.SEGMENT_TYPE_TEXT, pb.SEGMENT_TYPE_TEXT]
    segments = [_segment(kind, n, i) for i, (kind, n) in enumerate(zip(kinds, [10, 3, 55, 20], strict=True))]
    chunks = build_chunks(segments, 60, count_words, NAMESPACE)
    assert [[s.segment_type for s in c.segments] for c in chunks] == [
        [pb.SEGMENT_TYPE_TEXT],
        [pb.SEGMENT_TYPE_SECTION_HEADER, pb.SEGMENT_TYPE_TEXT],
        [pb.SEGMENT_TYPE_TEXT],
    ]


def test_a_segment_longer_than_the_target_is_split_between_sentences() -> None:
    text = " ".join(f"{pdfs.words(9, i)} end." for i in range(10))  # ten sentences of ten words
    long = pb.Segment(
        segment_id=str(uuid.uuid5(NAMESPACE, "long")), segment_type=pb.SEGMENT_TYPE_TEXT, text=text, embed=text
    )
    chunks = build_chunks([long], 25, count_words, NAMESPACE)
    assert [c.chunk_length for c in chunks] == [20, 20, 20, 20, 20]
    assert all(c.segments[0].text.endswith("end.") for c in chunks)
    assert " ".join(c.segments[0].text for c in chunks) == text
    assert len({c.segments[0].segment_id for c in chunks}) == 5


def test_target_length_zero_gives_one_segment_per_chunk(tmp_path: Path) -> None:
    path = pdfs.build(tmp_path / "headings.pdf", pdfs.headings_page)
    config = pb.Configuration(chunk_processing=pb.ChunkProcessing(target_length=0))
    result = run_pipeline(path, tmp_path / "work", config)
    assert len(result.output.chunks) == 5 and all(len(c.segments) == 1 for c in result.output.chunks)


def test_pipeline_chunks_at_target_length(tmp_path: Path) -> None:
    def page(canvas: Canvas) -> None:
        y = 740.0
        for i in range(8):
            y = pdfs.paragraph(canvas, 72, y, pdfs.words(40, i), 460) - 14

    path = pdfs.build(tmp_path / "paragraphs.pdf", page)
    config = pb.Configuration(chunk_processing=pb.ChunkProcessing(target_length=100))
    result = run_pipeline(path, tmp_path / "work", config)
    assert [c.chunk_length for c in result.output.chunks] == [80, 80, 80, 80]
    assert all(c.content == "\n\n".join(s.content for s in c.segments) for c in result.output.chunks)
    assert len(segments_of(result)) == 8


def test_unknown_or_offline_missing_tokenizers_are_invalid_arguments(tmp_path: Path) -> None:
    with pytest.raises(InvalidArgument, match="not available offline"):
        token_counter("no-such-org/no-such-model")
    with pytest.raises(InvalidArgument):
        token_counter(str(tmp_path / "missing-tokenizer.json"))
    assert token_counter("Word")("one two  three\nfour") == 4
    assert token_counter("Word")("## Soil\n\n| Iron | 7.87 |\n| --- | --- |") == 3  # marks and pipes are not words


def test_cl100k_is_used_only_when_its_data_is_on_disk() -> None:
    try:
        counter = token_counter("Cl100kBase")
    except InvalidArgument as exc:
        assert "Cl100kBase" in exc.message and "offline" in exc.message
    else:
        assert counter("hello world") == 2
