"""What a connector does at run time: read pages, write batches, keep its credentials.

A connector type's ``factory`` receives a :class:`Runtime` and returns an object with ``pull``
and/or ``push``. The sync engine drives it: every :class:`Page` a pull yields is mapped, made
unique, stored and committed together with ``page.watermark`` in one transaction, so a crash
repeats only the pages that had not committed. A pull restarted after a crash is called again with the last committed
watermark; sources re-read from it inclusively (overlap is fine, upserts are idempotent).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from .connectors import ConnectorContext
from .errors import AuthError, ConfigError

if TYPE_CHECKING:
    from .store import Store

REFRESH_MARGIN = 60.0
"""Seconds before expiry at which an access token counts as stale: a call must not start with a
token that dies on the way."""


@dataclass
class Deleted:
    """A record the source reports deleted since the watermark."""

    external_id: str
    deleted_at: str | None = None


@dataclass
class Page:
    """One unit of work and of recovery.

    ``records`` are raw source records (the engine maps them with the tenant's mapping);
    ``watermark`` is the JSON-ready position to resume *after* this page (calls are counted on the
    :class:`Runtime`, not per page: a source may ask for the next page early). ``rejects`` lists
    rows the source itself could not read (a file row with a broken quote), each
    ``{"row": n, "field": f, "reason": r, "value": v}``.

    File sources send positional rows instead of dicts: ``records`` are lists of cells under the
    header ``columns``, ``row_numbers`` give each row's number in the file (for error reports),
    ``external_ids`` each row's stable identity (so a replayed page updates, never duplicates), and
    ``source`` names the file.

    ``resume_after_commit`` (the default) promises the source that its iterator is resumed only once
    this page has committed: a source that acts on its own commit (moves a finished file) relies on
    it. A source whose next page does not depend on this one's commit sets it ``False``, and the
    engine may then read on while the page is still being stored (in a second process, on long pulls).
    """

    records: Sequence[Mapping[str, Any] | Sequence[str]]
    watermark: dict[str, Any]
    deleted: list[Deleted] = field(default_factory=list)
    rejects: list[dict[str, Any]] = field(default_factory=list)
    columns: tuple[str, ...] | None = None
    row_numbers: Sequence[int] | None = None
    external_ids: Sequence[str] | None = None
    source: str | None = None
    resume_after_commit: bool = True


@dataclass
class Change:
    """A pending write-back from the outbox, already mapped and translated to the source's fields."""

    outbox_id: int
    object_type: str
    external_id: str | None  # None: create the record
    fields: dict[str, Any]


@dataclass
class PushResult:
    """The source's answer for one :class:`Change`, in input order.

    ``ok=None`` means unknown (a timeout): the outbox keeps the change and retries it, so pushes must
    be safe to repeat.
    """

    outbox_id: int
    ok: bool | None
    external_id: str | None = None
    error: str | None = None
    retriable: bool = True


class Credentials(Protocol):
    """Stored credentials of one connector; ``update`` persists at once (rotated refresh tokens).

    ``lock`` is held across processes (it is a database lock for the store's implementation), so
    two jobs of one connector never spend the same single-use refresh token.
    """

    def get(self) -> dict[str, str]: ...

    def update(self, values: Mapping[str, str]) -> None: ...

    def lock(self) -> AbstractContextManager[Any]: ...


@dataclass
class Runtime:
    """Everything a connector needs for one run; ``api_calls`` is counted by the connector.

    ``store`` is the store the run commits to, for connectors that keep records of their own there
    (a file connector's ledger of imported files); most never touch it, and a connector built outside
    a run (a describe call, a unit test) gets none."""

    context: ConnectorContext
    credentials: Credentials
    hook: Any  # the plugin manager's hook caller: refresh credentials, translate statuses
    store: Store | None = None
    api_calls: int = 0
    _session: dict[str, str] = field(default_factory=dict, init=False, repr=False)
    _counting: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def count_call(self, n: int = 1) -> None:
        """Count ``n`` API calls; safe from several threads (a source may read ahead)."""
        with self._counting:
            self.api_calls += n

    def access_token(self, *, stale: str | None = None) -> str:
        """A usable access token, refreshed through ``leadloop_refresh_credentials`` when needed.

        Pass the token a call was just refused with as ``stale`` (a 401 mid-run): it is replaced
        unless another job already replaced it. The refresh runs under the credentials' lock and
        its answer is persisted before the lock is released. A token still good is answered from
        memory: a pull asks before every request, and the lock is a database transaction.
        """
        if _usable(self._session, stale):
            return self._session["access_token"]
        with self.credentials.lock():
            current = self.credentials.get()
            if not _usable(current, stale):
                fresh = self.hook.leadloop_refresh_credentials(connector=self.context, credentials=current)
                if fresh is None:
                    raise ConfigError(
                        f"no installed plugin refreshes credentials for connector type {self.context.type!r}"
                    )
                self.credentials.update(fresh)
                current = {**current, **fresh}
            self._session = current
            return str(current["access_token"])

    def session(self) -> Mapping[str, str]:
        """The stored credentials as of the last :meth:`access_token` answer (an instance URL, say)."""
        return self._session

    def auth_error(self, message: str) -> AuthError:
        """An :class:`AuthError` naming this connector and tenant, for the admin to act on."""
        return AuthError(message, tenant=self.context.tenant, connector=self.context.name)


def _usable(credentials: Mapping[str, str], stale: str | None) -> bool:
    """Whether the credentials hold a token other than ``stale`` that is not about to expire."""
    token = credentials.get("access_token")
    expires_at = float(credentials.get("expires_at") or 0)
    return bool(token) and token != stale and expires_at - REFRESH_MARGIN > time.time()


class PullSource(Protocol):
    def pull(self, object_type: str, watermark: Mapping[str, Any] | None) -> Iterator[Page]: ...


class PushSink(Protocol):
    def push(self, object_type: str, changes: list[Change]) -> list[PushResult]: ...
