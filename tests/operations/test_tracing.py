"""Tracing (the `[otel]` extra), against a real OTLP peer: a gRPC TraceService on loopback that
keeps what chunkd exports. One trace — the caller's — runs from the REST request through the
gRPC call and the task's creation to the worker's span in another process, and a span for each
pipeline stage under it. Off, chunkd loads none of it; asked for without the extra, it says so."""

from __future__ import annotations

import base64
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from concurrent import futures
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import httpx
import pytest

from protos import tasks_pb2 as pb
from protos import tasks_pb2_grpc
from tests.documents import long_pdf
from tests.harness import ROOT, RunningServer, free_port, start_server
from tests.support import create, open_channel, rpc_error, wait_terminal, wait_until

pytest.importorskip("opentelemetry.sdk", reason="the OpenTelemetry SDK is not installed (the `chunkd[otel]` extra)")
pytest.importorskip("opentelemetry.exporter.otlp.proto.grpc", reason="the OTLP exporter is not installed")

from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc  # noqa: E402
from opentelemetry.proto.trace.v1 import trace_pb2  # noqa: E402

CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
CALLER_SPAN = "00f067aa0ba902b7"
DOCUMENT_WORD = "quick brown fox"  # text of the document: never in a span


@dataclass
class ExportedSpan:
    service: str
    span: trace_pb2.Span

    @property
    def name(self) -> str:
        return str(self.span.name)

    @property
    def trace_id(self) -> str:
        return bytes(self.span.trace_id).hex()

    @property
    def span_id(self) -> str:
        return bytes(self.span.span_id).hex()

    @property
    def parent_id(self) -> str:
        return bytes(self.span.parent_span_id).hex()

    @property
    def attributes(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for attribute in self.span.attributes:
            kind = attribute.value.WhichOneof("value")
            values[attribute.key] = getattr(attribute.value, kind) if kind else None
        return values


class Collector(trace_service_pb2_grpc.TraceServiceServicer):
    """The collector's side of OTLP/gRPC: every export request, kept."""

    def __init__(self) -> None:
        self.requests: list[trace_service_pb2.ExportTraceServiceRequest] = []
        self.lock = threading.Lock()

    def Export(  # noqa: N802  the protocol's name
        self, request: trace_service_pb2.ExportTraceServiceRequest, context: grpc.ServicerContext
    ) -> trace_service_pb2.ExportTraceServiceResponse:
        with self.lock:
            self.requests.append(request)
        return trace_service_pb2.ExportTraceServiceResponse()

    def spans(self) -> list[ExportedSpan]:
        found = []
        with self.lock:
            requests = list(self.requests)
        for request in requests:
            for resource_spans in request.resource_spans:
                service = next(
                    (a.value.string_value for a in resource_spans.resource.attributes if a.key == "service.name"), ""
                )
                for scope_spans in resource_spans.scope_spans:
                    found.extend(ExportedSpan(service, span) for span in scope_spans.spans)
        return found


@pytest.fixture(scope="module")
def collector() -> Iterator[tuple[Collector, int]]:
    servicer = Collector()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    trace_service_pb2_grpc.add_TraceServiceServicer_to_server(servicer, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    yield servicer, port
    server.stop(grace=None)


@pytest.fixture(scope="module")
def traced(
    collector: tuple[Collector, int], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[RunningServer, Collector]]:
    """The API (gRPC and gateway) in one process, the worker in another: the task carries the trace."""
    servicer, port = collector
    env = {
        "CHUNKD_OTEL_ENDPOINT": f"http://127.0.0.1:{port}",
        "OTEL_BSP_SCHEDULE_DELAY": "100",
        "OTEL_SERVICE_NAME": "chunkd-api",
        "CHUNKD_WORKER_PROCESSES": "1",
    }
    server = start_server(tmp_path_factory.mktemp("traced"), env, "--no-worker")
    worker = server.spawn_worker({"OTEL_SERVICE_NAME": "chunkd-worker"})
    yield server, servicer
    worker.terminate()
    worker.wait(timeout=30)
    server.stop()


def test_one_trace_runs_from_the_rest_request_to_each_pipeline_stage_in_the_worker(
    traced: tuple[RunningServer, Collector], tmp_path: Path
) -> None:
    server, collector = traced
    document = long_pdf(tmp_path / "traced.pdf", 2)
    headers = {"Authorization": server.api_key}
    caller = {"traceparent": f"00-{CALLER_TRACE}-{CALLER_SPAN}-01"}  # the create only: polls are traces of their own
    body = {"file": base64.b64encode(document.read_bytes()).decode(), "file_name": "traced.pdf"}
    with httpx.Client(base_url=f"{server.http_url}/api/v1", timeout=60) as client:
        created = client.post("/task/parse", json=body, headers={**headers, **caller})
        assert created.status_code == 200, created.text
        task_id = created.json()["task_id"]

        def finished() -> bool:
            task = client.get(f"/task/{task_id}", params={"include_chunks": "false"}, headers=headers).json()
            return task["status"] in ("Succeeded", "Failed")

        wait_until(finished, timeout=120, interval=0.2)
        assert client.get(f"/task/{task_id}", headers=headers).json()["status"] == "Succeeded"

    def processed() -> list[ExportedSpan] | None:
        spans = [s for s in collector.spans() if s.trace_id == CALLER_TRACE]
        return spans if any(s.name == "chunkd.task.process" for s in spans) else None

    spans = wait_until(processed, timeout=30, interval=0.1)
    by_id = {s.span_id: s for s in spans}

    def only(name: str, kind: int) -> ExportedSpan:
        matching = [s for s in spans if s.name == name and s.span.kind == kind]
        assert len(matching) == 1, [(s.name, s.span.kind) for s in spans]
        return matching[0]

    rest = only("POST /api/v1/task/parse", trace_pb2.Span.SPAN_KIND_SERVER)
    assert rest.parent_id == CALLER_SPAN  # the caller's traceparent, honoured
    assert rest.service == "chunkd-api"
    assert rest.attributes["http.route"] == "/api/v1/task/parse"
    assert rest.attributes["http.response.status_code"] == 200

    call = only("chunkd.v1.TaskService/CreateTask", trace_pb2.Span.SPAN_KIND_CLIENT)
    assert call.parent_id == rest.span_id
    served = only("chunkd.v1.TaskService/CreateTask", trace_pb2.Span.SPAN_KIND_SERVER)
    assert served.parent_id == call.span_id  # carried in the call's metadata
    assert served.attributes["rpc.grpc.status_code"] == 0

    create = only("chunkd.task.create", trace_pb2.Span.SPAN_KIND_INTERNAL)
    assert create.parent_id == served.span_id
    assert create.attributes["chunkd.task_id"] == task_id

    process = only("chunkd.task.process", trace_pb2.Span.SPAN_KIND_CONSUMER)
    assert process.service == "chunkd-worker"  # another process: the context came with the task
    assert process.parent_id == create.span_id
    assert process.attributes["chunkd.task_id"] == task_id
    assert process.attributes["chunkd.outcome"] == "succeeded"

    stages = [s for s in spans if s.name.startswith("chunkd.stage.")]
    assert {"chunkd.stage.extracting", "chunkd.stage.segmenting", "chunkd.stage.chunking"} <= {s.name for s in stages}
    for stage in stages:
        assert stage.parent_id == process.span_id
        assert process.span.start_time_unix_nano <= stage.span.start_time_unix_nano
        assert stage.span.start_time_unix_nano <= stage.span.end_time_unix_nano <= process.span.end_time_unix_nano
        assert stage.attributes["chunkd.file_type"] == "pdf"

    assert all(s.parent_id in by_id or s is rest for s in spans)  # one tree, rooted at the caller's span
    for exported in spans:
        for value in exported.attributes.values():
            assert server.api_key not in str(value) and DOCUMENT_WORD not in str(value), (exported.name, value)


def test_a_grpc_callers_traceparent_is_continued_by_each_call_and_by_the_processing_of_its_update(
    traced: tuple[RunningServer, Collector], tmp_path: Path
) -> None:
    server, collector = traced
    trace_id, parent = "0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331"
    metadata = (("authorization", server.api_key), ("traceparent", f"00-{trace_id}-{parent}-01"))
    with open_channel(server.grpc_address) as channel:
        stub = tasks_pb2_grpc.TaskServiceStub(channel)
        missing = rpc_error(lambda: stub.GetTask(pb.GetTaskRequest(task_id=str(uuid.uuid4())), metadata=metadata))
        assert missing.code() == grpc.StatusCode.NOT_FOUND
        task = create(stub, server.api_key, long_pdf(tmp_path / "updated.pdf", 1))  # in a trace of its own
        assert wait_terminal(stub, server.api_key, task.task_id).status == pb.TASK_STATUS_SUCCEEDED
        assert list(stub.WatchTask(pb.WatchTaskRequest(task_id=task.task_id), metadata=metadata))
        change = pb.Configuration(chunk_processing=pb.ChunkProcessing(target_length=40))
        stub.UpdateTask(pb.UpdateTaskRequest(task_id=task.task_id, configuration=change), metadata=metadata)
        assert wait_terminal(stub, server.api_key, task.task_id).status == pb.TASK_STATUS_SUCCEEDED

    def processed() -> list[ExportedSpan] | None:
        spans = [s for s in collector.spans() if s.trace_id == trace_id]
        return spans if any(s.name == "chunkd.task.process" for s in spans) else None

    spans = {s.name: s for s in wait_until(processed, timeout=30, interval=0.1)}
    get = spans["chunkd.v1.TaskService/GetTask"]
    assert get.parent_id == parent
    assert get.attributes["rpc.grpc.status_code"] == grpc.StatusCode.NOT_FOUND.value[0]
    assert get.span.status.code == trace_pb2.Status.STATUS_CODE_ERROR
    watch = spans["chunkd.v1.TaskService/WatchTask"]  # a stream: its span lasts until it ends
    assert watch.parent_id == parent
    assert watch.attributes["rpc.grpc.status_code"] == 0
    update = spans["chunkd.v1.TaskService/UpdateTask"]
    assert update.parent_id == parent
    process = spans["chunkd.task.process"]  # the update's attempt joins the update's trace
    assert process.parent_id == update.span_id
    assert process.attributes["chunkd.task_id"] == task.task_id


REPORT_MODULES = """
import atexit, sys
def report():
    ours = ("opentelemetry.sdk", "opentelemetry.exporter", "opentelemetry.proto", "server.trace_grpc", "gateway.tracing")
    print("TRACING MODULES:", sorted(m for m in sys.modules if m.startswith(ours)), flush=True)
atexit.register(report)
from server.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_without_an_endpoint_nothing_of_the_sdk_or_the_tracing_code_is_loaded(tmp_path: Path) -> None:
    # The OpenTelemetry API itself may be loaded: FastAPI (0.165 on) imports it when it is installed.
    server = start_server(tmp_path, {}, command=[sys.executable, "-c", REPORT_MODULES])
    try:
        body = {"file": base64.b64encode(long_pdf(tmp_path / "plain.pdf", 1).read_bytes()).decode()}
        with httpx.Client(base_url=server.http_url, headers={"Authorization": server.api_key}, timeout=60) as client:
            task_id = client.post("/api/v1/task/parse", json=body).json()["task_id"]
            wait_until(
                lambda: client.get(f"/api/v1/task/{task_id}").json()["status"] == "Succeeded", timeout=120, interval=0.2
            )
    finally:
        server.stop()
    assert "TRACING MODULES: []" in server.log(), server.log()


def test_an_endpoint_without_the_extra_stops_startup_with_a_one_line_error(tmp_path: Path) -> None:
    blocked = "import sys; sys.modules['opentelemetry.sdk'] = None\n" + "from server.cli import main\nsys.exit(main(sys.argv[1:]))"
    env = {
        "PATH": "/usr/bin:/bin",
        "CHUNKD_DATA_DIR": str(tmp_path),
        "CHUNKD_GRPC_ADDRESS": f"127.0.0.1:{free_port()}",
        "CHUNKD_HTTP_ADDRESS": f"127.0.0.1:{free_port()}",
        "CHUNKD_OTEL_ENDPOINT": "http://127.0.0.1:4317",
    }
    result = subprocess.run(
        [sys.executable, "-c", blocked, "serve"], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()  # one line, no traceback
    assert line.startswith("chunkd: CHUNKD_OTEL_ENDPOINT is set but OpenTelemetry is not installed (opentelemetry.sdk")
    assert line.endswith(": pip install 'chunkd[otel]'"), line
    assert "chunkd: ready" not in result.stdout
