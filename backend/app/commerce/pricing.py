"""Price rules shared with media: which prices instructors may set.

Media calls `validate_price` when an instructor sets `price_cents` / `rental_price_cents`
(create or update a video), and commerce calls it again at checkout (bounds may have changed
since). Bounds are admin configuration: COMMERCE_PRICE_BOUNDS (per ISO currency, [min, max] in
minor units). Pure function of settings: no session, safe from sync and async code.
"""

from __future__ import annotations

from app.core.config import Settings, get_settings
from app.core.errors import ValidationFailed


def normalise_currency(currency: str) -> str:
    """Stripe speaks lowercase ISO 4217 ("eur"); we store and compare lowercase too."""
    return currency.strip().lower()


def price_bounds(currency: str, settings: Settings | None = None) -> tuple[int, int] | None:
    """(min, max) minor units for a currency, or None if it is not sold in."""
    settings = settings or get_settings()
    bounds = {k.lower(): v for k, v in settings.commerce_price_bounds.items()}
    found = bounds.get(normalise_currency(currency))
    return (int(found[0]), int(found[1])) if found else None


def validate_price(currency: str, amount_cents: int | None, settings: Settings | None = None) -> None:
    """Raise ValidationFailed (422, code "price_out_of_bounds" / "currency_not_supported" /
    "invalid_price") unless `amount_cents` is an allowed price in `currency`.

    `None` means "not sold this way" and is always valid. Call it for `price_cents` (PPV) and for
    `rental_price_cents`; amounts are integer minor units (cents), currency an ISO code in any case.
    """
    if amount_cents is None:
        return
    if isinstance(amount_cents, bool) or not isinstance(amount_cents, int) or amount_cents <= 0:
        raise ValidationFailed("A price is a positive whole number of cents.", code="invalid_price")
    bounds = price_bounds(currency, settings)
    if bounds is None:
        raise ValidationFailed(
            f"Prices in {currency.upper()} are not supported.", code="currency_not_supported"
        )
    low, high = bounds
    if not low <= amount_cents <= high:
        raise ValidationFailed(
            f"The price must be between {low} and {high} (minor units of {currency.upper()}).",
            code="price_out_of_bounds",
            details={"min": low, "max": high, "currency": normalise_currency(currency)},
        )
