"""Tools for developers and CI (they need the `test` extra), not used by the server."""
