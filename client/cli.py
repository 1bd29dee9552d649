"""chunkctl: the task API from a shell.

    chunkctl create report.pdf scans/*.png --wait --ocr all
    chunkctl list --status failed --since 2d
    chunkctl get TASK_ID --markdown > report.md

Results go to stdout (ids, JSON, markdown, tables); progress and errors to
stderr. The exit status is 0 on success and one of EXIT_CODES otherwise, so
scripts can tell "the task failed" from "the server is down"."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import TaskID
from rich.table import Table

from client.aio import AsyncTaskClient
from client.durations import parse_since
from client.errors import (
    ChunkdError,
    DeadlineExceeded,
    InvalidArgument,
    InvalidTaskState,
    ResourceExhausted,
    TaskNotFound,
    Unauthenticated,
    Unavailable,
)
from client.progress import TaskBars
from client.requests import ConfigOptions, is_url
from client.views import EventKind, Status, TaskView

EXIT_OK = 0
EXIT_TASK_FAILED = 1  # a task ended Failed or Cancelled
EXIT_USAGE = 2  # argparse's own code for a bad command line
EXIT_INTERRUPTED = 130
# The first matching class wins; ChunkdError last catches the rest.
EXIT_CODES: tuple[tuple[type[ChunkdError], int], ...] = (
    (TaskNotFound, 3),
    (InvalidTaskState, 4),
    (InvalidArgument, 5),
    (ResourceExhausted, 5),
    (Unauthenticated, 6),
    (Unavailable, 7),
    (DeadlineExceeded, 8),
    (ChunkdError, 9),
)


def exit_code(error: ChunkdError) -> int:
    return next(code for kind, code in EXIT_CODES if isinstance(error, kind))


@dataclass
class Output:
    """Where things go: results on stdout, the rest on stderr."""

    out: Console
    err: Console

    @classmethod
    def standard(cls) -> Output:
        # Off a terminal (a pipe, a file) rich assumes 80 columns; tables and
        # bars would wrap task ids and messages.
        out_width = None if sys.stdout.isatty() else 200
        err_width = None if sys.stderr.isatty() else 200
        return cls(
            out=Console(width=out_width, highlight=False),
            err=Console(stderr=True, width=err_width, highlight=False),
        )

    def line(self, text: str) -> None:
        """Text for scripts (ids, JSON, markdown), written as is: rich would
        interpret markup and emoji codes and wrap long lines."""
        self.out.file.write(text + "\n")

    def error(self, message: str) -> None:
        self.err.print(f"chunkctl: {message}", markup=False, highlight=False, soft_wrap=True)


def status_exit(task: TaskView) -> int:
    return EXIT_OK if task.status is Status.SUCCEEDED else EXIT_TASK_FAILED


# ---------------------------------------------------------------- commands


def config_options(args: argparse.Namespace) -> ConfigOptions:
    options: dict[str, Any] = {
        "target_length": args.target_length,
        "tokenizer": args.tokenizer,
        "ocr_strategy": args.ocr,
        "segmentation_strategy": args.segmentation,
        "error_handling": args.error_handling,
        "high_resolution": args.high_resolution,
        "ignore_headers_and_footers": args.ignore_headers_and_footers,
        "expires_in": args.expires_in,
    }
    return {k: v for k, v in options.items() if v is not None}  # type: ignore[return-value]  # ConfigOptions' keys


async def follow(
    client: AsyncTaskClient, bars: TaskBars, bar: TaskID, task_id: str, timeout: float | None
) -> TaskView:
    """Feeds a watch into a bar until the task is terminal; its final state."""
    last: TaskView | None = None
    async for event in client.watch(task_id, timeout=timeout):
        if event.kind is EventKind.DELETED:
            raise TaskNotFound(f"Task {task_id} was deleted")
        last = event.task
        bars.show(bar, last, " (reconnected)" if event.reconnected else "")
    assert last is not None
    return last


async def create(client: AsyncTaskClient, args: argparse.Namespace, io: Output) -> int:
    """Uploads every file concurrently (at most --concurrency at once) and, with
    --wait, follows them all to the end. One file's error does not stop the
    others; the exit status is the highest of the files' codes."""
    options = config_options(args)
    uploads = asyncio.Semaphore(args.concurrency)
    codes: list[int] = []
    ids: list[str | None] = [None] * len(args.files)

    async def one(index: int, source: str, bars: TaskBars) -> None:
        label = source if is_url(source) else Path(source).name
        bar = bars.add(label)
        try:
            async with uploads:
                task = await client.create(source if is_url(source) else Path(source), **options)
            ids[index] = task.task_id
            bars.show(bar, task)
            if args.wait:
                task = await follow(client, bars, bar, task.task_id, args.timeout)
                codes.append(status_exit(task))
                if task.status is not Status.SUCCEEDED:
                    io.error(f"{label}: {task.status.value}: {task.message}")
        except (ChunkdError, OSError) as error:
            message = error.message if isinstance(error, ChunkdError) else str(error)
            codes.append(exit_code(error) if isinstance(error, ChunkdError) else EXIT_USAGE)
            bars.fail(bar, message)
            io.error(f"{label}: {message}")

    with TaskBars(io.err, visible=args.wait) as bars:
        await asyncio.gather(*(one(i, f, bars) for i, f in enumerate(args.files)))
    for task_id in ids:
        if task_id:
            io.line(task_id)
    return max(codes, default=EXIT_OK)


