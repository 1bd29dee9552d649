"""Excel workbooks read natively: sheets are pages named by their sheet, each used
range a table, formulas give Excel's cached values, hidden sheets are skipped and
named, long sheets stream as tables of bounded size."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from openpyxl.drawing.image import Image as XlImage

from protos import tasks_pb2 as pb
from tests.pipeline.office_files import png, with_cached_value, workbook_file
from tests.pipeline.support import of_type, run_pipeline, segments_of


@pytest.fixture(autouse=True)
def no_libreoffice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHUNKD_SOFFICE", "off")


def test_each_visible_sheet_is_a_page_headed_by_its_name_with_one_table_per_used_range(tmp_path: Path) -> None:
    def build(book) -> None:  # type: ignore[no-untyped-def]
        sales = book.active
        sales.title = "Sales"
        for row in (["region", "units"], ["north", 12], ["south", 7]):
            sales.append(row)
        sales["E1"], sales["E2"] = "note", "provisional"  # beyond an empty column: a range of its own
        sales["A6"], sales["B6"] = "total", 19  # below an empty row: another
        costs = book.create_sheet("Costs")
        costs.append(["item", "eur"])
        costs.append(["rent", 1200.5])
        secret = book.create_sheet("Salaries")
        secret.append(["name", "pay"])
        secret.sheet_state = "hidden"

    result = run_pipeline(workbook_file(tmp_path / "book.xlsx", build), tmp_path / "work")
    assert result.output.page_count == 2
    headers = of_type(result, pb.SEGMENT_TYPE_SECTION_HEADER)
    assert [(h.page_number, h.markdown) for h in headers] == [(1, "## Sales"), (2, "## Costs")]
    tables = [(t.page_number, t.markdown.splitlines()[0]) for t in of_type(result, pb.SEGMENT_TYPE_TABLE)]
    assert tables == [(1, "| region | units |"), (1, "| note |"), (1, "| total | 19 |"), (2, "| item | eur |")]
    assert "| rent | 1200.5 |" in of_type(result, pb.SEGMENT_TYPE_TABLE)[-1].markdown
    assert "Salaries" not in " ".join(s.text for s in segments_of(result))
    assert result.message == "Task succeeded; skipped hidden sheet 'Salaries'"


def test_merged_cells_span_and_formulas_give_their_cached_values(tmp_path: Path) -> None:
    def build(book) -> None:  # type: ignore[no-untyped-def]
        sheet = book.active
        sheet.append(["Quarter", "Amount", None])
        sheet.merge_cells("B1:C1")
        sheet.append(["Q1", 10, 20])
        sheet.append(["Q2", 30, "=B3*2"])
        sheet.append(["Since", dt.datetime(2024, 3, 1), True])

    path = workbook_file(tmp_path / "book.xlsx", build)
    with_cached_value(path, "sheet1", "C3", "60")
    (table,) = of_type(run_pipeline(path, tmp_path / "work"), pb.SEGMENT_TYPE_TABLE)
    assert '<th colspan="2">Amount</th>' in table.html
    assert table.markdown.splitlines() == [
        "| Quarter | Amount | Amount |",
        "| --- | --- | --- |",
        "| Q1 | 10 | 20 |",
        "| Q2 | 30 | 60 |",
        "| Since | 2024-03-01 | TRUE |",
    ]


def test_a_long_sheet_streams_as_tables_of_bounded_size_each_repeating_the_header(tmp_path: Path) -> None:
    def build(book) -> None:  # type: ignore[no-untyped-def]
        sheet = book.active
        sheet.append(["id", "square"])
        for n in range(1, 1201):
            sheet.append([n, n * n])

    result = run_pipeline(workbook_file(tmp_path / "long.xlsx", build), tmp_path / "work")
    tables = of_type(result, pb.SEGMENT_TYPE_TABLE)
    assert len(tables) == 3
    rows = [t.markdown.splitlines() for t in tables]
    assert all(lines[0] == "| id | square |" for lines in rows)
    values = [line for lines in rows for line in lines[2:] if line != "| id | square |"]
    assert values == [f"| {n} | {n * n} |" for n in range(1, 1201)]


def test_an_empty_workbook_gives_its_sheet_name_and_nothing_else(tmp_path: Path) -> None:
    result = run_pipeline(workbook_file(tmp_path / "empty.xlsx", lambda book: None), tmp_path / "work")
    assert [s.markdown for s in segments_of(result)] == ["## Sheet"]


def test_a_picture_comes_between_the_ranges_above_and_below_its_anchor(tmp_path: Path) -> None:
    def build(book) -> None:  # type: ignore[no-untyped-def]
        sheet = book.active
        sheet.append(["above"])
        sheet["A10"] = "below"
        sheet.add_image(XlImage(io.BytesIO(png())), "A4")

    work = tmp_path / "work"
    result = run_pipeline(workbook_file(tmp_path / "pictured.xlsx", build), work)
    kinds = [pb.SegmentType.Name(s.segment_type) for s in segments_of(result)]
    assert kinds == ["SEGMENT_TYPE_SECTION_HEADER", "SEGMENT_TYPE_TABLE", "SEGMENT_TYPE_PICTURE", "SEGMENT_TYPE_TABLE"]
    (figure,) = of_type(result, pb.SEGMENT_TYPE_PICTURE)
    assert (work / figure.image).is_file()
