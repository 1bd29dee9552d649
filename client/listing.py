"""What `list()` returns: the tasks matching a filter, newest first, fetched
one page at a time as the iteration reaches it, so that listing ten
thousand tasks to find the first failed one costs one page. `.pages()` gives
the pages themselves."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass

from client.views import TaskPage, TaskView
from protos import tasks_pb2 as pb


def _page(reply: pb.ListTasksResponse) -> TaskPage:
    return TaskPage([TaskView(task) for task in reply.tasks], reply.next_page_token)


@dataclass(frozen=True)
class Listing:
    fetch: Callable[[pb.ListTasksRequest], pb.ListTasksResponse]
    request: pb.ListTasksRequest

    def pages(self) -> Iterator[TaskPage]:
        request = pb.ListTasksRequest()
        request.CopyFrom(self.request)
        while True:
            page = _page(self.fetch(request))
            yield page
            if not page.next_page_token:
                return
            request.page_token = page.next_page_token

    def __iter__(self) -> Iterator[TaskView]:
        for page in self.pages():
            yield from page.tasks


@dataclass(frozen=True)
class AsyncListing:
    fetch: Callable[[pb.ListTasksRequest], Awaitable[pb.ListTasksResponse]]
    request: pb.ListTasksRequest

    async def pages(self) -> AsyncIterator[TaskPage]:
        request = pb.ListTasksRequest()
        request.CopyFrom(self.request)
        while True:
            page = _page(await self.fetch(request))
            yield page
            if not page.next_page_token:
                return
            request.page_token = page.next_page_token

    async def __aiter__(self) -> AsyncIterator[TaskView]:
        async for page in self.pages():
            for task in page.tasks:
                yield task
