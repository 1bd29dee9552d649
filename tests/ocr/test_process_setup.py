"""How the engine behaves inside a worker process: its thread budget, and that
it works with the network unreachable (the models come from the wheels)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.harness import CORPUS, ROOT

pytestmark = pytest.mark.usefixtures("engine_installed")


def run_probe(code: str, threads: str | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "CHUNKD_OCR_THREADS"}
    if threads is not None:
        env["CHUNKD_OCR_THREADS"] = threads
    done = subprocess.run(
        [sys.executable, "-c", code], check=False, cwd=ROOT, capture_output=True, text=True, timeout=240, env=env
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


THREADS = r"""
import json
from server.pipeline.ocr import engine as ocr_engine
print(json.dumps(ocr_engine.session_threads()))
"""


@pytest.mark.parametrize("setting, expected", [(None, 1), ("2", 2)])
def test_sessions_use_the_configured_threads(setting: str | None, expected: int) -> None:
    if expected > (os.cpu_count() or 1):
        pytest.skip("needs as many cores as threads asked for")
    threads = run_probe(THREADS, setting)
    assert len(threads) == 3, "det, rec and layout: one set of sessions per process"
    assert threads == [expected] * 3


OFFLINE = r"""
import json, socket
def refuse(*args, **kwargs):
    raise OSError("network disabled for this test")
socket.socket.connect = refuse
socket.create_connection = refuse
import pypdfium2 as pdfium
from server.pipeline.ocr import read_page
page = pdfium.PdfDocument(PDF)[0]
width, height = page.get_size()
segments = read_page(page.render(scale=150 / 72).to_pil(), 1, width, height, use_layout=True)
print(json.dumps([s.content for s in segments]))
"""


def test_reads_with_the_network_unreachable() -> None:
    contents = run_probe(OFFLINE.replace("PDF", repr(str(CORPUS / "ocr" / "ocr_test.pdf"))))
    assert "Docling bundles PDF document conversion" in " ".join(contents)
