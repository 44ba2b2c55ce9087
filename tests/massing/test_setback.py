"""Hand-computed setbacks from road red lines (SB-01, SB-N1) and from the net-land boundary (SB-02)."""

import geopandas as gpd
import pytest
from shapely.geometry import LineString, box

from gis.findings import Verdict
from gis.massing.setback import boundary_setbacks, road_setback_required, road_setbacks, setback_findings
from gis.rules import load_rules

RULES = load_rules()


@pytest.mark.parametrize(
    "w, h, req",
    [(10, 18, 5.0), (12, 18, 5.0), (24, 18, 5.0), (32, 18, 8.0), (45, 18, 8.0), (20, 30, 10.0), (40, 60, 15.0)],
)
def test_road_table(w, h, req):
    assert road_setback_required(w, h, rules=RULES) == req


def _b(bid, geom, h=18.0, floors=6, phase="proposed"):
    return gpd.GeoDataFrame({"building_id": [bid], "phase": [phase], "height_m": [h], "floors": [floors]},
                            geometry=[geom], crs="EPSG:4538")


ROAD = gpd.GeoDataFrame({"road_id": ["R1"], "red_line_width_m": [30.0]},
                        geometry=[LineString([(-100, -15), (200, -15)])], crs="EPSG:4538")  # red line at y = 0


@pytest.mark.parametrize("y0, verdict", [(11.0, Verdict.PASS), (7.0, Verdict.PASS_NOT_WORSE), (5.0, Verdict.FAIL)])
def test_road_setback_triple(y0, verdict):
    # 30 m high-rise on a 30 m wide road: bin 24-32 m, high-rise -> 10 m; existing 6 m from the red line
    before = _b("E1", box(0, 6, 40, 18), phase="existing")
    t = road_setbacks(_b("N1", box(0, y0, 40, y0 + 12), h=30.0), ROAD, before=before, counterparts={"N1": "E1"},
                      rules=RULES)
    r = t.iloc[0]
    assert r["required_m"] == 10.0 and r["gap_m"] == pytest.approx(y0) and r["existing_gap_m"] == pytest.approx(6.0)
    assert Verdict(r["verdict"]) is verdict


def test_encroaching_red_line_fails():
    t = road_setbacks(_b("N1", box(0, -1, 40, 11)), ROAD, rules=RULES)
    f = setback_findings(t, boundary_setbacks(_b("N1", box(0, -1, 40, 11)), None, rules=RULES), rules=RULES)
    assert [(x.rule_id, x.verdict) for x in f] == [("SB-N1", Verdict.FAIL)]


def test_boundary_main_gable_and_half_spacing():
    land = box(0, 0, 100, 100)
    # 18 m multi-storey slab, north façade 20 m from the north boundary: table 9, half spacing 0.5*1.8*18 = 16.2
    t = boundary_setbacks(_b("N1", box(30, 68, 70, 80)), land, rules=RULES).iloc[0]
    assert t["facade"] == "main" and t["table_m"] == 9.0
    assert t["required_m"] == pytest.approx(16.2) and Verdict(t["verdict"]) is Verdict.PASS
    # south façade 10 m from the south boundary: half spacing does not apply (the neighbour to the south shades us)
    t = boundary_setbacks(_b("N1", box(30, 10, 70, 22)), land, rules=RULES).iloc[0]
    assert t["required_m"] == 9.0 and Verdict(t["verdict"]) is Verdict.PASS
    # gable 4 m from the west boundary: gable table 4.5, half of the 6 m gable spacing 3 -> 4.5 -> FAIL
    t = boundary_setbacks(_b("N1", box(4, 40, 44, 52)), land, rules=RULES).iloc[0]
    assert t["facade"] == "gable" and t["required_m"] == 4.5 and Verdict(t["verdict"]) is Verdict.FAIL
    # low-rise (3 floors) gable: 3 m
    t = boundary_setbacks(_b("N1", box(4, 40, 44, 52), h=9.0, floors=3), land, rules=RULES).iloc[0]
    assert t["required_m"] == 3.0 and Verdict(t["verdict"]) is Verdict.PASS


