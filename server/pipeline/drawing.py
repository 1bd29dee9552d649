"""Page images drawn in a process of their own, beside the pipeline.

pdfium may be called from one thread of a process at a time, so in-process the page
drawings (about 12 ms a page at 144 dpi) and the text layer (about 7 ms) took turns,
whatever the cores. A drawing process has its own pdfium, opened on the same file: it
draws page N and writes its JPEG while the pipeline reads and lays out other pages.

The pipeline asks for each page as soon as its text layer tells the resolution and turn
(`prepare`); the drawing process draws the pages in order, writes each page image at
once and keeps the bitmaps of the first pages not yet written, for their crops, up to
`keep` bytes (at least one page). Crop requests
(`write`) go before drawings still waiting, so a kept bitmap is freed as soon as its page
is laid out; a page whose bitmap was not kept is drawn again for its crops (pdfium draws
a page the same way every time). Besides those, at most the two bitmaps waiting to be
encoded and the one being drawn are held.

One drawing process serves one pipeline process for its whole life (it starts in about
a second), one document at a time; it ends when the pipeline process does (its end of
the socket closes, and on Linux the kernel kills it with its parent).
"""

from __future__ import annotations

import contextlib
import ctypes
import itertools
import os
import signal
import socket
import subprocess
import sys
import threading
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
from PIL import Image
from pypdfium2 import raw

from server.errors import PipelineError
from server.pipeline import limits
from server.pipeline.geometry import Box
from server.pipeline.images import Drawn, PageImage, page_path, render_page, save_crop, write_jpeg

KEEP = 64 << 20  # bytes of bitmaps held for crops: a letter page at 144 dpi takes 7.8 MB
_ROOT = str(Path(__file__).resolve().parent.parent.parent)
_ENDED = "the process drawing the page images ended"
_PR_SET_PDEATHSIG = 1


class DrawingFailed(Exception):
    """pdfium or the JPEG writer failed on a page, in the drawing process (`repr` of the error there)."""


Failure = tuple[str, str]  # ("pipeline" | "memory" | "error", message)


def _failure(exc: BaseException) -> Failure:
    if isinstance(exc, PipelineError):
        return ("pipeline", exc.message)
    if isinstance(exc, MemoryError):
        return ("memory", "")
    return ("error", repr(exc))


def _raise(failure: Failure) -> None:
    kind, message = failure
    if kind == "pipeline":
        raise PipelineError(message)
    if kind == "memory":
        raise MemoryError()
    raise DrawingFailed(message)


class Drawer:
    """One drawing process and the pipeline's end of its socket: requests go out with an id,
    a reader thread settles each one's future when its reply comes back."""

    def __init__(self) -> None:
        mine, theirs = socket.socketpair()
        code = f"import sys; sys.path.insert(0, {_ROOT!r}); from server.pipeline.drawing import serve; serve()"
        self.process = subprocess.Popen(
            [sys.executable, "-c", code, str(theirs.fileno()), str(os.getpid())],
            pass_fds=(theirs.fileno(),),
            stdin=subprocess.DEVNULL,
            close_fds=True,
        )
        theirs.close()
        self._connection = Connection(mine.detach())
        self._ids = itertools.count()
        self._waiting: dict[int, Future[Any]] = {}
        self._lock = threading.Lock()
        self._ended = False
        threading.Thread(target=self._read, name="page-drawer-replies", daemon=True).start()

    def alive(self) -> bool:
        return not self._ended and self.process.poll() is None

    def request(self, *message: Any) -> Future[Any]:
        """Send `message`; the future holds the reply, or fails when the drawing process ended."""
        future: Future[Any] = Future()
        with self._lock:
            if self._ended:
                future.set_exception(PipelineError(f"The page images could not be drawn: {_ENDED}"))
                return future
            number = next(self._ids)
            self._waiting[number] = future
            try:
                self._connection.send((number, *message))
            except OSError:
                del self._waiting[number]
                future.set_exception(PipelineError(f"The page images could not be drawn: {_ENDED}"))
        return future

    def _read(self) -> None:
        while True:
            try:
                number, reply = self._connection.recv()
            except (EOFError, OSError):
                break
            with self._lock:
                future = self._waiting.pop(number)
            future.set_result(reply)
        with self._lock:
            self._ended = True
            waiting, self._waiting = list(self._waiting.values()), {}
        for future in waiting:
            future.set_exception(PipelineError(f"The page images could not be drawn: {_ENDED}"))

    def stop(self) -> None:
        """End the process (it leaves when its socket closes) and wait for it."""
        with contextlib.suppress(OSError):
            self._connection.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


_idle: list[Drawer] = []
_idle_lock = threading.Lock()
# Drawing processes are started from one thread that lives as long as this process: Linux
# kills a child whose parent dies when the thread that started it ends.
_starter = ThreadPoolExecutor(max_workers=1, thread_name_prefix="page-drawer-start")


def acquire() -> Drawer:
    """A running drawing process no other document is using, started if there is none."""
    with _idle_lock:
        while _idle:
            drawer = _idle.pop()
            if drawer.alive():
                return drawer
            drawer.stop()
    return _starter.submit(Drawer).result()


