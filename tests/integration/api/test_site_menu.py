"""A site's kiosk menu over HTTP, on SQLite and PostgreSQL: what the kiosk (and the kiosk
helper building on this API) relies on — groups of the site's lines, the procedures the
site receives ordered by its own ticket history, the manager's pins, hides and names, a
search limited to the site with "received elsewhere" offers, and no ticket for a wrong queue."""

from __future__ import annotations

import re
from typing import Any

import pytest
from support import API, SITE_TT, Api, kiosk_headers

from queue_server.adapters import tables as t

SITE_PV = "HUE-PV"  # the commune point: lines A, B, F, R and the help line
CERTIFY_SIGNATURE = "2.000884"  # Chứng thực chữ ký … (A)
MARITAL_STATUS = "1.004873"  # Thủ tục cấp Giấy xác nhận tình trạng hôn nhân (A)
BIRTH = "1.001193"  # Thủ tục đăng ký khai sinh (A)
DEATH = "1.000656"  # Thủ tục đăng ký khai tử (A)
HOUSEHOLD_BUSINESS = "1.001612"  # Đăng ký thành lập hộ kinh doanh (D: not at the commune point)
CUSTOMS = "1.000014"  # Thủ tục hải quan đối với xăng dầu …: a customs office, no site of the province


@pytest.fixture
def manager(api: Api) -> dict[str, str]:
    return api.staff("quanly")


def menu(api: Api, site: str = SITE_TT) -> dict[str, Any]:
    r = api.client.get(f"{API}/sites/{site}/menu")
    assert r.status_code == 200, r.text
    return r.json()


def group(m: dict[str, Any], letter: str) -> dict[str, Any]:
    return next(g for g in m["groups"] if g["letter"] == letter)


def codes(items: list[dict[str, Any]]) -> list[str]:
    return [i["procedure_code"] for i in items]


