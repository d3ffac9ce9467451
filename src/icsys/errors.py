"""One exception hierarchy for icsys.

User errors are shown without a traceback; each class carries a stable exit code (for the CLI)
and an HTTP status (for the web). The CLI maps them in ``icsys.cli.main``; the web maps them in
its own error handler. Internal errors are bugs and keep their traceback.
"""

from __future__ import annotations

from typing import ClassVar


class IcsysError(Exception):
    """Base class of every error icsys raises on purpose."""


class UserError(IcsysError):
    """An error the user can fix: bad input, a missing file, an unknown code."""

    exit_code: ClassVar[int] = 10
    http_status: ClassVar[int] = 400
    code: ClassVar[str] = "user_error"


class ConfigError(UserError):
    """The environment or a settings value is invalid."""

    exit_code = 11
    code = "config_error"


class InputFileError(UserError):
    """A file cannot be read as what it claims to be.

    The message names the file and, where known, the line, the column and what was expected.
    """

    exit_code = 12
    http_status = 422
    code = "input_file_error"

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        column: str | None = None,
        expected: str | None = None,
    ) -> None:
        self.path = path
        self.line = line
        self.column = column
        self.expected = expected
        where = ", ".join(
            part
            for part in (
                path,
                f"line {line}" if line is not None else None,
                f"column {column!r}" if column is not None else None,
            )
            if part
        )
        text = f"{where}: {message}" if where else message
        if expected:
            text += f" (expected {expected})"
        super().__init__(text)


class UnrecognisedFileError(InputFileError):
    """No known reference or feed layout matches the file's columns."""

    exit_code = 13
    code = "unrecognised_file"


class QuarantineError(UserError):
    """Rows were quarantined and the caller asked for a strict load."""

    exit_code = 14
    http_status = 422
    code = "rows_quarantined"


class NotFoundError(UserError):
    """An area, organisation or record asked for does not exist (as at the date asked)."""

    exit_code = 15
    http_status = 404
    code = "not_found"


class StoreError(UserError):
    """The store cannot be opened or is at an unexpected schema version."""

    exit_code = 16
    http_status = 503
    code = "store_error"


class PermissionDeniedError(UserError):
    """The caller's role may not see or change this."""

    exit_code = 17
    http_status = 403
    code = "permission_denied"


class InvalidRecordError(UserError):
    """A governance (or other) record breaks a rule: a bad value, an unknown reference, an overlap.

    ``problems`` holds ``(field, message)`` pairs, all of them, so a form can show each in place.
    """

    exit_code = 18
    http_status = 422
    code = "invalid_record"

    def __init__(self, what: str, problems: list[tuple[str, str]]) -> None:
        self.what = what
        self.problems = problems
        detail = "; ".join(f"{field}: {message}" for field, message in problems)
        super().__init__(f"{what}: {detail}")
