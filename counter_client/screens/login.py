from kivy.app import App
from kivy.clock import Clock
from kivy.properties import ObjectProperty
from kivy.uix.screenmanager import Screen


class LoginScreen(Screen):
    username = ObjectProperty(None)
    password = ObjectProperty(None)

    def on_enter(self, *_: object) -> None:
        # The remembered user name is there already: the clerk types only the password.
        target = self.password if self.username.text else self.username
        Clock.schedule_once(lambda dt: setattr(target, "focus", True), 0)

    def do_login(self) -> None:
        App.get_running_app().presenter.login(self.username.text, self.password.text)
        self.password.text = ""
