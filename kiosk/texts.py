"""Every word the kiosk shows, in Vietnamese and English, and how numbers and times read.

Vietnamese is the default and always comes first in bilingual text; a citizen who taps
"English" gets English first with the Vietnamese kept beside it. The words a citizen
reads everywhere (phiếu số thứ tự, Ông/Bà, Chủ nhật, wait words) come from shared/:
glossary.py and wait_words.py. Menu items carry an English name from the server; a
catalog name without one is shown in Vietnamese.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kiosk.printing.ticket import LOCAL_ZONE
from shared import glossary
from shared.wait_words import WaitFigure, WaitState, figure_from
from shared.wait_words import wait_text as figure_text

Lang = str  # "vi" | "en"


@dataclass(frozen=True)
class Text:
    vi: str
    en: str

    def __call__(self, lang: Lang, **values: object) -> str:
        return (self.en if lang == "en" else self.vi).format(**values)

    def other(self, lang: Lang, **values: object) -> str:
        return self("vi" if lang == "en" else "en", **values)

    def both(self, lang: Lang = "vi", sep: str = " / ", **values: object) -> str:
        return f"{self(lang, **values)}{sep}{self.other(lang, **values)}"

    def format(self, **values: object) -> Text:
        return Text(self.vi.format(**values), self.en.format(**values))


T = {
    # home
    "take_ticket": Text("Lấy số thứ tự", "Take a ticket"),
    "choose_service": Text("Ông/Bà cần làm thủ tục gì?", "What have you come for?"),
    "most_requested": Text("Thường dùng", "Most requested"),
    "most_requested_hint": Text("Các thủ tục được làm nhiều nhất", "The procedures people come for most"),
    "i_dont_know": Text(glossary.I_DONT_KNOW.vi, glossary.I_DONT_KNOW.en),
    "i_dont_know_hint": Text("Cán bộ hướng dẫn sẽ giúp Ông/Bà", "A staff member will help you"),
    "help_line": Text("Hướng dẫn", "Help desk"),
    "group_count": Text("{n} thủ tục", "{n} procedures"),
    "one_procedure": Text("Lấy số ngay", "Straight to a ticket"),
    "all_fields": Text("Tất cả lĩnh vực", "All fields"),
    "touch_to_start": Text("Chạm vào đây để bắt đầu", "Touch here to start"),
    "collect_results": Text("Nhận kết quả hồ sơ", "Collect your results"),
    "search_by_name": Text("Tìm thủ tục theo tên", "Find a procedure by name"),
    "have_booking": Text("Tôi đã đặt lịch", "I have a booking"),
    # booking check-in
    "booking_title": Text("Nhập mã lịch hẹn hoặc quét mã QR", "Type your booking code or scan its QR code"),
    "booking_hint": Text("Mã gồm 8 chữ và số, ví dụ ABCD-2345. Đưa mã QR trên điện thoại vào máy quét.",
                         "8 letters and digits, e.g. ABCD-2345. Hold the QR code on your phone to the scanner."),
    "check_in": Text("Xác nhận lịch hẹn", "Check in"),
    "appointment": Text("Lịch hẹn", "Appointment"),
    "appointment_at": Text("Lịch hẹn lúc {time} · mã {code}", "Appointment at {time} · code {code}"),
    "waiting_now": Text("Đang chờ tại đây", "Waiting here now"),
    "people_count": Text("{n} người", "{n} people"),
    "people_waiting_short": Text("người chờ", "waiting"),
    "counts_stale": Text("Số liệu có thể chưa cập nhật — đang kết nối lại…",
                         "Counts may be out of date — reconnecting…"),
    "counts_loading": Text("Đang tải số người chờ…", "Loading waiting counts…"),
    "language_other": Text("English", "Tiếng Việt"),
    # browsing
    "choose_field": Text("Chọn lĩnh vực", "Choose a field"),
    "procedure_count": Text("{n} thủ tục", "{n} procedures"),
    "choose_procedure": Text("Chọn thủ tục", "Choose a procedure"),
    "search_title": Text("Tìm thủ tục", "Search procedures"),
    "search_hint": Text("Gõ tên thủ tục, không cần dấu (ví dụ: khai sinh)",
                        "Type the procedure's name; accents are optional (e.g. khai sinh)"),
    "search_none": Text("Không tìm thấy thủ tục nào. Hãy thử từ khác.",
                        "No procedure found. Try other words."),
    "search_found": Text("Tìm thấy {n} thủ tục", "{n} procedures found"),
    "space": Text("Dấu cách", "Space"),
    "delete": Text("Xóa", "Delete"),
    "clear": Text("Xóa hết", "Clear"),
    "loading": Text("Đang tải…", "Loading…"),
    "home": Text("Trang chủ", "Home"),
    "back": Text("Quay lại", "Back"),
    "prev_page": Text("Trang trước", "Previous"),
    "next_page": Text("Trang sau", "Next"),
    "page_of": Text("Trang {page}/{pages}", "Page {page} of {pages}"),
    "swipe_hint": Text("Vuốt sang trái hoặc phải để xem thêm", "Swipe left or right for more"),
    # detail
    "procedure_code": Text("Mã thủ tục", "Procedure code"),
    "processing_time": Text("Thời gian giải quyết", "Processing time"),
    "fee": Text("Phí, lệ phí", "Fee"),
    "served_at": Text("Nơi tiếp nhận", "Where it is served"),
    "people_waiting": Text("Số người đang chờ", "People waiting"),
    "agency": Text("Cơ quan thực hiện", "Carried out by"),
    "full_name": Text("Tên đầy đủ của thủ tục", "Full name of the procedure"),
    "estimated_wait": Text("Thời gian chờ dự kiến", "Estimated wait"),
    "counters": Text("Quầy {numbers}", "Counter {numbers}"),
    "not_given": Text("Chưa có thông tin", "Not given"),
    "take_ticket_for_this": Text("Lấy số cho thủ tục này", "Take a ticket"),
    "sooner_title": Text("Có nơi gần đây phục vụ sớm hơn", "A nearby site can serve you sooner"),
    "sooner_body": Text(
        "{site} cách đây {km} km (khoảng {travel} phút đi đường). Ở đó: {waiting} người đang chờ, "
        "{wait}. Tại đây: {here_wait}.",
        "{site} is {km} km away (about {travel} min to get there). There: {waiting} waiting, {wait}. "
        "Here: {here_wait}.",
    ),
    "take_ticket_there": Text("Lấy số tại {site}", "Get a ticket at {site}"),
    # priority
    "priority_question": Text("Ông/Bà thuộc diện ưu tiên? Chọn một:", "Priority? Choose one:"),
    "print_ticket": Text("In phiếu số thứ tự", "Print my ticket"),
    "elderly_ticket": Text("In phiếu ưu tiên — Người cao tuổi", "Print a priority ticket — Elderly"),
    "priority_skip": Text("Không ưu tiên", "No priority"),
    "priority_note": Text("Chạm một lần. Cán bộ có thể đề nghị xuất trình giấy tờ.",
                          "Tap once. Staff may ask for proof."),
    "ticket_for": Text("Lấy số cho: {name}", "Ticket for: {name}"),
    "ticket_at": Text("Tại: {site}", "At: {site}"),
    "priority_normal": Text("Không ưu tiên", "No priority"),
    "priority_elderly": Text("Người cao tuổi", "Elderly person"),
    "priority_disability": Text("Người khuyết tật", "Person with a disability"),
    "priority_pregnancy": Text("Phụ nữ mang thai", "Pregnant woman"),
    "priority_merit": Text("Người có công với cách mạng", "People with meritorious service"),
    "priority_child": Text("Người đi cùng trẻ nhỏ", "With a young child"),
    # issuing and ticket
    "issuing": Text("Đang lấy số, vui lòng chờ…", "Getting your ticket, please wait…"),
    "issue_failed": Text("Chưa lấy được số", "No ticket was issued"),
    "try_again": Text("Thử lại", "Try again"),
    "your_number": Text("Số thứ tự của Ông/Bà", "Your ticket number"),
    "people_ahead": Text("Số người phía trước", "People ahead"),
    "wait_minutes": Text("khoảng {n} phút", "about {n} min"),
        "wait_unknown": Text("chưa ước tính được", "not estimated yet"),
    "go_to": Text("Mời đến: {site}", "Please go to: {site}"),
    "printing": Text("Đang in phiếu…", "Printing your ticket…"),
    "printed": Text("Mời nhận phiếu ở khe máy in", "Please take your ticket from the printer"),
    "print_failed_hint": Text(
        "Vui lòng chụp ảnh mã QR hoặc ghi nhớ số của Ông/Bà. Cán bộ đã được báo.",
        "Please photograph the QR code or remember your number. Staff have been alerted.",
    ),
    "scan_to_follow": Text("Quét mã để theo dõi lượt của Ông/Bà", "Scan to follow your turn"),
    "done": Text("Xong", "Done"),
    "returning_home": Text("Tự động về trang chủ sau {n} giây", "Back to the start in {n} s"),
    # server
    "server_down_title": Text("Ki-ốt tạm thời chưa lấy được số", "The kiosk cannot issue tickets right now"),
    "server_down_body": Text(glossary.HELP_DESK.vi + ". Ki-ốt tự hoạt động lại khi có kết nối.",
                             glossary.HELP_DESK.en + ". The kiosk comes back by itself once it is connected."),
    "idle_title": Text("Ông/Bà cần thêm thời gian?", "Need more time?"),
    "idle_body": Text("Tự động về trang chủ sau {n} giây", "Back to the start in {n} s"),
    "idle_continue": Text("Tiếp tục", "Continue"),
    "elsewhere_title": Text("Thủ tục này tiếp nhận tại {site}", "This procedure is received at {site}"),
    "elsewhere_body": Text("Cách đây {km} km (khoảng {travel} phút đi đường) · {waiting} người đang chờ · {wait}",
                           "{km} km away (about {travel} min to get there) · {waiting} waiting · {wait}"),
    "not_received_here": Text("Thủ tục này không tiếp nhận tại đây. " + glossary.HELP_DESK.vi + ".",
                              "This procedure is not received here. " + glossary.HELP_DESK.en + "."),
    "card_unreadable": Text("Không đọc được thẻ căn cước: {why}", "The ID card could not be read: {why}"),
    "server_unreachable": Text("Không kết nối được máy chủ. Đang tự động thử lại…",
                               "Cannot reach the server. Retrying automatically…"),
    "issue_unreachable": Text(
        "Không kết nối được máy chủ. Vui lòng thử lại sau ít phút hoặc hỏi cán bộ hướng dẫn.",
        "The server cannot be reached. Please try again in a moment or ask a staff member.",
    ),
    "kiosk_title": Text("Ki-ốt lấy số thứ tự", "Queue ticket kiosk"),
    "unit_not_given": Text("chưa ghi đơn vị", "unit not given"),
    "server_connecting": Text("Đang kết nối máy chủ…", "Connecting to the server…"),
    "unauthorized": Text("Ki-ốt chưa được cấp quyền. Vui lòng báo cán bộ.",
                         "This kiosk is not authorised. Please tell a staff member."),
    "not_configured": Text("Ki-ốt chưa được cài đặt. Vui lòng báo cán bộ.",
                           "This kiosk is not set up yet. Please tell a staff member."),
    "return_service": Text("Trả kết quả", "Return of results"),
    # settings
    "settings": Text("Cài đặt ki-ốt", "Kiosk settings"),
    "enter_pin": Text("Nhập mã PIN cài đặt", "Enter the settings PIN"),
    "wrong_pin": Text("Mã PIN không đúng", "Wrong PIN"),
    "ok": Text("Đồng ý", "OK"),
    "cancel": Text("Hủy", "Cancel"),
    "save": Text("Lưu", "Save"),
    "saved": Text("Đã lưu cài đặt", "Settings saved"),
    "test_print": Text("In thử", "Test print"),
    "test_printed": Text("Đã in phiếu thử", "Test ticket printed"),
    "setting_server_url": Text("Địa chỉ máy chủ", "Server URL"),
    "setting_device_token": Text("Mã thiết bị", "Device token"),
    "setting_site_code": Text("Mã điểm phục vụ", "Site code"),
    "setting_printer": Text("Máy in", "Printer"),
    "setting_printer_hint": Text(
        "network:IP:9100 · usb:0416:5011 · serial:/dev/ttyUSB0@9600 · cups:TÊN · file:/dev/usb/lp0 · dummy",
        "network:IP:9100 · usb:0416:5011 · serial:/dev/ttyUSB0@9600 · cups:NAME · file:/dev/usb/lp0 · dummy",
    ),
    "setting_paper_width_mm": Text("Khổ giấy (mm)", "Paper width (mm)"),
    "setting_qr_mode": Text("Mã QR", "QR code"),
    "setting_idle_timeout": Text("Về trang chủ sau (giây)", "Return home after (s)"),
    "setting_ticket_timeout": Text("Hiện phiếu trong (giây)", "Show the ticket for (s)"),
    "setting_language": Text("Ngôn ngữ mặc định", "Default language"),
    "setting_settings_pin": Text("Mã PIN mới (để trống: giữ nguyên)", "New PIN (blank: keep)"),
}

PRIORITY_KEYS = ("elderly", "disability", "pregnancy", "merit", "child")

WEEKDAYS_VI = glossary.WEEKDAYS_VI  # "Chủ nhật", one spelling everywhere
WEEKDAYS_EN = glossary.WEEKDAYS_EN


def t(key: str, lang: Lang, **values: object) -> str:
    return T[key](lang, **values)


def clock_text(now: datetime, lang: Lang) -> tuple[str, str]:
    """("09:05", "Thứ Hai, 23/11/2026") in Vietnam's time, whatever the kiosk's zone."""
    local = now.astimezone(LOCAL_ZONE)
    day = (WEEKDAYS_EN if lang == "en" else WEEKDAYS_VI)[local.weekday()]
    return local.strftime("%H:%M"), f"{day}, {local.strftime('%d/%m/%Y')}"


def wait_text(minutes: int | None, lang: Lang, *, counter_open: bool = True) -> str:
    """An estimate in minutes as words (shared/wait_words.py): never "~0 phút"."""
    if minutes is None and counter_open:
        return t("wait_unknown", lang)
    return figure_text(figure_from(minutes, any_counter_open=counter_open), lang)


def server_wait_text(wait: object, lang: Lang) -> str:
    """The server's own wait object ({minutes, state, text_vi, text_en}, or a WaitFigure):
    its words when it gives them, else the shared wording of its state."""
    if wait is None:
        return ""
    def field(name: str) -> object:
        return wait.get(name) if isinstance(wait, dict) else getattr(wait, name, None)

    text = field("text_en" if lang == "en" else "text_vi")
    if text:
        return str(text)
    try:
        figure = WaitFigure(state=WaitState(field("state")), minutes=field("minutes"))
    except ValueError:
        return ""
    return figure_text(figure, lang)


def name_in(item: object, lang: Lang) -> str:
    """A menu item's or group's name in the citizen's language; Vietnamese when it has no English one."""
    english = getattr(item, "name_en", "") or ""
    return english if lang == "en" and english.strip() else getattr(item, "name_vi", "")


