"""Chunkr JSON encoding of a task with chunks (`codec.task_to_json`), this
tree's codec against the one at another revision, in one run.

    .venv/bin/python -m bench.codec_bench [--against f2c339c] [--segments 1000] [--rounds 60]

Rounds alternate between the two codecs so that drift in the machine's load
hits both; the figure is each one's fastest round. The two JSONs must be equal.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

from google.protobuf.timestamp_pb2 import Timestamp

from chunkr import codec
from protos import tasks_pb2 as pb
from server.configuration import defaults

ROOT = Path(__file__).resolve().parents[1]


def codec_at(revision: str) -> ModuleType:
    """chunkr/codec.py as it was at `revision`, loaded beside this tree's (it imports only protos)."""
    source = subprocess.run(
        ["git", "show", f"{revision}:chunkr/codec.py"], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout
    module = ModuleType(f"codec_{revision}")
    sys.modules[module.__name__] = module  # dataclasses look their module up
    exec(compile(source, f"{revision}:chunkr/codec.py", "exec"), module.__dict__)
    return module


def sample(segments: int) -> pb.Task:
    box = pb.BoundingBox(left=72, top=90, width=468, height=14)
    segment = pb.Segment(
        segment_id="s", segment_type=pb.SEGMENT_TYPE_TEXT, bbox=box, page_number=1, page_width=612,
        page_height=792, content="Body text " * 20, text="Body text " * 20, html="<p>Body</p>",
        markdown="Body text", image="", ocr=[pb.OcrResult(bbox=box, text="Body", confidence=0.9)], confidence=0.8,
        embed="Body text",
    )
    task = pb.Task(
        task_id="t", status=pb.TASK_STATUS_SUCCEEDED, message="Task succeeded", created_at=Timestamp(seconds=1),
        configuration=defaults(), task_url="http://x/api/v1/task/t", input_file_url="http://x/files/in.pdf",
        output=pb.Output(file_name="a.pdf", mime_type="application/pdf", page_count=segments // 10),
    )
    for c in range(segments // 10):
        chunk = task.output.chunks.add(chunk_id=f"c{c}", chunk_length=200, content="Body", embed="Body")
        chunk.segments.extend([segment] * 10)
    return task


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--against", default="f2c339c")
    parser.add_argument("--segments", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=60)
    args = parser.parse_args()
    before, task = codec_at(args.against), sample(args.segments)
    rewrite = "R:".__add__
    assert before.task_to_json(task, rewrite) == codec.task_to_json(task, rewrite), "the two codecs disagree"
    best: dict[str, float] = {}
    contenders: dict[str, Any] = {args.against: before, "this tree": codec}
    for _ in range(args.rounds):
        for name, module in contenders.items():
            start = time.perf_counter()
            module.task_to_json(task, rewrite)
            best[name] = min(best.get(name, float("inf")), time.perf_counter() - start)
    for name, seconds in best.items():
        print(f"{name:>12}: task_to_json of {args.segments} segments {seconds * 1e3:.2f} ms")
    print(f"this tree / {args.against}: {best['this tree'] / best[args.against]:.2f}")


if __name__ == "__main__":
    main()
