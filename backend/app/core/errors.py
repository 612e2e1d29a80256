"""Domain errors with a stable machine-readable `code`, and the error envelope.

Services raise these; `app.core.http_errors.install_error_handlers` turns every one of them (and
FastAPI's own validation errors) into `{"error": {"code": ..., "message": ...}}` with the right
status. This module imports no web framework: workers and services import it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel

from app.core.i18n import catalogue, normalize_language, render_params, t


class DomainError(Exception):
    """`message` is the English text; the catalogue's `errors.<code>` is the text in every
    language, filled with `params` (numbers, names, or a `Phrase` rendered in the reader's
    language). tests/core/test_error_catalogue.py checks every raised code has both texts."""

    status_code = 400
    code = "bad_request"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        params: dict[str, object] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details
        self.headers = headers
        self.params = params or {}


class ValidationFailed(DomainError):
    status_code = 422
    code = "validation_error"


class NotAuthenticated(DomainError):
    status_code = 401
    code = "not_authenticated"


class PermissionDenied(DomainError):
    status_code = 403
    code = "forbidden"


class NotFound(DomainError):
    status_code = 404
    code = "not_found"


class Conflict(DomainError):
    status_code = 409
    code = "conflict"


class PayloadTooLarge(DomainError):
    status_code = 413
    code = "payload_too_large"


class RateLimited(DomainError):
    status_code = 429
    code = "rate_limited"


class ServiceUnavailable(DomainError):
    status_code = 503
    code = "service_unavailable"


class InsufficientStorage(DomainError):
    status_code = 507
    code = "storage_full"


class ErrorDetail(BaseModel):
    code: str
    message: str
    details: Any | None = None


class ErrorResponse(BaseModel):
    """The body of every 4xx/5xx answer."""

    error: ErrorDetail


_STATUS_TEXT = {
    400: "Bad request",
    401: "Not authenticated: no, an expired or an invalid access token (or credentials)",
    403: "Not allowed (role, deactivated account, unverified email, ...)",
    404: "Not found",
    409: "Conflicts with the current state",
    413: "Too large",
    415: "Unsupported media type",
    422: "Invalid input",
    429: "Too many requests: retry after Retry-After seconds",
    503: "A service we depend on is unavailable",
    507: "Storage full: nothing was saved",
}


def error_responses(*errors: type[DomainError] | int) -> dict[int | str, dict[str, Any]]:
    """`responses=` for an endpoint: the error classes (or bare statuses) it can answer with, so
    the OpenAPI document lists them with the error envelope."""
    statuses = sorted({e if isinstance(e, int) else e.status_code for e in errors})
    return {
        status: {"model": ErrorResponse, "description": _STATUS_TEXT.get(status, "Error")}
        for status in statuses
    }


_F = TypeVar("_F", bound=Callable[..., Any])
_DEPENDENCY_ERRORS: dict[Callable[..., Any], tuple[type[DomainError], ...]] = {}


def raises(*errors: type[DomainError]) -> Callable[[_F], _F]:
    """Mark a FastAPI dependency with the errors it raises: every operation using it lists them in
    the OpenAPI document (see app.main)."""

    def mark(dependency: _F) -> _F:
        _DEPENDENCY_ERRORS[dependency] = errors
        return dependency

    return mark


def dependency_errors(dependency: Callable[..., Any]) -> tuple[type[DomainError], ...]:
    return _DEPENDENCY_ERRORS.get(dependency, ())


def localized_message(error: DomainError, accept_language: str | None) -> str:
    """The error's message in the language the client asks for (Accept-Language). English is
    the message written where the error was raised; another language uses the catalogue's
    `errors.<code>` filled with the error's params, else the English message."""
    language = normalize_language(accept_language)
    if language == "en" or not catalogue().has(f"errors.{error.code}"):
        return error.message
    return t(f"errors.{error.code}", language, **render_params(error.params, language))


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        error["details"] = details
    return {"error": error}
