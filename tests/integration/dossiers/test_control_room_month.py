"""The control room's month against a month computed by hand. March 2027 (no holiday),
birth registration at three working days; seven dossiers scripted through the API:

  D1 HUE-TT  Mon 01 09:00, scanned that day; result back Wed 03 (due Thu 04): early.
  D2 HUE-TT  Mon 01 10:00; supplement asked Tue 02 (2 days left), completed Mon 08 (due
             Wed 10); result back Wed 10: on time; 3 working days used (2 stopped).
  D3 HUE-TT  Tue 02, scanned; due Fri 05; late: apology Mon 08 (new date Wed 10); result
             back Tue 09: late (an apology counts as late); 5 working days used.
  D4 HUE-TT  Wed 03, forwarded to the Department of Justice by choice; refused Thu 04.
  D5 HUE-PX  Thu 04, scanned; due Tue 09; result back Mon 08: early; 2 working days.
  D6 HUE-PX  Fri 26, still with the agency on 31 March.
  D7 HUE-TT  Fri 26 February; result back Tue 02 March (due Wed 03): a March result of a
             February dossier; 2 working days.
Ratings: D1's visit "satisfied", D5's "unsatisfied".

By hand (agency / site / province):
  Ward Thuận Hóa: received 3 (D1-D3), scanned 2 → 66.7 %, supplement 1 → 33.3 %;
    results 4 (D1, D2, D3, D7), on time 3 → 75.0 %; days (2+3+5+2)/4 = 3.0 vs 3.0;
    satisfaction 1/1 → 100.0 %.
  Justice: received 1, refused 1 → refusal rate 100.0 %, no result.
  Ward Phú Xuân: received 2, scanned 1 → 50.0 %; result 1 on time → 100.0 %; 2.0 vs 3.0;
    satisfaction 0/1 → 0.0 %.
  HUE-TT: received 4, scanned 2 → 50.0 %, supplement 25.0 %, results 4, 75.0 % on time,
    refusals 1/5 → 20.0 %.   HUE-PX: received 2, 1 result on time.
  Province: received 6, scanned 3 → 50.0 %, supplement 1/6 → 16.7 %, results 5, on time
    4 → 80.0 %, refusals 1/6 → 16.7 %, days (2+3+5+2+2)/5 = 2.8 vs 3.0, satisfaction 50.0 %.
"""

from __future__ import annotations

from agency_helpers import at, center_step, forward, resolve, step
from dossier_helpers import image_bytes, receive, serve_one, set_legal_time
from support import API, Api

TT_WARD, PX_WARD, JUSTICE = "Ủy ban nhân dân phường Thuận Hóa", "Ủy ban nhân dân phường Phú Xuân", "Sở Tư pháp thành phố Huế"
PX_COUNTER = 10


def _receive(api: Api, site: str = "tt", scan: bool = False, rating: str | None = None) -> str:
    counter = 1 if site == "tt" else PX_COUNTER
    user = f"canbo.{site}"
    serve_one(api, counter, user=user, site=f"HUE-{site.upper()}")
    code = receive(api, counter, user=user)["code"]
    if scan:
        r = api.client.post(f"{API}/dossiers/{code}/files", headers=api.staff(user),
                            files=[("files", ("to-khai.png", image_bytes("PNG"), "image/png"))])
        assert r.status_code == 201, r.text
    if rating:
        api.ok(counter, "finish", user=user)
        r = api.client.post(f"{API}/counters/{counter}/rating", json={"level": rating}, headers=api.staff(user))
        assert r.status_code == 201, r.text
    return code


def _through(api: Api, code: str, officer: str, *, user: str = "canbo.tt") -> None:
    forward(api, code, user=user)
    step(api, code, "accept", user=officer)


def _result(api: Api, code: str, officer: str) -> None:
    resolve(api, code, user=officer)
    step(api, code, "send_back", user=officer)