async def get(client: AsyncTaskClient, args: argparse.Namespace, io: Output) -> int:
    wants_output = args.format in ("json", "markdown", "html", "content")
    task = await client.get(args.task_id, include_chunks=wants_output)
    if args.format == "json":
        io.line(json.dumps(task.json(), indent=2, ensure_ascii=False))
    elif args.format in ("markdown", "html", "content"):
        io.line(getattr(task, args.format)())
    else:
        rows = [
            ("task_id", task.task_id),
            ("status", task.status.value),
            ("message", task.message),
            ("created_at", task.created_at.isoformat()),
            ("finished_at", task.finished_at.isoformat() if task.finished_at else ""),
            ("expires_at", task.expires_at.isoformat() if task.expires_at else ""),
            ("file_name", task.file_name),
            ("pages", str(task.page_count or "")),
        ]
        for name, value in rows:
            io.line(f"{name}: {value}")
    return EXIT_OK


async def list_tasks(client: AsyncTaskClient, args: argparse.Namespace, io: Output) -> int:
    """Pages through the server lazily: --limit 10 asks for one small page."""
    page_size = min(args.page_size, args.limit) if args.limit else args.page_size
    tasks: list[TaskView] = []
    async for task in client.list(status=args.status or None, since=args.since, page_size=page_size):
        tasks.append(task)
        if args.json:
            io.line(json.dumps(task.json(), ensure_ascii=False))
        if args.limit and len(tasks) >= args.limit:
            break
    if not args.json:
        table = Table("ID", "Status", "Created", "File", "Pages", "Message", title=f"{len(tasks)} tasks")
        for task in tasks:
            style = "green" if task.status is Status.SUCCEEDED else "red" if task.status is Status.FAILED else None
            table.add_row(
                task.task_id,
                task.status.value,
                task.created_at.strftime("%Y-%m-%d %H:%M:%S"),
                task.file_name,
                str(task.page_count or ""),
                task.message,
                style=style,
            )
        io.out.print(table)
    return EXIT_OK


async def watch(client: AsyncTaskClient, args: argparse.Namespace, io: Output) -> int:
    with TaskBars(io.err) as bars:
        task = await follow(client, bars, bars.add(args.task_id), args.task_id, args.timeout)
    io.line(task.status.value)
    if task.status is not Status.SUCCEEDED:
        io.error(f"{task.task_id}: {task.status.value}: {task.message}")
    return status_exit(task)


async def cancel(client: AsyncTaskClient, args: argparse.Namespace, io: Output) -> int:
    task = await client.cancel(args.task_id)
    io.line(task.status.value)
    return EXIT_OK


async def delete(client: AsyncTaskClient, args: argparse.Namespace, io: Output) -> int:
    await client.delete(args.task_id)
    io.line(f"Deleted {args.task_id}")
    return EXIT_OK


async def update(client: AsyncTaskClient, args: argparse.Namespace, io: Output) -> int:
    options = config_options(args)
    if not options:
        raise InvalidArgument("Nothing to update: give at least one option such as --target-length")
    task = await client.update(args.task_id, **options)
    if not args.wait:
        io.line(task.status.value)
        return EXIT_OK
    return await watch(client, args, io)


COMMANDS = {
    "create": create,
    "get": get,
    "list": list_tasks,
    "watch": watch,
    "cancel": cancel,
    "delete": delete,
    "update": update,
}


