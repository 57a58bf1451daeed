"""A placement's price is an amount in an ISO 4217 currency (issue 17, docs/placements.md
"price"): `price` (a number as before, or an exact decimal string) with `priceCurrency`
beside it; a price without a currency is in the workspace's `defaultCurrency` (GET/PUT
/v1/workspace/policy, USD until set). Stored as integer minor units of the currency."""
import json

from conftest import Tenant, assert_problem, sql
from test_link_verdicts import LINK, Site, new_site, page, place, setup_rel

import pytest

JSON = {"Content-Type": "application/json"}


@pytest.fixture(scope="module")
def site():
    s = Site()
    yield s
    s.stop()


def patch(t, rid, pid, body):
    return t.api.request("PATCH", f"/v1/link-building/relationship/{rid}/placement/{pid}",
                         headers=JSON, data=json.dumps(body))


def stored(pid):
    return sql(f"SELECT price_cents, price_currency FROM placements WHERE public_id = '{pid}'")


def price_of(p):
    return (p["price"], p["priceAmount"], p["priceCurrency"])


def test_a_bare_number_is_in_the_workspace_currency(site):
    t = Tenant()
    host = new_site()
    cid, rid = setup_rel(t, host)
    r = place(t.api, rid, site.put(host, page(LINK)), price=150.5)
    assert r.status_code == 202, r.text
    p = r.json()
    assert price_of(p) == (150.5, "150.50", "USD"), p
    assert stored(p["id"]) == [["15050", "USD"]]
    # the workspace's default changes what a later bare number means, not stored prices
    r = t.api.request("PUT", "/v1/workspace/policy", headers=JSON,
                      data=json.dumps({"defaultCurrency": "JPY"}))
    assert r.status_code == 200 and r.json()["defaultCurrency"] == "JPY", r.text
    assert t.api.get("/v1/workspace/policy").json()["defaultCurrency"] == "JPY"
    r = place(t.api, rid, site.put(host, page(LINK)), price=20000)
    assert price_of(r.json()) == (20000, "20000", "JPY"), r.json()
    assert stored(r.json()["id"]) == [["20000", "JPY"]]
    assert_problem(place(t.api, rid, site.put(host, "x"), price=150.5), 422,
                   "validation_failed", "price")  # a yen has no cents
    got = t.api.get(f"/v1/link-building/relationship/{rid}/placement").json()["data"]
    assert price_of(got[0]) == (150.5, "150.50", "USD")
    for body in ({"defaultCurrency": "XYZ"}, {"defaultCurrency": "eur"},
                 {"defaultCurrency": "EURO"}, {"defaultCurrency": 978},
                 {"defaultCurrency": "XAU"}):
        assert_problem(t.api.request("PUT", "/v1/workspace/policy", headers=JSON,
                                     data=json.dumps(body)), 422, "validation_failed",
                       "defaultCurrency")
    # a refused currency refuses the whole PUT: nothing else in it is stored either
    before = t.api.get("/v1/workspace/policy").json()
    assert_problem(t.api.request("PUT", "/v1/workspace/policy", headers=JSON,
                                 data=json.dumps({"maxLatenessHours": 7, "trackOpens":
                                                  not before["trackOpens"],
                                                  "defaultCurrency": "XYZ"})),
                   422, "validation_failed", "defaultCurrency")
    assert t.api.get("/v1/workspace/policy").json() == before
    # another workspace keeps its own default
    assert t.api2.get("/v1/workspace/policy").json()["defaultCurrency"] == "USD"


def test_an_amount_with_its_currency_is_exact(site):
    t = Tenant()
    host = new_site()
    cid, rid = setup_rel(t, host)
    r = place(t.api, rid, site.put(host, page(LINK)), price="1000000000.00",
              priceCurrency="EUR")
    assert r.status_code == 202, r.text
    pid = r.json()["id"]
    assert price_of(r.json()) == (1e9, "1000000000.00", "EUR")
    assert stored(pid) == [["100000000000", "EUR"]]
    for body, want, row in (
            ({"price": "0.07", "priceCurrency": "EUR"}, (0.07, "0.07", "EUR"), ["7", "EUR"]),
            ({"price": "12.345", "priceCurrency": "KWD"}, (12.345, "12.345", "KWD"),
             ["12345", "KWD"]),
            ({"price": 3, "priceCurrency": "BHD"}, (3, "3.000", "BHD"), ["3000", "BHD"]),
            ({"price": "1500", "priceCurrency": "JPY"}, (1500, "1500", "JPY"), ["1500", "JPY"]),
            ({"price": "999999999.99", "priceCurrency": "GBP"},
             (999999999.99, "999999999.99", "GBP"), ["99999999999", "GBP"]),
            ({"price": None}, (None, None, None), ["NULL", "NULL"]),
            ({"price": 19.99, "priceCurrency": None}, (19.99, "19.99", "USD"), ["1999", "USD"]),
    ):
        r = patch(t, rid, pid, body)
        assert r.status_code == 200, (body, r.text)
        assert price_of(r.json()) == want, (body, r.json())
        assert stored(pid) == [row], body
    # errors name the key and change nothing
    for body, param in (({"price": "1.5", "priceCurrency": "JPY"}, "price"),
                        ({"price": "1.005", "priceCurrency": "EUR"}, "price"),
                        ({"price": "1000000000.01", "priceCurrency": "EUR"}, "price"),
                        ({"price": "-1", "priceCurrency": "EUR"}, "price"),
                        ({"price": "1e3", "priceCurrency": "EUR"}, "price"),
                        ({"price": " 10", "priceCurrency": "EUR"}, "price"),
                        ({"price": "10,00", "priceCurrency": "EUR"}, "price"),
                        ({"price": "", "priceCurrency": "EUR"}, "price"),
                        ({"price": "1\u00a0000", "priceCurrency": "EUR"}, "price"),
                        ({"price": [1], "priceCurrency": "EUR"}, "price"),
                        ({"price": {"amount": "1"}}, "price"),
                        ({"price": "10", "priceCurrency": "XYZ"}, "priceCurrency"),
                        ({"price": "10", "priceCurrency": "eur"}, "priceCurrency"),
                        ({"price": "10", "priceCurrency": "XAU"}, "priceCurrency"),
                        ({"price": "10", "priceCurrency": 978}, "priceCurrency"),
                        ({"priceCurrency": "EUR"}, "priceCurrency"),
                        ({"price": None, "priceCurrency": "EUR"}, "priceCurrency")):
        assert_problem(patch(t, rid, pid, body), 422, "validation_failed", param)
        assert_problem(place(t.api, rid, site.put(host, "x"), **body), 422,
                       "validation_failed", param)
    assert stored(pid) == [["1999", "USD"]]
    # a currency alone is refused, but null beside nothing is a no-op
    r = patch(t, rid, pid, {"priceCurrency": None})
    assert r.status_code == 200 and price_of(r.json()) == (19.99, "19.99", "USD"), r.text
