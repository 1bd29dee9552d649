"""tasks.proto is the one description of the contract: a field, an enum value
or a REST binding added there (with its comment) reaches gRPC, Chunkr's REST JSON (v1 and 2.x),
the OpenAPI document, the gateway's routes and the client's JSON with no other
edit. The test adds them to a copy of the proto, compiles it, and runs the
repository's own code against the copy in a fresh interpreter."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from protos.generate import generate
from tests.harness import ROOT

FIELD = """  // Who reviewed the task's output (a field added by the test).
  string reviewer = 99;
"""
VALUE = """  // A check box (a value added by the test).
  SEGMENT_TYPE_CHECKBOX = 99 [(Chunkr.name) = "Checkbox"];
"""
BINDING = '      additional_bindings { get: "/api/v1/task/{task_id}/status" }\n'

PROBE = """
import json
from pathlib import Path
from fastapi.testclient import TestClient
from google.protobuf.timestamp_pb2 import Timestamp
from protos import tasks_pb2 as pb
from chunkr import codec
from client.views import TaskView
from gateway.app import create_app
from server.config import Settings

segment = pb.Segment(segment_id="s", segment_type=pb.SEGMENT_TYPE_CHECKBOX)
task = pb.Task(
    task_id="t", status=pb.TASK_STATUS_SUCCEEDED, reviewer="Ada", created_at=Timestamp(seconds=1),
    output=pb.Output(chunks=[pb.Chunk(segments=[segment])]),
)
app = create_app(Settings(data_dir=Path("data")))
document = TestClient(app).get("/openapi.json").json()
schemas = document["components"]["schemas"]
print(json.dumps({
    "grpc": pb.Task.FromString(task.SerializeToString()).reviewer,
    "v1": codec.task_to_json(task)["reviewer"],
    "v2": codec.task_to_json_v2(task, server_version="0")["reviewer"],
    "client": TaskView(task).json()["reviewer"],
    "segment_type": codec.task_to_json(task)["output"]["chunks"][0]["segments"][0]["segment_type"],
    "openapi_v1": schemas["TaskResponse"]["properties"].get("reviewer"),
    "openapi_v2": schemas["TaskResponseV2"]["properties"].get("reviewer"),
    "openapi_segment_types": schemas["SegmentType"]["enum"],
    "openapi_paths": sorted(path for path in document["paths"] if path.endswith("/status")),
}))
"""


def _insert_after(text: str, anchor: str, addition: str) -> str:
    assert anchor in text, anchor
    return text.replace(anchor, anchor + addition, 1)


def test_a_field_value_and_binding_added_to_the_proto_reach_every_representation(tmp_path: Path) -> None:
    proto = (ROOT / "protos" / "tasks.proto").read_text()
    last_task_field = next(line for line in proto.splitlines(keepends=True) if "InputFile input_file = 13" in line)
    proto = _insert_after(proto, last_task_field, FIELD)
    proto = _insert_after(proto, '  SEGMENT_TYPE_TITLE = 12 [(Chunkr.name) = "Title"];\n', VALUE)
    proto = _insert_after(proto, '      additional_bindings { get: "/api/v1/tasks/{task_id}/parse" }\n', BINDING)
    (tmp_path / "protos").mkdir()
    (tmp_path / "protos" / "tasks.proto").write_text(proto)
    shutil.copy(ROOT / "protos" / "__init__.py", tmp_path / "protos" / "__init__.py")
    generate(tmp_path)

    # The copy's `protos` package comes first on the path; everything else is the repository's.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)])}
    probe = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=tmp_path, env=env, capture_output=True, text=True, check=False
    )
    assert probe.returncode == 0, probe.stderr
    seen = json.loads(probe.stdout)

    assert seen["grpc"] == seen["v1"] == seen["v2"] == seen["client"] == "Ada"
    described = "Who reviewed the task's output (a field added by the test)."
    assert seen["openapi_v1"] == seen["openapi_v2"] == {"title": "Reviewer", "type": "string", "description": described}
    assert seen["segment_type"] == "Checkbox" and "Checkbox" in seen["openapi_segment_types"]
    assert seen["openapi_paths"] == ["/api/v1/task/{task_id}/status", "/task/{task_id}/status"]
