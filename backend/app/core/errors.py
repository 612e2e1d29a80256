"""Domain errors with a stable machine-readable `code`, and their one mapping to HTTP.

Services raise these; `install_error_handlers` turns every one of them (and FastAPI's own
validation errors) into `{"error": {"code": ..., "message": ...}}` with the right status.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.core.i18n import catalogue, normalize_language, t

log = structlog.get_logger(__name__)


class DomainError(Exception):
    status_code = 400
    code = "bad_request"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details
        self.headers = headers


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
    `errors.<code>` when it has one (a generic text for the code), else the English message."""
    language = normalize_language(accept_language)
    if language == "en" or not catalogue().has(f"errors.{error.code}"):
        return error.message
    return t(f"errors.{error.code}", language)


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        error["details"] = details
    return {"error": error}


_HTTP_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}


_UNPARSABLE_BODY = "There was an error parsing the body"  # fastapi.routing's detail


def _describe_validation(exc: RequestValidationError) -> tuple[str, str, list[dict[str, Any]]]:
    errors = exc.errors()
    if any(err.get("type") == "json_invalid" for err in errors):
        return "malformed_json", "The request body is not valid JSON.", []
    details = [
        {
            "field": ".".join(str(p) for p in err.get("loc", ()) if p != "body"),
            "problem": err["msg"],
        }
        for err in errors
    ]
    first = details[0] if details else {"field": "", "problem": "invalid input"}
    where = f" ({first['field']})" if first["field"] else ""
    return "validation_error", f"Invalid input{where}: {first['problem']}", details


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> JSONResponse:
        message = localized_message(exc, request.headers.get("accept-language"))
        return JSONResponse(
            error_body(exc.code, message, exc.details),
            status_code=exc.status_code,
            headers=exc.headers,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        code, message, details = _describe_validation(exc)
        return JSONResponse(error_body(code, message, details or None), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400 and exc.detail == _UNPARSABLE_BODY:
            # FastAPI's answer to a body that is not even text (e.g. not UTF-8): the same as for
            # any other body that is not JSON.
            return JSONResponse(error_body("malformed_json", "The request body is not valid JSON."), 422)
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        message = exc.detail if isinstance(exc.detail, str) else "Request failed."
        return JSONResponse(error_body(code, message), status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(DataError)
    async def _bad_data(_: Request, exc: DataError) -> JSONResponse:
        # The database refused a value the request carried (a NUL character in text, a number out
        # of the column's range, ...): bad input, not a server fault.
        log.warning("database_rejected_value", error_type=type(exc.orig).__name__)
        return JSONResponse(
            error_body(
                "invalid_value", "A value in the request cannot be stored (e.g. it holds a NUL character)."
            ),
            status_code=422,
        )

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled_error", error_type=type(exc).__name__)
        return JSONResponse(
            error_body("internal_error", "Something went wrong on our side."), status_code=500
        )
