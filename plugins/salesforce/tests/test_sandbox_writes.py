"""describe, sObject Collections and single-record writes over HTTP."""

from __future__ import annotations

import pytest


def lead(**fields):
    return {"attributes": {"type": "Lead"}, **fields}


def stamp_of(api, record_id):
    return api.get(f"/sobjects/Lead/{record_id}").json()["SystemModstamp"]


@pytest.mark.parametrize("name", ["Lead", "Account", "Contact", "Opportunity", "Campaign", "CampaignMember"])
def test_describe_has_the_documented_keys(api, name):
    body = api.get(f"/sobjects/{name}/describe").json()
    assert body["name"] == name
    assert body["createable"] is body["updateable"] is body["queryable"] is True
    keys = {"name", "label", "type", "length", "nillable", "createable", "updateable", "picklistValues",
            "referenceTo", "externalId", "unique", "calculated", "custom", "precision", "scale"}
    for field in body["fields"]:
        assert keys <= set(field), field["name"]
    names = {f["name"] for f in body["fields"]}
    assert {"Id", "IsDeleted", "CreatedDate", "LastModifiedDate", "SystemModstamp"} <= names


def test_describe_lead_fields_follow_the_reference(api):
    fields = {f["name"]: f for f in api.get("/sobjects/Lead/describe").json()["fields"]}
    assert {n: fields[n]["length"] for n in ("Company", "City", "State", "PostalCode", "Country", "Street",
                                             "Description")} == {
        "Company": 255, "City": 40, "State": 80, "PostalCode": 20, "Country": 80, "Street": 255,
        "Description": 32000}
    assert fields["Street"]["type"] == fields["Description"]["type"] == "textarea"
    assert fields["AnnualRevenue"]["type"] == "currency"
    assert fields["Email"]["type"] == "email"
    assert fields["IsConverted"]["type"] == "boolean"
    assert fields["ConvertedAccountId"]["referenceTo"] == ["Account"]
    assert fields["LastName"]["nillable"] is fields["Company"]["nillable"] is False
    status = fields["Status"]
    assert status["type"] == "picklist"
    assert [(p["value"], p["defaultValue"]) for p in status["picklistValues"]] == [
        ("Open - Not Contacted", True), ("Working - Contacted", False),
        ("Closed - Converted", False), ("Closed - Not Converted", False)]
    assert {"active", "defaultValue", "label", "validFor", "value"} == set(status["picklistValues"][0])
    assert "Technology" in {p["value"] for p in fields["Industry"]["picklistValues"]}


def test_describe_opportunity_stages_and_campaign_member(api):
    stages = next(f for f in api.get("/sobjects/Opportunity/describe").json()["fields"] if f["name"] == "StageName")
    assert [p["value"] for p in stages["picklistValues"]][:3] == ["Prospecting", "Qualification", "Needs Analysis"]
    assert [p["value"] for p in stages["picklistValues"]][-2:] == ["Closed Won", "Closed Lost"]
    member = {f["name"]: f for f in api.get("/sobjects/CampaignMember/describe").json()["fields"]}
    assert {"CampaignId", "LeadId", "ContactId", "Status"} <= set(member)
    assert member["CampaignId"]["referenceTo"] == ["Campaign"]


def test_unknown_object_describe_is_404(api):
    assert api.get("/sobjects/Gadget/describe").status_code == 404


def test_create_reports_each_record_in_input_order(sf, api):
    response = api.post("/composite/sobjects", json={"allOrNone": False, "records": [
        lead(LastName="Good", Company="Acme"),
        lead(LastName="NoCompany"),
        lead(LastName="Picky", Company="Acme", Status="Maybe Later"),
        lead(LastName="Long", Company="A" * 256),
        lead(LastName="Mail", Company="Acme", Email="not-an-email"),
        lead(LastName="Fine", Company="Beta", Status="Working - Contacted"),
    ]})
    assert response.status_code == 200
    results = response.json()
    assert [r["success"] for r in results] == [True, False, False, False, False, True]
    assert results[0]["errors"] == [] and results[0]["id"].startswith("00Q")
    assert results[1]["errors"] == [{"statusCode": "REQUIRED_FIELD_MISSING",
                                     "message": "Required fields are missing: [Company]", "fields": ["Company"]}]
    assert results[2]["errors"][0]["statusCode"] == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
    assert results[2]["errors"][0]["fields"] == ["Status"]
    assert results[3]["errors"][0]["statusCode"] == "STRING_TOO_LONG"
    assert "max length=255" in results[3]["errors"][0]["message"]
    assert results[4]["errors"][0]["statusCode"] == "INVALID_EMAIL_ADDRESS"
    created = sf.org.get("Lead", results[0]["id"])
    assert created["Status"] == "Open - Not Contacted"  # the picklist default
    assert created["CreatedDate"] == created["SystemModstamp"] == created["LastModifiedDate"]


