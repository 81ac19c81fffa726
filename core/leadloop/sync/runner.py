"""Running one job of one connector: lease, runtime, the job itself, and an honest run record."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from ..connectors import ConnectorContext, ConnectorType
from ..errors import (
    AuthError,
    ConfigError,
    FatalError,
    LeadloopError,
    LeaseLost,
    QuotaExceeded,
    RetriableError,
)
from ..plugins import Plugins
from ..secrets import SecretBox
from ..source import Runtime
from ..store import Store
from ..store.tenant import ConnectorRecord
from . import leases, runs, schedule
from .credentials import StoredCredentials
from .job import Job
from .pull import Stopped, pull
from .push import push
from .retry import RetryPolicy
from .runs import RunStats

log = logging.getLogger("leadloop.sync")


@dataclass(frozen=True)
class RunResult:
    run_id: int | None
    outcome: str  # ok | failed | paused | quota | cancelled | skipped
    error: str | None = None
    stats: RunStats | None = None


def run_job(
    store: Store,
    plugins: Plugins,
    tenant: str,
    connector: str,
    kind: str,
    *,
    holder: str | None = None,
    due_only: bool = False,
    stop: threading.Event | None = None,
    retry: RetryPolicy | None = None,
    box: SecretBox | None = None,
    progress: Callable[[RunStats], None] | None = None,
    source: Callable[[Runtime], Any] | None = None,
    record_as: str | None = None,
) -> RunResult:
    """Run ``kind`` (pull, push) for one connector now, unless another worker runs it already.

    ``due_only``: the scheduler's call; the job runs only if it is still due once the lease is held
    (another scheduler may have just run it), and its next run time moves on.

    ``source`` replaces the connector type's factory and ``record_as`` names the run and its
    watermark differently, for one-off runs that must not overlap the connector's own job nor move
    its watermark: ``leadloop import FILE`` reads a local file under the lease of the file
    connector's ``pull``, recorded as ``import``.
    """
    record = store.tenant(tenant).get_connector(connector)
    if record is None:
        raise ConfigError(f"tenant {tenant!r} has no connector {connector!r}")
    ctype = plugins.connectors.get(record.type)
    factory = source or ctype.factory
    if kind not in ctype.jobs or factory is None:  # checked here, before a lease is taken
        raise ConfigError(f"connector type {ctype.name!r} has no {kind!r} job (it has: {', '.join(ctype.jobs)})")
    lease = leases.acquire(store, tenant, connector, kind, holder or leases.new_holder())
    if lease is None:
        return RunResult(None, "skipped", "another worker holds the job's lease")
    try:
        if due_only and not schedule.claim(store, tenant, connector, kind):
            return RunResult(None, "skipped", "not due any more")
        if not record.enabled or record.state != "ok":
            return RunResult(None, "skipped", f"connector is {'disabled' if not record.enabled else record.state}")
        return _execute(store, plugins, record, ctype, lease, record_as or kind, stop or threading.Event(),
                        retry or RetryPolicy(), box or SecretBox.from_environment(), progress, factory)
    finally:
        leases.release(store, lease)


def _execute(
    store: Store,
    plugins: Plugins,
    record: ConnectorRecord,
    ctype: ConnectorType,
    lease: leases.Lease,
    kind: str,
    stop: threading.Event,
    retry: RetryPolicy,
    box: SecretBox,
    progress: Callable[[RunStats], None] | None,
    factory: Callable[[Runtime], Any],
) -> RunResult:
    tenant = lease.tenant
    credentials = StoredCredentials(store, box, tenant, record.name)
    context = ConnectorContext(tenant=tenant, name=record.name, type=record.type, settings=record.settings,
                               uniqueness=record.uniqueness, status_map=record.status_map,
                               secrets=credentials.get())
    runtime = Runtime(context=context, credentials=credentials, hook=plugins.hook, store=store)
    run_id = runs.start(store, tenant, record.name, kind)
    job = Job(store=store, plugins=plugins, connector=record, ctype=ctype, context=context, runtime=runtime,
              lease=lease, run_id=run_id, kind=kind, retry=retry, stop=stop, progress=progress)
    outcome, error = "ok", None
    try:
        connector = factory(runtime)
        pulling = kind != "push"
        objects = [o for o in (record.settings.get("objects") or ["lead"]) if o in
                   (ctype.reads if pulling else ctype.writes)]
        with closing_if_closable(connector):
            for object_type in objects:
                if pulling:
                    pull(job, connector, object_type)
                else:
                    push(job, connector, object_type)
    except Stopped:
        outcome = "cancelled"
    except AuthError as exc:
        exc.tenant, exc.connector = exc.tenant or tenant, exc.connector or record.name
        store.tenant(tenant).set_connector_state(record.name, "needs_reauth", str(exc))
        outcome, error = "paused", str(exc)
    except QuotaExceeded as exc:
        outcome, error = "quota", str(exc)
    except LeaseLost as exc:
        outcome, error = "cancelled", str(exc)
    except (RetriableError, FatalError, ConfigError) as exc:
        outcome, error = "failed", f"{type(exc).__name__}: {exc}"
    except LeadloopError as exc:
        outcome, error = "failed", str(exc)
    except Exception as exc:  # a plugin's bug must end the run recorded, not leave it "running"
        log.exception("job %s of connector %r (tenant %r) crashed", kind, record.name, tenant)
        outcome, error = "failed", f"{type(exc).__name__}: {exc}"
    finally:
        job.stats.api_calls = runtime.api_calls
        runs.finish(store, run_id, outcome, job.stats, error)
    return RunResult(run_id, outcome, error, job.stats)


@contextmanager
def closing_if_closable(connector: Any) -> Iterator[None]:
    """Let a connector that holds resources (an HTTP client, a session) release them after its run."""
    try:
        yield
    finally:
        close = getattr(connector, "close", None)
        if callable(close):
            close()
