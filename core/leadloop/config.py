"""Tenant files: what a vendor admin writes to describe a tenant and its connectors.

Loading checks everything before anything is stored: the file against ``schemas/tenant.schema.json``,
each connector's settings against its plugin's schema, secrets against what the connector type
takes, mappings against ``schemas/mapping.schema.json`` and the core model, schedules, and status
tables. Every problem is reported at once, with file, line, path and reason.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from croniter import croniter  # type: ignore[import-untyped]

from . import yamlfile
from .connectors import ConnectorContext, ConnectorType, UniquenessRule
from .errors import ConfigError, PluginError, Problem
from .model import DistributionStatus, SalesStatus, core_fields
from .plugins import Plugins
from .schemas import core_schema
from .validation import schema_problems
from .yamlfile import Path_, format_path, line_of

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_CANONICAL = {
    "sales": {s.value for s in SalesStatus},
    "distribution": {s.value for s in DistributionStatus},
}


@dataclass(frozen=True)
class Schedule:
    """When a job runs: every ``every_seconds``, or on a five-field ``cron`` expression."""

    every_seconds: int | None = None
    cron: str | None = None
    enabled: bool = True

    def to_json(self) -> dict[str, Any]:
        return {"every_seconds": self.every_seconds, "cron": self.cron, "enabled": self.enabled}


@dataclass(frozen=True)
class ConnectorConfig:
    name: str
    type: str
    enabled: bool | None  # None: the file does not say; applying keeps the stored switch
    settings: dict[str, Any]
    uniqueness: UniquenessRule
    status_map: dict[str, dict[str, str]]
    mappings: dict[str, dict[str, Any]]
    jobs: dict[str, Schedule]
    sync: dict[str, dict[str, Any]] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict, repr=False)

    def context(self, tenant: str, secrets: Mapping[str, str] | None = None) -> ConnectorContext:
        return ConnectorContext(
            tenant=tenant,
            name=self.name,
            type=self.type,
            settings=self.settings,
            uniqueness=self.uniqueness,
            status_map=self.status_map,
            secrets=dict(secrets if secrets is not None else self.secrets),
        )


@dataclass(frozen=True)
class TenantConfig:
    id: str
    name: str
    connectors: dict[str, ConnectorConfig]
    file: str


def load_tenant_file(path: str | Path, plugins: Plugins) -> TenantConfig:
    """Read and check a tenant file; raise :class:`ConfigError` listing every problem."""
    path = Path(path)
    data, lines = yamlfile.load(path)
    if not isinstance(data, dict):
        raise ConfigError(
            f"{path} is not a valid tenant file",
            [Problem(str(path), "", "the file must be a mapping with 'tenant' and 'connectors'")],
        )
    problems = schema_problems(core_schema("tenant"), data, file=str(path), lines=lines)
    flagged = {p.path for p in problems}

    connectors: dict[str, ConnectorConfig] = {}
    raw_connectors = data.get("connectors")
    for name, raw in (raw_connectors if isinstance(raw_connectors, dict) else {}).items():
        checker = _ConnectorChecker(path, lines, ("connectors", name), plugins, flagged)
        config = checker.check(name, raw)
        problems.extend(checker.problems)
        if config is not None:
            connectors[name] = config
    if problems:
        raise ConfigError(f"{path} is not a valid tenant file", problems)
    return TenantConfig(data["tenant"], data.get("name") or data["tenant"], connectors, str(path))


class _ConnectorChecker:
    def __init__(
        self, file: Path, lines: dict[Path_, int], at: Path_, plugins: Plugins, flagged: set[str]
    ) -> None:
        self.file = file
        self.lines = lines
        self.at = at
        self.plugins = plugins
        self.flagged = flagged
        self.problems: list[Problem] = []

    def clean(self, *rel: str) -> bool:
        """True when the tenant schema found nothing wrong at or below ``rel``: only then is the
        part's shape known, and checking it further reports new problems instead of noise."""
        prefix = format_path((*self.at, *rel))
        return not any(p == prefix or p.startswith((prefix + ".", prefix + "[")) for p in self.flagged)

    def problem(self, rel: Path_, reason: str) -> None:
        path = (*self.at, *rel)
        self.problems.append(Problem(str(self.file), format_path(path), reason, line_of(self.lines, path)))

    def part(self, raw: Mapping[str, Any], key: str) -> Any:
        return (raw.get(key) or {}) if self.clean(key) else {}

    def check(self, name: str, raw: Any) -> ConnectorConfig | None:
        if not isinstance(raw, dict) or not self.clean("type"):
            return None
        try:
            ctype = self.plugins.connectors.get(raw["type"])
        except PluginError as exc:
            self.problem(("type",), str(exc))
            return None
        settings = dict(self.part(raw, "settings"))
        if self.clean("settings"):
            self.problems.extend(
                schema_problems(
                    ctype.config_schema, settings, file=str(self.file), prefix=(*self.at, "settings"),
                    lines=self.lines,
                )
            )
        secrets = self._secrets(ctype, self.part(raw, "secrets"))
        status_map = self._status_map(ctype, self.part(raw, "status_map"))
        mappings = self._mappings(ctype, self.part(raw, "mappings"))
        jobs = self._jobs(ctype, self.part(raw, "jobs"))
        sync = self._sync(ctype, self.part(raw, "sync"))
        return ConnectorConfig(
            name=name,
            type=ctype.name,
            enabled=raw.get("enabled"),
            settings=settings,
            uniqueness=raw.get("uniqueness") or ctype.default_uniqueness,
            status_map=status_map,
            mappings=mappings,
            jobs=jobs,
            sync=sync,
            secrets=secrets,
        )

    def _secrets(self, ctype: ConnectorType, raw: Mapping[str, Mapping[str, str]]) -> dict[str, str]:
        values: dict[str, str] = {}
        for secret_name, source in raw.items():
            if secret_name not in ctype.secrets:
                takes = ", ".join(ctype.secrets) or "none"
                self.problem(("secrets", secret_name), f"connector type {ctype.name!r} takes no secret "
                             f"{secret_name!r} (it takes: {takes})")
                continue
            value = self._resolve_secret(secret_name, source)
            if value is not None:
                values[secret_name] = value
        return values

    def _resolve_secret(self, secret_name: str, source: Mapping[str, str]) -> str | None:
        if "value" in source:
            return source["value"]
        if "env" in source:
            value = os.environ.get(source["env"])
            if value is None:
                self.problem(("secrets", secret_name, "env"), f"environment variable {source['env']} is not set")
            return value
        secret_path = Path(source["file"]).expanduser()
        if not secret_path.is_absolute():
            secret_path = self.file.parent / secret_path
        try:
            return secret_path.read_text(encoding="utf-8").strip("\n")
        except OSError as exc:
            self.problem(("secrets", secret_name, "file"), f"cannot read {secret_path}: {exc.strerror}")
            return None

    def _status_map(self, ctype: ConnectorType, raw: Mapping[str, Mapping[str, str]]) -> dict[str, dict[str, str]]:
        merged = {kind: dict(table) for kind, table in ctype.default_status_map.items()}
        for kind, table in raw.items():
            for canonical, value in table.items():
                if canonical not in _CANONICAL[kind]:
                    self.problem(("status_map", kind, canonical), f"{canonical!r} is not a {kind} status "
                                 f"(one of: {', '.join(sorted(_CANONICAL[kind]))})")
                merged.setdefault(kind, {})[canonical] = value
        return merged

    def _mappings(self, ctype: ConnectorType, raw: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
        from .mapping import compile_mapping

        documents: dict[str, dict[str, Any]] = {}
        for object_type, doc in raw.items():
            rel: Path_ = ("mappings", object_type)
            if object_type not in ctype.reads and object_type not in ctype.writes:
                self.problem(rel, f"connector type {ctype.name!r} neither reads nor writes {object_type!r}")
                continue
            if isinstance(doc, str):
                doc_path = self.file.parent / doc
                try:
                    document, _ = yamlfile.load(doc_path)
                except ConfigError as exc:
                    self.problems.extend(exc.problems or [Problem(str(self.file), format_path((*self.at, *rel)),
                                                                  str(exc), line_of(self.lines, (*self.at, *rel)))])
                    continue
                file = str(doc_path)
            else:
                document, file = doc, f"{self.file} ({format_path((*self.at, *rel))})"
            try:
                compile_mapping(document, file=file)
            except ConfigError as exc:
                self.problems.extend(exc.problems or [Problem(file, "", str(exc))])
                continue
            documents[object_type] = document
        return documents

    def _sync(self, ctype: ConnectorType, raw: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for object_type, spec in raw.items():
            if object_type not in ctype.reads:
                self.problem(("sync", object_type), f"connector type {ctype.name!r} does not read {object_type!r}")
                continue
            if spec["mode"] != "source_wins" and object_type not in ctype.writes:
                self.problem(("sync", object_type, "mode"), f"connector type {ctype.name!r} cannot write "
                             f"{object_type!r} back, so only 'source_wins' fits")
                continue
            known = set(core_fields(object_type))
            for direction in ("in", "out"):
                for i, name in enumerate(spec.get(direction, [])):
                    if name not in known:
                        self.problem(("sync", object_type, direction, i), f"{name!r} is not a {object_type} field")
            out[object_type] = dict(spec)
        return out

    def _jobs(self, ctype: ConnectorType, raw: Mapping[str, Mapping[str, Any]]) -> dict[str, Schedule]:
        jobs: dict[str, Schedule] = {}
        for kind, spec in raw.items():
            if kind not in ctype.jobs:
                self.problem(("jobs", kind), f"connector type {ctype.name!r} has no {kind!r} job "
                             f"(it has: {', '.join(ctype.jobs)})")
                continue
            enabled = bool(spec.get("enabled", True))
            if "every" in spec:
                every = spec["every"]  # shape checked by the schema: digits then one unit letter
                jobs[kind] = Schedule(every_seconds=int(every[:-1]) * _UNITS[every[-1]], enabled=enabled)
            elif not croniter.is_valid(spec["cron"]):
                self.problem(("jobs", kind, "cron"), f"{spec['cron']!r} is not a valid five-field cron expression")
            else:
                jobs[kind] = Schedule(cron=spec["cron"], enabled=enabled)
        return jobs
