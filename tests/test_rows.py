"""A stored row becomes its message by the message's descriptor: the fields the row has
under the same name are copied (a datetime as a Timestamp, a status as its number), what
differs in name or form is given, and a name the row lacks is left unset."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlmodel import SQLModel

from chunkr.vocabulary import Status
from protos import tasks_pb2 as pb
from server.blobs import BlobStore, UrlSigner
from server.models import FileRow, TaskRow
from server.presenter import Presenter
from server.rows import message_from_row

CREATED = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)


def test_a_rows_same_named_columns_fill_the_message() -> None:
    row = FileRow(id="f1", owner="o", file_name="a.pdf", content_type="application/pdf", file_size=7,
                  metadata_json='{"k": 1}', blob_key="files/f1", created_at=CREATED)
    file = message_from_row(pb.File, row, file_id=row.id, metadata=row.metadata_json)
    assert file == pb.File(file_id="f1", file_name="a.pdf", content_type="application/pdf", file_size=7,
                           metadata='{"k": 1}', created_at=CREATED)
    assert not file.url  # the row has no `url`: left unset


def test_a_status_becomes_its_number_and_an_unset_time_stays_unset() -> None:
    row = TaskRow(id="t1", owner="o", status=Status.FAILED, message="bad", configuration="{}", input_key="k",
                  created_at=CREATED, deadline_at=CREATED)
    task = message_from_row(pb.Task, row, task_id=row.id)
    assert task.status == pb.TASK_STATUS_FAILED and task.message == "bad" and task.task_id == "t1"
    assert task.created_at.ToDatetime(tzinfo=UTC) == CREATED
    assert not task.HasField("finished_at")


def test_a_column_added_to_a_row_reaches_the_message_unlisted() -> None:
    class NewerFileRow(SQLModel):  # a table that has gained the proto's `url` as a column
        file_name: str
        url: str

    file = message_from_row(pb.File, NewerFileRow(file_name="b.pdf", url="ch://files/f2"))
    assert (file.file_name, file.url) == ("b.pdf", "ch://files/f2")


def test_what_is_given_wins_over_the_row() -> None:
    row = FileRow(id="f1", owner="o", file_name="a.pdf", content_type="", file_size=1, blob_key="k",
                  created_at=CREATED)
    assert message_from_row(pb.File, row, file_name="shown.pdf").file_name == "shown.pdf"


def presenter(tmp_path: Path) -> Presenter:
    return Presenter(BlobStore(tmp_path), UrlSigner(b"s" * 32, "http://chunkd.test", 3600))


def processing_row(**columns: Any) -> TaskRow:
    return TaskRow(id="t1", owner="o", status=Status.PROCESSING, configuration="{}", input_key="tasks/t1/in",
                   file_name="scan.pdf", mime_type="application/pdf", created_at=CREATED, deadline_at=CREATED,
                   progress_stage="ocr", pages_done=3, pages_total=9, **columns)


def test_a_task_s_progress_and_file_info_take_the_rows_columns(tmp_path: Path) -> None:
    task = presenter(tmp_path).task(processing_row(), with_output=False)
    assert task.progress == pb.Progress(stage="ocr", pages_done=3, pages_total=9)
    # Until a run has counted the pages, the file's pages are this run's count so far.
    assert task.input_file == pb.InputFile(name="scan.pdf", mime_type="application/pdf", page_count=9)
    assert not task.HasField("output")


def test_a_failed_task_keeps_what_is_known_of_its_document_and_a_finished_summary_its_page_count(
    tmp_path: Path,
) -> None:
    failed = processing_row(page_count=4)
    failed.status = Status.FAILED
    assert presenter(tmp_path).task(failed).output == pb.Output(
        file_name="scan.pdf", mime_type="application/pdf", page_count=4
    )
    done = processing_row(output_key="tasks/t1/output.pb")
    done.status = Status.SUCCEEDED
    assert presenter(tmp_path).task(done).output == pb.Output(file_name="scan.pdf", mime_type="application/pdf")
