"""The Salesforce connector: incremental pulls by SystemModstamp, write-back through sObject Collections.

Pulls use ``queryAll`` so that records deleted since the watermark come back (``IsDeleted``) and can
be reported as :class:`~leadloop.source.Deleted` instead of silently vanishing. Each page of the
query (a ``nextRecordsUrl`` hop) becomes one :class:`~leadloop.source.Page` whose watermark is its
last row's (SystemModstamp, Id).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import closing
from typing import Any

from leadloop.errors import AuthError, ConfigError, QuotaExceeded, RetriableError
from leadloop.source import Change, Deleted, Page, PushResult, Runtime

from . import soql
from .client import OutcomeUnknown, RequestRefused, SalesforceClient
from .paging import QueryPages

SOBJECTS = {
    "lead": "Lead", "contact": "Contact", "account": "Account", "opportunity": "Opportunity",
    "campaign": "Campaign", "campaign_member": "CampaignMember",
}
WRITABLE = ("lead", "opportunity")
BATCH = 200  # sObject Collections' limit per request
_ALWAYS = ("Id", "IsDeleted", "SystemModstamp")
DEFAULT_FIELDS: dict[str, tuple[str, ...]] = {
    "lead": ("FirstName", "LastName", "Title", "Company", "Email", "Phone", "MobilePhone", "Website",
             "Street", "City", "State", "PostalCode", "Country", "Industry", "LeadSource", "Status",
             "Rating", "AnnualRevenue", "NumberOfEmployees", "Description", "IsConverted",
             "ConvertedAccountId", "ConvertedContactId", "ConvertedOpportunityId", "CreatedDate",
             "LastModifiedDate"),
    "contact": ("AccountId", "FirstName", "LastName", "Title", "Email", "Phone", "MobilePhone",
                "MailingStreet", "MailingCity", "MailingState", "MailingPostalCode", "MailingCountry",
                "LeadSource", "CreatedDate", "LastModifiedDate"),
    "account": ("Name", "Type", "Industry", "Website", "Phone", "BillingStreet", "BillingCity",
                "BillingState", "BillingPostalCode", "BillingCountry", "AnnualRevenue", "NumberOfEmployees",
                "CreatedDate", "LastModifiedDate"),
    "opportunity": ("Name", "AccountId", "StageName", "CloseDate", "Amount", "Probability", "Type",
                    "LeadSource", "CampaignId", "IsClosed", "IsWon", "CreatedDate", "LastModifiedDate"),
    "campaign": ("Name", "Type", "Status", "StartDate", "EndDate", "IsActive", "CreatedDate",
                 "LastModifiedDate"),
    "campaign_member": ("CampaignId", "LeadId", "ContactId", "Status", "HasResponded", "CreatedDate",
                        "LastModifiedDate"),
}
# Per-record status codes worth another try later; everything else needs the data fixed.
RETRIABLE_CODES = frozenset({"UNABLE_TO_LOCK_ROW", "ALL_OR_NONE_OPERATION_ROLLED_BACK", "SERVER_UNAVAILABLE",
                             "REQUEST_RUNNING_TOO_LONG"})


class SalesforceConnector:
    """The runtime connector the ``salesforce`` connector type's factory builds for one run."""

    def __init__(self, runtime: Runtime) -> None:
        settings = runtime.context.settings
        self.rt = runtime
        self.client = SalesforceClient(runtime)
        self.overlap = float(settings.get("overlap_seconds", 300))
        self.batch_size = int(settings.get("query_batch_size", 2000))
        self.fields: Mapping[str, list[str]] = settings.get("fields", {})

    def close(self) -> None:
        self.client.close()

    # -- pull
    def pull(self, object_type: str, watermark: Mapping[str, Any] | None) -> Iterator[Page]:
        """Pages of records changed at or after ``watermark`` (``{"stamp", "id"}``), oldest first."""
        sobject = _sobject(object_type, SOBJECTS)
        wanted = self.fields.get(object_type, DEFAULT_FIELDS[object_type])
        fields = list(_ALWAYS) + [f for f in wanted if f not in _ALWAYS]
        since = soql.parse_stamp(watermark["stamp"]) if watermark and watermark.get("stamp") else None
        query = soql.incremental_query(sobject, fields, since, (watermark or {}).get("id"), self.overlap)
        options = {"Sforce-Query-Options": f"batchSize={self.batch_size}"}
        try:
            answers = QueryPages(self.client, options).read("/queryAll", {"q": query})
            with closing(answers):  # a pull stopped early stops its reading at once
                for answer in answers:
                    page = _page(answer.records)
                    if page is not None:
                        yield page
        except RequestRefused as exc:
            raise ConfigError(f"Salesforce refused the pull query ({exc.code}: {exc.message.strip()}); "
                              "check the connector's fields and api_version settings") from exc

    # -- describe
    def describe(self, object_type: str) -> dict[str, Any]:
        """The object's fields, as ``leadloop mapping check`` compares them with a mapping.

        ``{"name": "Lead", "fields": {api name: {"type", "length", "updateable", "createable",
        "picklist"}}}``: ``length`` is ``None`` where it does not apply, ``picklist`` the active values
        of a picklist (``None`` for other types). One API call.
        """
        sobject = _sobject(object_type, SOBJECTS)
        try:
            body = self.client.call("GET", f"/sobjects/{sobject}/describe")
        except RequestRefused as exc:
            raise ConfigError(f"Salesforce refused to describe {sobject} ({exc.code}: {exc.message.strip()}); the "
                              "connected user needs read access to the object") from exc
        return {"name": body["name"], "fields": {f["name"]: _field_info(f) for f in body["fields"]}}

    # -- push
    def push(self, object_type: str, changes: list[Change]) -> list[PushResult]:
        """Write changes in batches of 200 (updates by PATCH, creates by POST), results in input order.

        Raises (quota, rate limit, auth refusal) only while no change has been or may have been
        applied, so the engine learns the run-level condition without losing a result; after that,
        the changes not sent are reported retriable.
        """
        sobject = _sobject(object_type, {k: SOBJECTS[k] for k in WRITABLE})
        results: dict[int, PushResult] = {}
        sendable: list[int] = []
        for i, change in enumerate(changes):
            bad = [f for f in change.fields if not soql.is_name(f) or f.lower() == "id"]
            if bad:
                results[i] = PushResult(change.outbox_id, False, change.external_id, retriable=False,
                                        error=f"not Salesforce API field names: {', '.join(map(repr, bad))}")
            else:
                sendable.append(i)
        updates = [i for i in sendable if changes[i].external_id is not None]
        creates = [i for i in sendable if changes[i].external_id is None]
        batches = [("PATCH", updates[n:n + BATCH]) for n in range(0, len(updates), BATCH)]
        batches += [("POST", creates[n:n + BATCH]) for n in range(0, len(creates), BATCH)]
        stopped: str | None = None
        for method, indexes in batches:
            batch = [changes[i] for i in indexes]
            if stopped is not None:
                outcome = [_unsent(c, stopped) for c in batch]
            else:
                try:
                    outcome, stopped = self._send(sobject, method, batch)
                except (RetriableError, QuotaExceeded, AuthError) as exc:
                    if not any(r.ok is not False for r in results.values()):
                        raise
                    stopped = str(exc)
                    outcome = [_unsent(c, stopped) for c in batch]
            results.update(zip(indexes, outcome, strict=True))
        return [results[i] for i in range(len(changes))]

    def _send(self, sobject: str, method: str, batch: list[Change]) -> tuple[list[PushResult], str | None]:
        """One sObject Collections call: its results, and why later batches must wait (if they must)."""
        records = [{"attributes": {"type": sobject}, **c.fields,
                    **({"id": c.external_id} if c.external_id else {})} for c in batch]
        body = {"allOrNone": False, "records": records}
        try:
            answer = self.client.call(method, "/composite/sobjects", json=body)
        except OutcomeUnknown as exc:
            unknown = [PushResult(c.outbox_id, None, c.external_id, error=str(exc)) for c in batch]
            return unknown, f"an earlier batch's outcome is unknown ({exc})"
        except RequestRefused as exc:
            refused = f"{exc.code}: {exc.message}"
            return [PushResult(c.outbox_id, False, c.external_id, error=refused, retriable=False)
                    for c in batch], None
        return [_push_result(c, r) for c, r in zip(batch, answer, strict=True)], None


