"""`motcua soak` in its bounded form: the same drill operators run for hours, for seconds."""

from __future__ import annotations

import re

import pytest

from shared.cli import main


@pytest.mark.slow
@pytest.mark.load_drill
def test_soak_kills_the_server_repeatedly_and_reports_every_invariant_holding(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["soak", "--seconds", "3", "--kill-every", "1"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert int(re.search(r"kills: (\d+)", out).group(1)) >= 2, out
    issued = int(re.search(r"issued (\d+)", out).group(1))
    calls = int(re.search(r"calls (\d+)", out).group(1))
    assert issued >= 20 and calls >= 10, out
    assert "all invariants hold" in out and "soak: OK" in out


def test_soak_refuses_a_database_that_is_not_empty(sqlite_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit, match="not empty"):
        main(["soak", "--seconds", "1", "--database-url", sqlite_url])


def test_soak_needs_postgresql_for_several_servers(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["soak", "--seconds", "1", "--servers", "2"])
    assert "PostgreSQL" in capsys.readouterr().err
