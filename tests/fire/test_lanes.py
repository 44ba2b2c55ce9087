"""Hand-built fire-lane cases: width, dead ends and turnarounds, bends, long sides, lane to wall, connection."""

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import LineString, Point, Polygon, box

from gis.findings import Verdict
from gis.fire.lanes import (
    bends,
    dead_ends,
    lane_area,
    lane_checks,
    lane_network,
    narrowest_section,
    square_fits,
)
from gis.rules import load_rules

RULES = load_rules()
ROAD = gpd.GeoDataFrame({"road_id": ["R"], "red_line_width_m": [20.0]},
                        geometry=[LineString([(-10, -100), (-10, 100)])], crs="EPSG:4538")  # red line x <= 0


def _lanes(geoms, phases=None, **cols):
    d = {"phase": phases or ["both"] * len(geoms), **cols}
    return gpd.GeoDataFrame(d, geometry=geoms, crs="EPSG:4538")


def _bld(rows, geoms):
    return gpd.GeoDataFrame(rows, geometry=geoms, crs="EPSG:4538")


def test_narrowest_section_found_and_drawn():
    a = box(0, 0, 60, 4).difference(box(20, 3.5, 25, 4))  # 5 m long section only 3.5 m wide
    w, sec = narrowest_section(lane_network(a))
    assert w == pytest.approx(3.5, abs=0.05)
    assert sec.length == pytest.approx(3.5, abs=0.05)
    assert 20 <= sec.centroid.x <= 25


def test_line_lane_width_and_area():
    lanes = _lanes([LineString([(0, 2), (60, 2)])], width_m=[4.5])
    a = lane_area(lanes, "proposed")
    assert a.area == pytest.approx(60 * 4.5)
    assert narrowest_section(lane_network(a))[0] == pytest.approx(4.5, abs=0.05)


def test_dead_end_length_and_turnaround():
    a = box(0, 0, 60, 4)  # from the road at x = 0, 60 m long
    ends = dead_ends(lane_network(a), box(-20, -100, 0, 100), tol=1.0)
    assert len(ends) == 1 and ends[0]["length_m"] == pytest.approx(60.0, abs=0.6)
    assert not square_fits(a, ends[0]["point"], 12.0)[0]
    pad = a.union(box(48, -4, 62, 10))  # 14 x 14 m paved pad at the end
    ok, sq = square_fits(pad, Point(60, 2), 12.0)
    assert ok and sq.area == pytest.approx(144.0)
    assert not square_fits(pad, Point(60, 2), 15.0)[0]


def test_bend_radius_sharp_and_arc():
    sharp = bends(box(0, 0, 60, 4).union(box(56, 0, 60, 50)), min_angle_deg=20)
    assert [b["radius_m"] for b in sharp] == [0.0]
    # quarter-circle centre line of radius 12 m, 4 m wide -> inner edge radius 10 m
    t = np.linspace(0, np.pi / 2, 46)
    arc = LineString(np.c_[12 * np.cos(t), 12 * np.sin(t)])
    b = bends(arc.buffer(2.0, cap_style="flat", quad_segs=32), min_angle_deg=20)
    assert len(b) == 1 and b[0]["radius_m"] == pytest.approx(10.0, rel=0.03)
    assert b[0]["turn_deg"] == pytest.approx(90.0, abs=2.5)  # 44 vertices x 2 deg


def _project(h=18.0, bid="B1"):
    r = dict(building_id=bid, phase="proposed", use="residential", height_m=h,
             height_class="multi" if h <= 27 else "high2")
    return _bld([r], [box(10, 10, 50, 22)])


def test_lane_checks_pass_and_fail():
    # 60 m dead-end lane along the south long side, 6 m off the wall, ending in a 14 x 14 pad
    lane = box(0, 0, 60, 4).union(box(60, -5, 74, 9))
    f, table = lane_checks(_lanes([lane]), before=_project().iloc[:0], after=_project(), roads=ROAD, rules=RULES)
    by = {(x.rule_id, x.subject_ids[0]): x for x in f}
    assert by[("FL-05", "lane1")].verdict is Verdict.PASS
    assert by[("FL-01", "lane1")].verdict is Verdict.PASS
    assert by[("FL-02", "B1")].verdict is Verdict.PASS and by[("FL-02", "B1")].proposed == 1.0
    assert by[("FL-08", "B1")].proposed == pytest.approx(6.0)
    assert by[("FL-08", "B1")].verdict is Verdict.PASS
    ta = [x for x in f if x.rule_id == "FL-10"]
    assert len(ta) == 1 and ta[0].verdict is Verdict.PASS and ta[0].threshold == 12.0
    assert set(table["check"]) >= {"width", "connection", "long_side", "lane_to_wall", "turnaround"}
    # the same lane serving a 30 m high-rise needs 15 x 15 m: the 14 m pad fails when the lane is new ...
    f, _ = lane_checks(_lanes([lane], ["proposed"]), before=_project().iloc[:0], after=_project(30.0), roads=ROAD,
                       rules=RULES)
    ta = [x for x in f if x.rule_id == "FL-10"][0]
    assert ta.threshold == 15.0 and ta.verdict is Verdict.FAIL and ta.proposed == 12.0
    assert ta.geometry.area == pytest.approx(225.0)  # the missing turnaround drawn at the dead end
    # ... and passes as not worse when the existing lane had the same pad (standard at construction proxy)
    f, _ = lane_checks(_lanes([lane]), before=_project().iloc[:0], after=_project(30.0), roads=ROAD, rules=RULES)
    ta = [x for x in f if x.rule_id == "FL-10"][0]
    assert ta.verdict is Verdict.PASS_NOT_WORSE and ta.existing == 12.0


