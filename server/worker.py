"""Worker: claims Starting tasks under a lease, heartbeats while the pipeline
runs in a process pool, stores the output, and marks the task finished.

The lease token fences every write: once a lease is lost (expired and
requeued, timed out), the late worker's progress and result are refused.
"""

from __future__ import annotations

import asyncio
import ctypes
import logging
import multiprocessing
import os
import resource
import shutil
import signal
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from protos import tasks_pb2 as pb
from server import metrics, tracing
from server.blobs import Blobs, task_prefix
from server.config import Settings
from server.configuration import configuration_from_text
from server.errors import ChunkdError
from server.pipeline import limits
from server.store import Claim, TaskStore
from server.wakeup import QueueListener
from server.workdirs import WorkDirs

log = logging.getLogger(__name__)

PROGRESS_INTERVAL = 0.25  # seconds between progress writes for one task
PR_SET_PDEATHSIG = 1  # prctl(2)


@dataclass(frozen=True)
class Job:
    """Everything a pool process needs; picklable."""

    task_id: str
    input_path: Path
    mime_type: str
    configuration: pb.Configuration  # resolved when the task was created or updated
    workdir: Path
    draw_apart: bool = True  # page images drawn in a drawing process (`draws_apart`)


def draws_apart(running: int) -> bool:
    """Whether a task that starts while `running` tasks of this worker run (itself included)
    draws its page images in a drawing process beside its pipeline process: only while a
    core would otherwise idle. That process parses each page and its fonts again, so once
    every core runs a task it costs throughput (bench/README.md, issue 9)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    return running < cores


@dataclass(frozen=True)
class JobResult:
    output: bytes | None  # a serialized pb.Output whose file references are workdir-relative
    pdf_path: Path | None
    message: str
    failed: bool  # the document cannot be processed: the task fails now
    retry: bool = False  # something went wrong around the document: another attempt may succeed
    ocr_pages: int = 0  # pages OCR read
    page_count: int = 0  # on failure: the pages counted before it (0 = not counted)


STARTED = "Starting"  # the first progress a job reports, once its process is ready


_progress_queue: multiprocessing.Queue[tuple[str, str, int, int]] | None = None


def _init_process(
    progress: multiprocessing.Queue[tuple[str, str, int, int]],
    document_limits: limits.Limits,
    memory: int,
    parent: int,
) -> None:
    """`parent`: the worker's pid, given by the worker: a process it started just before it
    was killed already has another parent, and must leave at once."""
    global _progress_queue
    _progress_queue = progress
    limits.apply(document_limits)
    if memory:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    _die_with_parent(parent)
    threading.Thread(target=_exit_with_parent, args=(parent,), name="parent-watch", daemon=True).start()
    from server.pipeline import drawing

    drawing.warm()  # its page-drawing process starts now, not with the first task


def _die_with_parent(parent: int) -> None:
    """On Linux the kernel kills the process the moment its worker dies, so a restarted
    worker never finds a dead one's process still writing into its folder."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
    except OSError:
        return  # elsewhere the parent-watch thread is enough
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the worker died before the request took effect
        os._exit(1)


def _exit_with_parent(parent: int) -> None:
    """A pool process whose worker was killed would wait for work forever
    (it holds its own end of the job queue); it leaves when orphaned instead."""
    while True:
        time.sleep(1.0)
        if os.getppid() != parent:
            os._exit(1)


def run_job(job: Job) -> JobResult:
    """Runs in a pool process. A bad document is a failed task, never a dead worker."""
    from server.pipeline import process
    from server.pipeline import run as _  # noqa: F401  the imports, before the clock starts

    counted = 0  # the result carries it: progress travels on another queue and may arrive after it

    def report(stage: str, done: int, total: int) -> None:
        nonlocal counted
        counted = total or counted
        if _progress_queue is not None:
            _progress_queue.put((job.task_id, stage, done, total))

    report(STARTED, 0, 0)
    try:
        result = process(job.input_path, job.mime_type, job.configuration, job.workdir, report, job.draw_apart)
    except ChunkdError as exc:
        return JobResult(output=None, pdf_path=None, message=exc.message, failed=True, page_count=counted)
    except MemoryError:
        return JobResult(
            output=None,
            pdf_path=None,
            message="Processing the document needed more memory than a pipeline process may use "
            "(CHUNKD_MAX_PROCESS_MEMORY)",
            failed=True,
            page_count=counted,
        )
    except Exception as exc:  # a parser bug or a vanished file: keep the process, let another attempt try
        logging.getLogger(__name__).exception("pipeline raised on task %s", job.task_id)
        return JobResult(
            output=None,
            pdf_path=None,
            message=f"processing the document raised an unexpected error ({type(exc).__name__})",
            failed=True,
            retry=True,
            page_count=counted,
        )
    return JobResult(
        output=result.output.SerializeToString(),
        pdf_path=result.pdf_path,
        message=result.message,
        failed=False,
        ocr_pages=result.ocr_pages,
    )


