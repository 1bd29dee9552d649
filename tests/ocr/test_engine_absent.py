"""Without the [ocr] extra chunkd must say how to install it, not crash or
download. A real subprocess in which importing the engine fails, as it does
when the package is missing."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.harness import ROOT

PROBE = r"""
import json, sys
for name in BLOCKED:
    sys.modules[name] = None  # import now raises ImportError, as when not installed
from PIL import Image
from server.pipeline import ocr
result = {"available": ocr.available()}
try:
    ocr.read_page(Image.new("RGB", (200, 100), "white"), 1, 72.0, 36.0)
except ocr.OcrUnavailable as exc:
    from server.errors import PipelineError
    result.update(raised=type(exc).__name__, message=exc.message, pipeline_error=isinstance(exc, PipelineError))
print(json.dumps(result))
"""


@pytest.mark.parametrize(
    "blocked",
    [["rapidocr"], ["rapidocr", "rapid_layout", "onnxruntime", "openvino", "cv2", "numpy"]],
    ids=["engine", "whole-extra"],
)
def test_missing_engine_is_a_clear_pipeline_error(blocked: list[str]) -> None:
    code = PROBE.replace("BLOCKED", repr(blocked))
    done = subprocess.run(
        [sys.executable, "-c", code], check=False, cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["available"] is False
    assert result["raised"] == "OcrUnavailable" and result["pipeline_error"] is True
    assert "pip install 'chunkd[ocr]'" in result["message"]
