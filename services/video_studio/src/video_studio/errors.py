"""Errors the studio raises for bad input. The CLI maps them to exit code 2; workers mark jobs failed.

A failure reason stored on a job row (and sent to the apps) is a stable code with its parameters,
written ``code`` or ``code?name=value&...`` (see :func:`encode_reason`); both clients and the
server show it from their it/en catalogues (key ``reasons.<code>``, the parameters filled in).
A reason without a code is the message itself (English; only for rare, technical failures).
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import parse_qsl, urlencode

ReasonParams = Mapping[str, str | int | float]


def encode_reason(code: str, params: ReasonParams | None = None) -> str:
    """``code`` or ``code?name=value&...``: what a job row stores as its failure reason."""
    if not params:
        return code
    return f"{code}?{urlencode({k: _plain(v) for k, v in params.items()})}"


def decode_reason(reason: str) -> tuple[str, dict[str, str]]:
    """The code and parameters of a stored reason (the inverse of :func:`encode_reason`)."""
    code, _, query = reason.partition("?")
    return code, dict(parse_qsl(query, keep_blank_values=True))


def _plain(value: str | int | float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)  # 24.0 -> "24"


class StudioError(Exception):
    """Base class: the message is meant for a person (an instructor or a student), in English;
    `reason_code` and `params` are what the apps show in it/en."""

    code = "studio_error"
    # A stable code for the reason (the apps show it from their it/en catalogues, key
    # `reasons.<code>`); None: the message itself is the reason.
    reason_code: str | None = None

    def __init__(self, message: str, *, reason_code: str | None = None, **params: str | int | float) -> None:
        super().__init__(message)
        if reason_code is not None:
            self.reason_code = reason_code
        self.params: dict[str, str | int | float] = dict(params)

    @property
    def job_reason(self) -> str:
        """What a job row stores: the encoded code and parameters, else the English message."""
        if self.reason_code is None:
            return str(self)
        return encode_reason(self.reason_code, self.params)


class InvalidInputError(StudioError):
    """The input is not something we can process (not a video, truncated, no person, too big...)."""

    code = "invalid_input"


class NotAVideoError(InvalidInputError):
    reason_code = "not_a_video"


class CorruptVideoError(InvalidInputError):
    """Truncated or damaged: the upload was cut short or the recording did not finish."""

    reason_code = "corrupt_video"


class EmptyFileError(InvalidInputError):
    reason_code = "empty_file"


class NoPersonError(InvalidInputError):
    reason_code = "no_person"
