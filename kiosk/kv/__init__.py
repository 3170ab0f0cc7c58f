"""The kiosk's Kivy layouts, one .kv file per screen (a package so wheels ship them)."""
