"""Import of the national procedure catalog (procedures_vn.csv) into fields and procedures.

Idempotent: running it again updates names, times and fees by procedure code.
"""

from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy import Connection, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from queue_server.adapters import tables as t
from shared.textfold import fold, nfc

DEFAULT_CSV = Path(__file__).resolve().parent / "catalog_data" / "procedures_vn.csv"


def _time_value(text: str) -> float | None:
    text = text.strip().replace(",", ".")
    try:
        return float(text) if text else None
    except ValueError:
        return None


def import_catalog(conn: Connection, csv_path: Path = DEFAULT_CSV) -> int:
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    with csv_path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    field_names = sorted({nfc(r["field_vi"].strip()) for r in rows})
    conn.execute(
        insert(t.fields).on_conflict_do_nothing(index_elements=["name_vi"]),
        [{"name_vi": name, "name_folded": fold(name)} for name in field_names],
    )
    field_ids = dict(conn.execute(select(t.fields.c.name_vi, t.fields.c.id)).all())
    records = [
        {
            "code": r["code"].strip(),
            "name_vi": nfc(r["name_vi"].strip()),
            "name_folded": fold(r["name_vi"]),
            "field_id": field_ids[nfc(r["field_vi"].strip())],
            "provincial": r["provincial"].strip() == "1",
            "commune": r["commune"].strip() == "1",
            "time_value": _time_value(r["time_value"]),
            "time_unit_vi": r["time_unit_vi"].strip(),
            "fee_vi": nfc(r["fee_vi"].strip()),
            "agency_vi": nfc(r["agency_vi"].strip()),
            "channels_vi": r["channels_vi"].strip(),
            "ministry_slug": r["ministry_slug"].strip(),
            "decision": r["decision"].strip(),
            "source_url": r["source_url"].strip(),
        }
        for r in rows
    ]
    stmt = insert(t.procedures)
    updatable = {k: stmt.excluded[k] for k in records[0] if k != "code"}
    conn.execute(stmt.on_conflict_do_update(index_elements=["code"], set_=updatable), records)
    return len(records)
