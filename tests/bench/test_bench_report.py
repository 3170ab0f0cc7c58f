"""The benchmark's report: the generated part of docs/benchmarks.md is replaced, the
hand-written analysis around it is never lost; targets are judged from the figures."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def bench_report(monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    monkeypatch.syspath_prepend(str(ROOT))  # `bench` lives beside the packages, not in them
    from bench import report, stats

    return report, stats


def test_a_new_run_replaces_only_the_generated_section(tmp_path: Path, bench_report) -> None:  # noqa: ANN001
    report, _ = bench_report
    doc = tmp_path / "benchmarks.md"
    doc.write_text("# Benchmarks\n\nHand-written analysis.\n", encoding="utf-8")
    report.write_docs(doc, f"{report.START}\nfirst run\n{report.END}")
    report.write_docs(doc, f"{report.START}\nsecond run\n{report.END}")
    text = doc.read_text(encoding="utf-8")
    assert "Hand-written analysis." in text and "second run" in text and "first run" not in text


def test_targets_are_judged_on_the_same_run_ratios(bench_report) -> None:  # noqa: ANN001
    report, stats = bench_report
    issue = stats.Result("issue", "sqlite", 1, 16, count=100, rate=2000, p99_ms=12, baseline_rate=7000)
    slow = stats.Result("call-next", "sqlite", 1, 50, count=10, rate=100, baseline_rate=7000,
                        extra={"double_claims": 0})
    checks = {name: ok for name, ok, _ in report.target_checks([issue, slow])}
    assert checks["ticket issue, SQLite, 16 connections: ≥ 25% of baseline and p99 ≤ 25 ms"] is True
    assert [ok for name, ok in checks.items() if name.startswith("call-next")] == [False]
    table = report.table([issue, slow])
    assert "28.6%" in table and "0 double" in table
