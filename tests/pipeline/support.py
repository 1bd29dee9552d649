"""Running the pipeline in tests the way the worker does: `process()` with a
resolved configuration and a fresh workdir."""

from __future__ import annotations

import re

from pathlib import Path

from protos import tasks_pb2 as pb
from server.configuration import resolve
from server.pipeline import PipelineResult, detect, process


def run_pipeline(
    path: Path, workdir: Path, partial: pb.Configuration | None = None, draw_apart: bool = True
) -> PipelineResult:
    config = resolve(partial or pb.Configuration())
    stages: list[tuple[str, int, int]] = []
    report = lambda *s: stages.append(s)  # noqa: E731
    result = process(path, detect.sniff(path.read_bytes()), config, workdir, report, draw_apart)
    result.stages = stages  # type: ignore[attr-defined]
    return result


def segments_of(result: PipelineResult) -> list[pb.Segment]:
    return [segment for chunk in result.output.chunks for segment in chunk.segments]


def markdown_of(result: PipelineResult) -> str:
    return "\n\n".join(s.markdown for s in segments_of(result) if s.markdown)


def of_type(result: PipelineResult, segment_type: int) -> list[pb.Segment]:
    return [s for s in segments_of(result) if s.segment_type == segment_type]


def word_recall(expected: str, got: str) -> float:
    """The share of `expected`'s words (lower-case letters) that `got` has at least once."""
    found = set(re.findall(r"[a-z]+", got.lower()))
    want = re.findall(r"[a-z]+", expected.lower())
    return sum(1 for w in want if w in found) / len(want)
