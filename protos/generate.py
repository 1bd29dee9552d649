"""Regenerates the stubs of protos/tasks.proto: `python -m protos.generate`.

tasks.proto imports google/api/annotations.proto (its REST bindings), which
grpc_tools does not ship: protoc reads it from the googleapis-common-protos
package, whose generated module the stubs import at run time."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from google.api import annotations_pb2

PROTO = "protos/tasks.proto"
GOOGLEAPIS = Path(annotations_pb2.__file__).parents[2]
STUBS = ("--python_out=.", "--grpc_python_out=.", "--pyi_out=.")


def protoc_command(*outputs: str) -> list[str]:
    """The protoc command for tasks.proto, to run from a directory holding protos/tasks.proto."""
    return [sys.executable, "-m", "grpc_tools.protoc", "-I", ".", "-I", str(GOOGLEAPIS), *outputs, PROTO]


def generate(root: Path) -> None:
    """Writes tasks_pb2.py, tasks_pb2.pyi and tasks_pb2_grpc.py beside root/protos/tasks.proto."""
    subprocess.run(protoc_command(*STUBS), cwd=root, check=True)


if __name__ == "__main__":
    generate(Path(__file__).resolve().parents[1])
