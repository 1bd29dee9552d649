"""TaskRow → the Task message callers see: configuration loaded, output loaded
from the blob store, and blob keys turned into URLs (signed, or data: URLs)."""

from __future__ import annotations

import time

from chunkr.vocabulary import Status
from protos import tasks_pb2 as pb
from server.blobs import Blobs, UrlSigner
from server.configuration import configuration_from_text
from server.models import TaskRow
from server.rows import message_from_row


def known_page_count(row: TaskRow) -> int:
    """The document's pages: counted by the last successful run, else by this
    run's progress so far; 0 when nothing has counted them."""
    return row.page_count or row.pages_total


SUMMARY_CACHE_SIZE = 4096


class Presenter:
    def __init__(self, blobs: Blobs, signer: UrlSigner) -> None:
        self.blobs = blobs
        self.signer = signer
        # A reply is kept a tenth of the signed URLs' lifetime (30 s at most), so
        # the input URL it carries always has 90 % of its lifetime left.
        self._summary_seconds = min(30.0, signer.ttl / 10)
        self._summaries: dict[tuple[str, int], tuple[float, pb.Task]] = {}

    def summary(self, row: TaskRow) -> pb.Task:
        """The Task without chunks, with signed URLs: built once per version of
        a task (a version never changes), which is what a poller asks for.
        The message is shared: callers serialize it and must not change it."""
        key = (row.id, row.version)
        now = time.monotonic()
        cached = self._summaries.get(key)
        if cached is not None and cached[0] > now:
            return cached[1]
        task = self.task(row)
        if len(self._summaries) >= SUMMARY_CACHE_SIZE:
            self._summaries.clear()
        self._summaries[key] = (now + self._summary_seconds, task)
        return task

    def url(self, key: str, base64_urls: bool) -> str:
        if not key:
            return ""
        if base64_urls:
            return self.blobs.data_url(key) if self.blobs.exists(key) else ""
        return self.blobs.url(key, self.signer.ttl) or self.signer.sign(key)

    def task(
        self, row: TaskRow, *, include_chunks: bool = False, base64_urls: bool = False, with_output: bool = True
    ) -> pb.Task:
        task = message_from_row(
            pb.Task,
            row,
            task_id=row.id,
            configuration=configuration_from_text(row.configuration),
            task_url=f"{self.signer.public_url}/api/v1/task/{row.id}",
            # The nested messages take the row's same-named columns too; these three differ.
            progress=message_from_row(pb.Progress, row, stage=row.progress_stage),
            input_file=message_from_row(pb.InputFile, row, name=row.file_name, page_count=known_page_count(row)),
        )
        if with_output:
            task.input_file_url = self.url(row.input_key, base64_urls)
        if with_output and row.output_key:
            task.output.CopyFrom(self.output(row, include_chunks=include_chunks, base64_urls=base64_urls))
        elif with_output and row.status == Status.FAILED:
            # What is known of the document survives its failure: its name and pages.
            task.output.CopyFrom(message_from_row(pb.Output, row, page_count=known_page_count(row)))
        return task

    def output(self, row: TaskRow, *, include_chunks: bool, base64_urls: bool) -> pb.Output:
        assert row.output_key is not None
        if not include_chunks:
            return message_from_row(pb.Output, row)
        output = pb.Output()
        output.ParseFromString(self.blobs.get_bytes(row.output_key))
        output.file_name = row.file_name
        output.pdf_url = self.url(output.pdf_url, base64_urls)
        for page in output.pages:
            page.image = self.url(page.image, base64_urls)
        for chunk in output.chunks:
            for segment in chunk.segments:
                segment.image = self.url(segment.image, base64_urls)
        return output
