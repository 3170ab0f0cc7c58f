"""Outer ring: database, event bus, clock, password hashing."""
