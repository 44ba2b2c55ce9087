"""City batch: a synthetic city of a few communities (one with bad data) on a 2-worker
LocalCluster; summary values against hand-computed ones; resume; a crash recorded and
contained; the CLI."""

from __future__ import annotations

import json

import pandas as pd
import pyogrio
import pytest
from typer.testing import CliRunner

from gis.batch import DONE, ERROR, community_dir, community_ids, read_community, run_batch
from gis.batch.synthetic import make_city_layers, write_city
from gis.cli import app
from gis.problems import SiteError

FAST = ["planning.*", "buildings.*"]  # checks enough to exercise the pipeline quickly


@pytest.fixture
def city(tmp_path):
    return write_city(make_city_layers(4, bad=(1,)), tmp_path / "city.gpkg")


def test_split_reads_only_one_community(city):
    assert community_ids(city) == ["C001", "C002", "C003", "C004"]
    layers = read_community(city, "C003")
    assert set(layers["buildings"]["community_id"]) == {"C003"} and len(layers["buildings"]) == 4
    assert set(layers["dwellings"]["building_id"]) == {"C003-E1"}  # the table is split too


def test_city_layer_without_the_field_is_refused(tmp_path):
    layers = make_city_layers(2)
    layers["dwellings"] = layers["dwellings"].drop(columns="community_id")
    path = write_city(layers, tmp_path / "c.gpkg")
    with pytest.raises(SiteError) as err:
        community_ids(path)
    assert "dwellings .community_id" in err.value.problems[0].line()


def test_batch_on_local_cluster_of_two_workers(city, tmp_path):
    pytest.importorskip("distributed")
    out = tmp_path / "out"
    seen = []
    result = run_batch(city, out_dir=out, workers=2, processes=False, on_done=lambda r: seen.append(r["community_id"]))
    assert sorted(seen) == ["C001", "C002", "C003", "C004"]
    rows = result.rows.set_index("community_id")
    assert rows.loc["C002", "status"] == "input"
    assert "building_id" in rows.loc["C002", "error"] and "floors" in rows.loc["C002", "error"]
    for cid in ("C001", "C003", "C004"):
        assert rows.loc[cid, "status"] in ("pass", "fail")
        folder = community_dir(out, cid)
        assert {"site.gpkg", "results.gpkg", "report.html", DONE} <= {p.name for p in folder.iterdir()}
        # Hand-computed from gis.testing.make_site_layers: after = K1 40×12×6 + N1 40×13×9 = 7560 m²
        # on 2 × 60 × 100 = 12 000 m² → FAR 0.63; households before 24 + 24, after 24 + 20.
        assert rows.loc[cid, "far_after"] == pytest.approx(0.63)
        assert rows.loc[cid, "households_before"] == 48 and rows.loc[cid, "households_after"] == 44
    assert (community_dir(out, "C002") / ERROR).exists() and not (community_dir(out, "C002") / DONE).exists()
    csv = pd.read_csv(out / "summary.csv", encoding="utf-8-sig")
    assert len(csv) == 4 and {"far_before", "far_after", "households_before", "windows_failing", "fail"} <= set(csv.columns)
    gpkg = pyogrio.read_dataframe(out / "summary.gpkg", layer="communities")
    assert len(gpkg) == 4 and gpkg.crs.to_epsg() == 4538
    # The outline of C001 is its two parcels: 120 m × 100 m.
    assert gpkg.set_index("community_id").geometry["C001"].area == pytest.approx(12000.0)
    page = (out / "overview.html").read_text(encoding="utf-8")
    assert ("communities/C001/report.html" in page or "communities/C001/review.html" in page) and "C002" in page
    try:
        from maps.offline import external_refs
    except ImportError:
        return
    assert external_refs(page) == []  # self-contained offline


def test_resume_skips_done_and_a_crash_is_contained(city, tmp_path, monkeypatch):
    out = tmp_path / "out"
    first = run_batch(city, out_dir=out, workers=0, only=FAST, communities=["C001", "C003"])
    assert first.counts()["pass"] + first.counts()["fail"] == 2

    import gis.pipeline

    real = gis.pipeline.run_review

    def flaky(site, rules, **kw):
        if "C004" in site.source:
            raise RuntimeError("boom in C004")
        return real(site, rules, **kw)

    monkeypatch.setattr(gis.pipeline, "run_review", flaky)
    ran = []
    second = run_batch(city, out_dir=out, workers=0, only=FAST, on_done=lambda r: ran.append(r["community_id"]))
    assert sorted(ran) == ["C002", "C004"] and second.skipped == ["C001", "C003"]
    rows = second.rows.set_index("community_id")
    assert rows.loc["C004", "status"] == "error" and "boom in C004" in rows.loc["C004", "error"]
    marker = json.loads((community_dir(out, "C004") / ERROR).read_text(encoding="utf-8"))
    assert "Traceback" in marker["traceback"]
    assert second.exit_code == 1 and len(pd.read_csv(out / "summary.csv")) == 4

    monkeypatch.setattr(gis.pipeline, "run_review", real)
    third = run_batch(city, out_dir=out, workers=0, only=FAST)
    assert third.rows.set_index("community_id").loc["C004", "status"] in ("pass", "fail")
    assert not (community_dir(out, "C004") / ERROR).exists()


def test_cli_batch(city, tmp_path):
    out = tmp_path / "o"
    res = CliRunner().invoke(app, ["batch", str(city), "--out", str(out), "--workers", "0", "--quiet",
                                   "--only", "planning.*", "--lang", "en"])
    assert res.exit_code == 1, res.output  # C002 has unusable data
    assert "summary.csv" in res.output and "Traceback" not in res.output
    res = CliRunner().invoke(app, ["batch", str(tmp_path / "nope.gpkg"), "--out", str(out), "--workers", "0"])
    assert res.exit_code == 2


def test_batch_on_an_existing_cluster_by_scheduler_address(city, tmp_path):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=":0") as cluster:
        result = run_batch(city, out_dir=tmp_path / "o", scheduler=cluster.scheduler_address, only=FAST,
                           communities=["C001", "C002"])
        assert len(cluster.scheduler.workers) == 1  # the cluster outlives the batch: not ours to close
    assert result.counts()["input"] == 1 and result.counts()["pass"] + result.counts()["fail"] == 1
