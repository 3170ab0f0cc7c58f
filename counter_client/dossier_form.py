"""What the clerk types while receiving a dossier, and how it becomes a request.

The form is checked here with the very model the server uses (`ReceiveDossierIn`), so a
mistake is pointed out, in Vietnamese, next to the field, before anything is sent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
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
    documents: list[DocumentLine] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)  # scans chosen before receiving, sent right after

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
        return None

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
                                        phone=self.phone, address=self.address)
            except ValidationError as exc:
                problems.update(_applicant_problems(exc, self.id_kind))
        if problems:
            return None, problems
        assert applicant is not None
        request = ReceiveDossierIn(
            procedure_code=self.procedure_code, ticket_id=self.ticket_id, applicant=applicant,
            documents=[DocumentIn(name=d.name, copies=d.copies, form=d.form) for d in self.documents],
            notes=self.notes)
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
