"""One exception tree for the whole of leadloop.

Every error a user can meet derives from :class:`LeadloopError` and says what to do next.
The sync engine acts on the branch an error belongs to:

* :class:`ConfigError`       the admin must fix a file or a setting; nothing is retried.
* :class:`AuthError`         the connector is paused as "needs re-authorisation".
* :class:`RetriableError`    retried with backoff (``retry_after`` honoured when given).
* :class:`QuotaExceeded`     the run ends cleanly, progress kept, retried on a later schedule.
* :class:`FatalError`        the run fails; the next scheduled run starts again from the checkpoint.
* :class:`BadRecord`         one record is skipped and reported; the rest go on.
"""

from __future__ import annotations

from dataclasses import dataclass


class LeadloopError(Exception):
    """Base of every leadloop error."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a configuration file: where and why."""

    file: str
    path: str
    reason: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        if self.path:
            where += f": {self.path}"
        return f"{where}: {self.reason}"


class ConfigError(LeadloopError):
    """A configuration file, setting or mapping is wrong; carries every problem found."""

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        self.problems = list(problems or [])
        super().__init__(message)

    def __str__(self) -> str:
        head = super().__str__()
        if not self.problems:
            return head
        return head + "\n" + "\n".join(f"  {p}" for p in self.problems)


class PluginError(ConfigError):
    """A plugin failed to load or implements a hook that does not exist."""


class AuthError(LeadloopError):
    """The source refused the credentials for good: an admin must re-authorise the connector."""

    def __init__(self, message: str, *, tenant: str = "", connector: str = "") -> None:
        self.tenant = tenant
        self.connector = connector
        super().__init__(message)

    def __str__(self) -> str:
        reason = super().__str__()
        if self.tenant and self.connector:
            return (
                f"{reason} -- re-authorise connector {self.connector!r} of tenant {self.tenant!r} "
                f"(leadloop apply -f <tenant file> with fresh credentials), then re-enable it"
            )
        return reason


class RetriableError(LeadloopError):
    """A passing failure (rate limit, 5xx, timeout): the same call may succeed later."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        self.retry_after = retry_after
        super().__init__(message)


class QuotaExceeded(LeadloopError):
    """The source's daily API quota is spent: end the run cleanly and keep its progress."""


class FatalError(LeadloopError):
    """The run cannot go on; it fails and the next run starts from the last checkpoint."""


class LeaseLost(FatalError):
    """Another worker holds the job's lease now; this worker must not commit."""


@dataclass(frozen=True)
class FieldProblem:
    """Why one field of one record was refused, with the value as it arrived."""

    field: str
    reason: str
    value: object = None


class BadRecord(LeadloopError):
    """A record cannot be accepted: it is skipped and reported, the others go on.

    ``record`` names it for a person (``"row 17"``, ``"Lead 00Q5e00000AbCdE"``); ``problems`` lists
    every field that was wrong, not just the first.
    """

    def __init__(self, record: str, problems: list[FieldProblem]) -> None:
        self.record = record
        self.problems = list(problems)
        detail = "; ".join(f"field {p.field!r}: {p.reason}" for p in self.problems)
        super().__init__(f"{record}: {detail}")

    @classmethod
    def one(cls, record: str, field: str, reason: str, value: object = None) -> BadRecord:
        return cls(record, [FieldProblem(field, reason, value)])
