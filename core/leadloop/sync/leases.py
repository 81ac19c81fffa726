"""Leases: a job runs in one place at a time, across threads, processes and machines.

A lease is a row per job with a holder, an expiry and a fencing token that grows by one each time
the lease changes hands. Every page commit re-checks the token inside its own transaction
(:func:`fence`), so a worker that stalled past its expiry and lost the lease cannot commit even if
it wakes up mid-run: its transaction finds someone else's token and rolls back.
"""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from ..errors import LeaseLost
from ..store import Store
from ..store.tables import leases
from ..store.types import utcnow


def new_holder() -> str:
    """A name for this worker that is unique and says where it runs."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass(frozen=True)
class Lease:
    tenant: str
    connector: str
    job: str
    holder: str
    token: int
    ttl: float

    def _where(self) -> ColumnElement[bool]:
        return and_(
            leases.c.tenant_id == self.tenant,
            leases.c.connector == self.connector,
            leases.c.job == self.job,
            leases.c.holder == self.holder,
            leases.c.token == self.token,
        )


def acquire(store: Store, tenant: str, connector: str, job: str, holder: str, ttl: float = 300.0) -> Lease | None:
    """Take the job's lease if it is free or expired; ``None`` when another worker holds it."""
    now = utcnow()
    expires = now + timedelta(seconds=ttl)
    key = and_(leases.c.tenant_id == tenant, leases.c.connector == connector, leases.c.job == job)
    with store.transaction() as conn:
        token = conn.execute(
            update(leases)
            .where(key, leases.c.expires_at < now)
            .values(holder=holder, token=leases.c.token + 1, expires_at=expires)
            .returning(leases.c.token)
        ).scalar()
    if token is None:
        try:
            with store.transaction() as conn:
                conn.execute(
                    insert(leases).values(tenant_id=tenant, connector=connector, job=job, holder=holder,
                                          token=1, expires_at=expires)
                )
            token = 1
        except IntegrityError:
            token = _take_from_dead_holder(store, key, holder, expires)
            if token is None:
                return None  # the row exists and is held: someone else runs this job now
    return Lease(tenant, connector, job, holder, int(token), ttl)


def _take_from_dead_holder(store: Store, key: ColumnElement[bool], holder: str, expires: datetime) -> int | None:
    """Take over a lease whose holder was a process of this host that no longer exists (killed,
    crashed): waiting for its expiry would only delay the job. The token must not have moved since
    it was read, so two workers cannot both take it over."""
    with store.transaction() as conn:
        row = conn.execute(select(leases.c.holder, leases.c.token).where(key)).first()
        if row is None or not _is_dead(row.holder):
            return None
        token: int | None = conn.execute(
            update(leases).where(key, leases.c.token == row.token)
            .values(holder=holder, token=row.token + 1, expires_at=expires)
            .returning(leases.c.token)
        ).scalar()
        return token


def _is_dead(holder: str) -> bool:
    host, _, rest = holder.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def fence(conn: Connection, lease: Lease, now: datetime | None = None) -> None:
    """Inside a commit's transaction: prove the lease is still ours and extend it, or roll back.

    The UPDATE takes the lease row's lock until the transaction ends, so no other worker can take
    the lease between this check and the commit.
    """
    now = now or utcnow()
    renewed = conn.execute(
        update(leases)
        .where(lease._where(), leases.c.expires_at >= now)
        .values(expires_at=now + timedelta(seconds=lease.ttl))
    ).rowcount
    if renewed != 1:
        raise LeaseLost(
            f"job {lease.job!r} of connector {lease.connector!r} (tenant {lease.tenant!r}) lost its lease "
            f"(token {lease.token}) to another worker; this worker's page was not committed"
        )


def release(store: Store, lease: Lease) -> None:
    """Give the lease up so the next worker need not wait for it to expire."""
    with store.transaction() as conn:
        conn.execute(update(leases).where(lease._where()).values(expires_at=utcnow()))