def _consume(future: asyncio.Future[JobResult]) -> None:
    """A job given up on: its outcome is of no interest, but must be retrieved."""
    if not future.cancelled():
        future.exception()


class ProgressRelay:
    """Carries progress from pool processes (a multiprocessing queue) to the
    event loop, where the owning task writes it, throttled."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.queue: multiprocessing.Queue[tuple[str, str, int, int]] = multiprocessing.get_context("spawn").Queue()
        self.loop = loop
        self.listeners: dict[str, Watch] = {}
        self._thread = threading.Thread(target=self._pump, name="progress-relay", daemon=True)
        self._thread.start()

    def _pump(self) -> None:
        while True:
            item = self.queue.get()
            if item is None:
                return
            task_id, stage, done, total = item
            self.loop.call_soon_threadsafe(self._deliver, task_id, (stage, done, total))

    def _deliver(self, task_id: str, update: tuple[str, int, int]) -> None:
        listener = self.listeners.get(task_id)
        if listener is not None:
            listener.note(update)

    def close(self) -> None:
        # A pool process killed in the middle of a put leaves the queue's write lock held, and
        # this process's feeder thread would wait for it forever at exit: exit without it.
        self.queue.cancel_join_thread()
        self.queue.put(None)  # type: ignore[arg-type]  # the sentinel that ends _pump; pipeline processes put tuples only


@dataclass
class Watch:
    """One running task's progress: the newest report, for the stall watchdog, and
    the queue its progress writer reads."""

    stage: str = ""
    done: int = 0
    total: int = 0
    at: float | None = None  # monotonic time of the last report; None before the job started
    updates: asyncio.Queue[tuple[str, int, int]] = field(default_factory=asyncio.Queue)
    task_id: str = ""
    owner: str = ""
    file_type: str = "other"
    stage_since: float = 0.0
    span: Any = None  # the task's span when tracing is on; each stage gets a child span
    stage_span: Any = None

    def note(self, update: tuple[str, int, int]) -> None:
        now = time.monotonic()
        if update[0] != self.stage:
            self.end_stage(now)
            self.stage_since = now
            if update[0] != STARTED:
                attributes: tracing.Attributes = {"chunkd.stage": update[0], "chunkd.file_type": self.file_type}
                self.stage_span = tracing.start_child(self.span, f"chunkd.stage.{update[0].lower()}", attributes)
        self.stage, self.done, self.total = update
        self.at = now
        if self.stage != STARTED:
            self.updates.put_nowait(update)

    def end_stage(self, now: float) -> None:
        """The time spent in the stage now left, as a metric and one log event."""
        if not self.stage or self.stage == STARTED:
            return
        tracing.end(self.stage_span, {"chunkd.pages_done": self.done})
        self.stage_span = None
        seconds = now - self.stage_since
        metrics.STAGE_SECONDS.labels(self.stage, self.file_type).observe(seconds)
        log.info(
            "stage finished",
            extra={"task_id": self.task_id, "owner": self.owner, "stage": self.stage, "duration": round(seconds, 4)},
        )


class Slot:
    """One pipeline process. Jobs run one at a time in each, so a process killed
    for a stalled page or crashed by a hostile file takes no other task with it."""

    def __init__(self, relay: ProgressRelay, settings: Settings) -> None:
        self.executor = ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_process,
            initargs=(relay.queue, document_limits(settings), settings.max_process_memory, os.getpid()),
        )

    def kill(self) -> None:
        # ProcessPoolExecutor cannot stop a running job (kill_workers() arrives in 3.14); its processes can.
        for process in list((getattr(self.executor, "_processes", None) or {}).values()):
            process.kill()
        self.executor.shutdown(wait=False, cancel_futures=True)


def document_limits(settings: Settings) -> limits.Limits:
    return limits.Limits(
        max_pages=settings.max_pages,
        max_unpacked_bytes=settings.max_unpacked_bytes,
        max_image_pixels=settings.max_image_pixels,
    )


def _epoch(moment: datetime) -> float:
    """Seconds since the epoch of a stored time (SQLite hands them back without a zone; they are UTC)."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def stall_message(watch: Watch, seconds: float) -> str:
    limit = f"{seconds:g} seconds (CHUNKD_PAGE_TIMEOUT)"
    if watch.stage == "Extracting" and watch.done >= watch.total:  # the second pass began at page 1
        return f"Page 1 took longer than {limit} to process"
    if watch.stage in ("Extracting", "Segmenting"):
        return f"Page {watch.done + 1} took longer than {limit} to process"
    if watch.stage == "Converting":
        return f"Converting the document took longer than {limit}"
    return f"Reading the document took longer than {limit}"


