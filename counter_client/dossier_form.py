"""What the clerk types while receiving a dossier, and how it becomes a request.

The form is checked here with the very model the server uses (`ReceiveDossierIn`), so a
mistake is pointed out, in Vietnamese, next to the field, before anything is sent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from pydantic import ValidationError

from shared.dossier_protocol import (
    DOCUMENT_FORM_VI,
    ApplicantIdKind,
    ApplicantIn,
    DocumentForm,
    DocumentIn,
    ReceiveDossierIn,
)

ID_KIND_VI = {
    ApplicantIdKind.CITIZEN_ID: "CCCD",
    ApplicantIdKind.TAX_CODE: "Mã số thuế",
    ApplicantIdKind.PASSPORT: "Hộ chiếu",
}
_ID_RULE_VI = {
    ApplicantIdKind.CITIZEN_ID: "Số CCCD / định danh cá nhân phải có đúng 12 chữ số.",
    ApplicantIdKind.TAX_CODE: "Mã số thuế phải có 10 chữ số (chi nhánh: 10 chữ số, gạch ngang, 3 chữ số).",
    ApplicantIdKind.PASSPORT: "Số hộ chiếu gồm 6 đến 12 chữ cái in hoa hoặc chữ số.",
}
# Papers most procedures ask for: one tap adds a line instead of typing it.
COMMON_DOCUMENTS = (
    "Tờ khai theo mẫu",
    "Bản sao CCCD",
    "Giấy ủy quyền",
    "Giấy tờ về cư trú",
)
SCAN_TYPES = {".pdf": "PDF", ".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".tif": "TIFF", ".tiff": "TIFF"}


@dataclass
class DocumentLine:
    name: str
    copies: int = 1
    form: DocumentForm = DocumentForm.ORIGINAL
    citizen_document_id: int | None = None  # reused from the citizen's store (no scan)
    reused_from: str = ""  # the dossier it was digitized for
    issue_date: date | None = None
    valid_until: date | None = None

    @property
    def text_vi(self) -> str:
        return f"{self.name} · {self.copies} {DOCUMENT_FORM_VI[self.form].lower()}"


@dataclass
class DossierForm:
    ticket_id: int
    ticket_label: str
    procedure_code: str = ""
    procedure_name: str = ""
    name: str = ""
    id_kind: ApplicantIdKind = ApplicantIdKind.CITIZEN_ID
    id_number: str = ""
    phone: str = ""
    address: str = ""
    notes: str = ""
    birth_date: date | None = None  # from the ID card's QR
    sex: str = ""
    fee_vnd: int | None = None  # confirmed with the citizen; None: the procedure's fee
    documents: list[DocumentLine] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)  # scans chosen before receiving, sent right after
    file_lines: dict[Path, int] = field(default_factory=dict)  # which checklist line a scan belongs to

    def add_document(self, name: str, copies: int = 1, form: DocumentForm = DocumentForm.ORIGINAL) -> bool:
        name = " ".join(name.split())
        if not name or any(d.name == name for d in self.documents):
            return False
        self.documents.append(DocumentLine(name, max(1, min(copies, 99)), form))
        return True

    def add_file(self, path: Path) -> str | None:
        """None if added; otherwise why not (in Vietnamese)."""
        if path.suffix.lower() not in SCAN_TYPES:
            return f"Tệp {path.name} không phải PDF, JPEG, PNG hay TIFF."
        if not path.is_file():
            return f"Không tìm thấy tệp {path.name}."
        if path not in self.files:
            self.files.append(path)
            line = self.default_line_for_scan()
            if line is not None:
                self.file_lines[path] = line
        return None

    def default_line_for_scan(self) -> int | None:
        """A new scan belongs to the latest line that has no scan yet and is not reused
        (clerks add a line, then scan that paper); the clerk can move it."""
        taken = set(self.file_lines.values())
        for index in range(len(self.documents) - 1, -1, -1):
            if index not in taken and self.documents[index].citizen_document_id is None:
                return index
        return None

    def reuse(self, document_id: int, kind: str, source_code: str, issue_date: date | None,
              valid_until: date | None) -> bool:
        """A stored document satisfies a line: the line of that name if there is one, else a new
        one (a copy, as the store keeps the digitized copy)."""
        if any(d.citizen_document_id == document_id for d in self.documents):
            return False
        line = next((d for d in self.documents if d.name == kind and d.citizen_document_id is None), None)
        if line is None:
            line = DocumentLine(kind, 1, DocumentForm.COPY)
            self.documents.append(line)
        line.citizen_document_id, line.reused_from = document_id, source_code
        line.issue_date, line.valid_until = issue_date, valid_until
        index = self.documents.index(line)
        self.file_lines = {p: i for p, i in self.file_lines.items() if i != index}  # no scan needed any more
        return True

    def to_request(self) -> tuple[ReceiveDossierIn | None, dict[str, str]]:
        """The request, or the problems by field name (Vietnamese)."""
        problems: dict[str, str] = {}
        if not self.name.strip():
            problems["name"] = "Hãy nhập họ tên người nộp hồ sơ."
        if not self.id_number.strip():
            problems["id_number"] = "Hãy nhập số giấy tờ tùy thân hoặc mã số thuế."
        if not self.procedure_code:
            problems["procedure"] = "Hãy chọn thủ tục."
        if not self.documents:
            problems["documents"] = "Hãy ghi ít nhất một thành phần hồ sơ đã nhận."
        applicant = None
        if "name" not in problems and "id_number" not in problems:
            try:
                applicant = ApplicantIn(name=self.name, id_kind=self.id_kind, id_number=self.id_number,
                                        phone=self.phone, address=self.address, birth_date=self.birth_date,
                                        sex=self.sex)
            except ValidationError as exc:
                problems.update(_applicant_problems(exc, self.id_kind))
        if problems:
            return None, problems
        assert applicant is not None
        request = ReceiveDossierIn(
            procedure_code=self.procedure_code, ticket_id=self.ticket_id, applicant=applicant,
            documents=[DocumentIn(name=d.name, copies=d.copies, form=d.form, issue_date=d.issue_date,
                                  valid_until=d.valid_until, citizen_document_id=d.citizen_document_id)
                       for d in self.documents],
            notes=self.notes, fee_vnd=self.fee_vnd)
        return request, {}


def _applicant_problems(exc: ValidationError, id_kind: ApplicantIdKind) -> dict[str, str]:
    out = {}
    for error in exc.errors():
        where = error["loc"][0] if error["loc"] else ""
        if where == "phone":
            out["phone"] = "Số điện thoại chỉ gồm chữ số (có thể có dấu + ở đầu), 7 đến 19 ký tự."
        elif where == "address":
            out["address"] = "Địa chỉ quá dài (tối đa 300 ký tự)."
        elif where == "name":
            out["name"] = "Họ tên quá dài (tối đa 200 ký tự)."
        else:  # the id number does not fit its kind (checked across fields)
            out["id_number"] = _ID_RULE_VI[id_kind]
    return out
