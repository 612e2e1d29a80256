"""Money display: integer minor units + ISO currency → "12.50 EUR"."""

from __future__ import annotations

# ISO 4217 currencies without minor units (Stripe's list of zero-decimal currencies).
ZERO_DECIMAL = frozenset(
    {
        "bif",
        "clp",
        "djf",
        "gnf",
        "jpy",
        "kmf",
        "krw",
        "mga",
        "pyg",
        "rwf",
        "ugx",
        "vnd",
        "vuv",
        "xaf",
        "xof",
        "xpf",
    }
)


def format_amount(amount_cents: int, currency: str) -> str:
    code = currency.upper()
    if currency.lower() in ZERO_DECIMAL:
        return f"{amount_cents} {code}"
    sign = "-" if amount_cents < 0 else ""
    whole, cents = divmod(abs(amount_cents), 100)
    return f"{sign}{whole}.{cents:02d} {code}"