def _sobject(object_type: str, known: Mapping[str, str]) -> str:
    try:
        return known[object_type]
    except KeyError:
        raise ConfigError(f"the salesforce connector cannot handle object type {object_type!r} here "
                          f"(it can: {', '.join(known)})") from None


def _field_info(field: Mapping[str, Any]) -> dict[str, Any]:
    picklist = None
    if field["type"] in ("picklist", "multipicklist"):
        picklist = [p["value"] for p in field.get("picklistValues") or () if p.get("active")]
    return {"type": field["type"], "length": field.get("length") or None, "picklist": picklist,
            "updateable": bool(field["updateable"]), "createable": bool(field["createable"])}


def _page(rows: list[dict[str, Any]]) -> Page | None:
    """Split one query page's rows (already without their attributes) into live records and
    deletions; ``None`` when it has none."""
    if not rows:
        return None
    records: list[Mapping[str, Any]] = []
    deleted: list[Deleted] = []
    for row in rows:
        if row.get("IsDeleted"):
            deleted.append(Deleted(row["Id"], row.get("SystemModstamp")))
        else:
            records.append(row)
    last = rows[-1]
    # Nothing here waits on a commit: the engine may store this page while the next one is read.
    return Page(records, {"stamp": last["SystemModstamp"], "id": last["Id"]}, deleted, resume_after_commit=False)


def _unsent(change: Change, reason: str) -> PushResult:
    return PushResult(change.outbox_id, False, change.external_id, error=f"not sent: {reason}")


def _push_result(change: Change, result: Mapping[str, Any]) -> PushResult:
    if result.get("success"):
        return PushResult(change.outbox_id, True, result.get("id") or change.external_id)
    errors = result.get("errors") or []
    text = "; ".join(
        f"{e.get('statusCode')}: {e.get('message')}"
        + (f" (fields: {', '.join(e['fields'])})" if e.get("fields") else "")
        for e in errors
    )
    retriable = bool(errors) and all(e.get("statusCode") in RETRIABLE_CODES for e in errors)
    return PushResult(change.outbox_id, False, change.external_id, error=text or "failed without a reason",
                      retriable=retriable)