def processing_time_text(value: float | None, unit_vi: str, lang: Lang) -> str:
    """The catalog's legal processing time: "5 ngày làm việc"; no unit on the portal is
    shown as the bare number rather than a guessed unit."""
    if value is None:
        return t("not_given", lang)
    number = f"{value:g}".replace(".", ",") if lang == "vi" else f"{value:g}"
    unit = unit_vi.strip()
    if lang == "en":
        unit = {"Ngày làm việc": "working days", "Ngày": "days", "Giờ": "hours", "Tháng": "months"}.get(unit, unit)
        if value == 1 and unit.endswith("s"):
            unit = unit[:-1]
    else:
        unit = unit.lower()
    if not unit:  # the portal gives a number without a unit: say so rather than guess
        return f"{number} ({t('unit_not_given', lang)})"
    return f"{number} {unit}"


def fee_text(fee_vi: str, lang: Lang) -> str:
    fee = fee_vi.strip()
    if not fee or fee.lower().startswith("không có thông tin"):
        return t("not_given", lang)
    if lang == "en" and fee.lower() == "miễn phí":
        return "Free (miễn phí)"
    return fee


def agency_text(agency_vi: str, lang: Lang) -> str:
    agency = agency_vi.strip()
    if not agency or agency.lower().startswith("không có thông tin"):
        return ""
    return agency


def counters_text(numbers: list[int], lang: Lang) -> str:
    if not numbers:
        return ""
    text = t("counters", lang, numbers=", ".join(str(n) for n in sorted(numbers)))
    return text.replace("Counter ", "Counters ", 1) if lang == "en" and len(numbers) > 1 else text


def display_name(name_vi: str) -> str:
    """A catalog name as a citizen reads it: without the "Thủ tục " every name starts with."""
    name = " ".join(name_vi.split())
    if name.lower().startswith("thủ tục ") and len(name) > len("thủ tục ") + 3:
        rest = name[len("thủ tục "):]
        return rest[0].upper() + rest[1:]
    return name


def shorten(text: str, limit: int) -> str:
    """Cut a long procedure name at a word boundary with "…" (the detail screen shows it whole)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2:]:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:.-") + "…"


def escape(text: str) -> str:
    """Text from the server shown inside Kivy markup."""
    return text.replace("&", "&amp;").replace("[", "&bl;").replace("]", "&br;")
