"""Money display: integer minor units + ISO currency → "12.50 EUR" (en), "12,50 EUR" (it)."""

from __future__ import annotations

from app.core.i18n import normalize_language

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


_DECIMAL_SEPARATOR = {"it": ","}


def format_amount(amount_cents: int, currency: str, lang: str | None = None) -> str:
    code = currency.upper()
    if currency.lower() in ZERO_DECIMAL:
        return f"{amount_cents} {code}"
    sign = "-" if amount_cents < 0 else ""
    whole, cents = divmod(abs(amount_cents), 100)
    point = _DECIMAL_SEPARATOR.get(normalize_language(lang), ".")
    return f"{sign}{whole}{point}{cents:02d} {code}"