class Worker:
    def __init__(self, settings: Settings, store: TaskStore, blobs: Blobs) -> None:
        self.settings = settings
        self.store = store
        self.blobs = blobs
        self.workdirs = WorkDirs(settings.data_dir / "work", settings.worker_id)
        self._slots: asyncio.Queue[Slot] = asyncio.Queue()
        self._relay: ProgressRelay | None = None
        self._running: set[asyncio.Task[None]] = set()
        self._lost: set[str] = set()  # claims whose lease a heartbeat found lost
        self._wake = asyncio.Event()
        self._queue = QueueListener(store.db, self.kick, settings.poll_seconds, settings.queue_notify)
        self._draining = False

    async def drain(self) -> None:
        """Stop claiming; `run` then gives running tasks drain_seconds and hands back the rest."""
        self._draining = True
        self._wake.set()

    def kick(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        self._relay = ProgressRelay(asyncio.get_running_loop())
        for _ in range(self.settings.worker_processes):
            self._slots.put_nowait(Slot(self._relay, self.settings))
        await asyncio.to_thread(self.workdirs.claim)
        listener = asyncio.create_task(self._queue.run(), name="queue-listener")
        collected_at = 0.0
        try:
            while not self._draining:
                if time.monotonic() - collected_at > self.settings.lease_seconds:
                    collected_at = time.monotonic()
                    await self._collect()
                free = self.settings.worker_concurrency - len(self._running)
                if free > 0:
                    try:
                        claims = await self.store.claim(free, self.settings.lease_seconds)
                    except Exception:
                        log.exception("claiming tasks failed")
                        claims = []
                    if self._draining:  # claimed while the drain began: handed back at once below
                        for claim in claims:
                            await self.store.release(claim, "Task queued again: its worker stopped")
                        break
                    for claim in claims:
                        job = asyncio.create_task(self._handle(claim), name=f"task-{claim.task.id}")
                        self._running.add(job)
                        job.add_done_callback(self._finished)
                    metrics.WORKER_RUNNING.set(len(self._running))
                    if claims and len(claims) == free:
                        continue
                poll = self.settings.queue_fallback_seconds if self._queue.listening else self.settings.poll_seconds
                try:
                    await asyncio.wait_for(self._wake.wait(), timeout=poll)
                except TimeoutError:
                    pass
                self._wake.clear()
            if self._running:
                log.info("draining: %d tasks running, %gs to finish", len(self._running), self.settings.drain_seconds)
                await asyncio.wait(set(self._running), timeout=self.settings.drain_seconds)
        finally:
            listener.cancel()
            await asyncio.gather(listener, return_exceptions=True)
            await self._shutdown()

    async def _collect(self) -> None:
        """The folders that dead workers left, once their leases are gone."""
        try:
            removed = await self.workdirs.collect(self.store.live_leases)
        except Exception:
            log.exception("collecting abandoned work folders failed")
            return
        if removed:
            log.info("removed %d work folders left by stopped workers", removed)

    def _finished(self, job: asyncio.Task[None]) -> None:
        self._running.discard(job)
        metrics.WORKER_RUNNING.set(len(self._running))
        self._wake.set()

    async def _shutdown(self) -> None:
        for job in list(self._running):
            job.cancel()
        await asyncio.gather(*self._running, return_exceptions=True)
        while not self._slots.empty():
            self._slots.get_nowait().executor.shutdown(wait=False, cancel_futures=True)
        if self._relay is not None:
            self._relay.close()
        await asyncio.to_thread(self.workdirs.release)

    async def _handle(self, claim: Claim) -> None:
        task = claim.task
        workdir = self.workdirs.for_task(task.id, claim.token)
        assert self._relay is not None
        watch = Watch(task_id=task.id, owner=task.owner, file_type=metrics.file_type(task.mime_type))
        attributes: tracing.Attributes = {
            "chunkd.task_id": task.id, "chunkd.attempt": task.attempts, "chunkd.file_type": watch.file_type
        }
        watch.span = tracing.start_task_span(task.trace_parent, attributes)
        self._relay.listeners[task.id] = watch
        started = time.monotonic()
        outcome = "handed back"
        log.info("task claimed", extra={"task_id": task.id, "owner": task.owner, "attempt": task.attempts})
        beats = asyncio.create_task(self._heartbeat(claim))
        reporter = asyncio.create_task(self._report(claim, watch.updates))
        try:
            workdir.mkdir(parents=True, exist_ok=True)
            input_path = await asyncio.to_thread(self.blobs.local_copy, task.input_key, workdir)
            job = Job(
                task_id=task.id,
                input_path=input_path,
                mime_type=task.mime_type,
                configuration=configuration_from_text(task.configuration),
                workdir=workdir,
            )
            result = await self._run_in_pool(job, watch, _epoch(task.deadline_at))
            reporter.cancel()
            watch.end_stage(time.monotonic())
            if result.retry:
                await self._retry(claim, result.message, result.page_count or watch.total)
            elif result.failed or result.output is None:
                outcome = "failed"
                await self.store.fail(claim, result.message, page_count=result.page_count or watch.total)
            else:
                outcome = await self._store_output(claim, workdir, result)
        except asyncio.CancelledError:
            await asyncio.shield(self.store.release(claim, "Task queued again: its worker stopped"))
            raise
        except Exception as exc:  # the blob store, the database, a vanished file: not the document's fault
            log.exception("task %s failed unexpectedly", task.id)
            await self._retry(claim, f"an internal error occurred ({type(exc).__name__})", watch.total)
        finally:
            seconds = time.monotonic() - started
            metrics.TASK_SECONDS.labels(watch.file_type, outcome).observe(seconds)
            log.info(
                "task %s",
                outcome,
                extra={"task_id": task.id, "owner": task.owner, "outcome": outcome, "duration": round(seconds, 4)},
            )
            tracing.end(watch.stage_span)  # cut short: the stage never reported its end
            tracing.end(watch.span, {"chunkd.outcome": outcome}, failed=outcome != "succeeded")
            beats.cancel()
            reporter.cancel()
            self._lost.discard(claim.token)
            self._relay.listeners.pop(task.id, None)
            await asyncio.to_thread(shutil.rmtree, workdir, True)

    async def _retry(self, claim: Claim, reason: str, page_count: int) -> None:
        """Hand the task back for another attempt, or fail it after the last one
        (keeping the page count when this attempt had counted the pages)."""
        attempts = claim.task.attempts
        try:
            if attempts >= self.settings.max_attempts:
                plural = "s" if attempts != 1 else ""
                await self.store.fail(
                    claim, f"Task failed after {attempts} attempt{plural}: {reason}", page_count=page_count
                )
            else:
                await self.store.release(claim, f"Task queued again: {reason}")
        except Exception:  # the lease expires and the sweeper requeues the task
            log.exception("handing back task %s failed", claim.task.id)

    async def _run_in_pool(self, job: Job, watch: Watch, deadline: float) -> JobResult:
        """Runs the job in a free pipeline process, killing the process when a page
        stalls past page_timeout or the task passes its deadline."""
        assert self._relay is not None  # made in run(), before the first claim
        slot = await self._slots.get()
        job = replace(job, draw_apart=draws_apart(self.settings.worker_processes - self._slots.qsize()))
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(slot.executor, run_job, job)
        try:
            while True:
                done, _ = await asyncio.wait({future}, timeout=1.0)
                if done:
                    return future.result()
                stalled = watch.at is not None and time.monotonic() - watch.at > self.settings.page_timeout
                if stalled or time.time() > deadline:
                    message = stall_message(watch, self.settings.page_timeout) if stalled else "Task timed out"
                    log.warning("killing the pipeline process of task %s: %s", job.task_id, message)
                    metrics.POOL_RESTARTS.labels("stalled" if stalled else "timed out").inc()
                    future.add_done_callback(_consume)
                    slot.kill()
                    slot = Slot(self._relay, self.settings)
                    return JobResult(output=None, pdf_path=None, message=message, failed=True)
        except BrokenProcessPool:
            log.error("a pipeline process died while processing task %s", job.task_id)
            metrics.POOL_RESTARTS.labels("crashed").inc()
            slot.kill()
            slot = Slot(self._relay, self.settings)
            return JobResult(
                output=None, pdf_path=None, message="its pipeline process crashed", failed=True, retry=True
            )
        except asyncio.CancelledError:
            metrics.POOL_RESTARTS.labels("cancelled").inc()
            future.add_done_callback(_consume)
            slot.kill()
            slot = Slot(self._relay, self.settings)
            raise
        finally:
            self._slots.put_nowait(slot)

    async def _store_output(self, claim: Claim, workdir: Path, result: JobResult) -> str:
        assert result.output is not None
        run = f"{task_prefix(claim.task.id)}/runs/{claim.token}"
        output = pb.Output()
        output.ParseFromString(result.output)

        def upload() -> None:
            def put(relative: str) -> str:
                if not relative:
                    return ""
                key = f"{run}/{relative}"
                self.blobs.put_file(key, workdir / relative)
                return key

            for page in output.pages:
                page.image = put(page.image)
            for chunk in output.chunks:
                for segment in chunk.segments:
                    segment.image = put(segment.image)
            if result.pdf_path is not None:
                key = f"{run}/document.pdf"
                self.blobs.put_file(key, result.pdf_path)
                output.pdf_url = key
            self.blobs.put_bytes(f"{run}/output.pb", output.SerializeToString())

        await asyncio.to_thread(upload)
        previous = claim.task.previous_state
        finished = await self.store.succeed(
            claim, output_key=f"{run}/output.pb", page_count=output.page_count, message=result.message
        )
        if finished is None:  # lease lost meanwhile: this run's files are nobody's
            if claim.token not in self._lost:  # counted once per task, whoever noticed first
                metrics.LEASE_LOSSES.inc()
            await asyncio.to_thread(self.blobs.delete_prefix, run)
            return "lease lost"
        metrics.PAGES.labels(metrics.file_type(claim.task.mime_type)).inc(output.page_count)
        metrics.OCR_PAGES.labels(metrics.file_type(claim.task.mime_type)).inc(result.ocr_pages)
        if previous is not None and previous.output_key:
            await asyncio.to_thread(self.blobs.delete_prefix, os.path.dirname(previous.output_key))
        return "succeeded"

    async def _heartbeat(self, claim: Claim) -> None:
        while True:
            await asyncio.sleep(self.settings.heartbeat_seconds)
            try:
                if not await self.store.heartbeat(claim, self.settings.lease_seconds):
                    self._lost.add(claim.token)
                    metrics.LEASE_LOSSES.inc()
                    log.warning("lost the lease on task %s", claim.task.id)
                    return
            except Exception:
                log.exception("heartbeat for task %s failed", claim.task.id)

    async def _report(self, claim: Claim, updates: asyncio.Queue[tuple[str, int, int]]) -> None:
        last = 0.0
        while True:
            stage, done, total = await updates.get()
            while not updates.empty():  # only the newest matters
                stage, done, total = updates.get_nowait()
            wait = PROGRESS_INTERVAL - (time.monotonic() - last)
            if wait > 0:
                await asyncio.sleep(wait)
                while not updates.empty():
                    stage, done, total = updates.get_nowait()
            last = time.monotonic()
            try:
                await self.store.progress(claim, stage, done, total)
            except Exception:
                log.exception("progress for task %s failed", claim.task.id)
