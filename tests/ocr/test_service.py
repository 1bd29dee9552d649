"""OCR through the real service: a scan uploaded over gRPC comes back as OCR
text segments, read the right way up, in the task's output."""

from __future__ import annotations

from pathlib import Path

import pytest

from protos import tasks_pb2 as pb
from protos import tasks_pb2_grpc
from tests.harness import CORPUS
from tests.ocr.conftest import score
from tests.support import create, wait_terminal

pytestmark = pytest.mark.usefixtures("engine_installed")


@pytest.mark.parametrize("strategy", [pb.OCR_STRATEGY_AUTO, pb.OCR_STRATEGY_ALL], ids=["auto", "all"])
def test_upside_down_scan_is_read_by_the_service(
    stub: tasks_pb2_grpc.TaskServiceStub, api_key: str, strategy: int, tmp_path: Path
) -> None:
    config = pb.Configuration(ocr_strategy=strategy)  # type: ignore[arg-type]
    task = create(stub, api_key, CORPUS / "ocr" / "ocr_test_rotated_180.pdf", config)
    done = wait_terminal(stub, api_key, task.task_id, timeout=240)
    assert done.status == pb.TASK_STATUS_SUCCEEDED, done.message
    segments = [s for chunk in done.output.chunks for s in chunk.segments]
    text = [s for s in segments if s.ocr]
    assert text, "the scan's text comes from OCR"
    markdown = "\n\n".join(s.markdown or s.content for s in segments)
    assert score(markdown, CORPUS / "expected" / "ocr_test.md", tmp_path)["words"] >= 0.9
    for segment in text:
        assert segment.page_number == 1
        assert all(0.5 <= line.confidence <= 1 for line in segment.ocr)
