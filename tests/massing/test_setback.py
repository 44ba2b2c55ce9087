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
