"""The citizen's document store through the API, on both databases: digitized lines kept
against the applicant's ID, offered when the same citizen comes back, reused by reference
(same SHA-256, no upload), marked on the receipt; every read logged with who and why; only
the receiving site's staff may read; retention."""

from __future__ import annotations

from dossier_helpers import DOCUMENTS, applicant, image_bytes, pdf_text, receive, serve_one
from sqlalchemy import func, select
from support import API

from queue_server.adapters import tables as t
from queue_server.service_layer import citizen_documents

ID = "046060012345"
CARD = applicant(name="Nguyễn Văn Mẫu", id_number=ID, birth_date="1960-05-12", sex="Nam")


def upload(api, code: str, index: int, *pages: bytes, user: str = "canbo.tt") -> list[dict]:
    r = api.client.post(f"{API}/dossiers/{code}/files", headers=api.staff(user), data={"document_index": str(index)},
                        files=[("files", (f"trang-{i}.png", p, "image/png")) for i, p in enumerate(pages, 1)])
    assert r.status_code == 201, r.text
    return r.json()


def stored(api, counter_id: int = 1, user: str = "canbo.tt", id_number: str = ID, purpose: str = "reception",
           expect: int = 200) -> dict:
    r = api.client.get(f"{API}/counters/{counter_id}/citizen-documents", headers=api.staff(user),
                       params={"id_number": id_number, "purpose": purpose, "note": "hồ sơ mới"})
    assert r.status_code == expect, r.text
    return r.json()


def reads_logged(wiring) -> list:
    a = t.audit_log.c
    with wiring.engine.connect() as conn:
        return conn.execute(select(t.audit_log).where(a.action.like("%citizen-documents%")).order_by(a.id)).all()


def first_visit(api) -> dict:
    """A first dossier: the ID card copy (two pages) and the birth certificate digitized."""
    serve_one(api)
    dossier = receive(api, applicant=CARD, documents=[
        {"name": "Bản sao CCCD", "form": "copy", "issue_date": "2021-04-20", "valid_until": None},
        {"name": "Giấy chứng sinh"}])
    upload(api, dossier["code"], 0, image_bytes("PNG", color="navy"), image_bytes("PNG", color="teal"))
    upload(api, dossier["code"], 1, image_bytes("PNG", color="olive"))
    return dossier


def test_a_returning_citizen_gets_a_stored_document_reused_without_a_rescan(api, wiring, storage):
    first = first_visit(api)
    files_before = sorted(p for p in storage.rglob("*") if p.is_file())

    serve_one(api)  # the same citizen comes back with another request
    offered = stored(api)
    kinds = {d["kind"]: d for d in offered["items"]}
    assert set(kinds) == {"Bản sao CCCD", "Giấy chứng sinh"}
    card = kinds["Bản sao CCCD"]
    assert card["source_dossier_code"] == first["code"] and card["issue_date"] == "2021-04-20"
    assert card["still_valid"] is True and len(card["pages"]) == 2
    assert card["site_name_vi"].startswith("Trung tâm Phục vụ hành chính công")

    second = receive(api, applicant=CARD, documents=[
        {"name": "Bản sao CCCD", "form": "copy", "citizen_document_id": card["id"]},
        {"name": "Tờ khai đăng ký khai sinh"}])
    line = second["documents"][0]
    assert line["reused_from"] == first["code"] and line["citizen_document_id"] == card["id"]
    assert line["issue_date"] == "2021-04-20"
    linked = [a for a in second["attachments"] if a["document_index"] == 0]
    assert [a["sha256"] for a in linked] == [p["sha256"] for p in card["pages"]]
    assert {a["reused_from"] for a in linked} == {first["code"]}
    assert sorted(p for p in storage.rglob("*") if p.is_file()) == files_before  # nothing stored again

    # The receipt slip says where the copy came from
    r = api.client.get(f"{API}/dossiers/{second['code']}/receipt.pdf", headers=api.staff())
    assert f"1. Bản sao CCCD (bản sao) — số lượng: 01 — tái sử dụng từ hồ sơ {first['code']}" in pdf_text(r.content)

    # The reused line is not stored twice: the citizen still has two documents
    serve_one(api)
    assert len(stored(api)["items"]) == 2


def test_every_read_is_logged_with_who_why_and_whose_and_refusals_too(api, wiring):
    first_visit(api)
    serve_one(api)
    stored(api, purpose="reception")
    stored(api, counter_id=1, user="canbo.px", expect=403)  # another site's clerk
    r = api.client.get(f"{API}/dossiers/000.00.01.H57-000101-0001/citizen-documents", headers=api.staff("quanly"),
                       params={"purpose": "verification"})
    assert r.status_code == 404
    entries = reads_logged(wiring)
    ok, refused = entries[0], entries[1]
    assert (ok.username, ok.outcome, ok.action) == ("canbo.tt", "ok",
                                                    "GET /api/v1/counters/{counter_id}/citizen-documents")
    assert ok.detail["purpose"] == "reception" and ok.detail["note"] == "hồ sơ mới"
    assert ok.detail["holder"] == citizen_documents.holder_digest(wiring.settings.secret.encode(), "citizen_id", ID)
    assert ok.detail["holder_hint"] == "…345" and ID not in str(ok.detail)  # the log does not list ID numbers
    assert len(ok.detail["documents"]) == 2 and ok.detail["context"].startswith("counter 1 ticket ")
    assert (refused.username, refused.outcome) == ("canbo.px", "refused")


