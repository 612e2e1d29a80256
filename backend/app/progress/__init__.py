"""Live progress, shared by every domain with background work (media, studio; next knowledge,
dubs, the coach, exports...).

- app/progress/bus.py — the publisher: `channel(domain, *ids)`, `publish(channel, state)` and
  `publish_after_commit(session, channel, state_of)`. No HTTP: workers and services use it.
- app/progress/stream.py — the SSE endpoint helper `progress_response(...)` for routers (Redis
  pub/sub when configured, database polling only in embedded mode, streams capped per user).

A new domain declares a channel name, a `state_of(row)` giving {status, percent, stage,
failure_reason} and the statuses during which a stream stays open; see README "Shared mechanisms".
"""

from app.progress.bus import State, channel, publish, publish_after_commit, state

__all__ = ["State", "channel", "publish", "publish_after_commit", "state"]
