"""Every serving path at concurrency 1, 8 and 64, beside a bare grpc.aio echo
server measured in the same run.

    .venv/bin/python -m bench.serving [--seconds 2] [--rounds 3] [--database sqlite|postgresql]
                                      [--cases echo,get,rest,create,cancel,watch,sse]

One `chunkd serve --no-worker` (gRPC + gateway, the API replica; tasks stay
Starting so cancels have something to cancel) starts through tests/harness.py;
a `chunkd worker` process runs once to finish the task that GetTask reads,
then leaves. Unary cases run closed-loop for `--seconds` at each concurrency,
rounds alternating between the cases so drift in the machine's load hits them
all; the median round (by req/s) is reported. Cancels cancel the tasks the
create case just made, so the two write paths are measured on the same rows.

WatchTask fan-out: N streams on one Starting task (over several client
processes past 250, so the load generator's own reading is not serial), then
one CancelTask; latency is from sending the cancel to each stream's event.
SSE: N clients open `/events` at once (raw HTTP/1.1), then one cancel: failures,
time to the snapshot, and cancel → event.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import itertools
import json
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import grpc

from bench.gateway_bench import load_http
from bench.load import LoadResult, median_result, process_cpu, run_load
from protos import tasks_pb2 as pb
from protos import tasks_pb2_grpc
from tests import harness
from tests.harness import CORPUS, RunningServer, free_port, start_server
from tests.support import auth, create, open_channel, wait_terminal

CONCURRENCY = (1, 8, 64)
UNARY_CASES = ("echo", "get", "rest", "create", "cancel")
WATCHERS = (1, 8, 64, 1000)
SSE_CLIENTS = (1, 8, 64, 500)
WATCHERS_PER_PROCESS = 250
CONNECTIONS = 8  # at most, per unary case: callers share them round-robin
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"


def small_pdf() -> bytes:
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.drawString(72, 720, "A one-line document for the write benchmark.")
    page.save()
    return out.getvalue()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


# -- unary paths ------------------------------------------------------------


class Unary:
    def __init__(
        self, server: RunningServer, echo_address: str, task_id: str, seconds: float, echo_pid: int = 0
    ) -> None:
        self.server = server
        self.echo_address = echo_address
        assert server.process is not None
        self.cpu = process_cpu(server.process.pid)
        self.echo_cpu = process_cpu(echo_pid) if echo_pid else None
        self.task_id = task_id
        self.seconds = seconds
        self.pdf = small_pdf()
        self.created: list[str] = []  # by the last create case, for the next cancel case

    @contextlib.asynccontextmanager
    async def _channels(self, address: str, concurrency: int) -> AsyncIterator[list[grpc.aio.Channel]]:
        """Up to CONNECTIONS channels, each its own connection, so that several
        server processes on one port share the load; callers take turns."""
        options = [("grpc.max_receive_message_length", 512 << 20), ("grpc.use_local_subchannel_pool", 1)]
        channels = [grpc.aio.insecure_channel(address, options=options) for _ in range(min(concurrency, CONNECTIONS))]
        try:
            yield channels
        finally:
            for channel in channels:
                await channel.close()

    def _stubs(self, channels: list[grpc.aio.Channel]) -> Callable[[], tasks_pb2_grpc.TaskServiceStub]:
        stubs = itertools.cycle([tasks_pb2_grpc.TaskServiceStub(channel) for channel in channels])
        return lambda: next(stubs)

    async def echo(self, concurrency: int) -> LoadResult:
        payload = pb.GetTaskRequest(task_id=self.task_id, include_chunks=False).SerializeToString()
        async with self._channels(self.echo_address, concurrency) as channels:
            calls = itertools.cycle([channel.unary_unary("/bench.Echo/Echo") for channel in channels])
            return await run_load(lambda: next(calls)(payload), concurrency, self.seconds, cpu=self.echo_cpu)

    async def get(self, concurrency: int) -> LoadResult:
        async with self._channels(self.server.grpc_address, concurrency) as channels:
            stub = self._stubs(channels)
            request = pb.GetTaskRequest(task_id=self.task_id, include_chunks=False)
            metadata = auth(self.server.api_key)
            return await run_load(
                lambda: stub().GetTask(request, metadata=metadata), concurrency, self.seconds, cpu=self.cpu
            )

    async def rest(self, concurrency: int) -> LoadResult:
        path = f"/api/v1/task/{self.task_id}?include_chunks=false"
        server = self.server
        result, _ = await load_http(
            "127.0.0.1", server.http_port, path, server.api_key, self.seconds, concurrency, cpu=self.cpu
        )
        return result

    async def create(self, concurrency: int) -> LoadResult:
        self.created = []
        async with self._channels(self.server.grpc_address, concurrency) as channels:
            stub = self._stubs(channels)
            request = pb.CreateTaskRequest(file=self.pdf, file_name="bench.pdf")
            metadata = auth(self.server.api_key)

            async def call() -> None:
                task = await stub().CreateTask(request, metadata=metadata)
                self.created.append(task.task_id)

            return await run_load(call, concurrency, self.seconds, cpu=self.cpu)

    async def cancel(self, concurrency: int) -> LoadResult:
        pool = self.created[::-1]
        async with self._channels(self.server.grpc_address, concurrency) as channels:
            stub = self._stubs(channels)
            metadata = auth(self.server.api_key)

            async def call() -> None:
                if pool:
                    await stub().CancelTask(pb.CancelTaskRequest(task_id=pool.pop()), metadata=metadata)

            return await run_load(call, concurrency, self.seconds, warmup=0, until=lambda: not pool, cpu=self.cpu)


def unary_table(results: dict[tuple[str, int], list[LoadResult]], label: str = "", first: bool = True) -> list[str]:
    median = {key: median_result(runs) for key, runs in results.items()}
    names = {
        "echo": "bare grpc.aio echo",
        "get": "GetTask (gRPC)",
        "rest": "GET /api/v1/task/{id} (REST)",
        "create": "CreateTask (gRPC, 1 KB PDF)",
        "cancel": "CancelTask (gRPC)",
    }
    lines = [
        "| path | concurrency | req/s | p50 ms | p99 ms | errors | req/s vs echo | p50 vs gRPC GetTask "
        "| server CPU µs/call | vs echo |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for case, name in names.items():
        if case == "echo" and not first:
            continue
        for concurrency in CONCURRENCY:
            result = median.get((case if case == "echo" else label + case, concurrency))
            if result is None:
                continue
            echo = median.get(("echo", concurrency))
            get = median.get((label + "get", concurrency))
            vs_echo = f"{result.qps / echo.qps:.2f}" if echo and case != "echo" else "—"
            vs_get = f"{result.p50_ms / get.p50_ms:.2f}" if get and case == "rest" else "—"
            cpu = statistics.median(r.cpu_us for r in results[(case if case == "echo" else label + case, concurrency)])
            echo_cpu = statistics.median(r.cpu_us for r in results[("echo", concurrency)]) if echo else None
            cpu_vs_echo = f"{cpu / echo_cpu:.2f}" if echo_cpu and case != "echo" else "—"
            lines.append(
                f"| {label}{name} | {concurrency} | {result.qps:,.0f} | {result.p50_ms:.2f} | {result.p99_ms:.2f} | "
                f"{result.errors} | {vs_echo} | {vs_get} | {cpu:,.0f} | {cpu_vs_echo} |"
            )
    return lines


# -- WatchTask fan-out --------------------------------------------------------


def new_task(server: RunningServer) -> str:
    with open_channel(server.grpc_address) as channel:
        stub = tasks_pb2_grpc.TaskServiceStub(channel)
        return create(stub, server.api_key, CORPUS / "pdf" / "multi_page.pdf").task_id


def cancel_now(address: str, key: str, task_id: str) -> tuple[float, float]:
    """Returns when the cancel was sent and how long it took (monotonic seconds)."""
    with open_channel(address) as channel:
        stub = tasks_pb2_grpc.TaskServiceStub(channel)
        stub.GetTask(pb.GetTaskRequest(task_id=task_id), metadata=auth(key))  # channel warm
        sent = time.monotonic()
        stub.CancelTask(pb.CancelTaskRequest(task_id=task_id), metadata=auth(key))
        return sent, time.monotonic() - sent


def watch_fanout(server: RunningServer, watchers: int) -> dict[str, float]:
    return fanout(server.grpc_address, server.api_key, new_task(server), watchers)


def bare_fanout(address: str, watchers: int) -> dict[str, float]:
    """The same fan-out against bench/echo_server.py's bare WatchTask: grpc.aio's own floor."""
    return fanout(address, "bare", str(uuid.uuid4()), watchers)


def fanout(address: str, key: str, task_id: str, watchers: int) -> dict[str, float]:
    processes = []
    remaining = watchers
    while remaining > 0:
        share = min(remaining, WATCHERS_PER_PROCESS)
        remaining -= share
        processes.append(
            subprocess.Popen(
                [sys.executable, "-m", "bench.watchers", address, key, task_id, str(share)],
                stdout=subprocess.PIPE,
                text=True,
            )
        )
    for process in processes:
        assert process.stdout is not None and process.stdout.readline().strip() == "ready"
    time.sleep(0.5)
    sent, cancel_seconds = cancel_now(address, key, task_id)
    seen: list[float] = []
    for process in processes:
        assert process.stdout is not None
        seen += json.loads(process.stdout.readline())
        process.wait(timeout=60)
    latencies = [(t - sent) * 1000 for t in seen]
    return {
        "p50_ms": statistics.median(latencies),
        "p99_ms": percentile(latencies, 0.99),
        "cancel_ms": cancel_seconds * 1000,
    }


# -- SSE ------------------------------------------------------------------------


async def _sse_client(port: int, path: str, key: str) -> tuple[str, float, asyncio.StreamReader | None, Callable[[], None]]:
    """Opens one SSE stream; returns (status, seconds to the snapshot, reader, close)."""
    began = time.monotonic()
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError as exc:
        return f"connect: {exc}", 0.0, None, lambda: None
    writer.write(
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: {key}\r\n"
        "Accept: text/event-stream\r\n\r\n".encode()
    )
    try:
        head = await reader.readuntil(b"\r\n\r\n")
        status = head[9:12].decode()
        if status != "200":
            body = await asyncio.wait_for(reader.read(300), 5)
            writer.close()
            return f"{status} {body.decode(errors='replace').strip()[:120]}", 0.0, None, lambda: None
        await reader.readuntil(b"\n\n")  # the snapshot event
    except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as exc:
        writer.close()
        return f"read: {exc!r}", 0.0, None, lambda: None
    return "200", time.monotonic() - began, reader, writer.close


async def _sse_burst(server: RunningServer, task_id: str, clients: int) -> dict[str, float]:
    path = f"/api/v1/task/{task_id}/events"
    opened = await asyncio.gather(*(_sse_client(server.http_port, path, server.api_key) for _ in range(clients)))
    failures = [status for status, *_ in opened if status != "200"]
    live = [(reader, close) for status, _, reader, close in opened if reader is not None]
    opens = [seconds * 1000 for status, seconds, *_ in opened if status == "200"]
    await asyncio.sleep(0.5)

    async def changed(reader: asyncio.StreamReader) -> float:
        await reader.readuntil(b"event: changed")
        return time.monotonic()

    waiting = [asyncio.ensure_future(changed(reader)) for reader, _ in live]
    sent, _ = await asyncio.to_thread(cancel_now, server.grpc_address, server.api_key, task_id)
    seen = await asyncio.gather(*waiting, return_exceptions=True)
    for _, close in live:
        close()
    latencies = [(t - sent) * 1000 for t in seen if isinstance(t, float)]
    if failures:
        print(f"SSE burst of {clients}: {len(failures)} failed, e.g. {sorted(set(failures))[:3]}", file=sys.stderr)
    return {
        "failures": float(len(failures) + sum(1 for t in seen if not isinstance(t, float))),
        "open_p50_ms": statistics.median(opens) if opens else float("nan"),
        "open_p99_ms": percentile(opens, 0.99) if opens else float("nan"),
        "event_p50_ms": statistics.median(latencies) if latencies else float("nan"),
        "event_p99_ms": percentile(latencies, 0.99) if latencies else float("nan"),
    }


def sse_burst(server: RunningServer, clients: int) -> dict[str, float]:
    return asyncio.run(_sse_burst(server, new_task(server), clients))


def median_of(runs: list[dict[str, float]]) -> dict[str, float]:
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


# -- the run ------------------------------------------------------------------


def finished_task(server: RunningServer) -> str:
    """One processed task, by a `chunkd worker` that then leaves."""
    worker = server.spawn_worker()
    try:
        with open_channel(server.grpc_address) as channel:
            stub = tasks_pb2_grpc.TaskServiceStub(channel)
            task = create(stub, server.api_key, CORPUS / "pdf" / "multi_page.pdf")
            done = wait_terminal(stub, server.api_key, task.task_id)
            assert done.status == pb.TASK_STATUS_SUCCEEDED, done.message
            return task.task_id
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def postgres_database() -> tuple[str, Callable[[], None]]:
    import asyncpg

    name = f"chunkd_bench_{uuid.uuid4().hex[:8]}"

    async def admin(statement: str) -> None:
        connection = await asyncpg.connect(PG_ADMIN)
        try:
            await connection.execute(statement)
        finally:
            await connection.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    return f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}", lambda: asyncio.run(
        admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--cases", default=",".join((*UNARY_CASES, "watch", "sse")))
    parser.add_argument("--watchers", default=",".join(map(str, WATCHERS)))
    parser.add_argument("--sse-clients", default=",".join(map(str, SSE_CLIENTS)))
    parser.add_argument(
        "--baseline", type=Path, help="a checkout of an older commit: its server is measured beside this one, same rounds"
    )
    parser.add_argument(
        "--processes", default="1", help="CHUNKD_API_PROCESSES values, e.g. 1,2: one server each, measured side by side"
    )
    parser.add_argument(
        "--variant",
        action="append",
        default=[],
        help="LABEL:NAME=VALUE[,NAME=VALUE]: one more server of this checkout with these variables "
        "(e.g. gc:CHUNKD_GC_THRESHOLD=50000), measured beside the others",
    )
    parser.add_argument("--json", type=Path, help="also write every round here")
    args = parser.parse_args()
    cases = args.cases.split(",")
    roots = {"": harness.ROOT, **({"before: ": args.baseline.resolve()} if args.baseline else {})}

    unary: dict[tuple[str, int], list[LoadResult]] = {}
    watch: dict[tuple[str, int], list[dict[str, float]]] = {}
    sse: dict[tuple[str, int], list[dict[str, float]]] = {}
    load_before = Path("/proc/loadavg").read_text().split()[0]
    with contextlib.ExitStack() as stack:
        echo_address = f"127.0.0.1:{free_port()}"
        echo = subprocess.Popen([sys.executable, "-m", "bench.echo_server", echo_address], stdout=subprocess.PIPE)
        stack.callback(echo.terminate)
        assert echo.stdout is not None and echo.stdout.readline().strip() == b"ready"
        benches: dict[str, tuple[RunningServer, Unary]] = {}
        processes = args.processes.split(",")
        servers: list[tuple[str, Path, dict[str, str]]] = []
        for root_label, root in roots.items():
            for count in processes if not root_label else ["1"]:  # the baseline: as it was
                label = root_label or (f"{count} proc: " if len(processes) > 1 else "")
                servers.append((label, root, {"CHUNKD_API_PROCESSES": count}))
        for variant in args.variant:
            name, _, assignments = variant.partition(":")
            extra = dict(assignment.split("=", 1) for assignment in assignments.split(","))
            servers.append((f"{name}: ", harness.ROOT, {"CHUNKD_API_PROCESSES": "1", **extra}))
        for label, root, variables in servers:
            env = {"CHUNKD_LOG_LEVEL": "WARNING", **variables}
            if args.database == "postgresql":
                env["CHUNKD_DATABASE_URL"], drop = postgres_database()
                stack.callback(drop)
            harness.ROOT = root  # where `chunkd serve` runs from
            data = Path(stack.enter_context(tempfile.TemporaryDirectory())) / "chunkd"
            server = start_server(data, env, "--no-worker")
            stack.callback(server.stop)
            benches[label] = server, Unary(server, echo_address, finished_task(server), args.seconds, echo.pid)
        for _ in range(args.rounds):
            for concurrency in CONCURRENCY:
                if "echo" in cases:
                    echo_bench = next(iter(benches.values()))[1]
                    unary.setdefault(("echo", concurrency), []).append(asyncio.run(echo_bench.echo(concurrency)))
                for label, (_, bench) in benches.items():
                    for name in UNARY_CASES[1:]:
                        if name in cases:
                            result = asyncio.run(getattr(bench, name)(concurrency))
                            unary.setdefault((label + name, concurrency), []).append(result)
            if "watch" in cases:
                for n in map(int, args.watchers.split(",")):
                    watch.setdefault(("bare grpc.aio: ", n), []).append(bare_fanout(echo_address, n))
            for label, (server, _) in benches.items():
                if "watch" in cases:
                    for n in map(int, args.watchers.split(",")):
                        watch.setdefault((label, n), []).append(watch_fanout(server, n))
                if "sse" in cases:
                    for n in map(int, args.sse_clients.split(",")):
                        sse.setdefault((label, n), []).append(sse_burst(server, n))
    load_after = Path("/proc/loadavg").read_text().split()[0]

    print(f"{args.database}; median of {args.rounds} rounds of {args.seconds:g} s; load average {load_before} → {load_after}")
    if unary:
        for index, label in enumerate(benches):
            print("\n".join(unary_table(unary, label, first=index == 0)))
    if watch:
        print("\n| WatchTask streams on one task | cancel → event p50 ms | p99 ms | cancel RPC ms |")
        print("| ---: | ---: | ---: | ---: |")
        for (label, n), runs in watch.items():
            m = median_of(runs)
            print(f"| {label}{n:,} | {m['p50_ms']:.1f} | {m['p99_ms']:.1f} | {m['cancel_ms']:.1f} |")
    if sse:
        print(
            "\n| SSE clients opening at once | failures (all rounds) | open → snapshot p50 ms | p99 ms "
            "| cancel → event p50 ms | p99 ms |"
        )
        print("| ---: | ---: | ---: | ---: | ---: | ---: |")
        for (label, n), runs in sse.items():
            m = median_of(runs)
            failed = sum(run["failures"] for run in runs)
            print(
                f"| {label}{n:,} | {failed:.0f} | {m['open_p50_ms']:.1f} | {m['open_p99_ms']:.1f} | "
                f"{m['event_p50_ms']:.1f} | {m['event_p99_ms']:.1f} |"
            )
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "unary": {f"{k[0]}@{k[1]}": [vars(r) for r in v] for k, v in unary.items()},
                    "watch": {f"{k[0]}{k[1]}": v for k, v in watch.items()},
                    "sse": {f"{k[0]}{k[1]}": v for k, v in sse.items()},
                },
                indent=1,
            )
        )


if __name__ == "__main__":
    main()
