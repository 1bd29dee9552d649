"""Every file of the shared corpus through `process()`: bad files fail with a
readable message, good ones give segments of the kinds they visibly contain,
and born-digital PDFs keep their text and reading order."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from protos import tasks_pb2 as pb
from server.errors import PipelineError
from tests.harness import CORPUS
from tests.pipeline.support import markdown_of, run_pipeline, segments_of

T = pb
BAD = {
    "empty.pdf": "The file is empty",
    "truncated.pdf": "The PDF is damaged or truncated and cannot be read",
    "not_a_pdf.pdf": "The PDF is damaged or truncated and cannot be read",
    "password_protected.pdf": "The PDF is password-protected",
}
EXPECTED_KINDS = {
    "pdf/2305.03393v1-pg9.pdf": {
        T.SEGMENT_TYPE_SECTION_HEADER,
        T.SEGMENT_TYPE_TABLE,
        T.SEGMENT_TYPE_CAPTION,
        T.SEGMENT_TYPE_TEXT,
    },
    "pdf/amt_handbook_sample.pdf": {T.SEGMENT_TYPE_SECTION_HEADER, T.SEGMENT_TYPE_PICTURE, T.SEGMENT_TYPE_CAPTION},
    "pdf/code_and_formula.pdf": {T.SEGMENT_TYPE_SECTION_HEADER, T.SEGMENT_TYPE_CAPTION, T.SEGMENT_TYPE_TEXT},
    "pdf/multi_page.pdf": {T.SEGMENT_TYPE_SECTION_HEADER, T.SEGMENT_TYPE_LIST_ITEM, T.SEGMENT_TYPE_TEXT},
    "pdf/normal_4pages.pdf": {
        T.SEGMENT_TYPE_TITLE,
        T.SEGMENT_TYPE_SECTION_HEADER,
        T.SEGMENT_TYPE_TABLE,
        T.SEGMENT_TYPE_FOOTNOTE,
    },
    "pdf/redp5110_sampled.pdf": {
        T.SEGMENT_TYPE_TITLE,
        T.SEGMENT_TYPE_SECTION_HEADER,
        T.SEGMENT_TYPE_TABLE,
        T.SEGMENT_TYPE_PICTURE,
        T.SEGMENT_TYPE_LIST_ITEM,
    },
    "pdf/right_to_left_01.pdf": {T.SEGMENT_TYPE_SECTION_HEADER, T.SEGMENT_TYPE_TEXT},
    "html/example_03.html": {
        T.SEGMENT_TYPE_TITLE,
        T.SEGMENT_TYPE_SECTION_HEADER,
        T.SEGMENT_TYPE_LIST_ITEM,
        T.SEGMENT_TYPE_TABLE,
    },
    "html/wiki_duck.html": {
        T.SEGMENT_TYPE_TITLE,
        T.SEGMENT_TYPE_SECTION_HEADER,
        T.SEGMENT_TYPE_PICTURE,
        T.SEGMENT_TYPE_TABLE,
    },
    "office/lorem_ipsum.docx": {T.SEGMENT_TYPE_TEXT},
    "office/word_sample.docx": {
        T.SEGMENT_TYPE_SECTION_HEADER,
        T.SEGMENT_TYPE_LIST_ITEM,
        T.SEGMENT_TYPE_TABLE,
        T.SEGMENT_TYPE_PICTURE,
    },
    "office/powerpoint_sample.pptx": {T.SEGMENT_TYPE_TITLE, T.SEGMENT_TYPE_LIST_ITEM, T.SEGMENT_TYPE_TABLE},
    "office/xlsx_01.xlsx": {T.SEGMENT_TYPE_SECTION_HEADER, T.SEGMENT_TYPE_TABLE},
}
# words of the reference Markdown a born-digital PDF must reproduce, and their order
MIN_WORDS, MIN_ORDER = 0.9, 0.85


def _scorer():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("score_markdown", CORPUS.parent / "tools" / "score_markdown.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.score


def test_the_corpus_is_covered() -> None:
    files = {
        str(p.relative_to(CORPUS))
        for p in CORPUS.rglob("*")
        if p.is_file() and p.parent.name in ("pdf", "html", "office")
    }
    assert files == set(EXPECTED_KINDS)
    assert {p.name for p in (CORPUS / "bad").iterdir()} == set(BAD)


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_files_fail_with_a_readable_message(name: str, tmp_path: Path) -> None:
    with pytest.raises(PipelineError) as failure:
        run_pipeline(CORPUS / "bad" / name, tmp_path)
    assert failure.value.message == BAD[name]


@pytest.mark.parametrize("relative", sorted(EXPECTED_KINDS))
def test_documents_give_segments_of_the_expected_kinds(relative: str, tmp_path: Path) -> None:
    result = run_pipeline(CORPUS / relative, tmp_path)
    kinds = {s.segment_type for s in segments_of(result)}
    missing = EXPECTED_KINDS[relative] - kinds
    assert not missing, f"no {[pb.SegmentType.Name(k) for k in missing]} in {relative}"
    # office files also say how they were laid out, and which hidden sheets were skipped
    assert result.message == "Task succeeded" or (relative.startswith("office/") and "Task succeeded" in result.message)
    assert not kinds & {T.SEGMENT_TYPE_PAGE_HEADER, T.SEGMENT_TYPE_PAGE_FOOTER}  # ignored by default
    for page in result.output.pages:
        assert (tmp_path / page.image).is_file()
    for segment in segments_of(result):
        if segment.segment_type == T.SEGMENT_TYPE_PICTURE and relative.startswith("pdf/"):
            assert segment.image and (tmp_path / segment.image).is_file()


@pytest.mark.parametrize("pdf", sorted(p.name for p in (CORPUS / "pdf").glob("*.pdf")))
def test_born_digital_pdfs_keep_their_words_and_reading_order(pdf: str, tmp_path: Path) -> None:
    result = run_pipeline(CORPUS / "pdf" / pdf, tmp_path)
    reference = (CORPUS / "expected" / pdf.replace(".pdf", ".md")).read_text(encoding="utf-8")
    figures = _scorer()(markdown_of(result), reference)
    assert figures["words"] >= MIN_WORDS and figures["order"] >= MIN_ORDER, figures


def test_right_to_left_text_keeps_its_logical_order(tmp_path: Path) -> None:
    result = run_pipeline(CORPUS / "pdf" / "right_to_left_01.pdf", tmp_path)
    markdown = markdown_of(result)
    assert markdown.startswith("## تحسين الإنتاجية وحل المشكلات من خلال البرمجة بلغة R و Python")
    assert "تعتبر البرمجة بلغة R و Python من الأدوات القوية" in markdown


@pytest.mark.parametrize("name", ["ocr_test.pdf", "ocr_test_rotated_180.pdf", "webp-test.webp"])
def test_scans_get_ocr_text_or_say_that_ocr_is_missing(name: str, tmp_path: Path) -> None:
    from server.pipeline import ocr

    result = run_pipeline(CORPUS / "ocr" / name, tmp_path)
    segments = segments_of(result)
    if ocr.available():
        assert result.message == "Task succeeded"
        assert any(s.text.strip() for s in segments)
    else:
        assert "no text layer was found" in result.message and "OCR is not installed" in result.message
        assert [s.segment_type for s in segments] == [T.SEGMENT_TYPE_PICTURE]


def test_error_handling_continue_skips_a_broken_page_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from server.pipeline import run as stages

    real = stages.extract_loaded

    def broken_second_page(document, page, index):  # type: ignore[no-untyped-def]
        if index == 1:
            raise RuntimeError("bad content stream")
        return real(document, page, index)

    monkeypatch.setattr(stages, "extract_loaded", broken_second_page)
    path = CORPUS / "pdf" / "multi_page.pdf"
    with pytest.raises(PipelineError, match="Page 2 could not be processed"):
        run_pipeline(path, tmp_path / "fail")
    config = pb.Configuration(error_handling=pb.ERROR_HANDLING_CONTINUE)
    result = run_pipeline(path, tmp_path / "continue", config)
    assert result.message == "Task succeeded; skipped page 2: the page could not be read"
    assert {s.page_number for s in segments_of(result)} == {1, 3, 4, 5}


def test_without_ocr_a_scan_succeeds_as_a_picture_and_says_why(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from server.pipeline import ocr

    monkeypatch.setattr(ocr, "available", lambda: False)
    result = run_pipeline(CORPUS / "ocr" / "ocr_test.pdf", tmp_path)
    assert result.message.startswith("Task succeeded; no text layer was found on page 1 and OCR is not installed")
    [picture] = segments_of(result)
    assert picture.segment_type == T.SEGMENT_TYPE_PICTURE and (tmp_path / picture.image).is_file()


def test_long_documents_read_pages_again_instead_of_keeping_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from server.pipeline import run as stages

    path = CORPUS / "pdf" / "multi_page.pdf"
    kept = run_pipeline(path, tmp_path / "kept")
    monkeypatch.setattr(stages, "KEEP_PAGES", 1)
    reread = run_pipeline(path, tmp_path / "reread")
    assert [s.SerializeToString() for s in segments_of(reread)] == [s.SerializeToString() for s in segments_of(kept)]
    assert [s for s in reread.stages if s[0] == "Segmenting"] == [("Segmenting", n, 5) for n in range(1, 6)]  # type: ignore[attr-defined]


def test_ocr_all_without_ocr_installed_fails_saying_how_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from server.pipeline import ocr

    monkeypatch.setattr(ocr, "available", lambda: False)
    config = pb.Configuration(ocr_strategy=pb.OCR_STRATEGY_ALL)
    with pytest.raises(ocr.OcrUnavailable) as failure:
        run_pipeline(CORPUS / "pdf" / "multi_page.pdf", tmp_path, config)
    assert "chunkd[ocr]" in failure.value.message


def test_page_strategy_joins_ocr_segments_into_one_page_segment(tmp_path: Path) -> None:
    from server.pipeline import ocr

    if not ocr.available():
        pytest.skip("the OCR engine is not installed (pip install 'chunkd[ocr]')")
    config = pb.Configuration(segmentation_strategy=pb.SEGMENTATION_STRATEGY_PAGE)
    result = run_pipeline(CORPUS / "ocr" / "ocr_test.pdf", tmp_path, config)
    [page] = segments_of(result)
    assert page.segment_type == T.SEGMENT_TYPE_PAGE and page.text.strip() and page.ocr
