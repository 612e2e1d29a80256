"""The API worker keeps long-lived objects out of the cyclic collector's full passes (issue 20,
the p99 of the hot paths): the mapper state SQLAlchemy builds lazily is frozen at startup, and
what the first requests build is frozen a little later (app.core.gc_tuning)."""

from __future__ import annotations

import asyncio
import gc
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import Integer
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from app.core import gc_tuning


def _tracked_by_collector(obj: object) -> bool:
    """True while `obj` is in a generation the collector walks (frozen objects are not)."""
    return any(o is obj for o in gc.get_objects())


def test_startup_configures_the_mappers_before_freezing_them() -> None:
    class Base(DeclarativeBase):
        pass

    class Lazy(Base):
        __tablename__ = "gc_tuning_lazy"
        id: Mapped[int] = mapped_column(Integer, primary_key=True)

    mapper = Lazy.__mapper__
    assert not mapper.configured  # SQLAlchemy builds this state at the first query otherwise

    gc_tuning.freeze_startup()

    assert mapper.configured
    # the attribute machinery built by configuring is frozen, not left to every full pass
    impl = Lazy.__dict__["id"].impl
    assert gc.is_tracked(impl) and not _tracked_by_collector(impl)


def test_a_warm_freeze_freezes_what_was_built_after_startup() -> None:
    async def scenario() -> tuple[object, bool, bool]:
        built_by_first_requests: dict[str, Any] = {"pool": [object()]}
        before = _tracked_by_collector(built_by_first_requests)
        done = asyncio.Event()
        loop = asyncio.get_running_loop()
        handles = gc_tuning.schedule_warm_freezes(loop, (0.0,))
        loop.call_later(0.01, done.set)
        await done.wait()
        assert all(not h.cancelled() for h in handles)
        return built_by_first_requests, before, _tracked_by_collector(built_by_first_requests)

    kept, before, after = asyncio.run(scenario())
    assert before is True and after is False
    del kept


def test_the_app_lifespan_freezes_at_startup_and_cancels_pending_warm_freezes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import app.db.session as db_session
    import app.main as main

    calls: list[str] = []
    scheduled: list[asyncio.TimerHandle] = []

    def spy_schedule(loop: asyncio.AbstractEventLoop) -> list[asyncio.TimerHandle]:
        handles = gc_tuning.schedule_warm_freezes(loop, (3600.0,))
        scheduled.extend(handles)
        return handles

    class _Engine:
        async def dispose(self) -> None:
            calls.append("dispose")

    monkeypatch.setattr(main, "freeze_startup", lambda: calls.append("freeze_startup"))
    monkeypatch.setattr(main, "schedule_warm_freezes", spy_schedule)
    monkeypatch.setattr(db_session, "get_async_engine", lambda: _Engine())
    app: FastAPI = main.create_app()

    async def run() -> None:
        async with app.router.lifespan_context(app):
            assert calls == ["freeze_startup"]
            assert scheduled and not any(h.cancelled() for h in scheduled)

    asyncio.run(run())
    assert calls == ["freeze_startup", "dispose"]
    assert all(h.cancelled() for h in scheduled)
