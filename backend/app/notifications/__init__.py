"""In-app, email and push notifications (issue 17). Other domains call :func:`notify`."""

from app.notifications.service import KINDS, Kind, notify, register_kind

__all__ = ["KINDS", "Kind", "notify", "register_kind"]
