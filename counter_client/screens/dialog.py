from kivy.app import App
from kivy.clock import Clock
from kivy.properties import ObjectProperty, StringProperty
from kivy.uix.floatlayout import FloatLayout


class DialogLayer(FloatLayout):
    """The transfer / call-a-number / pause / close dialogs, drawn over the main screen
    (inside it, not a Popup, so a screenshot of the screen shows it too)."""

    search = ObjectProperty(None)
    reason = ObjectProperty(None)
    options = ObjectProperty(None)
    shown_kind = StringProperty("")

    def on_touch_down(self, touch):  # noqa: ANN001, ANN201
        if not App.get_running_app().dialog.kind:
            return False  # invisible: let the screen below have the touch
        super().on_touch_down(touch)
        return True  # modal: nothing behind the dialog reacts

    def show(self, view) -> None:  # noqa: ANN001 (a DialogView)
        if view.kind != self.shown_kind:
            # A new dialog starts empty, with the cursor where the clerk types first.
            self.shown_kind = view.kind
            self.search.text = ""
            self.reason.text = ""
            if view.kind and view.with_search:
                Clock.schedule_once(lambda dt: setattr(self.search, "focus", True), 0)
            else:
                self.search.focus = False
                self.reason.focus = False

    def search_changed(self, text: str) -> None:
        app = App.get_running_app()
        if app.dialog.kind and text != app.presenter.state.dialog.query:
            app.presenter.set_query(text)
