"""Hand-computed spacing cases (SP-01..03) and the law "moving a building away never worsens its verdict"."""

import geopandas as gpd
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely import affinity, shortest_line
from shapely.geometry import box

from gis.findings import Verdict
from gis.massing.spacing import pair_requirement, spacing_findings, spacing_pairs
from gis.rules import load_rules

RULES = load_rules()


def _row(bid, h=18.0, phase="proposed", **kw):
    r = dict(building_id=bid, phase=phase, use="residential", height_m=h, base_elev_m=0.0, storey_height_m=3.0,
             lowest_residential_floor=1, height_class="multi" if h <= 27 else "high2")
    r.update(kw)
    return r


def _gdf(rows, geoms):
    return gpd.GeoDataFrame(rows, geometry=list(geoms), crs="EPSG:4538")


A = box(0, 0, 60, 12)


def test_parallel_due_south():
    B = box(0, 30, 60, 42)
    r = pair_requirement(A, B, _row("A"), _row("B"), rules=RULES)
    assert r["kind"] == "parallel" and r["shading"] == "a"
    assert r["orientation_factor"] == 1.0
    assert r["required_m"] == pytest.approx(1.8 * 18)  # 32.4
    assert r["gap_m"] == pytest.approx(18.0)


def test_parallel_orientation_factor_and_shops():
    B = box(0, 30, 60, 42)
    # grid north 20 deg east of true north: facade normal 20 deg off south -> factor 0.90 (15-30 deg band)
    r = pair_requirement(A, B, _row("A"), _row("B"), grid_north_azimuth_deg=20.0, rules=RULES)
    assert r["deviation_deg"] == pytest.approx(20.0)
    assert r["required_m"] == pytest.approx(1.8 * 18 * 0.9)
    # shops on the ground floor of the shaded building: H_eff = 18 - 3 = 15
    r = pair_requirement(A, B, _row("A"), _row("B", lowest_residential_floor=2), rules=RULES)
    assert r["h_eff_m"] == pytest.approx(15.0) and r["required_m"] == pytest.approx(27.0)


@pytest.mark.parametrize(
    "kw_b, h, required",
    [({}, 18.0, 6.0), ({"gable_windows": True}, 18.0, 8.0), ({}, 30.0, 13.0)],
)
def test_gable(kw_b, h, required):
    B = box(66, 0, 126, 12)
    r = pair_requirement(A, B, _row("A"), _row("B", h=h, **kw_b), rules=RULES)
    assert r["kind"] == "gable" and r["required_m"] == pytest.approx(required)


def test_perpendicular_back_and_main_side():
    north = box(20, 25, 32, 65)  # N-S slab north of A: its gable faces A's north side
    r = pair_requirement(A, north, _row("A"), _row("B"), rules=RULES)
    assert r["kind"] == "perpendicular" and r["facing_a"] == "main" and r["facing_b"] == "gable"
    assert r["required_m"] == pytest.approx(max(0.9 * 18, 12.0))  # A is south: back side of the gable building
    south = box(20, -53, 32, -13)  # gable building south of the slab: shades its main (south) side
    r = pair_requirement(A, south, _row("A"), _row("B", h=24.0), rules=RULES)
    assert r["required_m"] == pytest.approx(1.2 * 24.0)
    r = pair_requirement(A, box(20, 14, 26, 24), _row("A", h=9.0), _row("B", h=6.0), rules=RULES)
    assert r["required_m"] == pytest.approx(12.0)  # minimum 12 m


def test_pass_not_worse_and_fail_against_existing_pair():
    before = _gdf([_row("E1", phase="existing", h=18), _row("E2", phase="existing", h=18)], [A, box(0, 27, 60, 39)])
    for y0, verdict in [(21.0, Verdict.FAIL), (30.0, Verdict.PASS_NOT_WORSE), (45.0, Verdict.PASS)]:
        after = _gdf([_row("P1", h=18), _row("P2", h=18)], [A, box(0, y0, 60, y0 + 12)])
        pairs = spacing_pairs(after, before=before, counterparts={"P1": "E1", "P2": "E2"}, rules=RULES)
        assert len(pairs) == 1
        row = pairs.iloc[0]
        assert row["existing_gap_m"] == pytest.approx(15.0)
        assert Verdict(row["verdict"]) is verdict
        f = spacing_findings(pairs)[0]
        assert f.geometry.length == pytest.approx(y0 - 12)
        assert f.rule_id == "SP-01"


def test_screened_pair_dropped():
    after = _gdf([_row("P1"), _row("P2"), _row("P3")], [A, box(0, 30, 60, 42), box(0, 60, 60, 72)])
    pairs = spacing_pairs(after, rules=RULES)
    assert sorted(zip(pairs.a_id, pairs.b_id, strict=True)) == [("P1", "P2"), ("P2", "P3")]


_RANK = {Verdict.FAIL: 0, Verdict.PASS_NOT_WORSE: 1, Verdict.PASS: 2}


@settings(max_examples=60, deadline=None)
@given(
    w=st.floats(10, 70), d=st.floats(8, 16), angle=st.floats(0, 180), x=st.floats(-80, 80), y=st.floats(-80, 80),
    ha=st.floats(6, 60), hb=st.floats(6, 60), push=st.floats(0.1, 40), north=st.floats(-30, 30),
)
def test_moving_away_never_worsens(w, d, angle, x, y, ha, hb, push, north):
    b0 = affinity.translate(affinity.rotate(box(0, 0, w, d), angle), x, y)
    if b0.distance(A) < 1.0:
        return
    p, q = np.asarray(shortest_line(A, b0).coords)
    u = (q - p) / np.linalg.norm(q - p)
    b1 = affinity.translate(b0, *(u * push))
    before = _gdf([_row("E1", h=ha, phase="existing"), _row("E2", h=hb, phase="existing")], [A, b0])
    verdicts = []
    for g in (b0, b1):
        after = _gdf([_row("P1", h=ha), _row("P2", h=hb)], [A, g])
        pairs = spacing_pairs(after, before=before, counterparts={"P1": "E1", "P2": "E2"},
                              grid_north_azimuth_deg=north, rules=RULES)
        # beyond the search radius no spacing applies: counts as a pass
        verdicts.append(Verdict(pairs.iloc[0]["verdict"]) if len(pairs) else Verdict.PASS)
    assert _RANK[verdicts[1]] >= _RANK[verdicts[0]]
