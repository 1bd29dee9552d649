"""Worker: claims Starting tasks under a lease, heartbeats while the pipeline
runs in a process pool, stores the output, and marks the task finished.

The lease token fences every write: once a lease is lost (expired and
requeued, timed out), the late worker's progress and result are refused.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import shutil
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from protos import tasks_pb2 as pb
from server.blobs import BlobStore, task_prefix
from server.config import Settings
from server.errors import ChunkdError
from server.presenter import configuration_from_text
from server.store import Claim, TaskStore

log = logging.getLogger(__name__)

PROGRESS_INTERVAL = 0.25  # seconds between progress writes for one task


@dataclass(frozen=True)
class Job:
    """Everything a pool process needs; picklable."""

    task_id: str
    input_path: Path
    mime_type: str
    configuration: bytes
    workdir: Path


@dataclass(frozen=True)
class JobResult:
    output: bytes | None  # a serialized pb.Output whose file references are workdir-relative
    pdf_path: Path | None
    message: str
    failed: bool


_progress_queue: "multiprocessing.Queue[tuple[str, str, int, int]] | None" = None


def _init_process(progress: "multiprocessing.Queue[tuple[str, str, int, int]]") -> None:
    global _progress_queue
    _progress_queue = progress
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), name="parent-watch", daemon=True).start()


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

    def report(stage: str, done: int, total: int) -> None:
        if _progress_queue is not None:
            _progress_queue.put((job.task_id, stage, done, total))

    configuration = pb.Configuration()
    configuration.ParseFromString(job.configuration)
    try:
        result = process(job.input_path, job.mime_type, configuration, job.workdir, report)
    except ChunkdError as exc:
        return JobResult(output=None, pdf_path=None, message=exc.message, failed=True)
    except Exception as exc:  # a parser bug on a hostile file: fail the task, keep the process
        logging.getLogger(__name__).exception("pipeline crashed on task %s", job.task_id)
        return JobResult(
            output=None, pdf_path=None, message=f"Could not process the document ({type(exc).__name__})", failed=True
        )
    return JobResult(
        output=result.output.SerializeToString(), pdf_path=result.pdf_path, message=result.message, failed=False
    )


class ProgressRelay:
    """Carries progress from pool processes (a multiprocessing queue) to the
    event loop, where the owning task writes it, throttled."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.queue: multiprocessing.Queue[tuple[str, str, int, int]] = multiprocessing.get_context("spawn").Queue()
        self.loop = loop
        self.listeners: dict[str, asyncio.Queue[tuple[str, int, int]]] = {}
        self._thread = threading.Thread(target=self._pump, name="progress-relay", daemon=True)
        self._thread.start()

    def _pump(self) -> None:
        while True:
            item = self.queue.get()
            if item is None:  # type: ignore[comparison-overlap]
                return
            task_id, stage, done, total = item
            self.loop.call_soon_threadsafe(self._deliver, task_id, (stage, done, total))

    def _deliver(self, task_id: str, update: tuple[str, int, int]) -> None:
        listener = self.listeners.get(task_id)
        if listener is not None:
            listener.put_nowait(update)

    def close(self) -> None:
        self.queue.put(None)  # type: ignore[arg-type]


