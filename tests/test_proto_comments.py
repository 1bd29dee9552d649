"""The proto is the contract: every message, field, enum, enum value, service
and RPC in protos/tasks.proto carries a leading comment saying what it is (the
gateway's OpenAPI document describes them with it)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from google.protobuf import descriptor_pb2

from gateway.comments import elements, leading_comments
from protos.generate import PROTO, protoc_command
from tests.harness import ROOT


def _compiled(tmp_path: Path) -> descriptor_pb2.FileDescriptorProto:
    """tasks.proto as it is now, compiled afresh with its comments."""
    out = tmp_path / "tasks.pb"
    subprocess.run(
        protoc_command("--include_source_info", f"--descriptor_set_out={out}"),
        cwd=ROOT,
        check=True,
    )
    (file,) = [f for f in descriptor_pb2.FileDescriptorSet.FromString(out.read_bytes()).file if f.name == PROTO]
    return file


def test_every_element_of_the_proto_has_a_leading_comment(tmp_path: Path) -> None:
    file = _compiled(tmp_path)
    comments = leading_comments(file)
    missing = [name for name, _ in elements(file) if not comments[name].strip()]
    assert len(comments) > 200  # the walk reached every kind of element
    header = f"{len(missing)} of {len(comments)} proto elements have no leading comment:"
    assert not missing, "\n".join([header, *missing])
