"""Thin Screen classes of the lobby display (their looks are in display/kv/)."""