def test_lane_to_wall_soft_and_isolated_lane():
    lane = box(0, 3, 60, 7)  # lane edge 3 m from the wall at y = 10
    f, _ = lane_checks(_lanes([lane]), before=_project().iloc[:0], after=_project(), roads=ROAD, rules=RULES)
    w = [x for x in f if x.rule_id == "FL-08"][0]
    assert w.verdict is Verdict.WARN and w.proposed == pytest.approx(3.0)
    iso = box(5, 3, 60, 7)  # 5 m short of the road
    f, _ = lane_checks(_lanes([iso]), before=_project().iloc[:0], after=_project(), roads=ROAD, rules=RULES)
    assert [x.verdict for x in f if x.rule_id == "FL-01"] == [Verdict.FAIL]


@pytest.mark.parametrize("w_ex, verdict", [(3.0, Verdict.PASS_NOT_WORSE), (3.8, Verdict.FAIL)])
def test_width_not_worse(w_ex, verdict):
    ex = box(0, 0, 30, w_ex)
    pr = box(0, 0, 30, 3.5)
    f, _ = lane_checks(_lanes([ex, pr], ["existing", "proposed"]), before=_project().iloc[:0], after=_project(),
                       roads=ROAD, rules=RULES)
    w = [x for x in f if x.rule_id == "FL-05"][0]
    assert w.existing == pytest.approx(w_ex, abs=0.05) and w.verdict is verdict


def test_no_lanes_not_checked():
    f, _ = lane_checks(None, before=_project().iloc[:0], after=_project(), roads=ROAD, rules=RULES)
    assert f[0].verdict is Verdict.NOT_CHECKED and "fire_lanes" in f[0].message_en


def _fillet_L(r):
    """L-shaped 4 m lane polygon (east along y 0-4, then north along x 56-60) whose inner corner
    (56, 4) is filleted with radius r: arc centre (56 - r, 4 + r), vertices on the arc every 10°."""
    t = np.linspace(-np.pi / 2, 0, 10)
    arc = np.c_[56 - r + r * np.cos(t), 4 + r + r * np.sin(t)]
    return Polygon([(0, 0), (60, 0), (60, 50), (56, 50), *arc[::-1].tolist(), (0, 4)])


def test_line_lanes_drawn_as_two_pieces_join_without_a_notch():
    # two centre lines meeting at (58, 2), 4 m wide: boxes 58x4 and 4x48 overlap 2x2, plus the round join's
    # quarter disc (r = 2) at the outer corner -> 232 + 192 - 4 + pi; the same as one polyline with a round join
    two = _lanes([LineString([(0, 2), (58, 2)]), LineString([(58, 2), (58, 50)])], width_m=[4.0, 4.0])
    one = _lanes([LineString([(0, 2), (58, 2), (58, 50)])], width_m=[4.0])
    a2, a1 = lane_area(two, "proposed"), lane_area(one, "proposed")
    assert a2.area == pytest.approx(420 + np.pi, rel=1e-3) and a1.area == pytest.approx(420 + np.pi, rel=1e-3)
    # without the join the outer corner would be notched and the lane 2.83 m wide there
    assert narrowest_section(lane_network(a2))[0] == pytest.approx(4.0, abs=0.05)
    # the inner corner of a sharp centre-line vertex is sharp: radius 0
    assert [b["radius_m"] for b in bends(a2, min_angle_deg=20)] == [0.0]


def test_filleted_polygon_bend_radius_and_verdict():
    for r in (9.0, 12.0, 5.0):
        (b,) = bends(_fillet_L(r), min_angle_deg=20)
        assert b["radius_m"] == pytest.approx(r, abs=0.01) and b["turn_deg"] == pytest.approx(90.0)
    # a 45° chamfer with 4 m legs: the largest kerb arc tangent to both edges inside the paving has R = 4 m
    (b,) = bends(Polygon([(0, 0), (60, 0), (60, 50), (56, 50), (56, 8), (52, 4), (0, 4)]), min_angle_deg=20)
    assert b["radius_m"] == pytest.approx(4.0, abs=0.05)
    # FL-06 through lane_checks: multi-storey building, 9 m required; properly filleted 9 m passes, 8.5 m fails
    bld = _bld([dict(building_id="B1", phase="proposed", use="residential", height_m=18.0, height_class="multi")],
               [box(10, 10, 50, 22)])
    for r, verdict in [(9.0, Verdict.PASS), (8.5, Verdict.FAIL)]:
        f, _ = lane_checks(_lanes([_fillet_L(r)], ["proposed"]), before=bld.iloc[:0], after=bld, roads=ROAD,
                           rules=RULES)
        (t,) = [x for x in f if x.rule_id == "FL-06"]
        assert t.verdict is verdict and t.proposed == pytest.approx(r, abs=0.01) and t.threshold == 9.0
        assert "inner-edge radius of the paved area" in t.message_en and "铺装内缘半径" in t.message_zh
        assert t.source == RULES.fire_lane.min_turn_radius_m.source


