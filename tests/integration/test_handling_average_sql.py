"""Finishing a ticket folds its handling time into the service's moving average in one
upsert (no read first): the database must arrive at exactly what the estimate's rule
(domain.estimation.updated_average) gives, on both databases."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from queue_server.adapters import repository as repo
from queue_server.adapters import tables as t
from queue_server.adapters.db import make_engine
from queue_server.domain.estimation import updated_average

OBSERVED = [600.0, 300.0, -5.0, 300.0, 900.0, 120.0, 450.0, 300.0, 330.0]  # seconds; -5: the clock went back


@pytest.mark.parametrize("db_url", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
def test_the_upserted_average_is_the_estimates_moving_average_sample_by_sample(db_url: str) -> None:
    engine = make_engine(db_url)
    expected, samples = None, 0
    try:
        for seconds in OBSERVED:
            with engine.begin() as conn:
                repo.record_handling_time(conn, 1, 2, seconds)
                row = conn.execute(select(t.service_stats.c.avg_handling_seconds, t.service_stats.c.samples)
                                   .where(t.service_stats.c.site_id == 1, t.service_stats.c.service_id == 2)).one()
            expected, samples = updated_average(expected, samples, seconds), samples + 1
            assert row.samples == samples
            assert row.avg_handling_seconds == pytest.approx(expected, rel=1e-12)
        with engine.begin() as conn:  # another service of the site keeps its own average
            repo.record_handling_time(conn, 1, 3, 42.0)
            assert repo.handling_average(conn, 1, 3) == (42.0, 1)
            assert repo.handling_average(conn, 1, 2) == (pytest.approx(expected, rel=1e-12), len(OBSERVED))
    finally:
        engine.dispose()
