"""(a) With [webhooks] allow_http at its default (no), plain http targets are refused when
they are given: webhook URLs and placement links are 422, https ones are accepted."""
import json
import uuid

from conftest import JSON, create_webhook, it


def test_http_webhook_url_is_refused():
    t = it.Tenant()
    r = create_webhook(t.api, "http://hooks.example.com/linkcamp")
    it.assert_problem(r, 422, "validation_failed", param="url")
    assert t.api.get("/v1/webhooks").json()["data"] == []
    r = create_webhook(t.api, "https://hooks.example.com/linkcamp")
    assert r.status_code == 201, r.text
    assert r.json()["url"] == "https://hooks.example.com/linkcamp"


def test_http_placement_link_is_refused():
    t = it.Tenant()
    cid = t.campaign(targetUrl="https://example.com/guide", template={"subject": "", "body": ""})
    rels = it.add_prospects(t.api, cid, [{"domain": "blog.example", "contactName": "Ada",
                                          "contactEmail": f"ada-{uuid.uuid4().hex[:6]}@blog.example"}])
    rid = list(rels.values())[0]
    path = f"/v1/link-building/relationship/{rid}/placement"
    r = t.api.post(path, headers=JSON, data=json.dumps({"linkUrl": "http://blog.example/post"}))
    it.assert_problem(r, 422, "validation_failed", param="linkUrl")
    r = t.api.post(path, headers=JSON, data=json.dumps({"linkUrl": "https://blog.example/post"}))
    assert r.status_code == 202, r.text
