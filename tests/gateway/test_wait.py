"""`wait`: get or create a task and be answered as soon as it is terminal, over
REST (`?wait=`) and gRPC (GetTaskRequest.wait, bounded by the call's deadline)."""

from __future__ import annotations

import base64

import grpc
import httpx

from protos import tasks_pb2 as pb
from protos import tasks_pb2_grpc
from tests.gateway.conftest import PDF
from tests.harness import RunningServer
from tests.support import auth, open_channel

BODY = {"file": base64.b64encode(PDF.read_bytes()).decode()}


def test_create_with_wait_answers_with_the_finished_task(http: httpx.Client) -> None:
    task = http.post("/task/parse", params={"wait": 120}, json=BODY).json()
    assert task["status"] == "Succeeded" and task["output"]["chunks"]


def test_get_with_wait_answers_once_the_task_is_terminal(http: httpx.Client) -> None:
    created = http.post("/tasks/parse", json=BODY).json()
    task = http.get(f"/tasks/{created['task_id']}", params={"wait": 120}).json()
    assert task["status"] == "Succeeded"


def test_a_wait_that_runs_out_answers_with_the_task_as_it_is(idle_http: httpx.Client) -> None:
    created = idle_http.post("/task/parse", json=BODY).json()
    task = idle_http.get(f"/task/{created['task_id']}", params={"wait": 1})
    assert task.status_code == 200 and task.json()["status"] == "Starting"


def test_a_wait_out_of_range_is_400(http: httpx.Client) -> None:
    created = http.post("/task/parse", json=BODY).json()
    response = http.get(f"/task/{created['task_id']}", params={"wait": 301})
    assert response.status_code == 400 and response.text.startswith("Invalid wait")


def test_grpc_wait_is_bounded_by_the_deadline(idle: RunningServer, server: RunningServer) -> None:
    with open_channel(idle.grpc_address) as channel:
        stub = tasks_pb2_grpc.TaskServiceStub(channel)
        task = stub.CreateTask(pb.CreateTaskRequest(file=PDF.read_bytes()), metadata=auth(idle.api_key))
        still = stub.GetTask(pb.GetTaskRequest(task_id=task.task_id, wait=300), metadata=auth(idle.api_key), timeout=2)
        assert still.status == pb.TASK_STATUS_STARTING
        try:
            stub.GetTask(pb.GetTaskRequest(task_id=task.task_id, wait=301), metadata=auth(idle.api_key))
        except grpc.RpcError as error:
            assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
        else:
            raise AssertionError("wait=301 was accepted")
    with open_channel(server.grpc_address) as channel:
        stub = tasks_pb2_grpc.TaskServiceStub(channel)
        task = stub.CreateTask(pb.CreateTaskRequest(file=PDF.read_bytes()), metadata=auth(server.api_key))
        done = stub.GetTask(pb.GetTaskRequest(task_id=task.task_id, wait=120), metadata=auth(server.api_key))
        assert done.status == pb.TASK_STATUS_SUCCEEDED and done.output.chunks