def scripted_march(api: Api, wiring, clock) -> dict[str, str]:  # noqa: ANN001
    set_legal_time(wiring, 3, "Ngày làm việc")
    tt, px = "thuanhoa.canbo", "phuxuan.canbo"
    at(api, clock, 2027, 2, 26, 9, 0)
    d7 = _receive(api)
    _through(api, d7, tt)
    at(api, clock, 2027, 3, 1, 9, 0)
    d1 = _receive(api, scan=True, rating="satisfied")
    _through(api, d1, tt)
    clock.advance(hours=1)
    d2 = _receive(api)
    _through(api, d2, tt)
    at(api, clock, 2027, 3, 2, 9, 0)
    d3 = _receive(api, scan=True)
    _through(api, d3, tt)
    _result(api, d7, tt)
    clock.advance(hours=2)
    step(api, d2, "request_supplement", user=tt, note="Thiếu giấy chứng sinh",
         items=[{"what": "Giấy chứng sinh", "reason": "Chưa nộp"}])
    at(api, clock, 2027, 3, 3, 9, 0)
    _result(api, d1, tt)
    d4 = _receive(api)
    forward(api, d4, agency_code="STP")
    at(api, clock, 2027, 3, 4, 9, 0)
    step(api, d4, "refuse", user="stp.canbo", reasons=["Không thuộc thẩm quyền của Sở"])
    d5 = _receive(api, "px", scan=True, rating="unsatisfied")
    _through(api, d5, px, user="canbo.px")
    at(api, clock, 2027, 3, 8, 9, 0)
    center_step(api, d2, "receive_supplement")
    _through(api, d2, tt)
    step(api, d3, "apologize", user=tt, note="Chờ xác minh", new_due_date="2027-03-10")
    _result(api, d5, px)
    at(api, clock, 2027, 3, 9, 9, 0)
    _result(api, d3, tt)
    at(api, clock, 2027, 3, 10, 9, 0)
    _result(api, d2, tt)
    at(api, clock, 2027, 3, 26, 9, 0)
    d6 = _receive(api, "px")
    _through(api, d6, px, user="canbo.px")
    at(api, clock, 2027, 3, 31, 16, 0)
    return {"d1": d1, "d2": d2, "d3": d3, "d4": d4, "d5": d5, "d6": d6, "d7": d7}


def _line(rows: list[dict], key: str) -> dict:
    return next(r for r in rows if r["key"] == key)


FIGURES = ("received", "results", "on_time", "late", "refused", "on_time_rate", "avg_working_days",
           "avg_legal_days", "supplement_rate", "refusal_rate", "digitization_rate", "satisfaction_rate", "rated")


def _figures(row: dict) -> tuple:
    return tuple(row[k] for k in FIGURES)


def test_the_month_matches_the_hand_computed_figures(api: Api, wiring, clock) -> None:
    codes = scripted_march(api, wiring, clock)
    r = api.client.get(f"{API}/control-room", params={"month": "2027-03"}, headers=api.staff("quanly"))
    assert r.status_code == 200, r.text
    body = r.json()
    month = body["month"]
    #                                    rec res ok late ref  on-time days legal  supp  refus  digit  satisf rated
    assert _figures(_line(month["by_agency"], TT_WARD)) == (3, 4, 3, 1, 0, 75.0, 3.0, 3.0, 33.3, 0.0, 66.7, 100.0, 1)
    assert _figures(_line(month["by_agency"], JUSTICE)) == (1, 0, 0, 0, 1, None, None, None, 0.0, 100.0, 0.0, None, 0)
    assert _figures(_line(month["by_agency"], PX_WARD)) == (2, 1, 1, 0, 0, 100.0, 2.0, 3.0, 0.0, 0.0, 50.0, 0.0, 1)
    assert _figures(_line(month["by_site"], "HUE-TT")) == (4, 4, 3, 1, 1, 75.0, 3.0, 3.0, 25.0, 20.0, 50.0, 100.0, 1)
    assert _figures(_line(month["by_site"], "HUE-PX")) == (2, 1, 1, 0, 0, 100.0, 2.0, 3.0, 0.0, 0.0, 50.0, 0.0, 1)
    assert _figures(month["total"]) == (6, 5, 4, 1, 1, 80.0, 2.8, 3.0, 16.7, 16.7, 50.0, 50.0, 2)

    # February holds only D7's reception.
    february = api.client.get(f"{API}/control-room", params={"month": "2027-02"}, headers=api.staff("quanly")).json()
    assert _figures(february["month"]["total"])[:5] == (1, 0, 0, 0, 0)

    # Now (31 March, 16:00): D6 is with its agency, due Wed 31 March → due today.
    live = body["live"]
    ward_px = next(x for x in live["by_agency"] if x["agency_name_vi"] == PX_WARD)
    assert ward_px["counts"] == {"processing": 1, "ready": 1}  # D6 with the agency, D5 waiting for its citizen
    assert [d["code"] for d in body["due"]["due_today"]["items"]] == [codes["d6"]]
    assert body["due"]["due_today"]["items"][0]["assigned_name"] == "Huỳnh Văn Nam"
    assert body["due"]["overdue"]["total"] == 0 and live["to_forward"] == []

    drill = api.client.get(f"{API}/control-room/dossiers", headers=api.staff("quanly"),
                           params={"month": "2027-03", "agency_code": "UBND-THUANHOA"}).json()
    assert sorted(d["code"] for d in drill["items"]) == sorted(codes[k] for k in ("d1", "d2", "d3", "d7"))
    assert api.client.get(f"{API}/control-room", headers=api.staff("canbo.tt")).status_code == 403
    assert api.client.get(f"{API}/control-room", headers=api.staff("thuanhoa.lanhdao")).status_code == 403
    assert api.client.get(f"{API}/control-room", params={"month": "2027-13"},
                          headers=api.staff("quanly")).json()["code"] == "invalid_month"
