"""Office documents through LibreOffice: old binary formats and a missing soffice."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from protos import tasks_pb2 as pb
from server.errors import PipelineError
from server.pipeline import convert, detect
from tests.harness import CORPUS
from tests.pipeline.support import of_type, run_pipeline

needs_soffice = pytest.mark.skipif(
    convert.soffice_path() is None,
    reason="LibreOffice (soffice) is not installed: apt-get install libreoffice-core-nogui libreoffice-calc-nogui ...",
)


def test_without_libreoffice_office_files_fail_with_the_install_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(convert, "soffice_path", lambda: None)
    with pytest.raises(PipelineError) as failure:
        run_pipeline(CORPUS / "office" / "word_sample.docx", tmp_path)
    assert failure.value.message == convert.SOFFICE_MISSING
    assert "apt-get install libreoffice-core-nogui" in failure.value.message


@needs_soffice
def test_an_old_binary_workbook_is_read_as_sheets_and_tables(tmp_path: Path) -> None:
    source = tmp_path / "book.xlsx"
    source.write_bytes((CORPUS / "office" / "xlsx_01.xlsx").read_bytes())
    subprocess.run(
        [str(convert.soffice_path()), f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
         "--convert-to", "xls", "--outdir", str(tmp_path), str(source)],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    xls = tmp_path / "book.xls"
    assert detect.sniff(xls.read_bytes()) == detect.OLE and detect.ole_extension(xls.read_bytes()) == ".xls"
    result = run_pipeline(xls, tmp_path / "work")
    assert [h.text for h in of_type(result, pb.SEGMENT_TYPE_SECTION_HEADER)][:2] == ["Sheet1", "Sheet2"]
    first = of_type(result, pb.SEGMENT_TYPE_TABLE)[0]
    assert first.markdown.splitlines()[:3] == ["| first | second | third |", "| --- | --- | --- |", "| 1 | 5 | 9 |"]
