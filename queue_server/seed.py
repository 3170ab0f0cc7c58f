"""Demo province for `make run` and the tests: four sites around Huế, seven services,
counters, staff and devices with well-known demo credentials (development only).

Services group the catalog's fields by the ministry that publishes them; a real province
edits this grouping (it is data, not code).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, insert, select

from queue_server.adapters import tables as t
from queue_server.adapters.secrets import hash_password, token_digest
from shared.enums import DeviceKind, Role, SiteKind

HOURS = {"mon-fri": ["07:00-11:30", "13:30-17:00"], "sat": ["07:30-11:30"], "issue_until": ["11:15", "16:30"]}

# Fields no one-stop center of the demo province receives: customs has its own offices
# (a vertical agency), and the State Bank's fields concern credit institutions at its branch.
# Linked to no line, their procedures are offered by no kiosk.
NOT_AT_CENTERS = ("Hải quan", "Thành lập và hoạt động ngân hàng", "Hoạt động ngoại hối", "Hoạt động kho quỹ",
                  "Hoạt động tiền tệ", "Hoạt động thông tin tín dụng", "Hoạt động thanh toán", "Hoạt động khác",
                  "Hoạt động tín dụng")

LAND_WORDS = ("Đất đai", "Địa chất", "Tài nguyên nước", "Biển", "Môi trường", "Khí tượng", "Đo đạc", "Viễn thám",
              "Biến đổi khí hậu", "Bảo tồn thiên nhiên")


@dataclass(frozen=True)
class ServiceSpec:
    code: str
    name_vi: str
    name_en: str
    prefix: str
    ministries: tuple[str, ...] = ()
    land: bool | None = None  # for the agriculture ministry: its land fields or the rest
    kind: str = "queue"


SERVICES = (
    ServiceSpec("A", "Tư pháp – Hộ tịch, chứng thực", "Justice – civil status, certification", "A",
                ("bo-tu-phap", "toa-an-nhan-dan")),
    ServiceSpec("B", "Đất đai – Tài nguyên, môi trường", "Land and environment", "B", ("bo-nong-nghiep-mt",), True),
    ServiceSpec("C", "Nông nghiệp, lâm nghiệp, thủy sản", "Agriculture, forestry, fisheries", "C",
                ("bo-nong-nghiep-mt",), False),
    ServiceSpec("D", "Doanh nghiệp, thuế, tài chính, ngân hàng", "Business, tax, finance, banking", "D",
                ("bo-tai-chinh", "ngan-hang-nha-nuoc")),
    ServiceSpec("E", "Xây dựng, giao thông, nhà ở", "Construction, transport, housing", "E", ("bo-xay-dung",)),
    ServiceSpec("F", "Công an: cư trú, căn cước, xuất nhập cảnh", "Police: residence, ID cards, immigration", "F",
                ("bo-cong-an",)),
    ServiceSpec("R", "Trả kết quả", "Return of results", "R", kind="return"),
    # The kiosk's "Không rõ thủ tục" tile: a guidance desk helps the citizen find the procedure.
    ServiceSpec("H", "Hướng dẫn, hỗ trợ thủ tục", "Guidance: help choosing a procedure", "H", kind="help"),
)
# Every demo site has the help line, taken by its first counter.
HELP_LINE = "H"

# code, name, English name, kind, address, lat, lon, services, counters [(number, "service+weight ...")]
SITES = (
    ("HUE-TT", "Trung tâm Phục vụ hành chính công thành phố Huế", "Hue City Public Administration Service Center",
     SiteKind.CENTER, "Demo: 01 Lê Lai, Huế", 16.4637, 107.5909, "ABCDEFR",
     [(1, "A2"), (2, "A2 F1"), (3, "B2"), (4, "B2 C1"), (5, "C1 D2"), (6, "D2 E1"), (7, "E2 F1"), (8, "F2"),
      (9, "R2 A1")]),
    ("HUE-PX", "Chi nhánh Phú Xuân", "Phu Xuan Branch", SiteKind.BRANCH, "Demo: 10 Đinh Tiên Hoàng, Huế",
     16.4745, 107.5778, "ABDEFR", [(1, "A2 F1"), (2, "B2 E1"), (3, "D2 A1"), (4, "F2 R1")]),
    ("HUE-TH", "Chi nhánh Thuận Hóa", "Thuan Hoa Branch", SiteKind.BRANCH, "Demo: 5 Hà Nội, Huế",
     16.4560, 107.5975, "ABDEFR", [(1, "A2 F1"), (2, "B2 E1"), (3, "D2 R1")]),
    ("HUE-PV", "Điểm tiếp nhận xã Phú Vinh", "Phu Vinh Commune Point", SiteKind.COMMUNE, "Demo: UBND xã Phú Vinh",
     16.5290, 107.6560, "ABFR", [(1, "A2 B1 F1 R1"), (2, "B2 A1 F1 R1")]),
)

DEMO_PASSWORD = "motcua-demo"
DEMO_CLERKS = ("Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung")
DEMO_USERS = (("admin", "Quản trị hệ thống", Role.ADMIN, None), ("quanly", "Nguyễn Thị Quản Lý", Role.MANAGER, None))


# Processing agencies of the demo province: code, name, English name, kind, catalog
# phrases, fields taken when the catalog names no agency, sites (commune committees),
# the login prefix of its demo officers.
AGENCIES = (
    ("STP", "Sở Tư pháp thành phố Huế", "Hue Department of Justice", "department",
     ("Sở Tư pháp", "Trung tâm trợ giúp pháp lý", "Thi hành án dân sự"),
     ("Công chứng", "Chứng thực", "Đấu giá tài sản", "Giám định tư pháp", "Quản tài viên", "Trọng tài thương mại",
      "Hòa giải thương mại", "Lý lịch tư pháp", "Luật sư", "Quốc tịch", "Nuôi con nuôi"), (), "stp"),
    ("SXD", "Sở Xây dựng thành phố Huế", "Hue Department of Construction", "department",
     ("Sở Xây dựng", "Bộ phận Một cửa Sở Xây dựng", "Sở Giao thông", "Cục Đường bộ", "Khu Quản lý đường bộ",
      "Cảng vụ Đường thủy nội địa"),
     ("Hạ tầng kỹ thuật", "Phát triển đô thị", "Quy hoạch đô thị và nông thôn", "Hàng hải và đường thủy nội địa"),
     (), "sxd"),
    ("SNNMT", "Sở Nông nghiệp và Môi trường thành phố Huế", "Hue Department of Agriculture and Environment",
     "department",
     ("Sở Nông nghiệp và Môi trường", "Cơ quan chuyên môn về nông nghiệp và môi trường", "Chi cục Kiểm lâm",
      "Cơ quan quản lý nhà nước về thủy sản", "Cơ quan có chức năng quản lý đất đai cấp tỉnh"),
     ("Thủy lợi", "Nông nghiệp", "Lâm nghiệp", "Kiểm lâm", "Thủy sản", "Thú y", "Chăn nuôi", "Địa chất và khoáng sản",
      "Biến đổi khí hậu", "Bảo tồn thiên nhiên và Đa dạng sinh học", "Biển và hải đảo"), (), "snnmt"),
    ("VPDKDD", "Văn phòng Đăng ký đất đai thành phố Huế", "Hue Land Registration Office", "department",
     ("Văn phòng đăng ký đất đai", "Chi nhánh Văn phòng đăng ký đất đai"), (), (), "vpdk"),
    ("STC", "Sở Tài chính thành phố Huế", "Hue Department of Finance", "department",
     ("Sở Tài chính", "Ban quản lý khu công nghiệp", "Kho bạc nhà nước"),
     ("Đầu tư tại Việt nam", "Thành lập và hoạt động doanh nghiệp (hộ kinh doanh)"), (), "stc"),
    ("CA-HUE", "Công an thành phố Huế", "Hue City Police", "vertical",
     ("Công an tỉnh", "Công an cấp Tỉnh", "Công an cấp Xã", "Phòng quản lý xuất nhập cảnh", "Phòng Xuất nhập cảnh",
      "Phòng cảnh sát quản lý hành chính", "Cục cảnh sát phòng cháy"),
     ("Phòng cháy, chữa cháy",), (), "ca"),
    ("THUE-HUE", "Thuế thành phố Huế", "Hue Tax Office", "vertical",
     ("Thuế tỉnh", "Thuế cơ sở", "Cục Thuế", "Chi cục Thuế"), ("Thuế",), (), "thue"),
    ("BHXH-HUE", "Bảo hiểm xã hội thành phố Huế", "Hue Social Insurance", "vertical", ("Bảo hiểm xã hội",),
     ("Người có công",), (), "bhxh"),
    ("UBND-HUE", "Ủy ban nhân dân thành phố Huế", "Hue City People's Committee", "province",
     ("Ủy ban nhân dân cấp tỉnh", "Chủ tịch ủy ban nhân dân cấp tỉnh", "Cơ quan chức năng do Ủy ban nhân dân cấp tỉnh",
      "Người đứng đầu cơ quan chuyên môn thuộc Ủy ban nhân dân cấp tỉnh", "Cơ quan phân cấp"), (), (), "ubnd"),
    ("UBND-THUANHOA", "Ủy ban nhân dân phường Thuận Hóa", "Thuan Hoa Ward People's Committee", "commune",
     ("Ủy ban nhân dân cấp xã", "Uỷ ban Nhân dân cấp xã", "Ủy ban Nhân dân xã", "Chủ tịch Ủy ban nhân dân xã",
      "Chủ tịch UBND cấp xã", "Cơ quan quản lý đất đai cấp xã"), (), ("HUE-TT", "HUE-TH"),
     "thuanhoa"),
    ("UBND-PHUXUAN", "Ủy ban nhân dân phường Phú Xuân", "Phu Xuan Ward People's Committee", "commune",
     ("Ủy ban nhân dân cấp xã", "Uỷ ban Nhân dân cấp xã", "Ủy ban Nhân dân xã", "Chủ tịch Ủy ban nhân dân xã",
      "Chủ tịch UBND cấp xã", "Cơ quan quản lý đất đai cấp xã"), (), ("HUE-PX",), "phuxuan"),
    ("UBND-PHUVINH", "Ủy ban nhân dân xã Phú Vinh", "Phu Vinh Commune People's Committee", "commune",
     ("Ủy ban nhân dân cấp xã", "Uỷ ban Nhân dân cấp xã", "Ủy ban Nhân dân xã", "Chủ tịch Ủy ban nhân dân xã",
      "Chủ tịch UBND cấp xã", "Cơ quan quản lý đất đai cấp xã"), (), ("HUE-PV",), "phuvinh"),
)
# Demo officers: <prefix>.lanhdao heads the agency, <prefix>.canbo works its dossiers.
DEMO_OFFICERS = (("lanhdao", True, ("Hoàng Minh Tuấn", "Võ Thị Lan", "Đặng Quốc Huy", "Bùi Thị Mai")),
                 ("canbo", False, ("Ngô Văn Phúc", "Trương Thị Hạnh", "Huỳnh Văn Nam", "Đỗ Thị Thu")))


def seed_agencies(conn: Connection, now: datetime) -> bool:
    """The demo province's processing agencies and their officers, once."""
    if conn.execute(select(t.agencies.c.id)).first():
        return False
    for index, (code, name, name_en, kind, terms, fields, sites, prefix) in enumerate(AGENCIES):
        agency_id = conn.execute(insert(t.agencies).values(
            code=code, name_vi=name, name_en=name_en, kind=kind, governing_body="UBND THÀNH PHỐ HUẾ",
            catalog_terms=list(terms), field_names=list(fields), site_codes=list(sites), active=True,
            updated_at=now).returning(t.agencies.c.id)).scalar_one()
        for suffix, head, names in DEMO_OFFICERS:
            conn.execute(insert(t.staff).values(
                username=f"{prefix}.{suffix}", full_name=names[index % len(names)],
                password_hash=hash_password(DEMO_PASSWORD), role=Role.PROCESSOR.value, site_id=None,
                agency_id=agency_id, agency_head=head, active=True, created_at=now))
    return True