def test_line_lane_arc_centreline_radius():
    # centre line: east from the road, quarter arc of radius 11 m (centre (40, 11)), north; 4 m wide -> inner edge 9 m
    t = np.linspace(-np.pi / 2, 0, 46)
    line = LineString([(0, 0), *np.c_[40 + 11 * np.cos(t), 11 + 11 * np.sin(t)].tolist(), (51, 60)])
    (b,) = bends(lane_area(_lanes([line], width_m=[4.0]), "proposed"), min_angle_deg=20)
    assert b["radius_m"] == pytest.approx(9.0, abs=0.02)


def test_mixed_polygon_and_line_lanes():
    # polygon lane from the road (x = 0) east, 60 x 4 m; a 4 m centre-line branch north from its edge at x = 30
    lanes = _lanes([box(0, 0, 60, 4), LineString([(30, 4), (30, 50)])], ["proposed", "proposed"],
                   width_m=[np.nan, 4.0])
    a = lane_area(lanes, "proposed")
    assert a.area == pytest.approx(240 + 46 * 4, rel=1e-6)  # the join disc lies inside the two lanes
    bld = _bld([dict(building_id="B1", phase="proposed", use="residential", height_m=18.0, height_class="multi")],
               [box(36, 10, 76, 22)])
    f, _ = lane_checks(lanes, before=bld.iloc[:0], after=bld, roads=ROAD, rules=RULES)
    by = {}
    for x in f:
        by.setdefault(x.rule_id, []).append(x)
    assert [x.verdict for x in by["FL-05"]] == [Verdict.PASS] and by["FL-05"][0].proposed == pytest.approx(4.0, abs=0.05)
    assert [x.verdict for x in by["FL-01"]] == [Verdict.PASS]
    # the branch is a dead end of 50 - 2 = 48 m from the polygon lane's centre (> 40 m) with no turnaround;
    # the polygon's east end is 30 m past the junction (not long)
    (de,) = by["FL-10"]
    assert de.verdict is Verdict.FAIL and de.details["length_m"] == pytest.approx(48.0, abs=0.7)
    # the T junction has two sharp inner corners (28, 4) and (32, 4), new lanes: FAIL each
    fl06 = sorted(by["FL-06"], key=lambda x: x.geometry.x)
    assert [(x.verdict, x.proposed, round(x.geometry.x)) for x in fl06] == [(Verdict.FAIL, 0.0, 28),
                                                                          (Verdict.FAIL, 0.0, 32)]


def test_dead_end_problem_removed():
    bld = _project()
    old = box(0, 0, 60, 4)  # 60 m dead end from the road, no turnaround: the existing problem
    # (a) a 14 x 14 m pad added at its end: the triple shows existing 0 -> proposed 12 and says the problem is gone
    new = old.union(box(48, -4, 62, 10))
    f, _ = lane_checks(_lanes([old, new], ["existing", "proposed"]), before=bld.iloc[:0], after=bld, roads=ROAD,
                       rules=RULES)
    (t,) = [x for x in f if x.rule_id == "FL-10"]
    assert t.verdict is Verdict.PASS and t.existing == 0.0 and t.proposed == 12.0
    assert "现状问题已消除" in t.message_zh and "existing problem removed" in t.message_en
    # (b) the lane extended to a second road at x >= 100: no dead end left; the removed one is reported as a PASS
    road2 = gpd.GeoDataFrame({"road_id": ["R", "R2"], "red_line_width_m": [20.0, 20.0]},
                             geometry=[LineString([(-10, -100), (-10, 100)]), LineString([(110, -100), (110, 100)])],
                             crs="EPSG:4538")
    f, _ = lane_checks(_lanes([old, box(0, 0, 100, 4)], ["existing", "proposed"]), before=bld.iloc[:0], after=bld,
                       roads=road2, rules=RULES)
    (t,) = [x for x in f if x.rule_id == "FL-10"]
    assert t.verdict is Verdict.PASS and t.existing == 0.0 and t.proposed is None and t.threshold == 12.0
    assert "existing problem removed" in t.message_en and t.details["length_m"] == pytest.approx(60.0, abs=0.6)
    # (c) unchanged: still a FAIL-free PASS_NOT_WORSE triple, no "removed" finding
    f, _ = lane_checks(_lanes([old]), before=bld.iloc[:0], after=bld, roads=ROAD, rules=RULES)
    (t,) = [x for x in f if x.rule_id == "FL-10"]
    assert t.verdict is Verdict.PASS_NOT_WORSE and "removed" not in t.message_en
