"""Document → pages → segments → chunks, as pure functions run in a worker process.

`process` is the one entry point the worker calls. It touches no database and
no blob store: it reads the input file, writes images under `workdir`, and
returns the output with image references as paths relative to `workdir`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from protos import tasks_pb2 as pb

ProgressFn = Callable[[str, int, int], None]
"""progress(stage, pages_done, pages_total), e.g. ("Segmenting", 7, 40)."""


@dataclass
class PipelineResult:
    output: pb.Output  # chunks, pages, page_count, mime_type; image fields hold workdir-relative paths
    pdf_path: Path | None  # the PDF the pages came from (converted for office/images), if any
    message: str  # the task's final message, e.g. "Task succeeded" or what was skipped
    ocr_pages: int = 0  # pages whose text OCR read (for the chunkd_ocr_pages_total metric)


def process(
    input_path: Path,
    mime_type: str,
    config: pb.Configuration,
    workdir: Path,
    progress: ProgressFn,
    draw_apart: bool = True,
) -> PipelineResult:
    """`config` is resolved (server.configuration.resolve): the pipeline applies no defaults.
    `draw_apart`: page images are drawn in a drawing process beside this one (faster while a
    core is free), else in this process (less CPU in all: pages are parsed once); the output
    is the same either way.
    Raises server.errors.PipelineError with a readable message when the document
    cannot be read, InvalidArgument for a tokenizer that cannot be loaded offline."""
    from server.pipeline.run import run

    return run(input_path, mime_type, config, workdir, progress, draw_apart)
