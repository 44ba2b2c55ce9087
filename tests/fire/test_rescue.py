"""Hand-computed rescue-site cases (RS-01..RS-04)."""

import geopandas as gpd
import pytest
from shapely import affinity
from shapely.geometry import box

from gis.findings import Verdict
from gis.fire.rescue import covered_wall_length, near_edge_distances, rescue_site_checks, site_fits
from gis.rules import load_rules

RULES = load_rules()
FP = box(0, 0, 40, 12)  # long sides 40 m


def _after(h, bid="N1"):
    return gpd.GeoDataFrame({"building_id": [bid], "phase": ["proposed"], "height_m": [h]}, geometry=[FP], crs="EPSG:4538")


def _sites(geoms, bid="N1", phase="proposed"):
    return gpd.GeoDataFrame({"building_id": [bid] * len(geoms), "phase": [phase] * len(geoms)}, geometry=geoms,
                            crs="EPSG:4538")


def test_covered_length_hand_computed():
    # site 40 x 10 m, 6 m south of the wall: the south side (40 m) plus 4 m of each gable lie within 10 m
    site = box(0, -16, 40, -6)
    length, _ = covered_wall_length(FP, [site], reach=10.0, max_gap=30.0)
    assert length == pytest.approx(48.0, abs=0.01)


def test_split_sites_gap_rule():
    a, b = box(-10, -16, 5, -6), box(25, -16, 40, -6)  # covered pieces on the south wall with a ~12 m gap
    joined, _ = covered_wall_length(FP, [a, b], reach=10.0, max_gap=30.0)
    single, _ = covered_wall_length(FP, [a, b], reach=10.0, max_gap=0.0)
    assert joined > single


def test_size_and_distances():
    assert site_fits(box(0, -16, 20, -6), 15, 10)
    assert not site_fits(box(0, -16, 14, -6), 15, 10)
    assert site_fits(affinity.rotate(box(0, 0, 16, 10.5), 30), 15, 10)
    dmin, dfar, line = near_edge_distances(FP, box(0, -16, 20, -6))
    assert (dmin, dfar) == (pytest.approx(6.0), pytest.approx(6.0)) and line.length == pytest.approx(6.0)
    tilted = affinity.rotate(box(0, -16, 20, -6), -12, origin=(0, -6))  # far end of the near edge moves away
    dmin, dfar, _ = near_edge_distances(FP, tilted)
    assert dmin == pytest.approx(6.0) and dfar == pytest.approx(6 + 20 * 0.2079, abs=0.01)


def test_checks_pass_fail_and_not_checked():
    before = _after(17.0, "E1").iloc[:0]
    f, table = rescue_site_checks(_sites([box(0, -16, 40, -6)]), before=before, after=_after(30.0), rules=RULES)
    by = {x.rule_id: x for x in f}
    assert by["RS-01"].verdict is Verdict.PASS and by["RS-01"].threshold == pytest.approx(40.0)
    assert by["RS-03"].verdict is Verdict.PASS
    assert all(x.verdict is Verdict.PASS for x in f if x.rule_id == "RS-04")
    assert len(table) == len(f)
    # too close (3 m, soft -> WARN) and too short (14 m -> RS-03 FAIL, RS-01 FAIL)
    f, _ = rescue_site_checks(_sites([box(0, -13, 14, -3)]), before=before, after=_after(30.0), rules=RULES)
    v = {(x.rule_id, x.threshold): x.verdict for x in f}
    assert v[("RS-03", 15.0)] is Verdict.FAIL and v[("RS-04", 5.0)] is Verdict.WARN
    assert [x.verdict for x in f if x.rule_id == "RS-01"] == [Verdict.FAIL]
    # no site at all: FAIL with the place it belongs drawn; no layer: NOT_CHECKED
    f, _ = rescue_site_checks(_sites([box(0, -16, 40, -6)], bid="other"), before=before, after=_after(30.0), rules=RULES)
    assert f[0].verdict is Verdict.FAIL and f[0].geometry.area > 0
    f, _ = rescue_site_checks(None, before=before, after=_after(30.0), rules=RULES)
    assert f[0].verdict is Verdict.NOT_CHECKED and "rescue_sites" in f[0].message_en
    # 27 m or lower: no rescue site needed
    f, _ = rescue_site_checks(None, before=before, after=_after(27.0), rules=RULES)
    assert f == []


def test_above_50m_needs_20m_and_continuous():
    f, _ = rescue_site_checks(_sites([box(0, -16, 18, -6)]), before=_after(1.0).iloc[:0], after=_after(55.0), rules=RULES)
    assert [x.verdict for x in f if x.rule_id == "RS-03"] == [Verdict.FAIL]
    assert [x.threshold for x in f if x.rule_id == "RS-03"] == [20.0]


def test_not_worse_for_existing_high_rise():
    before = gpd.GeoDataFrame({"building_id": ["E1"], "phase": ["existing"], "height_m": [30.0]}, geometry=[FP],
                              crs="EPSG:4538")
    sites = gpd.GeoDataFrame({"building_id": ["E1", "N1"], "phase": ["existing", "proposed"]},
                             geometry=[box(0, -16, 20, -6), box(0, -16, 25, -6)], crs="EPSG:4538")
    f, _ = rescue_site_checks(sites, before=before, after=_after(30.0), counterparts={"N1": "E1"}, rules=RULES)
    rs1 = [x for x in f if x.rule_id == "RS-01"][0]
    assert rs1.verdict is Verdict.PASS_NOT_WORSE and rs1.proposed > rs1.existing
