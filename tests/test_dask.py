"""geo.dask on real Dask clusters (LocalCluster processes): the GeoJSON of `geo events --dask`
is byte for byte the single-process one, in input order, failures and warnings included; the
collections (bag, dask-geopandas frame, zones) give what the single-process functions give."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parent.parent

#: Short reports written for these tests, in several files and formats, with one unreadable
#: record and one report with no event, so order, failures and warnings are all compared.
_BODIES = [
    "On Monday an IED exploded near Makhmour, killing two Peshmerga fighters.",
    "ISIS militants attacked an Iraqi army checkpoint in Daquq on Sunday night. On Tuesday a "
    "mortar shell hit a village near Tuz Khurmatu.",
    "Hundreds of people protested in Kirkuk on Thursday against the electricity cuts.",
    "A Turkish airstrike hit a vehicle near Sinjar on Saturday, killing three fighters.",
    "Gunmen shot dead a shepherd near Khanaqin on Wednesday.",
    "The governor of Erbil opened a new school on Monday.",
]


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> list[str]:
    root = tmp_path_factory.mktemp("archive")
    (root / "b").mkdir()
    for n in range(8):  # many small files: several partitions
        body = _BODIES[n % len(_BODIES)]
        (root / "b" / f"r{n:02d}.md").write_text(
            f"---\nid: md-{n}\ntitle: Report {n}\npublished: 2024-0{1 + n % 9}-1{n % 9}\n"
            f"source: Test Agency\n---\n{body}\n", encoding="utf-8")
    with open(root / "a.jsonl", "w", encoding="utf-8") as fh:
        for n, body in enumerate(_BODIES * 3):
            fh.write(json.dumps({"id": f"j-{n}", "published": "2024-03-0" + str(1 + n % 9),
                                 "body": body}) + "\n")
        fh.write("{not json\n")  # one bad record: a failure, in order
    (root / "c.md").write_text("---\npublished: [\n---\nbroken\n", encoding="utf-8")
    return [str(root / "a.jsonl"), str(root / "b"), str(root / "c.md"),
            str(PROJECT_DIR / "seeds")]


@pytest.fixture(scope="module")
def local_cluster():
    from distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                           dashboard_address=None, host="127.0.0.1")
    client = Client(cluster)
    yield client
    client.close()
    cluster.close()


def test_dask_geojson_is_the_single_process_geojson(archive, tmp_path):
    from geo import dask as geo_dask
    from geo.events import write_events_geojson

    one = tmp_path / "one.geojson"
    many = tmp_path / "many.geojson"
    alone = write_events_geojson(archive, one, workers=1, progress=False)
    spread = geo_dask.write_events_geojson(archive, many, workers=2, partition_bytes=400,
                                           progress=False)
    assert len(geo_dask.partitions(archive, [], partition_bytes=400)) >= 4
    assert many.read_bytes() == one.read_bytes()
    assert alone.events >= 20 and alone.failures  # something to compare
    assert (spread.reports, spread.events, spread.no_event, spread.warnings, spread.failures) == \
        (alone.reports, alone.events, alone.no_event, alone.warnings, alone.failures)


def test_cli_dask_on_a_scheduler_address_prints_the_same_bytes(archive, local_cluster):
    address = local_cluster.scheduler.address
    plain = subprocess.run([sys.executable, "-m", "geo.cli", "events", *archive],
                           capture_output=True, cwd=PROJECT_DIR, timeout=300)
    spread = subprocess.run([sys.executable, "-m", "geo.cli", "events", *archive, "--dask",
                             address], capture_output=True, cwd=PROJECT_DIR, timeout=300)
    assert spread.returncode == plain.returncode == 0, spread.stderr
    assert spread.stdout == plain.stdout and plain.stdout.startswith(b'{"type"')
    assert spread.stderr == plain.stderr  # the same warnings, failures and summary


def test_collections_match_the_single_process_functions(archive, local_cluster):
    import pandas as pd

    from geo import dask as geo_dask
    from geo.events import events_from_inputs
    from geo.zones import assign_zones, events_per_zone, load_zones

    from geo.export import normalize_layer

    def same(a, b):  # as layers (Dask stores text as its own string dtype)
        pd.testing.assert_frame_equal(normalize_layer("events", a), normalize_layer("events", b))

    zones = load_zones()
    expected = events_from_inputs(archive)
    frame = geo_dask.events_frame(archive, partition_bytes=400)
    assert frame.npartitions >= 4
    got = frame.compute().reset_index(drop=True)
    assert len(got) == len(expected.events) > 20
    same(got, expected.events)
    zoned = geo_dask.with_zones(frame, zones).compute().reset_index(drop=True)
    same(zoned, assign_zones(expected.events, zones))
    assert (zoned["zones"] != "").any()
    table = geo_dask.events_per_zone(frame, zones)
    python = events_per_zone(expected.events, zones)
    assert table.to_dict(orient="records") == python.to_dict(orient="records")
    assert table["events"].sum() > 0
    bag = geo_dask.events_bag(archive, partition_bytes=400)
    assert [item.report_id for item in bag.compute()] == [r.id for r in expected.reports]


def _one_line(out):
    assert out.returncode == 2, out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("geo: error: ") and not out.stdout, out.stderr
    return lines[0]


def test_bad_dask_inputs_are_one_line_errors(archive):
    out = subprocess.run([sys.executable, "-m", "geo.cli", "events", "-", "--dask"],
                         capture_output=True, text=True, cwd=PROJECT_DIR, input="x",
                         timeout=120)
    assert "save standard input to a file" in _one_line(out)
    out = subprocess.run([sys.executable, "-m", "geo.cli", "events", "--dask", archive[0]],
                         capture_output=True, text=True, cwd=PROJECT_DIR, timeout=120)
    assert out.returncode == 2 and "not a scheduler address" in out.stderr
    with __import__("socket").socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    out = subprocess.run([sys.executable, "-m", "geo.cli", "events", archive[0], "--dask",
                          f"tcp://127.0.0.1:{closed}"], capture_output=True, text=True,
                         cwd=PROJECT_DIR, timeout=120)
    assert f"cannot reach the Dask scheduler at tcp://127.0.0.1:{closed}" in _one_line(out)