class Worker:
    def __init__(self, settings: Settings, store: TaskStore, blobs: BlobStore) -> None:
        self.settings = settings
        self.store = store
        self.blobs = blobs
        self.workroot = settings.data_dir / "work"
        self._pool: ProcessPoolExecutor | None = None
        self._relay: ProgressRelay | None = None
        self._running: set[asyncio.Task[None]] = set()
        self._wake = asyncio.Event()

    def kick(self) -> None:
        self._wake.set()

    def _new_pool(self) -> ProcessPoolExecutor:
        assert self._relay is not None
        return ProcessPoolExecutor(
            max_workers=self.settings.worker_processes,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_process,
            initargs=(self._relay.queue,),
        )

    async def run(self) -> None:
        self._relay = ProgressRelay(asyncio.get_running_loop())
        self._pool = self._new_pool()
        shutil.rmtree(self.workroot, ignore_errors=True)
        try:
            while True:
                free = self.settings.worker_concurrency - len(self._running)
                if free > 0:
                    try:
                        claims = await self.store.claim(free, self.settings.lease_seconds)
                    except Exception:
                        log.exception("claiming tasks failed")
                        claims = []
                    for claim in claims:
                        job = asyncio.create_task(self._handle(claim), name=f"task-{claim.task.id}")
                        self._running.add(job)
                        job.add_done_callback(self._finished)
                    if claims and len(claims) == free:
                        continue
                try:
                    await asyncio.wait_for(self._wake.wait(), timeout=self.settings.poll_seconds)
                except TimeoutError:
                    pass
                self._wake.clear()
        finally:
            await self._shutdown()

    def _finished(self, job: asyncio.Task[None]) -> None:
        self._running.discard(job)
        self._wake.set()

    async def _shutdown(self) -> None:
        for job in list(self._running):
            job.cancel()
        await asyncio.gather(*self._running, return_exceptions=True)
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
        if self._relay is not None:
            self._relay.close()

    async def _handle(self, claim: Claim) -> None:
        task = claim.task
        workdir = self.workroot / f"{task.id}-{claim.token}"
        assert self._relay is not None
        updates: asyncio.Queue[tuple[str, int, int]] = asyncio.Queue()
        self._relay.listeners[task.id] = updates
        beats = asyncio.create_task(self._heartbeat(claim))
        reporter = asyncio.create_task(self._report(claim, updates))
        try:
            workdir.mkdir(parents=True, exist_ok=True)
            job = Job(
                task_id=task.id,
                input_path=self.blobs.path(task.input_key),
                mime_type=task.mime_type,
                configuration=configuration_from_text(task.configuration).SerializeToString(),
                workdir=workdir,
            )
            result = await self._run_in_pool(job)
            if result is None and task.attempts >= self.settings.max_attempts:
                await self.store.fail(
                    claim, f"Task failed after {task.attempts} attempts: processing the document crashed"
                )
                return
            if result is None:
                await self.store.release(claim, "Task queued again: its worker process crashed")
                return
            reporter.cancel()
            if result.failed or result.output is None:
                await self.store.fail(claim, result.message)
            else:
                await self._store_output(claim, workdir, result)
        except asyncio.CancelledError:
            await asyncio.shield(self.store.release(claim, "Task queued again: its worker stopped"))
            raise
        except Exception:
            log.exception("task %s failed unexpectedly", task.id)
            await self.store.fail(claim, "Internal error while processing the task")
        finally:
            beats.cancel()
            reporter.cancel()
            self._relay.listeners.pop(task.id, None)
            await asyncio.to_thread(shutil.rmtree, workdir, True)

    async def _run_in_pool(self, job: Job) -> JobResult | None:
        """None when a pool process died under the job (a crash in native code)."""
        assert self._pool is not None
        pool = self._pool
        try:
            return await asyncio.get_running_loop().run_in_executor(pool, run_job, job)
        except BrokenProcessPool:
            log.error("a pipeline process died while processing task %s", job.task_id)
            if self._pool is pool:
                pool.shutdown(wait=False, cancel_futures=True)
                self._pool = self._new_pool()
            return None

    async def _store_output(self, claim: Claim, workdir: Path, result: JobResult) -> None:
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
            await asyncio.to_thread(self.blobs.delete_prefix, run)
        elif previous is not None and previous.output_key:
            await asyncio.to_thread(self.blobs.delete_prefix, os.path.dirname(previous.output_key))

    async def _heartbeat(self, claim: Claim) -> None:
        while True:
            await asyncio.sleep(self.settings.heartbeat_seconds)
            try:
                if not await self.store.heartbeat(claim, self.settings.lease_seconds):
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
