"""Regenerates the stubs of protos/tasks.proto: `python -m protos.generate`.

tasks.proto imports google/api/annotations.proto (its REST bindings), which
grpc_tools does not ship: protoc reads it from the googleapis-common-protos
package, whose generated module the stubs import at run time.

It also writes tasks_descriptor.binpb, the descriptor set with the proto's
comments (SourceCodeInfo), which the runtime descriptors lack: the gateway's
OpenAPI document takes its descriptions from it (gateway/comments.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from google.api import annotations_pb2

PROTO = "protos/tasks.proto"
GOOGLEAPIS = Path(annotations_pb2.__file__).parents[2]
DESCRIPTOR_SET = "protos/tasks_descriptor.binpb"
STUBS = (
    "--python_out=.",
    "--grpc_python_out=.",
    "--pyi_out=.",
    "--include_source_info",
    f"--descriptor_set_out={DESCRIPTOR_SET}",
)


def protoc_command(*outputs: str) -> list[str]:
    """The protoc command for tasks.proto, to run from a directory holding protos/tasks.proto."""
    return [sys.executable, "-m", "grpc_tools.protoc", "-I", ".", "-I", str(GOOGLEAPIS), *outputs, PROTO]


def generate(root: Path) -> None:
    """Writes tasks_pb2.py, tasks_pb2.pyi, tasks_pb2_grpc.py and tasks_descriptor.binpb beside
    root/protos/tasks.proto."""
    subprocess.run(protoc_command(*STUBS), cwd=root, check=True)


if __name__ == "__main__":
    generate(Path(__file__).resolve().parents[1])
