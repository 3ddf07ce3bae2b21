"""Published dates at the calendar's edges: a relative date counted from them names no day,
so the sentence is left undated with a warning, and the other reports go through."""
from __future__ import annotations

import pytest

from geo.events import events_from_inputs


@pytest.mark.parametrize("published", ["0001-01-01", "9999-12-31"])
@pytest.mark.parametrize("text", [
    "An IED exploded near Daquq on Tuesday, killing two soldiers.",
    "Last week a clash was reported near Hawija between two armed groups.",
    "A clash broke out near Hawija. The next day gunmen attacked a checkpoint near Kirkuk.",
    "Two days later gunmen attacked a checkpoint near Kirkuk.",
    "Three days ago an IED exploded near Daquq, killing a soldier.",
    "Last Tuesday an IED exploded near Daquq, killing a soldier.",
    "Tuesday last week an IED exploded near Daquq, killing a soldier.",
    "انفجرت عبوة ناسفة قرب قضاء داقوق يوم الثلاثاء وقتل جنديان.",
])
def test_relative_dates_at_the_calendar_edge_never_crash(tmp_path, published, text):
    edge = tmp_path / "edge.md"
    edge.write_text(f"---\nid: edge\npublished: {published}\n---\n{text}\n", encoding="utf-8")
    good = tmp_path / "good.md"
    good.write_text("---\nid: good\npublished: 2024-05-11\n---\nAn IED exploded near Daquq on "
                    "Tuesday, killing two soldiers.\n", encoding="utf-8")
    result = events_from_inputs([edge, good])
    assert result.failures == []
    events = result.events
    assert events.loc[events["report_id"] == "good", "event_date"].tolist() == ["2024-05-07"]
    edge_dates = events.loc[events["report_id"] == "edge", "event_date"].dropna().tolist()
    assert all("0001-01-01" <= d <= "9999-12-31" for d in edge_dates)


def test_half_a_utf16_pair_in_json_becomes_a_replacement_character(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "r.json"
    path.write_text('{"id": "r", "title": "Attack \\ud800 near Kirkuk", "published": "2024-05-11", '
                    '"body": "An IED exploded near Daquq on Tuesday \\udfff, killing two soldiers."}',
                    encoding="utf-8")
    out = tmp_path / "gpkg"
    out.mkdir()
    run = subprocess.run([sys.executable, "-m", "geo.cli", "export", str(path), "--format", "gpkg",
                          "-o", str(out / "x.gpkg")], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    import pyogrio

    events = pyogrio.read_dataframe(out / "x.gpkg", layer="events")
    assert events["title"].tolist() == ["Attack \ufffd near Kirkuk"]
