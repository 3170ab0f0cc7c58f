"""The identity and payment layer of the dossier screen (F2): scan the ID card, reuse the
citizen's stored documents, confirm the fee, show its VietQR code and mark it paid. All the
logic is in `identity_panel.IdentityPanel`; this only draws `IdentityView`."""

from __future__ import annotations

import io

from kivy.app import App
from kivy.clock import Clock
from kivy.core.image import Image as CoreImage
from kivy.factory import Factory
from kivy.properties import BooleanProperty, ObjectProperty, StringProperty
from kivy.uix.floatlayout import FloatLayout


def _panel():  # noqa: ANN202 (the IdentityPanel of the dossier on screen)
    dossier = App.get_running_app().presenter.dossier
    return dossier.identity if dossier is not None else None


def qr_texture(payload: str):  # noqa: ANN201
    import qrcode

    qr = qrcode.QRCode(box_size=6, border=4)
    qr.add_data(payload)
    buffer = io.BytesIO()
    qr.make_image().save(buffer, format="PNG")
    buffer.seek(0)
    texture = CoreImage(buffer, ext="png").texture
    texture.mag_filter = "nearest"  # sharp modules for a phone camera
    return texture


class IdentityLayer(FloatLayout):
    shown = BooleanProperty(False)
    scan_input = ObjectProperty(None)
    documents_box = ObjectProperty(None)
    fee_input = ObjectProperty(None)
    qr_image = ObjectProperty(None)
    error_text = StringProperty("")
    card_text = StringProperty("")
    _payload = ""

    def on_touch_down(self, touch):  # noqa: ANN001, ANN201
        if not self.shown:
            return False
        super().on_touch_down(touch)
        return True

    def show(self, view) -> None:  # noqa: ANN001 (an IdentityView)
        opening = view.shown and not self.shown
        self.shown = view.shown
        self.error_text = view.scan_error
        self.card_text = "\n".join(view.card_lines)
        self.documents_box.clear_widgets()
        for doc in view.documents:
            row = Factory.StoredDocumentRow(title=doc["title"], detail=doc["detail"], used=doc["used"],
                                            usable=doc["usable"])
            row.bind(on_reuse=lambda _row, i=doc["index"]: _panel().reuse(i))
            self.documents_box.add_widget(row)
        if not self.fee_input.focus and self.fee_input.text != view.fee_text:
            self.fee_input.text = view.fee_text
        if view.vietqr != self._payload:
            self._payload = view.vietqr
            self.qr_image.texture = qr_texture(view.vietqr) if view.vietqr else None
        if opening:
            Clock.schedule_once(lambda dt: setattr(self.scan_input, "focus", True), 0)

    def scanned(self, text: str) -> None:
        """Enter from the scanner (or the clerk): the whole line, then a fresh field."""
        self.scan_input.text = ""
        if text.strip():
            _panel().scanned(text)
        Clock.schedule_once(lambda dt: setattr(self.scan_input, "focus", True), 0)

    def fee_typed(self, text: str) -> None:
        if _panel() is not None and text != _panel().state.fee_text:
            _panel().set_fee_text(text)

    def act(self, name: str, *args) -> None:  # noqa: ANN002
        panel = _panel()
        if panel is not None:
            getattr(panel, name)(*args)


class StoredDocumentRow(Factory.BoxLayout):
    title = StringProperty("")
    detail = StringProperty("")
    used = BooleanProperty(False)
    usable = BooleanProperty(True)
    __events__ = ("on_reuse",)

    def on_reuse(self) -> None:
        pass


Factory.register("StoredDocumentRow", cls=StoredDocumentRow)
