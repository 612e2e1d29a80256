"""Reading server-sent event streams in tests."""

from __future__ import annotations

import json
from typing import Any


def parse_events(text: str) -> list[tuple[str, dict[str, Any]]]:
    """(event name, JSON data) of every named event of a text/event-stream body, in order."""
    events = []
    for block in text.split("\n\n"):
        lines = block.splitlines()
        name = next((ln[7:] for ln in lines if ln.startswith("event: ")), None)
        data = next((ln[6:] for ln in lines if ln.startswith("data: ")), None)
        if name and data:
            events.append((name, json.loads(data)))
    return events
