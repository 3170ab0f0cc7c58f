from __future__ import annotations

from pathlib import Path

from kivy.app import App
from kivy.clock import Clock
from kivy.factory import Factory
from kivy.properties import BooleanProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.screenmanager import Screen


def _dossier():  # noqa: ANN202 (the DossierPresenter of the ticket being served)
    return App.get_running_app().presenter.dossier


class DocumentRow(BoxLayout):
    index = NumericProperty(0)
    title = StringProperty("")
    copies_text = StringProperty("1")
    form_text = StringProperty("")
    editable = BooleanProperty(True)

    def copies(self, delta: int) -> None:
        _dossier().change_copies(self.index, delta)

    def next_form(self) -> None:
        _dossier().next_form(self.index)

    def remove(self) -> None:
        _dossier().remove_document(self.index)


class FileRow(BoxLayout):
    index = NumericProperty(0)
    title = StringProperty("")
    detail = StringProperty("")
    removable = BooleanProperty(False)

    def remove(self) -> None:
        _dossier().remove_file(self.index)


class FileChooserLayer(FloatLayout):
    """Picking scans from disk, drawn inside the screen (a screenshot shows it)."""

    chooser = ObjectProperty(None)
    shown = BooleanProperty(False)

    def on_touch_down(self, touch):  # noqa: ANN001, ANN201
        if not self.shown:
            return False
        super().on_touch_down(touch)
        return True

    def open(self, folder: Path) -> None:
        if folder.is_dir():
            self.chooser.path = str(folder)
        self.chooser.selection = []
        self.shown = True

    def confirm(self) -> None:
        chosen = [Path(p) for p in self.chooser.selection]
        self.shown = False
        if chosen:
            _dossier().add_files(chosen)


class DossierScreen(Screen):
    name_input = ObjectProperty(None)
    id_input = ObjectProperty(None)
    phone_input = ObjectProperty(None)
    address_input = ObjectProperty(None)
    notes_input = ObjectProperty(None)
    document_input = ObjectProperty(None)
    procedure_search = ObjectProperty(None)
    documents_box = ObjectProperty(None)
    files_box = ObjectProperty(None)
    suggestions_box = ObjectProperty(None)
    results_box = ObjectProperty(None)
    id_kind_box = ObjectProperty(None)
    supplement_box = ObjectProperty(None)
    what_input = ObjectProperty(None)
    why_input = ObjectProperty(None)
    chooser_layer = ObjectProperty(None)
    identity_layer = ObjectProperty(None)
    shown_ticket = NumericProperty(0)
    form_version = NumericProperty(0)

    def presenter(self):  # noqa: ANN201
        return _dossier()

    def show(self, view) -> None:  # noqa: ANN001 (a DossierView)
        if view.ticket_id != self.shown_ticket or view.form_version != self.form_version:
            self._load_form(focus=view.ticket_id != self.shown_ticket)
            self.shown_ticket, self.form_version = view.ticket_id, view.form_version
        self.identity_layer.show(view.identity)
        editable = view.stage == "edit"
        self._rows(self.documents_box, [Factory.DocumentRow(index=d["index"], title=d["title"], editable=editable,
                                                            copies_text=d["copies"], form_text=d["form"])
                                        for d in view.documents])
        self._rows(self.files_box, [Factory.FileRow(**f) for f in view.files])
        self._rows(self.id_kind_box, [self._button(k["title"], "primary" if k["selected"] else "quiet",
                                                   lambda kind=k["kind"]: _dossier().set_id_kind(kind), 44)
                                      for k in view.id_kinds])
        self._rows(self.suggestions_box, [self._suggestion(s) for s in view.suggestions])
        self._rows(self.results_box, [self._button(r["title"], "neutral", lambda i=r["index"]: self._choose(i), 40,
                                                   size_hint_y=None) for r in view.procedure_results])
        self._rows(self.supplement_box, [Factory.FileRow(index=s["index"], title=s["title"], detail=s["detail"])
                                         for s in view.supplement])

    def _load_form(self, focus: bool = True) -> None:
        form = _dossier().state.form
        for widget, value in ((self.name_input, form.name), (self.id_input, form.id_number),
                              (self.phone_input, form.phone), (self.address_input, form.address),
                              (self.notes_input, form.notes), (self.document_input, ""),
                              (self.procedure_search, ""), (self.what_input, ""), (self.why_input, "")):
            widget.text = value
        if focus:
            Clock.schedule_once(lambda dt: setattr(self.name_input, "focus", True), 0)

    @staticmethod
    def _rows(box, widgets: list) -> None:  # noqa: ANN001
        box.clear_widgets()
        for widget in widgets:
            box.add_widget(widget)

    @staticmethod
    def _button(text: str, tone: str, action, height: int, **kwargs):  # noqa: ANN001, ANN205
        button = Factory.DeskButton(text=text, tone=tone, font_size="14sp", height=height, **kwargs)
        button.bind(on_release=lambda b: action())
        return button

    def _suggestion(self, text: str):  # noqa: ANN202
        button = Factory.DeskButton(text="+ " + text, tone="quiet", font_size="15sp", size_hint=(None, None),
                                    height=44)
        button.text_size = (None, None)  # one line: the button is as wide as its words
        button.texture_update()
        button.width = button.texture_size[0] + 28
        button.bind(on_release=lambda b: _dossier().add_document(text))
        return button

    def _choose(self, index: int) -> None:
        _dossier().choose_procedure(index)
        self.procedure_search.text = ""

    def search_procedure(self, text: str) -> None:
        if _dossier() is None:
            return
        if len(text.strip()) >= 3:
            _dossier().search_procedures(text)
        elif _dossier().state.procedure_results:
            _dossier().state.procedure_results = []
            _dossier().on_change()

    def add_document(self, text: str) -> None:
        if _dossier().add_document(text):
            self.document_input.text = ""

    def add_supplement(self) -> None:
        if _dossier().add_supplement_item(self.what_input.text, self.why_input.text):
            self.what_input.text = ""
            self.why_input.text = ""

    def open_chooser(self) -> None:
        settings = App.get_running_app().settings
        folder = Path(settings.scanner_folder) if settings.scanner_folder else Path.home()
        self.chooser_layer.open(folder)
