"""Fault drills: a lobby's worth of kiosks, counters and displays driven against real
server processes, the invariants a crash must not break, and `motcua soak`.

Used by tests/reliability (bounded, seconds) and by `motcua soak --minutes N` (long runs).
"""