# ---------------------------------------------------------------- arguments


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def since_type(text: str) -> Any:
    try:
        return parse_since(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def status_type(text: str) -> Status:
    try:
        return Status.parse(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def add_config_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("configuration (unset = the server's default)")
    group.add_argument("--target-length", type=int, metavar="N", help="tokens per chunk; 0 = one segment per chunk")
    group.add_argument("--tokenizer", help="Word, Cl100kBase, or a Hugging Face tokenizer")
    group.add_argument("--ocr", choices=["auto", "all"], help="OCR only pages without text (auto) or every page")
    group.add_argument("--segmentation", choices=["layout-analysis", "page"])
    group.add_argument("--error-handling", choices=["fail", "continue"])
    group.add_argument("--high-resolution", action=argparse.BooleanOptionalAction, default=None)
    group.add_argument("--ignore-headers-and-footers", action=argparse.BooleanOptionalAction, default=None)
    group.add_argument("--expires-in", type=int, metavar="SECONDS", help="delete the task this long after it finishes")


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="chunkctl", description="Drive chunkd's task API from the shell.")
    root.add_argument("--address", help="host:port of chunkd's gRPC API (default $CHUNKD_ADDRESS or 127.0.0.1:50051)")
    root.add_argument("--api-key", help="default $CHUNKD_API_KEY")
    root.add_argument("--tls", action=argparse.BooleanOptionalAction, default=None, help="default $CHUNKD_TLS")
    root.add_argument("--ca-cert", type=Path, help="PEM roots to trust for TLS (default $CHUNKD_CA_CERT)")
    root.add_argument("--client-cert", type=Path, help="PEM certificate for mTLS (default $CHUNKD_CLIENT_CERT)")
    root.add_argument("--client-key", type=Path, help="PEM key of --client-cert (default $CHUNKD_CLIENT_KEY)")
    root.add_argument("--timeout", type=float, metavar="SECONDS", help="give up waiting for a task after this long")
    commands = root.add_subparsers(dest="command", required=True, metavar="COMMAND")

    create_cmd = commands.add_parser("create", help="upload files (or URLs) and queue a task for each")
    create_cmd.add_argument("files", nargs="+", metavar="FILE", help="paths or http(s) URLs")
    create_cmd.add_argument("--wait", action="store_true", help="show progress and wait for every task to finish")
    create_cmd.add_argument("--concurrency", type=positive_int, default=8, help="uploads at once (default 8)")
    add_config_arguments(create_cmd)

    get_cmd = commands.add_parser("get", help="show a task, or its output")
    get_cmd.add_argument("task_id", metavar="ID")
    formats = get_cmd.add_mutually_exclusive_group()
    for name in ("json", "markdown", "html", "content"):
        formats.add_argument(f"--{name}", dest="format", action="store_const", const=name)

    list_cmd = commands.add_parser("list", help="tasks, newest first")
    list_cmd.add_argument("--status", type=status_type, action="append", help="Starting, Processing, ... (repeatable)")
    list_cmd.add_argument("--since", type=since_type, help="an age (2d, 1h30m) or a date (2026-11-20)")
    list_cmd.add_argument("--limit", type=positive_int, help="at most this many tasks")
    list_cmd.add_argument("--page-size", type=positive_int, default=100, help=argparse.SUPPRESS)
    list_cmd.add_argument("--json", action="store_true", help="one Chunkr JSON task per line")

    for name, text in (("watch", "follow a task until it finishes"), ("cancel", "cancel a Starting task"),
                       ("delete", "delete a finished task and its files")):
        commands.add_parser(name, help=text).add_argument("task_id", metavar="ID")

    update_cmd = commands.add_parser("update", help="re-process a finished task with changed configuration")
    update_cmd.add_argument("task_id", metavar="ID")
    update_cmd.add_argument("--wait", action="store_true", help="show progress and wait for it to finish")
    add_config_arguments(update_cmd)
    return root


async def run(args: argparse.Namespace, io: Output) -> int:
    root_certificates = args.ca_cert.read_bytes() if args.ca_cert else None
    client_certificate = None
    if args.client_cert and args.client_key:
        client_certificate = (args.client_cert.read_bytes(), args.client_key.read_bytes())
    async with AsyncTaskClient(
        args.address,
        args.api_key,
        tls=args.tls,
        root_certificates=root_certificates,
        client_certificate=client_certificate,
    ) as client:
        return await COMMANDS[args.command](client, args, io)


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    io = Output.standard()
    try:
        return asyncio.run(run(args, io))
    except ChunkdError as error:
        io.error(error.message)
        return exit_code(error)
    except OSError as error:  # an unreadable file or CA certificate
        io.error(str(error))
        return EXIT_USAGE
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