def test_update_partial_failure_and_unknown_ids(sf, api):
    good = sf.org.create("Lead", {"LastName": "One", "Company": "Acme"})
    gone = sf.org.create("Lead", {"LastName": "Two", "Company": "Acme"})
    sf.org.delete("Lead", gone)
    never = "00Q5e0000009ZZZ"
    results = api.patch("/composite/sobjects", json={"allOrNone": False, "records": [
        lead(id=good, Status="Working - Contacted"),
        lead(id=gone, Status="Working - Contacted"),
        lead(id=never, Status="Working - Contacted"),
        lead(id="garbage", Status="Working - Contacted"),
        lead(id=good, LastName=None),
        lead(id=good, IsConverted=True),
        lead(Status="Working - Contacted"),
    ]}).json()
    codes = [r["errors"][0]["statusCode"] if r["errors"] else "ok" for r in results]
    assert codes == ["ok", "ENTITY_IS_DELETED", "INVALID_CROSS_REFERENCE_KEY", "MALFORMED_ID",
                     "REQUIRED_FIELD_MISSING", "INVALID_FIELD_FOR_INSERT_UPDATE", "MISSING_ARGUMENT"]
    assert results[0]["id"] == good
    assert sf.org.get("Lead", good)["Status"] == "Working - Contacted"


def test_every_write_bumps_system_modstamp(sf, api, http):
    record = sf.org.create("Lead", {"LastName": "Stamp", "Company": "Acme"}, stamp=1_600_000_000)
    before = stamp_of(api, record)
    assert before == "2020-09-13T12:26:40.000+0000"
    assert api.patch(f"/sobjects/Lead/{record}", json={"City": "Berlin"}).status_code == 204
    after_single = stamp_of(api, record)
    assert after_single > before
    http.post("/_sandbox/clock", json={"advance": 5})
    api.patch("/composite/sobjects", json={"records": [lead(id=record, City="Paris")]})
    assert stamp_of(api, record) > after_single
    row = sf.org.get("Lead", record)
    assert row["LastModifiedDate"] == row["SystemModstamp"]


def test_all_or_none_rolls_everything_back(sf, api):
    keep = sf.org.create("Lead", {"LastName": "Keep", "Company": "Acme"})
    results = api.patch("/composite/sobjects", json={"allOrNone": True, "records": [
        lead(id=keep, City="Rome"),
        lead(id=keep, Status="Nope"),
    ]}).json()
    assert results[0] == {"id": keep, "success": False, "errors": [{
        "statusCode": "ALL_OR_NONE_OPERATION_ROLLED_BACK",
        "message": "Record rolled back because not all records were valid and the request was using AllOrNone header",
        "fields": []}]}
    assert results[1]["errors"][0]["statusCode"] == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
    assert sf.org.get("Lead", keep)["City"] is None

    created = api.post("/composite/sobjects", json={"allOrNone": True, "records": [
        lead(LastName="A", Company="Acme"), lead(LastName="B")]}).json()
    assert [r["success"] for r in created] == [False, False] and "id" not in created[0]
    assert sf.org.store.counts()["Lead"]["live"] == 31


def test_more_than_200_records_is_refused_whole(sf, api):
    records = [lead(LastName=f"L{i}", Company="Acme") for i in range(201)]
    response = api.post("/composite/sobjects", json={"records": records})
    assert response.status_code == 400
    assert response.json()[0]["errorCode"] == "EXCEEDED_ID_LIMIT"
    assert sf.org.store.counts()["Lead"]["live"] == 30
    assert api.post("/composite/sobjects", json={"records": records[:200]}).status_code == 200


@pytest.mark.parametrize("record, code", [
    (lead(LastName="X", Company="Acme", Shoe="9"), "INVALID_FIELD"),
    (lead(LastName="X", Company="Acme", NumberOfEmployees="many"), "JSON_PARSER_ERROR"),
    ({"LastName": "X"}, "INVALID_TYPE"),
])
def test_undecodable_bodies_fail_the_whole_request(api, record, code):
    response = api.post("/composite/sobjects", json={"records": [record]})
    assert response.status_code == 400
    assert response.json()[0]["errorCode"] == code


