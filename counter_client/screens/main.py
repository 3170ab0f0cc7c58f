from kivy.app import App
from kivy.factory import Factory
from kivy.properties import ObjectProperty
from kivy.uix.screenmanager import Screen

from counter_client.commands import Command


class MainScreen(Screen):
    waiting_list = ObjectProperty(None)
    queue_box = ObjectProperty(None)
    held_box = ObjectProperty(None)
    dialog_layer = ObjectProperty(None)

    def press(self, command: str) -> None:
        App.get_running_app().presenter.press(Command(command))

    def show(self, view) -> None:  # noqa: ANN001 (a MainView)
        # Rows whose number changes are rebuilt here; the rest is bound in kv/main.kv.
        self.queue_box.clear_widgets()
        for row in view.queue_rows:
            self.queue_box.add_widget(Factory.QueueRow(**row))
        self.held_box.clear_widgets()
        presenter = App.get_running_app().presenter
        for row in view.held_rows:
            button = Factory.DeskButton(text=row["text"], tone="go", height=self.held_box.height or 60,
                                          disabled=not row["enabled"], font_size="17sp")
            button.bind(on_release=lambda b, i=row["index"]: presenter.resume_held(i))
            self.held_box.add_widget(button)