def test_boundary_along_road_excluded():
    land = box(0, 0, 100, 100)
    # building 5 m from the southern boundary, which is the road red line (y = 0): SB-02 measures the next boundary
    t = boundary_setbacks(_b("N1", box(30, 5, 70, 17)), land, roads=ROAD, rules=RULES).iloc[0]
    assert t["gap_m"] == pytest.approx(30.0)


def test_beyond_land_red_line_fails_sb_n1():
    land = box(0, 0, 100, 100)
    # 40 x 12 m slab reaching 10 m past the east land red line (x = 100): 10 x 12 = 120 m² beyond it
    t = boundary_setbacks(_b("N1", box(70, 40, 110, 52)), land, rules=RULES).iloc[0]
    assert t["rule_id"] == "SB-N1" and Verdict(t["verdict"]) is Verdict.FAIL
    assert t["gap_m"] == pytest.approx(-10.0) and t.geometry.area == pytest.approx(120.0)
    f = setback_findings(road_setbacks(_b("N1", box(70, 40, 110, 52)), None, rules=RULES),
                         boundary_setbacks(_b("N1", box(70, 40, 110, 52)), land, rules=RULES), rules=RULES)
    assert [(x.rule_id, x.verdict) for x in f] == [("SB-N1", Verdict.FAIL)]
    assert f[0].source == RULES.setback.no_projection_beyond_red_lines.source
    assert f[0].proposed == pytest.approx(-10.0) and "land red line" in f[0].message_en
    # touching the line from inside is not beyond it: SB-02 with a 0 m gap (gable table 4.5 m) fails instead
    t = boundary_setbacks(_b("N1", box(60, 40, 100, 52)), land, rules=RULES).iloc[0]
    assert t["rule_id"] == "SB-02" and t["gap_m"] == pytest.approx(0.0) and Verdict(t["verdict"]) is Verdict.FAIL
    # a building wholly outside the land is beyond it too (a plain distance to the line would have passed it)
    t = boundary_setbacks(_b("N1", box(120, 40, 160, 52)), land, rules=RULES).iloc[0]
    assert t["rule_id"] == "SB-N1" and t["gap_m"] == pytest.approx(-60.0)


def test_beyond_road_and_land_red_lines():
    # land frontage on the road red line (y = 0); the slab reaches 1 m into the road: both red lines are crossed
    land = box(0, 0, 100, 100)
    b = _b("N1", box(10, -1, 50, 11))
    f = setback_findings(road_setbacks(b, ROAD, rules=RULES), boundary_setbacks(b, land, roads=ROAD, rules=RULES),
                         rules=RULES)
    assert sorted((x.rule_id, x.verdict, len(x.subject_ids)) for x in f) == [
        ("SB-N1", Verdict.FAIL, 1), ("SB-N1", Verdict.FAIL, 2)]  # land red line (building), road red line (building, road)
    assert {x.source for x in f} == {RULES.setback.no_projection_beyond_red_lines.source}
    land_f = next(x for x in f if len(x.subject_ids) == 1)
    assert land_f.proposed == pytest.approx(-1.0) and land_f.geometry.area == pytest.approx(40.0)


def test_boundary_existing_problem_removed():
    land = box(0, 0, 100, 100)
    # existing gable 4 m from the west boundary (< 4.5 m), the rebuilt one 6 m: PASS and the improvement is said
    before = _b("E1", box(4, 40, 44, 52), phase="existing")
    t = boundary_setbacks(_b("N1", box(6, 40, 46, 52)), land, before=before, counterparts={"N1": "E1"}, rules=RULES)
    f = setback_findings(road_setbacks(_b("N1", box(6, 40, 46, 52)), None, rules=RULES), t, rules=RULES)[0]
    assert f.verdict is Verdict.PASS and f.existing == pytest.approx(4.0) and f.proposed == pytest.approx(6.0)
    assert "现状问题已消除" in f.message_zh and "existing problem removed" in f.message_en
    # an existing building that already passed: no such note
    before = _b("E1", box(5, 40, 45, 52), phase="existing")
    t = boundary_setbacks(_b("N1", box(6, 40, 46, 52)), land, before=before, counterparts={"N1": "E1"}, rules=RULES)
    f = setback_findings(t.iloc[:0], t, rules=RULES)[0]
    assert f.verdict is Verdict.PASS and "现状问题已消除" not in f.message_zh