def release(drawer: Drawer) -> None:
    with _idle_lock:
        _idle.append(drawer)


def warm() -> None:
    """Start a drawing process ahead of the first document (a pipeline process's start-up)."""
    release(acquire())


class PageImages:
    """A document's page images and crops, drawn and written by a drawing process.

    `prepare` asks for a page as soon as its resolution and turn are known, `render` takes
    that drawing (or asks again when the page is wanted otherwise), `write` gives the
    page's crops once its segments are known, `close` waits for every file."""

    def __init__(self, pdf: Path, workdir: Path, keep: int | None = None) -> None:
        self._drawer = acquire()
        self._drawer.request("open", str(pdf), str(workdir), limits.current(), KEEP if keep is None else keep)
        self._early: dict[int, tuple[float, int, bool, Future[Drawn]]] = {}
        self._writes: deque[Future[Failure | None]] = deque()
        self.pdfium_lock = threading.Lock()  # as `InProcessImages`': this process's pdfium is the pipeline's alone

    def hold(self, index: int, page: pdfium.PdfPage) -> bool:
        """False: the page the text pass loaded is of no use to another process's pdfium."""
        return False

    def prepare(self, index: int, dpi: float, rotation: int, pixels: bool = False) -> None:
        """Ask for page `index` (0-based) before its turn; `pixels`: the bitmap comes back too.
        Asked again otherwise, the page is drawn again (the drawing process draws in order, so
        the page image written last is the one asked for last)."""
        early = self._early.get(index)
        if early is None or early[:2] != (dpi, rotation) or (pixels and not early[2]):
            self._early[index] = (dpi, rotation, pixels, self._draw(index, dpi, rotation, pixels))

    def render(self, index: int, dpi: float, rotation: int, pixels: bool = False) -> Future[Drawn]:
        """Page `index` drawn (the future fails as the page's drawing did), and its image written."""
        early = self._early.pop(index, None)
        if early is not None and early[:2] == (dpi, rotation) and (early[2] or not pixels):
            return early[3]
        return self._draw(index, dpi, rotation, pixels)

    def _draw(self, index: int, dpi: float, rotation: int, pixels: bool) -> Future[Drawn]:
        drawn: Future[Drawn] = Future()

        def settle(reply: Future[Any]) -> None:
            try:
                failure, data, size = reply.result()
                if failure is not None:
                    _raise(failure)
                image = Image.frombytes("RGBX", size, data) if data is not None else None
                drawn.set_result(Drawn(index, dpi, rotation, image, page_path(index + 1)))
            except BaseException as exc:  # noqa: BLE001  the page's failure, raised where it is awaited
                drawn.set_exception(exc)

        self._drawer.request("draw", index, dpi, rotation, pixels).add_done_callback(settle)
        return drawn

    def write(self, drawing: Future[Drawn], crops: list[tuple[Box, str]]) -> None:
        """Cut each (box, name) crop out of the page's drawing as `crop_path(name)`."""
        page = drawing.result()
        if page.image is not None:
            page.image.close()
        self._writes.append(self._drawer.request("write", page.index, page.dpi, page.rotation, crops))

    def close(self) -> None:
        """Wait for every file; raises the first write that failed. Drawings never used are dropped."""
        try:
            while self._writes:
                failure = self._writes.popleft().result()
                if failure is not None:
                    _raise(failure)
        finally:
            self._early.clear()
            with contextlib.suppress(PipelineError):
                self._drawer.request("close").result()
            release(self._drawer)


# The drawing process's side.


class _Queue:
    """Requests as they arrive, crops and closing before drawings still waiting."""

    def __init__(self) -> None:
        self._urgent: deque[tuple[Any, ...] | None] = deque()  # None: the pipeline went away
        self._draws: deque[tuple[Any, ...]] = deque()
        self._ready = threading.Condition()

    def put(self, request: tuple[Any, ...] | None) -> None:
        with self._ready:
            if request is not None and request[1] == "draw":
                self._draws.append(request)
            else:
                self._urgent.append(request)
            self._ready.notify()

    def get(self) -> tuple[Any, ...] | None:
        with self._ready:
            while not self._urgent and not self._draws:
                self._ready.wait()
            return self._urgent.popleft() if self._urgent else self._draws.popleft()

    def drop_draws(self) -> list[tuple[Any, ...]]:
        with self._ready:
            dropped, self._draws = list(self._draws), deque()
            return dropped


