"""Command handlers and the unit of work that owns their transaction."""