def demo_device_token(kind: DeviceKind, site_code: str) -> str:
    return f"mcd_demo-{kind.value}-{site_code.lower()}"


def _field_ministries(conn: Connection) -> dict[int, str]:
    rows = conn.execute(select(t.procedures.c.field_id, t.procedures.c.ministry_slug)).all()
    counts: dict[int, Counter] = {}
    for field_id, ministry in rows:
        counts.setdefault(field_id, Counter())[ministry] += 1
    return {fid: c.most_common(1)[0][0] for fid, c in counts.items()}


def _fields_for(spec: ServiceSpec, fields: dict[int, str], ministry_of: dict[int, str]) -> list[int]:
    chosen = []
    for fid, name in fields.items():
        if ministry_of.get(fid) not in spec.ministries or name in NOT_AT_CENTERS:
            continue
        if spec.land is not None and any(w.lower() in name.lower() for w in LAND_WORDS) != spec.land:
            continue
        chosen.append(fid)
    return chosen


def seed_demo(conn: Connection, now: datetime | None = None) -> bool:
    """Create the demo province once; returns False if it is already there."""
    now = now or datetime.now(UTC)
    if conn.execute(select(t.sites.c.id).where(t.sites.c.code == SITES[0][0])).first():
        seed_agencies(conn, now)  # a demo database from before agencies existed
        return False
    fields = dict(conn.execute(select(t.fields.c.id, t.fields.c.name_vi)).all())
    ministry_of = _field_ministries(conn)
    service_ids: dict[str, int] = {}
    for spec in SERVICES:
        sid = conn.execute(insert(t.services).values(
            code=spec.code, name_vi=spec.name_vi, name_en=spec.name_en, prefix=spec.prefix, digits=3,
            number_start=1, number_end=999, kind=spec.kind).returning(t.services.c.id)).scalar_one()
        service_ids[spec.code] = sid
        links = [{"service_id": sid, "field_id": fid} for fid in _fields_for(spec, fields, ministry_of)]
        if links:
            conn.execute(insert(t.service_fields), links)
    for index, (code, name, name_en, kind, address, lat, lon, offered, counters) in enumerate(SITES, start=1):
        site_id = conn.execute(insert(t.sites).values(
            code=code, name_vi=name, name_en=name_en, kind=kind.value, address=address, latitude=lat,
            longitude=lon, opening_hours=HOURS, agency_code=f"000.00.{index:02d}.H57",
            notice="").returning(t.sites.c.id)).scalar_one()
        offered += HELP_LINE
        conn.execute(insert(t.site_services), [{"site_id": site_id, "service_id": service_ids[s]} for s in offered])
        for number, spec in counters:
            spec += f" {HELP_LINE}1" if number == 1 else ""
            cid = conn.execute(insert(t.counters).values(
                site_id=site_id, number=number, name=f"Quầy {number}", state="closed", updated_at=now,
            ).returning(t.counters.c.id)).scalar_one()
            conn.execute(insert(t.counter_services), [
                {"counter_id": cid, "service_id": service_ids[item[0]], "weight": int(item[1:])}
                for item in spec.split()
            ])
        conn.execute(insert(t.staff).values(
            username=f"canbo.{code.split('-')[1].lower()}", full_name=DEMO_CLERKS[index - 1],
            password_hash=hash_password(DEMO_PASSWORD), role=Role.STAFF.value, site_id=site_id, active=True,
            created_at=now))
        for device_kind in DeviceKind:
            conn.execute(insert(t.devices).values(
                name=f"{device_kind.value} {code}", kind=device_kind.value, site_id=site_id,
                token_hash=token_digest(demo_device_token(device_kind, code)), created_at=now))
    for username, full_name, role, _ in DEMO_USERS:
        conn.execute(insert(t.staff).values(
            username=username, full_name=full_name, password_hash=hash_password(DEMO_PASSWORD), role=role.value,
            site_id=None, active=True, created_at=now))
    seed_agencies(conn, now)
    return True


def demo_credentials_text(base_url: str) -> str:
    lines = [f"  Staff and managers (password '{DEMO_PASSWORD}'): admin (admin), quanly (manager)"]
    for code, *_ in SITES:
        lines.append(f"  {code}: staff canbo.{code.split('-')[1].lower()}, "
                     f"kiosk token {demo_device_token(DeviceKind.KIOSK, code)}, "
                     f"display token {demo_device_token(DeviceKind.DISPLAY, code)}")
    lines.append("  Processing agencies (officers <prefix>.canbo, heads <prefix>.lanhdao; inbox at /agency): "
                 + ", ".join(f"{code} {prefix}" for code, *_, prefix in AGENCIES))
    return "\n".join(lines)


def prepare_demo_database(url: str) -> None:
    """Migrate, import the national catalog and seed the demo province (its logins and
    devices): the database the tests, benchmarks, drills and fuzzing start from."""
    from queue_server import migrations
    from queue_server.adapters.db import make_engine
    from queue_server.catalog import import_catalog

    migrations.upgrade(url)
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            import_catalog(conn)
            seed_demo(conn)
    finally:
        engine.dispose()