class _Pages:
    """The open document and the bitmaps kept for crops, on the thread that calls pdfium;
    JPEG encoding on a thread of its own (it releases the GIL), so page N+1 is drawn while
    page N is encoded. Every bitmap is closed on the encoding thread, after its last use."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._sending = threading.Lock()
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="page-write")
        self._room = threading.BoundedSemaphore(2)  # bitmaps drawn and waiting to be encoded
        self.document: pdfium.PdfDocument | None = None
        self.opening: Failure | None = None
        self.workdir = Path()
        self.keep = KEEP
        self.held_bytes = 0
        self.held: dict[int, tuple[float, int, Image.Image]] = {}
        self.failures: dict[int, Failure] = {}  # the encoding thread's: page images it could not write

    def send(self, number: int, reply: Any) -> None:
        with self._sending:
            self._connection.send((number, reply))

    def open(self, path: str, workdir: str, document_limits: limits.Limits, keep: int) -> None:
        self.close()
        limits.apply(document_limits)
        self.workdir, self.keep = Path(workdir), keep
        try:
            self.document = pdfium.PdfDocument(path)
            if self.document.get_formtype() != raw.FORMTYPE_NONE:
                self.document.init_forms()  # as the pipeline opens it: field values are drawn
        except Exception as exc:  # the pipeline opened it; each page says so if this one cannot
            self.opening = _failure(exc)

    def _render(self, index: int, dpi: float, rotation: int) -> Image.Image:
        if self.opening is not None:
            _raise(self.opening)
        if self.document is None:
            raise PipelineError("No document is open to draw")
        image: Image.Image = render_page(self.document, index, dpi, rotation)
        return image

    def draw(self, number: int, index: int, dpi: float, rotation: int, pixels: bool) -> None:
        """Draw the page, answer, then write its image; keep the bitmap for the crops while there is room."""
        try:
            image = self._render(index, dpi, rotation)
        except Exception as exc:
            self.send(number, (_failure(exc), None, None))
            return
        self.send(number, (None, image.tobytes() if pixels else None, image.size))
        self._free(index)
        size = len(image.getbands()) * image.width * image.height
        keep = not self.held or self.held_bytes + size <= self.keep
        if keep:
            self.held[index] = (dpi, rotation, image)
            self.held_bytes += size
        self._room.acquire()
        self._writer.submit(self._encode, index, image, not keep)

    def _free(self, index: int, close: bool = True) -> None:
        """Let go of page `index`'s kept bitmap (closed once the encoding thread is done with it)."""
        held = self.held.pop(index, None)
        if held is not None:
            self.held_bytes -= len(held[2].getbands()) * held[2].width * held[2].height
            if close:
                self._writer.submit(held[2].close)

    def _encode(self, index: int, image: Image.Image, close: bool) -> None:
        try:
            write_jpeg(image, page_path(index + 1), self.workdir)
        except Exception as exc:
            self.failures[index] = _failure(exc)
        finally:
            if close:
                image.close()
            self._room.release()

    def crop(self, number: int, index: int, dpi: float, rotation: int, crops: list[tuple[Box, str]]) -> None:
        """Cut the crops out of the kept bitmap (or a fresh drawing of the page) and answer."""
        held = self.held.get(index)
        image = held[2] if held is not None and held[:2] == (dpi, rotation) else None
        self._free(index, close=image is None)
        failure: Failure | None = None
        if image is None and crops:
            try:
                image = self._render(index, dpi, rotation)
            except Exception as exc:
                failure = _failure(exc)
        self._writer.submit(self._cut, number, index, dpi, image, crops, failure)

    def _cut(
        self,
        number: int,
        index: int,
        dpi: float,
        image: Image.Image | None,
        crops: list[tuple[Box, str]],
        failure: Failure | None,
    ) -> None:
        try:
            failure = self.failures.pop(index, None) or failure
            if failure is None and image is not None:
                page = PageImage(image=image, dpi=dpi, path=page_path(index + 1))
                for box, name in crops:
                    save_crop(page, box, name, self.workdir)
        except Exception as exc:
            failure = _failure(exc)
        finally:
            if image is not None:
                image.close()
        self.send(number, failure)

    def _forget(self, images: list[Image.Image]) -> None:
        for image in images:
            image.close()
        self.failures.clear()

    def close(self) -> None:
        """Free every bitmap once the encoding thread is done with them, and close the document."""
        held, self.held, self.held_bytes = [image for _, _, image in self.held.values()], {}, 0
        self._writer.submit(self._forget, held).result()
        self.opening = None
        if self.document is not None:
            self.document.close()
            self.document = None


def _die_with_parent(parent: int) -> None:
    """On Linux the kernel kills this process the moment the pipeline process dies
    (killed for a stalled page, say); elsewhere it leaves when its socket closes."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(1)


def _receive(connection: Connection, queue: _Queue) -> None:
    while True:
        try:
            queue.put(connection.recv())
        except (EOFError, OSError):
            queue.put(None)
            return


def serve() -> None:
    """The drawing process: `python -c ... FD PARENT_PID`."""
    _die_with_parent(int(sys.argv[2]))
    connection = Connection(int(sys.argv[1]))
    queue = _Queue()
    threading.Thread(target=_receive, args=(connection, queue), name="requests", daemon=True).start()
    pages = _Pages(connection)
    while (request := queue.get()) is not None:
        number, kind, *arguments = request
        if kind == "open":
            pages.open(*arguments)
            pages.send(number, None)
        elif kind == "draw":
            pages.draw(number, *arguments)
        elif kind == "write":
            pages.crop(number, *arguments)
        elif kind == "close":
            for dropped in queue.drop_draws():
                pages.send(dropped[0], (("pipeline", "dropped"), None, None))
            pages.close()
            pages.send(number, None)
    pages.close()
