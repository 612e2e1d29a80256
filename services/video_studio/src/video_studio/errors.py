"""Errors the studio raises for bad input. The CLI maps them to exit code 2; workers mark jobs failed."""


class StudioError(Exception):
    """Base class: the message is meant for a person (an instructor or a student)."""

    code = "studio_error"
    # A stable code for the most common reasons (the apps show them from their it/en catalogues,
    # key `reasons.<code>`); None: the message itself is the reason.
    reason_code: str | None = None


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
