"""Shown until the display has its first snapshot of the site."""

from kivy.uix.screenmanager import Screen


class ConnectingScreen(Screen):
    pass
