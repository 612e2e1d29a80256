"""Errors the studio raises for bad input. The CLI maps them to exit code 2; workers mark jobs failed."""


class StudioError(Exception):
    """Base class: the message is meant for a person (an instructor or a student)."""

    code = "studio_error"


class InvalidInputError(StudioError):
    """The input is not something we can process (not a video, truncated, no person, too big...)."""

    code = "invalid_input"
