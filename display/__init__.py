"""The lobby display: calls on a TV, said aloud, never stale.

    motcua display --site HUE-TT [--server URL] [--token …] [--config display.toml]

Parts: `presenter` (what to show and say, pure Python), `feed` (the server's site
stream, on its own thread), `speaker` + `voice/` (one queue of calls), `app` + `kv/` +
`screens/` + `widgets` (Kivy), `runtime` (wiring), `settings` (file, environment, flags).
"""
