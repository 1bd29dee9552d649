"""The client's pure parts, without a server: the error table, request
building, views, durations, retry delays, settings and the CLI's argument
and exit-code tables."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import get_type_hints

import grpc
import pytest
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

from chunkr.names import chunkr_enum
from client import errors
from client.base import ClientBase
from client.cli import EXIT_CODES, exit_code, main, parser
from client.durations import parse_duration, parse_since
from client.requests import OPTIONS, ConfigOptions, build_configuration, create_request, list_request
from client.retry import RetryPolicy
from client.settings import Settings
from client.views import EventKind, FileView, Status, TaskView, WatchEvent, WebhookView, field_value
from protos import tasks_pb2 as pb


class FailedCall(grpc.RpcError):
    """What grpc raises for a failed call: an RpcError with code() and details()."""

    def __init__(self, code: grpc.StatusCode, details: str) -> None:
        self._code, self._details = code, details

    def code(self) -> grpc.StatusCode:
        return self._code

    def details(self) -> str:
        return self._details


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        (grpc.StatusCode.NOT_FOUND, errors.TaskNotFound),
        (grpc.StatusCode.FAILED_PRECONDITION, errors.InvalidTaskState),
        (grpc.StatusCode.INVALID_ARGUMENT, errors.InvalidArgument),
        (grpc.StatusCode.UNAUTHENTICATED, errors.Unauthenticated),
        (grpc.StatusCode.RESOURCE_EXHAUSTED, errors.ResourceExhausted),
        (grpc.StatusCode.UNAVAILABLE, errors.Unavailable),
        (grpc.StatusCode.DEADLINE_EXCEEDED, errors.DeadlineExceeded),
        (grpc.StatusCode.INTERNAL, errors.ServerError),
        (grpc.StatusCode.UNKNOWN, errors.ServerError),
    ],
)
def test_each_status_code_becomes_its_exception_with_the_server_message(
    code: grpc.StatusCode, kind: type[errors.ChunkdError]
) -> None:
    error = errors.from_rpc_error(FailedCall(code, "Task cannot be cancelled: status is Processing"))
    assert type(error) is kind
    assert error.code == code
    assert error.message == str(error) == "Task cannot be cancelled: status is Processing"


def test_a_deadline_is_also_a_timeout_error() -> None:
    assert isinstance(errors.from_rpc_error(FailedCall(grpc.StatusCode.DEADLINE_EXCEEDED, "late")), TimeoutError)


def test_every_exception_has_its_own_exit_code_and_unknown_ones_a_generic_one() -> None:
    codes = {kind: exit_code(kind("x")) for kind, _ in EXIT_CODES}
    assert codes[errors.TaskNotFound] == 3
    assert codes[errors.InvalidTaskState] == 4
    assert codes[errors.Unauthenticated] == 6
    assert codes[errors.Unavailable] == 7
    assert exit_code(errors.ServerError("boom")) == 9
    assert 0 not in codes.values() and 1 not in codes.values()  # 1 means "the task failed"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90s", timedelta(seconds=90)),
        ("15m", timedelta(minutes=15)),
        ("2h", timedelta(hours=2)),
        ("2d", timedelta(days=2)),
        ("1w", timedelta(weeks=1)),
        ("1h30m", timedelta(minutes=90)),
        ("1.5d", timedelta(hours=36)),
        (" 2D ", timedelta(days=2)),
    ],
)
def test_durations(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "2", "d", "2x", "2d-", "-2d", "two days"])
def test_bad_durations_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


def test_since_is_an_age_before_now_or_a_moment() -> None:
    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    assert parse_since("2d", now) == datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
    assert parse_since("2026-11-20", now) == datetime(2026, 11, 20, tzinfo=UTC)
    assert parse_since("2026-11-20T08:00:00Z", now) == datetime(2026, 11, 20, 8, tzinfo=UTC)
    assert parse_since("2026-11-20T08:00:00+02:00", now) == datetime(2026, 11, 20, 6, tzinfo=UTC)
    with pytest.raises(ValueError, match="2d"):
        parse_since("yesterday", now)


def test_configuration_options_set_only_what_is_given() -> None:
    configuration = build_configuration(target_length=0, ocr_strategy="all", segmentation_strategy="layout-analysis")
    assert configuration.chunk_processing.HasField("target_length")
    assert configuration.chunk_processing.target_length == 0
    assert configuration.ocr_strategy == pb.OCR_STRATEGY_ALL
    assert configuration.segmentation_strategy == pb.SEGMENTATION_STRATEGY_LAYOUT_ANALYSIS
    assert not configuration.HasField("high_resolution")
    assert configuration.error_handling == pb.ERROR_HANDLING_UNSPECIFIED


def test_configuration_options_merge_over_a_given_configuration() -> None:
    base = pb.Configuration(high_resolution=False, chunk_processing=pb.ChunkProcessing(tokenizer="Word"))
    merged = build_configuration(base, target_length=64, error_handling="Continue", expires_in=60)
    assert merged.high_resolution is False and merged.chunk_processing.tokenizer == "Word"
    assert merged.chunk_processing.target_length == 64
    assert merged.error_handling == pb.ERROR_HANDLING_CONTINUE
    assert merged.expires_in == 60
    assert not base.chunk_processing.HasField("target_length")  # the caller's message is left alone


def test_the_keyword_options_are_exactly_the_single_valued_fields_of_the_configuration() -> None:
    top = {field.name for field in pb.Configuration.DESCRIPTOR.fields if field.message_type is None}
    chunking = {field.name for field in pb.ChunkProcessing.DESCRIPTOR.fields}
    assert not top & chunking
    assert set(get_type_hints(ConfigOptions)) == set(OPTIONS) == top | chunking
    python = {FieldDescriptor.CPPTYPE_INT32: int, FieldDescriptor.CPPTYPE_BOOL: bool}
    for name, (_, field) in OPTIONS.items():
        assert get_type_hints(ConfigOptions)[name] is python.get(field.cpp_type, str), name


@pytest.mark.parametrize("name", sorted(OPTIONS))
def test_each_keyword_option_sets_its_field_and_nothing_else(name: str) -> None:
    parent, field = OPTIONS[name]
    chunkr = chunkr_enum(field.enum_type) if field.enum_type is not None else None
    value = {FieldDescriptor.CPPTYPE_INT32: 7, FieldDescriptor.CPPTYPE_BOOL: False}.get(field.cpp_type, "Word")
    configuration = build_configuration(**{name: max(chunkr.strings.values()) if chunkr else value})
    target = getattr(configuration, parent) if parent else configuration
    expected = max(chunkr.strings, key=lambda number: chunkr.strings[number]) if chunkr else value
    assert getattr(target, name) == expected
    assert [set_field.name for set_field, _ in configuration.ListFields()] == [parent or name]


def test_bad_configuration_options_are_refused_before_any_call() -> None:
    with pytest.raises(errors.InvalidArgument, match="expected one of Auto, All"):
        build_configuration(ocr_strategy="sometimes")
    with pytest.raises(TypeError, match="target_lenght"):
        build_configuration(target_lenght=5)


def test_create_request_from_each_kind_of_source(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(b"%PDF-1.7 ...")
    from_path = create_request(path)
    assert (from_path.file, from_path.file_name) == (b"%PDF-1.7 ...", "report.pdf")
    assert create_request(str(path), "other.pdf").file_name == "other.pdf"
    from_bytes = create_request(b"%PDF-1.7 ...")
    assert (from_bytes.file, from_bytes.file_name) == (b"%PDF-1.7 ...", "document")
    with path.open("rb") as handle:
        from_file = create_request(handle)
    assert (from_file.file, from_file.file_name) == (b"%PDF-1.7 ...", "report.pdf")
    from_url = create_request("https://example.com/a.pdf")
    assert from_url.WhichOneof("source") == "url" and from_url.url == "https://example.com/a.pdf"
    assert create_request(io.BytesIO(b"abc"), "x.png").file_name == "x.png"


def test_list_request_turns_an_age_into_a_start_time() -> None:
    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    request = list_request(statuses=(Status.FAILED, Status.CANCELLED), since=timedelta(days=2), page_size=50, now=now)
    assert request.start.ToDatetime(tzinfo=UTC) == now - timedelta(days=2)
    assert not request.HasField("end")
    assert list(request.statuses) == [pb.TASK_STATUS_FAILED, pb.TASK_STATUS_CANCELLED]
    assert request.page_size == 50


def segment(content: str = "", html: str = "", markdown: str = "") -> pb.Segment:
    return pb.Segment(segment_type=pb.SEGMENT_TYPE_TEXT, content=content, html=html, markdown=markdown)


def finished_task() -> pb.Task:
    chunks = [
        pb.Chunk(segments=[segment(content="Title", html="<h1>Title</h1>", markdown="# Title"), segment(content="a")]),
        pb.Chunk(segments=[segment(content="b", html="<p>b</p>", markdown="b")]),
    ]
    task = pb.Task(task_id="t", status=pb.TASK_STATUS_SUCCEEDED, output=pb.Output(chunks=chunks, page_count=2))
    task.created_at.FromDatetime(datetime(2026, 11, 23, tzinfo=UTC))
    return task


def test_views_join_segments_as_chunkrs_sdk_does(tmp_path: Path) -> None:
    view = TaskView(finished_task())
    assert view.markdown() == "# Title\n\nb"  # empty fields are skipped
    assert view.html() == "<h1>Title</h1>\n<p>b</p>"
    assert view.content() == "Title\na\nb"
    assert view.markdown(tmp_path / "out" / "doc.md") == (tmp_path / "out" / "doc.md").read_text()
    assert view.status is Status.SUCCEEDED and view.terminal
    assert view.created_at == datetime(2026, 11, 23, tzinfo=UTC)
    assert view.finished_at is None
    assert view.json()["status"] == "Succeeded"
    assert TaskView(pb.Task(status=pb.TASK_STATUS_PROCESSING)).markdown() == ""


def test_watch_events_know_when_they_are_the_last() -> None:
    running = pb.Task(status=pb.TASK_STATUS_PROCESSING)
    assert not WatchEvent(pb.TaskEvent(kind=pb.TaskEvent.KIND_SNAPSHOT, task=running)).final
    assert WatchEvent(pb.TaskEvent(kind=pb.TaskEvent.KIND_DELETED, task=running)).final
    done = WatchEvent(pb.TaskEvent(kind=pb.TaskEvent.KIND_CHANGED, task=finished_task()))
    assert done.final and done.kind is EventKind.CHANGED


NOW = datetime(2026, 11, 23, tzinfo=UTC)


@pytest.mark.parametrize(
    ("view", "message"),
    [
        (TaskView, pb.Task(status=pb.TASK_STATUS_STARTING, created_at=NOW)),
        (WatchEvent, pb.TaskEvent(kind=pb.TaskEvent.KIND_SNAPSHOT, task=pb.Task(status=pb.TASK_STATUS_STARTING))),
        (FileView, pb.File(created_at=NOW)),
        (WebhookView, pb.Webhook(created_at=NOW)),
    ],
)
def test_every_field_the_proto_declares_is_on_its_view(view: type, message: Message) -> None:
    shown = view(message)
    for field in message.DESCRIPTOR.fields:
        assert hasattr(shown, field.name), field.name
    with pytest.raises(AttributeError, match="no attribute 'no_such_field'"):
        shown.no_such_field  # noqa: B018


def test_a_field_the_view_does_not_spell_out_is_read_by_its_descriptor() -> None:
    task = finished_task()
    task.task_url = "https://chunkd.example/api/v1/task/t1"
    task.input_file.name = "doc.pdf"
    view = TaskView(task)
    assert view.task_url == task.task_url  # a string, as the message holds it
    assert view.input_file.name == "doc.pdf"  # a message, as the message holds it
    assert WebhookView(pb.Webhook(event_types=["task.succeeded"])).event_types == ["task.succeeded"]  # a list
    assert field_value(task, "created_at") == datetime(2026, 11, 23, tzinfo=UTC)  # an aware datetime
    assert field_value(task, "expires_at") is None  # unset
    assert field_value(task, "status") is Status.SUCCEEDED
    assert field_value(pb.TaskEvent(kind=pb.TaskEvent.KIND_DELETED), "kind") is EventKind.DELETED


def test_status_parsing_is_case_insensitive() -> None:
    assert Status.parse("failed") is Status.FAILED
    assert Status.parse("Succeeded") is Status.SUCCEEDED
    assert f"{Status.SUCCEEDED} {EventKind.SNAPSHOT}" == "Succeeded Snapshot"  # prints as Chunkr spells it
    with pytest.raises(ValueError, match="Starting, Processing"):
        Status.parse("done")


def test_retry_delays_are_bounded_and_one_fewer_than_attempts() -> None:
    policy = RetryPolicy(attempts=6, initial_backoff=0.1, max_backoff=0.4, multiplier=2)
    delays = list(policy.delays())
    assert len(delays) == 5
    assert all(0 <= d <= ceiling for d, ceiling in zip(delays, [0.1, 0.2, 0.4, 0.4, 0.4], strict=True))
    assert list(RetryPolicy(attempts=1).delays()) == []


def test_settings_arguments_win_over_the_environment(tmp_path: Path) -> None:
    env = {"CHUNKD_ADDRESS": "chunkd.internal:443", "CHUNKD_API_KEY": "from-env", "CHUNKD_TLS": "true"}
    from_env = Settings.resolve(environ=env)
    assert (from_env.address, from_env.api_key, from_env.tls) == ("chunkd.internal:443", "from-env", True)
    assert from_env.metadata == (("authorization", "Bearer from-env"),)
    given = Settings.resolve("localhost:1", "mine", tls=False, environ=env)
    assert (given.address, given.api_key, given.tls) == ("localhost:1", "mine", False)
    defaults = Settings.resolve(environ={})
    assert (defaults.address, defaults.api_key, defaults.tls, defaults.metadata) == ("127.0.0.1:50051", None, False, ())
    ca = tmp_path / "ca.pem"
    ca.write_bytes(b"PEM")
    with_ca = Settings.resolve(environ={"CHUNKD_CA_CERT": str(ca)})
    assert with_ca.tls and with_ca.root_certificates == b"PEM"


def test_cli_parses_every_command() -> None:
    cli = parser()
    create = cli.parse_args(["create", "a.pdf", "b.pdf", "--wait", "--target-length", "128", "--ocr", "all"])
    assert (create.files, create.wait, create.target_length, create.ocr) == (["a.pdf", "b.pdf"], True, 128, "all")
    assert cli.parse_args(["get", "ID", "--markdown"]).format == "markdown"
    listing = cli.parse_args(["list", "--status", "failed", "--status", "Cancelled", "--since", "2d"])
    assert listing.status == [Status.FAILED, Status.CANCELLED]
    assert datetime.now(UTC) - listing.since > timedelta(days=1, hours=23)
    assert cli.parse_args(["update", "ID", "--no-high-resolution"]).high_resolution is False
    for command in ("watch", "cancel", "delete"):
        assert cli.parse_args([command, "ID"]).task_id == "ID"


@pytest.mark.parametrize(
    "argv",
    [[], ["create"], ["get", "ID", "--json", "--html"], ["list", "--since", "soon"], ["list", "--status", "done"]],
)
def test_cli_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert "usage: chunkctl" in capsys.readouterr().err


def test_a_retried_cancel_or_delete_that_finds_its_work_done_succeeds() -> None:
    """After UNAVAILABLE the first attempt may have acted: a retry then sees
    "already Cancelled" or "not found", which is the outcome asked for."""
    refused = errors.InvalidTaskState("Task cannot be cancelled: status is Cancelled")
    refused.attempts = 2
    cancelled = TaskView(pb.Task(status=pb.TASK_STATUS_CANCELLED))
    assert ClientBase._cancel_was_ours(refused, cancelled) is cancelled
    with pytest.raises(errors.InvalidTaskState):
        ClientBase._cancel_was_ours(refused, TaskView(pb.Task(status=pb.TASK_STATUS_SUCCEEDED)))
    with pytest.raises(errors.InvalidTaskState):
        ClientBase._cancel_was_ours(refused, None)  # a first attempt is not looked up

    gone = errors.TaskNotFound("Task not found")
    gone.attempts = 3
    ClientBase._delete_was_ours(gone)
    gone.attempts = 1
    with pytest.raises(errors.TaskNotFound):
        ClientBase._delete_was_ours(gone)