def test_only_staff_of_the_receiving_site_may_read_a_dossiers_applicant_documents(api, wiring):
    first = first_visit(api)
    path = f"{API}/dossiers/{first['code']}/citizen-documents"
    mine = api.client.get(path, headers=api.staff("canbo.tt"), params={"purpose": "processing"})
    assert mine.status_code == 200 and len(mine.json()["items"]) == 2
    for user in ("canbo.px", "quanly", "admin"):  # another site; province-wide accounts
        r = api.client.get(path, headers=api.staff(user), params={"purpose": "processing"})
        assert r.status_code == 403, user
        assert r.json()["message"].startswith("Chỉ cán bộ của nơi tiếp nhận hồ sơ và của cơ quan giải quyết")
    no_reason = api.client.get(path, headers=api.staff("canbo.tt"))
    assert no_reason.status_code == 422  # a read without a reason is not a read


def test_reading_at_a_counter_needs_a_citizen_being_served(api, wiring):
    first_visit(api)
    api.ok(1, "finish")
    r = api.client.get(f"{API}/counters/1/citizen-documents", headers=api.staff(),
                       params={"id_number": ID, "purpose": "reception"})
    assert r.status_code == 409 and r.json()["code"] == "no_current_ticket"


def test_a_page_is_downloaded_under_the_same_policy_and_logged(api, wiring):
    first_visit(api)
    serve_one(api)
    card = stored(api)["items"][-1]
    page = card["pages"][0]
    url = f"{API}/citizen-documents/{card['id']}/pages/{page['attachment_id']}"
    params = {"counter_id": 1, "id_number": ID, "purpose": "verification"}
    r = api.client.get(url, headers=api.staff(), params=params)
    assert r.status_code == 200 and r.headers["content-disposition"].startswith("attachment")
    assert r.content == image_bytes("PNG", color="olive" if card["kind"] == "Giấy chứng sinh" else "navy")
    other = api.client.get(url, headers=api.staff("canbo.px"), params=params)
    assert other.status_code == 403
    assert reads_logged(wiring)[-2].detail["purpose"] == "verification"


def test_a_document_of_someone_else_or_past_retention_cannot_be_reused(api, wiring, clock):
    first_visit(api)
    serve_one(api)
    card = stored(api)["items"][-1]
    other = receive(api, expect=409, applicant=applicant(id_number="046301098765"),
                    documents=[{"name": "Bản sao CCCD", "citizen_document_id": card["id"]}])
    assert other["code"] == "citizen_document_not_reusable"
    with wiring.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(t.dossiers)).scalar_one() == 1  # nothing half-received

    clock.advance(days=5 * 365 + 1)  # the default retention passes
    api._tokens.clear()  # (and the sessions with it)
    serve_one(api)
    assert stored(api)["items"] == []
    late = receive(api, expect=409, applicant=CARD, documents=[{"name": "Bản sao CCCD",
                                                                  "citizen_document_id": card["id"]}])
    assert late["code"] == "citizen_document_not_reusable"
    assert citizen_documents.purge_expired(wiring.uow()) == 2
    with wiring.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(t.citizen_documents)).scalar_one() == 0
        assert conn.execute(select(func.count()).select_from(t.dossier_attachments)).scalar_one() == 3  # kept


def test_the_applicants_birth_date_and_sex_from_the_card_are_kept(api):
    serve_one(api)
    dossier = receive(api, applicant=CARD, documents=DOCUMENTS)
    assert dossier["applicant"]["birth_date"] == "1960-05-12" and dossier["applicant"]["sex"] == "Nam"


def test_processors_of_the_agency_the_dossier_was_forwarded_to_may_read_its_applicants_documents(api, wiring):
    from agency_helpers import OFFICER, OTHER_AGENCY, forward

    first = first_visit(api)
    path = f"{API}/dossiers/{first['code']}/citizen-documents"

    def read(user: str):  # noqa: ANN202
        return api.client.get(path, headers=api.staff(user), params={"purpose": "processing"})

    assert read(OFFICER).status_code == 403  # not forwarded yet: no agency holds it
    forward(api, first["code"])
    mine = read(OFFICER)
    assert mine.status_code == 200, mine.text
    assert sorted(item["kind"] for item in mine.json()["items"]) == ["Bản sao CCCD", "Giấy chứng sinh"]
    assert read(OTHER_AGENCY).status_code == 403  # a processor of another agency
    logged = reads_logged(wiring)[-2:]
    assert [(row.username, row.outcome) for row in logged] == [(OFFICER, "ok"), (OTHER_AGENCY, "refused")]


def test_the_control_room_shows_the_months_reuse_rate_and_fees_collected(api, wiring):
    first_visit(api)  # two lines, both scanned; the procedure is free
    serve_one(api)
    card = next(d for d in stored(api)["items"] if d["kind"] == "Bản sao CCCD")
    second = receive(api, applicant=CARD, fee_vnd=70000, documents=[
        {"name": "Bản sao CCCD", "form": "copy", "citizen_document_id": card["id"]},
        {"name": "Tờ khai đăng ký khai sinh"}, {"name": "Giấy chứng sinh"}])
    r = api.client.post(f"{API}/dossiers/{second['code']}/fee/payment", headers=api.staff(), json={"method": "cash"})
    assert r.status_code == 200, r.text
    total = api.client.get(f"{API}/control-room", headers=api.staff("quanly")).json()["month"]["total"]
    # By hand: 2 + 3 checklist lines received this month, 1 reused by reference → 20.0 %;
    # one fee of 70.000 đồng paid.
    assert total["reuse_rate"] == 20.0
    assert (total["fees_paid"], total["fees_paid_vnd"]) == (1, 70000)