def test_single_record_create_update_delete(sf, api):
    created = api.post("/sobjects/Lead", json={"LastName": "Solo", "Company": "Acme"})
    assert created.status_code == 201
    record = created.json()["id"]
    bad = api.patch(f"/sobjects/Lead/{record}", json={"Status": "Nope"})
    assert bad.status_code == 400
    assert bad.json()[0]["errorCode"] == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
    assert api.delete(f"/sobjects/Lead/{record}").status_code == 204
    assert sf.org.get("Lead", record)["IsDeleted"] is True
    assert api.get(f"/sobjects/Lead/{record}").status_code == 404
    again = api.delete(f"/sobjects/Lead/{record}")
    assert again.status_code == 404 and again.json()[0]["errorCode"] == "ENTITY_IS_DELETED"
    assert api.patch("/sobjects/Lead/00Q5e0000009ZZZ", json={"City": "x"}).status_code == 404


def test_references_must_point_at_live_records_of_the_right_type(sf, api):
    campaign = sf.org.create("Campaign", {"Name": "Launch"})
    person = sf.org.create("Lead", {"LastName": "Member", "Company": "Acme"})
    results = api.post("/composite/sobjects", json={"records": [
        {"attributes": {"type": "CampaignMember"}, "CampaignId": campaign, "LeadId": person},
        {"attributes": {"type": "CampaignMember"}, "CampaignId": person, "LeadId": person},
        {"attributes": {"type": "CampaignMember"}, "CampaignId": "7015e0000009ZZZ", "LeadId": person},
    ]}).json()
    assert results[0]["success"] is True
    assert results[1]["errors"][0]["statusCode"] == "MALFORMED_ID"
    assert results[2]["errors"][0]["statusCode"] == "INVALID_CROSS_REFERENCE_KEY"
    member = sf.org.get("CampaignMember", results[0]["id"])
    assert member["Status"] == "Sent" and member["HasResponded"] is False


def test_the_channel_package_fields_are_described_custom_and_validated(sf, api):
    fields = {f["name"]: f for f in api.get("/sobjects/Lead/describe").json()["fields"]}
    channel = ("Partner__c", "Partner_Rep_Name__c", "Partner_Rep_Email__c", "Distribution_Status__c",
               "Rejection_Reason__c")
    assert all(fields[n]["custom"] and fields[n]["updateable"] for n in channel)
    assert not fields["Status"]["custom"]
    assert [p["value"] for p in fields["Distribution_Status__c"]["picklistValues"]] == [
        "Unassigned", "Assigned", "Accepted", "Rejected", "Pulled Back", "Rerouted"]
    campaign = {f["name"]: f for f in api.get("/sobjects/Campaign/describe").json()["fields"]}
    assert campaign["Offer_ID__c"]["custom"] and campaign["Tactic_ID__c"]["length"] == 40

    target = sf.org.create("Lead", {"LastName": "Routed", "Company": "Acme"})
    results = api.patch("/composite/sobjects", json={"records": [
        lead(id=target, Distribution_Status__c="Accepted", Partner__c="Northwind", Partner_Rep_Email__c="a@b.co"),
        lead(id=target, Distribution_Status__c="Maybe"),
        lead(id=target, Partner_Rep_Email__c="nobody"),
    ]}).json()
    assert [r["errors"][0]["statusCode"] if r["errors"] else "ok" for r in results] == [
        "ok", "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", "INVALID_EMAIL_ADDRESS"]
    assert sf.org.get("Lead", target)["Partner__c"] == "Northwind"


def test_a_locked_row_refuses_writes_until_its_lock_is_spent(sf, api, http):
    first, second = (sf.org.create("Lead", {"LastName": n, "Company": "Acme"}) for n in ("One", "Two"))
    assert http.post(f"/_sandbox/records/Lead/{first}/lock", json={"times": 1}).json()["locked"] is True
    results = api.patch("/composite/sobjects", json={"records": [lead(id=first, City="Oslo"),
                                                                 lead(id=second, City="Oslo")]}).json()
    assert results[0]["success"] is False and results[1]["success"] is True
    assert results[0]["errors"][0]["statusCode"] == "UNABLE_TO_LOCK_ROW"
    assert sf.org.get("Lead", first)["City"] is None
    again = api.patch("/composite/sobjects", json={"records": [lead(id=first, City="Oslo")]}).json()
    assert again[0]["success"] is True and sf.org.get("Lead", first)["City"] == "Oslo"
