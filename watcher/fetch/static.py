"""`StaticFetcher`: serves canned outcomes, for unit tests of everything after the fetch."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from watcher.fetch.base import FailureKind, FetchFailure, FetchOutcome, FetchRequest, FetchResult

Responder = Callable[[FetchRequest], FetchOutcome]


class StaticFetcher:
    """Answers each request from a mapping of target id (or URL) to HTML or a ready outcome."""

    def __init__(self, pages: Mapping[str, str | FetchOutcome | Responder]) -> None:
        self.pages = dict(pages)
        self.requests: list[FetchRequest] = []

    async def fetch(self, request: FetchRequest) -> FetchOutcome:
        self.requests.append(request)
        answer = self.pages.get(request.target_id, self.pages.get(request.url))
        if answer is None:
            return FetchFailure(
                target_id=request.target_id,
                kind=FailureKind.NETWORK_ERROR,
                detail="no canned page for this target",
                url=request.url,
            )
        if callable(answer):
            return answer(request)
        if isinstance(answer, str):
            return FetchResult(
                target_id=request.target_id,
                url=request.url,
                final_url=request.url,
                status=200,
                html=answer,
            )
        return answer

    async def close(self) -> None:
        return None
