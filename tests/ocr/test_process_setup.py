"""How the engine behaves inside a worker process: its thread budget, and that
it works with the network unreachable (the models come from the wheels)."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys

import pytest

from tests.harness import CORPUS, ROOT

pytestmark = pytest.mark.usefixtures("engine_installed")


def run_probe(code: str, threads: str | None = None, runtime: str | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("CHUNKD_OCR_THREADS", "CHUNKD_OCR_ENGINE")}
    if threads is not None:
        env["CHUNKD_OCR_THREADS"] = threads
    if runtime is not None:
        env["CHUNKD_OCR_ENGINE"] = runtime
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


def installed(runtime: str) -> None:
    if importlib.util.find_spec(runtime) is None:
        pytest.skip(f"{runtime} is not installed")


@pytest.mark.parametrize("runtime", ["onnxruntime", "openvino"])
@pytest.mark.parametrize("setting, expected", [(None, 1), ("2", 2)])
def test_sessions_use_the_configured_threads(setting: str | None, expected: int, runtime: str) -> None:
    installed(runtime)
    if expected > (os.cpu_count() or 1):
        pytest.skip("needs as many cores as threads asked for")
    threads = run_probe(THREADS, setting, runtime)
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


@pytest.mark.parametrize("runtime", ["onnxruntime", "openvino"])
def test_reads_with_the_network_unreachable(runtime: str) -> None:
    installed(runtime)
    contents = run_probe(OFFLINE.replace("PDF", repr(str(CORPUS / "ocr" / "ocr_test.pdf"))), runtime=runtime)
    assert "Docling bundles PDF document conversion" in " ".join(contents)
