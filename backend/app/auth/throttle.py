"""Every rate limit of the account endpoints, in one place (the router calls these, nothing else
here talks to the rate limiter).

Login is throttled per client address and per (account, address): ten wrong passwords from
somewhere else fill only that address's bucket, never the owner's own.
"""

from __future__ import annotations

import uuid

from app.core import ratelimit
from app.core.config import Settings


async def registration(settings: Settings, address: str) -> None:
    ratelimit.enforce("register:ip", address, settings.rate_limit_register_per_ip)


async def login(settings: Settings, email: str, address: str) -> None:
    ratelimit.enforce("login:ip", address, settings.rate_limit_login_per_ip)
    ratelimit.enforce("login:account-ip", f"{email}|{address}", settings.rate_limit_login_per_account)


async def password_reset(settings: Settings, email: str, address: str) -> None:
    ratelimit.enforce("reset:ip", address, settings.rate_limit_login_per_ip)
    ratelimit.enforce("reset:account", email, 5)


async def verification_mail(user_id: uuid.UUID) -> None:
    ratelimit.enforce("verify:account", str(user_id), 5, window_seconds=3600)
