"""The one mapping from errors to HTTP answers, installed on the API app: domain errors, FastAPI's
validation errors, Starlette's HTTP errors, values the database refuses and a full connection
pool all answer with the error envelope; anything else is a logged 500."""

from __future__ import annotations

import re
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.core.errors import DomainError, error_body, localized_message
from app.core.i18n import Language, catalogue, normalize_language, t

log = structlog.get_logger(__name__)

POOL_TIMEOUT_RETRY_AFTER_SECONDS = 2


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


_STATUSES = {int(status) for status in HTTPStatus}

_UNPARSABLE_BODY = "There was an error parsing the body"  # fastapi.routing's detail

# pydantic's error type -> the ctx field holding its number, passed to the catalogue text
# `validation.<type>` as `count` (lengths, plural forms) or `limit` (bounds).
_VALIDATION_NUMBERS = {
    "string_too_short": ("min_length", "count"),
    "string_too_long": ("max_length", "count"),
    "too_short": ("min_length", "count"),
    "too_long": ("max_length", "count"),
    "greater_than": ("gt", "limit"),
    "greater_than_equal": ("ge", "limit"),
    "less_than": ("lt", "limit"),
    "less_than_equal": ("le", "limit"),
}


def _choices(expected: str, language: Language) -> str:
    """pydantic's English list of choices ("'a', 'b' or 'c'") joined in `language`."""
    *head, last = re.split(r", | or ", expected)
    return t("validation.choices", language, first=", ".join(head), last=last) if head else last


def _problem(err: Mapping[str, Any], language: Language) -> str:
    """One pydantic error as a text in `language`: `validation.<type>` with pydantic's numbers,
    else the generic text."""
    kind = str(err.get("type", ""))
    key = f"validation.{kind}"
    if not catalogue().has(key):
        return t("validation.generic", language)
    ctx = err.get("ctx") or {}
    params: dict[str, object] = {}
    if kind in _VALIDATION_NUMBERS:
        source, name = _VALIDATION_NUMBERS[kind]
        if source not in ctx:
            return t("validation.generic", language)
        params[name] = ctx[source]
    if kind in ("enum", "literal_error"):
        params["expected"] = _choices(str(ctx.get("expected", "")), language)
    return t(key, language, **params)


def _describe_validation(
    exc: RequestValidationError, language: Language
) -> tuple[str, str, list[dict[str, Any]]]:
    """(code, message, details) in `language`; each detail keeps the field and pydantic's type."""
    errors = exc.errors()
    if any(err.get("type") == "json_invalid" for err in errors):
        return "malformed_json", t("errors.malformed_json", language), []
    details = [
        {
            "field": ".".join(str(p) for p in err.get("loc", ()) if p != "body"),
            "type": str(err.get("type", "")),
            "problem": _problem(err, language),
        }
        for err in errors
    ]
    if not details:
        return "validation_error", t("errors.validation_error", language), []
    first = details[0]
    if first["field"]:
        message = t("errors.validation_error_at", language, field=first["field"], problem=first["problem"])
    else:
        message = t("errors.validation_error_any", language, problem=first["problem"])
    return "validation_error", message, details


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
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        language = normalize_language(request.headers.get("accept-language"))
        code, message, details = _describe_validation(exc, language)
        return JSONResponse(error_body(code, message, details or None), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400 and exc.detail == _UNPARSABLE_BODY:
            # FastAPI's answer to a body that is not even text (e.g. not UTF-8): the same as for
            # any other body that is not JSON.
            language = normalize_language(request.headers.get("accept-language"))
            return JSONResponse(error_body("malformed_json", t("errors.malformed_json", language)), 422)
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        message = exc.detail if isinstance(exc.detail, str) else "Request failed."
        phrase = HTTPStatus(exc.status_code).phrase if exc.status_code in _STATUSES else None
        if message == phrase and catalogue().has(f"errors.{code}"):
            # Starlette's own English phrase (an unknown path, a wrong method): the catalogue's text.
            message = t(f"errors.{code}", normalize_language(request.headers.get("accept-language")))
        return JSONResponse(error_body(code, message), status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(DataError)
    async def _bad_data(request: Request, exc: DataError) -> JSONResponse:
        # The database refused a value the request carried (a NUL character in text, a number out
        # of the column's range, ...): bad input, not a server fault.
        log.warning("database_rejected_value", error_type=type(exc.orig).__name__)
        return JSONResponse(
            error_body(
                "invalid_value",
                t("errors.invalid_value", normalize_language(request.headers.get("accept-language"))),
            ),
            status_code=422,
        )

    @app.exception_handler(PoolTimeout)
    async def _pool_exhausted(request: Request, exc: PoolTimeout) -> JSONResponse:
        # Every database connection stayed busy for the pool's whole timeout: overload, which
        # passes; the client may retry (a 500 would page someone for a capacity problem).
        log.warning("database_pool_exhausted")
        return JSONResponse(
            error_body(
                "service_busy",
                t("errors.service_busy", normalize_language(request.headers.get("accept-language"))),
            ),
            status_code=503,
            headers={"Retry-After": str(POOL_TIMEOUT_RETRY_AFTER_SECONDS)},
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled_error", error_type=type(exc).__name__)
        language = normalize_language(request.headers.get("accept-language"))
        return JSONResponse(
            error_body("internal_error", t("errors.internal_error", language)), status_code=500
        )
