from kivy.app import App
from kivy.factory import Factory
from kivy.properties import ObjectProperty
from kivy.uix.screenmanager import Screen


class PickCounterScreen(Screen):
    grid = ObjectProperty(None)
    sites = ObjectProperty(None)

    def show(self, view) -> None:  # noqa: ANN001 (a PickView)
        presenter = App.get_running_app().presenter
        self.grid.clear_widgets()
        for row in view.rows:
            tile = Factory.CounterTile(counter_id=row["id"], title=row["title"], detail=row["detail"],
                                       selected=row["selected"], remembered=row["remembered"])
            tile.bind(on_release=lambda t: presenter.pick_counter(t.counter_id))
            self.grid.add_widget(tile)
        self.sites.clear_widgets()
        for site in view.site_rows:
            button = Factory.DeskButton(text=site["title"], tone="primary" if site["selected"] else "quiet",
                                          height=self.sites.height)
            button.bind(on_release=lambda b, code=site["code"]: presenter.choose_site(code))
            self.sites.add_widget(button)
