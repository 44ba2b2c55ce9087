"""Net-land merge checked against hand-computed geometry (areas in m², widths in m)."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString, box

from gis.parcels.inputs import ParcelInputError, validate_parcels
from gis.parcels.land import analyse_land
from gis.parcels.netland import merge_net_land, reconcile_areas, road_areas

CRS = "EPSG:4538"


def frame(geoms, ids=None, **cols):
    ids = ids or [f"p{i}" for i in range(len(geoms))]
    return gpd.GeoDataFrame({"parcel_id": ids, **cols}, geometry=list(geoms), crs=CRS)


def test_gap_of_3cm_is_closed():
    nl = merge_net_land(frame([box(0, 0, 10, 10), box(10.03, 0, 20, 10)]))
    gaps = nl.issues_of("gap_closed")
    assert len(gaps) == 1
    assert gaps["area_m2"].iloc[0] == pytest.approx(0.03 * 10, abs=1e-6)
    assert gaps["width_m"].iloc[0] == pytest.approx(0.03, abs=2e-3)
    assert gaps["parcel_ids"].iloc[0] == "p0,p1"
    assert nl.n_parts == 1
    assert nl.net_area_m2 == pytest.approx(100 + 99.7 + 0.3)
    assert len(nl.issues_of("gap")) == 0


def test_gap_of_20cm_is_reported_not_closed():
    nl = merge_net_land(frame([box(0, 0, 10, 10), box(10.2, 0, 20, 10)]))
    gaps = nl.issues_of("gap")
    assert len(gaps) == 1
    row = gaps.iloc[0]
    assert row["area_m2"] == pytest.approx(2.0, abs=1e-6)
    assert row["width_m"] == pytest.approx(0.2, abs=2e-3)
    assert not row["closed"]
    assert (row["x"], row["y"]) == pytest.approx((10.1, 5.0), abs=0.11)
    assert nl.n_parts == 2
    assert nl.net_area_m2 == pytest.approx(100 + 98)


def test_overlap_is_reported_as_conflict_with_its_area():
    nl = merge_net_land(frame([box(0, 0, 10, 10), box(9, 0, 20, 10)], ["A", "B"]))
    ov = nl.issues_of("overlap")
    assert len(ov) == 1
    assert ov["area_m2"].iloc[0] == pytest.approx(10.0)
    assert not ov["closed"].iloc[0]
    assert ov["parcel_ids"].iloc[0] == "A,B"
    # provenance keeps the disputed strip apart, claimed by both parcels
    pieces = nl.parts.set_index("source_ids")
    assert pieces.loc["A,B", "kind"] == "overlap"
    assert pieces.loc["A,B", "area_m2"] == pytest.approx(10.0)
    assert pieces.loc["A", "area_m2"] == pytest.approx(90.0)
    assert pieces.loc["B", "area_m2"] == pytest.approx(100.0)
    assert nl.net_area_m2 == pytest.approx(200.0)


def test_tiny_overlap_within_tolerance_is_tolerated():
    # 0.001 m × 5 m = 0.005 m² ≤ 0.01 m²
    nl = merge_net_land(frame([box(0, 0, 10, 5), box(9.999, 0, 20, 5)]))
    ov = nl.issues_of("overlap")
    assert len(ov) == 1 and bool(ov["closed"].iloc[0])


def test_road_centreline_buffered_by_half_red_line_width_is_subtracted():
    parcels = frame([box(0, 0, 20, 10)])
    roads = gpd.GeoDataFrame({"road_id": ["R"], "red_line_width_m": [4.0]}, geometry=[LineString([(15, -5), (15, 15)])], crs=CRS)
    nl = merge_net_land(parcels, roads=roads)
    assert nl.subtracted_area_m2 == pytest.approx(40.0)
    assert nl.net_area_m2 == pytest.approx(160.0)
    assert nl.n_parts == 2  # 13 m west of the road, 3 m east
    assert sorted(nl.parts["area_m2"].round(6)) == [30.0, 130.0]
    assert set(nl.parts["part_no"]) == {0, 1}


def test_control_lines_of_excluded_kinds_only_are_subtracted():
    parcels = frame([box(0, 0, 20, 10)])
    cl = gpd.GeoDataFrame(
        {"kind": ["green", "blue", "other"]},
        geometry=[box(0, 0, 5, 10), box(18, 8, 30, 30), box(10, 0, 12, 10)],
        crs=CRS,
    )
    nl = merge_net_land(parcels, control_lines=cl)
    assert nl.subtracted_area_m2 == pytest.approx(50 + 4)
    assert set(nl.subtracted["kind"]) == {"green", "blue"}
    assert nl.net_area_m2 == pytest.approx(200 - 54)


def test_sliver_left_by_a_control_line_within_tolerance_is_removed():
    parcels = frame([box(0, 0, 20, 10)])
    cl = gpd.GeoDataFrame({"kind": ["green"]}, geometry=[box(0.02, -1, 10, 11)], crs=CRS)
    nl = merge_net_land(parcels, control_lines=cl)
    removed = nl.issues_of("sliver_removed")
    assert len(removed) == 1
    assert removed["area_m2"].iloc[0] == pytest.approx(0.2, abs=1e-6)
    assert nl.n_parts == 1
    assert nl.net_area_m2 == pytest.approx(100.0)
    assert nl.parts["area_m2"].sum() == pytest.approx(100.0)


def test_thin_parcel_is_reported_as_sliver():
    nl = merge_net_land(frame([box(0, 0, 10, 10), box(10, 0, 10.3, 10)]))
    sl = nl.issues_of("sliver")
    assert list(sl["parcel_ids"]) == ["p1"]


def test_enclosed_hole_is_reported():
    ring = shapely.difference(box(0, 0, 30, 30), box(10, 10, 20, 20))
    nl = merge_net_land(frame([ring]))
    holes = nl.issues_of("hole")
    assert len(holes) == 1 and holes["area_m2"].iloc[0] == pytest.approx(100.0)


def test_area_reconciliation_tolerance_is_max_of_absolute_and_relative():
    parcels = frame(
        [box(0, 0, 10, 10), box(0, 0, 10, 10), box(0, 0, 100, 100), box(0, 0, 100, 100), box(0, 0, 1, 1)],
        area_registered_m2=[100.9, 102.0, 10_009.0, 10_011.0, None],
    )
    rec = reconcile_areas(parcels).set_index("parcel_id")
    assert rec.loc["p0", "tol_m2"] == pytest.approx(1.0) and rec.loc["p0", "ok"]
    assert not rec.loc["p1", "ok"]
    assert rec.loc["p2", "tol_m2"] == pytest.approx(10.009) and rec.loc["p2", "ok"]
    assert not rec.loc["p3", "ok"]
    assert rec.loc["p4", "ok"] is None
    assert rec.loc["Σ", "registered_m2"] == pytest.approx(100.9 + 102 + 10_009 + 10_011)


def test_road_without_width_is_named():
    roads = gpd.GeoDataFrame({"road_id": ["R9"]}, geometry=[LineString([(0, 0), (10, 0)])], crs=CRS)
    frame_, problems = road_areas(roads)
    assert len(frame_) == 0
    assert "R9" in problems[0] and "red_line_width_m" in problems[0] and "fix" in problems[0]


def test_bad_parcels_are_listed_with_layer_feature_field_and_fix():
    bad = frame([box(0, 0, 1, 1), LineString([(0, 0), (1, 1)]), box(2, 2, 3, 3)], ["A", "B", "A"], role=["project", "project", "boss"])
    problems = validate_parcels(bad)
    text = "\n".join(problems)
    assert "parcel_id=A: the id is used more than once" in text
    assert "parcel_id=B: geometry is a LineString" in text
    assert "role='boss'" in text
    with pytest.raises(ParcelInputError):
        analyse_land(bad)


# ---------------------------------------------------------------------------------------------
# property tests


@st.composite
def rows_of_plots(draw):
    """A row of rectangles separated by gaps that are either closed (≤ 4.5 cm) or clearly open (≥ 1 m)."""
    n = draw(st.integers(1, 6))
    widths = draw(st.lists(st.floats(2.0, 30.0), min_size=n, max_size=n))
    gaps = draw(st.lists(st.one_of(st.just(0.0), st.floats(0.001, 0.045), st.floats(1.0, 5.0)), min_size=n - 1, max_size=n - 1))
    height = draw(st.floats(3.0, 40.0))
    x, geoms, closed = 0.0, [], 0.0
    for i, w in enumerate(widths):
        geoms.append(box(x, 0, x + w, height))
        x += w
        if i < n - 1:
            if gaps[i] < 0.05:
                closed += gaps[i] * height
            x += gaps[i]
    cut = draw(st.one_of(st.none(), st.tuples(st.floats(0, x), st.floats(0.5, 10.0))))
    return geoms, closed, height, cut


@settings(max_examples=40, deadline=None)
@given(rows_of_plots())
def test_area_law_and_idempotence(case):
    geoms, closed, height, cut = case
    parcels = frame(geoms)
    cl = None
    subtracted = 0.0
    if cut is not None:
        x0, w = cut
        strip = box(x0, -1, x0 + w, height + 1)
        cl = gpd.GeoDataFrame({"kind": ["green"]}, geometry=[strip], crs=CRS)
    nl = merge_net_land(parcels, control_lines=cl)
    if cut is not None:
        subtracted = nl.subtracted_area_m2
        # independent: the strip over the union of the plots and the closed gaps
        assert subtracted == pytest.approx(shapely.intersection(nl.merged, strip).area, abs=1e-6)
    removed = nl.issues_of("sliver_removed")["area_m2"].sum()
    expected = sum(g.area for g in geoms) + closed - subtracted - removed
    assert nl.net_area_m2 == pytest.approx(expected, rel=1e-9, abs=1e-5)
    assert nl.closed_gap_area_m2 == pytest.approx(closed, abs=1e-5)
    assert nl.parts["area_m2"].sum() == pytest.approx(nl.net_area_m2, abs=1e-5)
    if nl.net.is_empty:  # the control line took all of it: nothing to merge again
        return
    # merging the net land again changes nothing
    again = merge_net_land(frame(list(shapely.get_parts(nl.net))))
    assert again.net_area_m2 == pytest.approx(nl.net_area_m2, abs=1e-6)
    assert shapely.symmetric_difference(again.net, nl.net).area < 1e-6