def edit(api: Api, headers: dict, code: str, site: str = SITE_TT, **body: Any) -> dict[str, Any]:
    r = api.client.put(f"{API}/sites/{site}/menu/items/{code}", json=body, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


def test_menu_orders_each_group_by_the_sites_own_ticket_history(api: Api) -> None:
    for code, times in ((CERTIFY_SIGNATURE, 3), (MARITAL_STATUS, 2), (BIRTH, 1)):
        for _ in range(times):
            api.issue(code)
    api.issue(DEATH, site="HUE-PX")  # another site's history does not count here
    m = menu(api)
    a = group(m, "A")
    assert codes(a["items"])[:3] == [CERTIFY_SIGNATURE, MARITAL_STATUS, BIRTH]
    assert codes(m["top"]) == [CERTIFY_SIGNATURE, MARITAL_STATUS, BIRTH]  # only what was asked for
    assert a["item_count"] == len(a["items"]) > 20
    # Past the history, names in Vietnamese order, with no "Thủ tục" prefix in the way.
    rest = [i["name_vi"] for i in a["items"][3:]]
    from shared.textfold import fold
    assert [fold(n) for n in rest] == sorted(fold(n) for n in rest)
    short = api.client.get(f"{API}/sites/{SITE_TT}/menu", params={"per_group": 2}).json()
    assert codes(group(short, "A")["items"]) == [CERTIFY_SIGNATURE, MARITAL_STATUS]
    assert group(short, "A")["item_count"] == a["item_count"]
    assert group(m, "R")["items"] == [] and group(m, "R")["kind"] == "return"
    assert m["help"]["name_vi"] == "Không rõ thủ tục" and m["help"]["name_en"] == "I don't know which procedure"
    assert m["help"]["service_id"] not in {g["service_id"] for g in m["groups"]}
    ticket = api.client.post(f"{API}/tickets", json={"service_id": m["help"]["service_id"]}, headers=kiosk_headers())
    assert ticket.status_code == 201 and ticket.json()["label"].startswith("H")


def test_menu_text_has_no_prefix_no_placeholder_and_short_fees(api: Api) -> None:
    for site in (SITE_TT, SITE_PV):
        m = menu(api, site)
        items = [i for g in m["groups"] for i in g["items"]]
        assert len(items) > 300
        for i in items:
            assert not i["name_vi"].lower().startswith("thủ tục"), i
            assert i["name_vi"][0].isupper(), i
            for key in ("fee_short_vi", "fee_short_en", "days_text_vi", "days_text_en"):
                value = i[key]
                assert value is None or (value.strip() and "chưa ghi" not in value and "Không có thông tin" not in value
                                         and not re.fullmatch(r"[\d.,]+", value)), (key, i)
            assert i["fee_short_vi"] is None or len(i["fee_short_vi"]) <= 40, i
            assert i["name_en"] and not i["name_en"].lower().startswith("thủ tục"), i
        birth = next(i for i in items if i["procedure_code"] == BIRTH)
        assert birth["name_vi"] == "Đăng ký khai sinh" and birth["name_en"] == "Birth registration"
        assert birth["fee_short_vi"] == "Miễn phí" and birth["fee_short_en"] == "Free"
        # A procedure without an English name reads as its Vietnamese name with the English field.
        assert any(i["name_en"].endswith("(Civil status)") for i in items)
    one_unit = api.client.get(f"{API}/sites/{SITE_TT}/menu/items/1.000110").json()  # time "1" with no unit
    assert one_unit["item"]["days_text_vi"] is None or "ngày" in one_unit["item"]["days_text_vi"]


def test_manager_pins_hides_renames_and_orders_items_and_each_edit_is_audited(api: Api, manager: dict,
                                                                             wiring: Any) -> None:
    api.issue(BIRTH)
    row = edit(api, manager, DEATH, pinned=True, name_vi="Khai tử", name_en="Death registration (any case)")
    assert row["pinned"] and row["name_vi"] == "Khai tử" and row["position"] == 1
    edit(api, manager, MARITAL_STATUS, pinned=True)
    edit(api, manager, BIRTH, hidden=True)
    a = group(menu(api), "A")
    assert codes(a["items"])[:2] == [DEATH, MARITAL_STATUS]
    assert a["items"][0]["name_vi"] == "Khai tử" and a["items"][0]["name_en"] == "Death registration (any case)"
    assert BIRTH not in codes(a["items"]) and BIRTH not in codes(menu(api)["top"])
    edit(api, manager, MARITAL_STATUS, position=1)
    edit(api, manager, DEATH, position=2)
    assert codes(group(menu(api), "A")["items"])[:2] == [MARITAL_STATUS, DEATH]
    # Hidden means not offered here: no ticket for it, and search does not offer it.
    refused = api.client.post(f"{API}/tickets", json={"procedure_code": BIRTH}, headers=kiosk_headers())
    assert refused.status_code == 409 and refused.json()["code"] == "procedure_not_offered"
    found = api.client.get(f"{API}/sites/{SITE_TT}/menu/search", params={"q": "dang ky khai sinh"}).json()
    assert BIRTH not in codes(found["items"])
    assert BIRTH in codes(found["elsewhere"])  # the branch nearby still receives it
    # Given back to the rules: the catalog's name, and on the menu again.
    r = api.client.delete(f"{API}/sites/{SITE_TT}/menu/items/{BIRTH}", headers=manager)
    assert r.status_code == 200 and r.json()["on_menu"] and not r.json()["hidden"]
    assert BIRTH in codes(group(menu(api), "A")["items"])
    editor = api.client.get(f"{API}/sites/{SITE_TT}/menu/editor", headers=manager).json()
    assert [i["procedure_code"] for i in group(editor, "A")["items"][:2]] == [MARITAL_STATUS, DEATH]
    with wiring.engine.connect() as conn:
        rows = conn.execute(t.audit_log.select().where(t.audit_log.c.action.like("%/menu/items/%"))
                            .order_by(t.audit_log.c.id)).all()
    assert len(rows) == 6 and {r.outcome for r in rows} == {"ok"}
    assert "procedure=1.000656" in rows[0].target and rows[0].detail["after"]["name_vi"] == "Khai tử"


def test_menu_edits_are_for_managers_of_the_site_with_clear_refusals(api: Api, manager: dict) -> None:
    r = api.client.put(f"{API}/sites/{SITE_TT}/menu/items/{BIRTH}", json={"pinned": True}, headers=api.staff())
    assert r.status_code == 403
    r = api.client.put(f"{API}/sites/{SITE_TT}/menu/items/{BIRTH}", json={"pinned": True}, headers=kiosk_headers())
    assert r.status_code in (401, 403)
    r = api.client.put(f"{API}/sites/{SITE_TT}/menu/items/{BIRTH}", json={"pinned": True, "hidden": True},
                       headers=manager)
    assert r.status_code == 422 and "ghim" in r.json()["message"]
    r = api.client.put(f"{API}/sites/{SITE_TT}/menu/items/9.999999", json={"pinned": True}, headers=manager)
    assert r.status_code == 404
    r = api.client.put(f"{API}/sites/{SITE_PV}/menu/items/{HOUSEHOLD_BUSINESS}", json={"pinned": True},
                       headers=manager)
    assert r.status_code == 422 and r.json()["code"] == "no_line_for_procedure"
    r = api.client.put(f"{API}/sites/{SITE_TT}/menu/items/{BIRTH}", json={"position": 3}, headers=manager)
    assert r.status_code == 422
    r = api.client.put(f"{API}/sites/{SITE_TT}/menu/items/{BIRTH}", json={"colour": "red"}, headers=manager)
    assert r.status_code == 422


def test_search_offers_only_what_the_site_receives_and_the_rest_elsewhere(api: Api) -> None:
    r = api.client.get(f"{API}/sites/{SITE_PV}/menu/search", params={"q": "ho kinh doanh"})
    assert r.status_code == 200, r.text
    found = r.json()
    assert HOUSEHOLD_BUSINESS not in codes(found["items"])
    offer = next(e for e in found["elsewhere"] if e["procedure_code"] == HOUSEHOLD_BUSINESS)
    assert offer["site_code"] in ("HUE-TT", "HUE-PX", "HUE-TH") and offer["distance_km"] > 1
    assert offer["message_vi"].startswith("Thủ tục này tiếp nhận tại ") and offer["site_name_vi"] in offer["message_vi"]
    assert offer["name_vi"] == "Đăng ký thành lập hộ kinh doanh" and offer["wait"]["state"] == "no_counter_open"
    births = api.client.get(f"{API}/sites/{SITE_PV}/menu/search", params={"q": "khai sinh"}).json()
    assert codes(births["items"])[0] == BIRTH and births["elsewhere"] == []
    same = api.client.get(f"{API}/sites/{SITE_PV}/menu/search", params={"query": "khai sinh"}).json()
    assert codes(same["items"]) == codes(births["items"])
    # The kiosk's older catalog search with ?site= is held to the same scope.
    old = api.client.get(f"{API}/procedures", params={"q": "ho kinh doanh", "site": SITE_PV}).json()
    assert HOUSEHOLD_BUSINESS not in [p["code"] for p in old["items"]]
    full = api.client.get(f"{API}/procedures", params={"q": "ho kinh doanh"}).json()  # staff: the whole catalog
    assert HOUSEHOLD_BUSINESS in [p["code"] for p in full["items"]]
    customs = api.client.get(f"{API}/sites/{SITE_TT}/menu/search", params={"q": "hai quan xang dau"}).json()
    assert CUSTOMS not in codes(customs["items"]) + codes(customs["elsewhere"])


def test_a_ticket_for_a_procedure_the_site_does_not_receive_is_refused_with_where_to_go(api: Api) -> None:
    r = api.client.post(f"{API}/tickets", json={"procedure_code": HOUSEHOLD_BUSINESS}, headers=kiosk_headers(SITE_PV))
    assert r.status_code == 409, r.text
    body = r.json()
    assert body["code"] == "procedure_not_offered"
    assert "không tiếp nhận thủ tục này" in body["message"] and "Thủ tục này tiếp nhận tại" in body["message"]
    assert "does not receive this procedure" in body["message_en"]
    assert body["elsewhere"]["site_code"] != SITE_PV
    # Issued for the site the offer names, it is a ticket in that site's line.
    there = api.client.post(f"{API}/tickets", json={"procedure_code": HOUSEHOLD_BUSINESS,
                                                     "site_code": body["elsewhere"]["site_code"]},
                            headers=kiosk_headers(SITE_PV))
    assert there.status_code == 201 and there.json()["service_id"] == body["elsewhere"]["service_id"]
    r = api.client.post(f"{API}/tickets", json={"procedure_code": CUSTOMS}, headers=kiosk_headers())
    assert r.status_code == 409 and r.json()["elsewhere"] is None and "hỏi cán bộ" in r.json()["message"]
    certify = api.client.get(f"{API}/sites/{SITE_PV}/menu/items/2.000815").json()  # 266 characters in the catalog
    assert certify["item"]["name_vi"] == "Chứng thực bản sao từ bản chính" and len(certify["catalog_name_vi"]) > 200
    detail = api.client.get(f"{API}/sites/{SITE_PV}/menu/items/{HOUSEHOLD_BUSINESS}").json()
    assert not detail["received_here"] and detail["elsewhere"]["procedure_code"] == HOUSEHOLD_BUSINESS
    assert detail["fee_full_vi"] and "(" in detail["fee_full_vi"]


def test_managers_adding_the_same_item_at_once_all_succeed_and_leave_one_row(wiring: Any) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from sqlalchemy import func, select

    from queue_server.domain.menu_commands import ChangeMenuItem, MenuChange
    from queue_server.service_layer.menu_editing import change_item

    names = [f"Khai tử {i}" for i in range(6)]

    def edit(name: str) -> dict[str, Any]:
        return change_item(ChangeMenuItem(SITE_TT, DEATH, MenuChange(pinned=True, name_vi=name), None), wiring.uow())
    with ThreadPoolExecutor(len(names)) as pool:
        rows = list(pool.map(edit, names))
    assert all(r["pinned"] and r["name_vi"] in names for r in rows)
    with wiring.engine.connect() as conn:
        kept = conn.execute(select(func.count(), func.max(t.site_menu_items.c.name_vi))
                            .where(t.site_menu_items.c.procedure_id == select(t.procedures.c.id)
                                   .where(t.procedures.c.code == DEATH).scalar_subquery())).one()
    assert kept[0] == 1 and kept[1] in names
