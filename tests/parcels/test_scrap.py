"""Scrap-plot classification against hand-built plots (m, m²).

Project land: P1 = 100 × 80 m with a 20 × 20 m hole, P2 = 50 × 40 m arm on its north-west; a road
red-line area runs south of y = 0.  Default pack: < 2,000 m², 10 × 12 m footprint after 4.5 m setbacks.
"""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely
from shapely import affinity
from shapely.geometry import box

from gis.parcels.land import analyse_land
from gis.parcels.scrap import classify_scrap, footprint_fit, scrap_share

CRS = "EPSG:4538"
P1 = shapely.difference(box(0, 0, 100, 80), box(40, 30, 60, 50))
P2 = box(0, 80, 50, 120)
ROAD = box(-50, -20, 200, 0)
PLOTS = {
    "J": box(40, 30, 60, 50),  # fills the hole → 夹心地
    "C": box(50, 80, 70, 100),  # inner corner of the L: two of four sides shared → 插花地
    "E": box(100, 0, 115, 30),  # between the project and the road → 边角地
    "L": box(100, 30, 150, 80),  # 2,500 m²: too large
    "D": box(-30, 0, 0, 40),  # 1,200 m², 21 × 31 m core, on the road: developable alone
    "F": box(300, 100, 320, 120),  # far away: no relation
}


def scrap_frame():
    return gpd.GeoDataFrame({"parcel_id": list(PLOTS)}, geometry=list(PLOTS.values()), crs=CRS)


@pytest.fixture(scope="module")
def classes():
    project = shapely.union_all([P1, P2])
    return classify_scrap(scrap_frame(), project, roads=ROAD).set_index("parcel_id")


def test_one_plot_of_each_class(classes):
    assert classes.loc["J", "relation"] == "jiaxin" and classes.loc["J", "hole_ratio"] == pytest.approx(1.0)
    assert classes.loc["C", "relation"] == "chahua" and classes.loc["C", "shared_ratio"] == pytest.approx(0.5)
    assert classes.loc["E", "relation"] == "bianjiao"
    assert classes.loc["E", "shared_m"] == pytest.approx(30.0, abs=0.01)
    assert classes.loc["E", "road_frontage_m"] == pytest.approx(15.0, abs=0.01)
    assert classes.loc["E", "shared_ratio"] == pytest.approx(30 / 90, abs=1e-3)
    for pid in "JCE":
        assert classes.loc[pid, "eligible"] and classes.loc[pid, "merged"]
        assert not classes.loc[pid, "developable_alone"]
        assert classes.loc[pid, "reasons_en"] == ""


def test_deciding_numbers_of_the_footprint_test(classes):
    # J: 20 × 20 → 11 × 11 after 4.5 m setbacks; a 10 × 12 m footprint does not fit
    assert classes.loc["J", "buildable_area_m2"] == pytest.approx(121.0)
    assert classes.loc["J", "inscribed_width_m"] == pytest.approx(11.0, abs=0.01)
    assert not classes.loc["J", "footprint_fits"]
    # E: 15 × 30 → 6 × 21: narrower than 10 m
    assert classes.loc["E", "inscribed_width_m"] == pytest.approx(6.0, abs=0.01)


def test_too_large_plot_is_not_merged(classes):
    row = classes.loc["L"]
    assert row["area_m2"] == pytest.approx(2500.0)
    assert not row["below_area"] and not row["eligible"] and not row["merged"]
    assert "2,500.0 m²" in row["reasons_en"] and "2,000" in row["reasons_en"]


def test_plot_developable_alone_is_not_merged(classes):
    row = classes.loc["D"]
    assert row["below_area"]
    assert row["footprint_fits"] and row["road_frontage_m"] == pytest.approx(30.0, abs=0.01)
    assert row["developable_alone"] and not row["merged"]
    assert "developable alone" in row["reasons_en"]


def test_unrelated_plot_is_not_merged_unless_forced():
    project = shapely.union_all([P1, P2])
    c = classify_scrap(scrap_frame(), project, roads=ROAD, force=["F"]).set_index("parcel_id")
    assert c.loc["F", "relation"] == "none" and not c.loc["F", "eligible"]
    assert c.loc["F", "forced"] and c.loc["F", "merged"]
    assert "not adjacent" in c.loc["F", "reasons_en"] and "forced" in c.loc["F", "reasons_en"]


def test_footprint_fit_exact_and_rotated():
    assert footprint_fit(box(0, 0, 19, 21), setback_m=4.5, width_m=10, length_m=12).fits  # core exactly 10 × 12
    assert not footprint_fit(box(0, 0, 18.9, 21), setback_m=4.5, width_m=10, length_m=12).fits
    turned = affinity.rotate(box(0, 0, 10.2, 12.2), 33.0, origin=(0, 0))
    fit = footprint_fit(turned, setback_m=0.0, width_m=10, length_m=12)
    assert fit.fits and fit.angle_deg % 90 == pytest.approx(33.0 % 90, abs=1e-6)
    # an L of 8 m wide arms: no 10 m deep footprint fits anywhere, though its area is large
    ell = shapely.union_all([box(0, 0, 40, 8), box(0, 0, 8, 40)])
    fit = footprint_fit(ell, setback_m=0.0, width_m=10, length_m=12)
    assert not fit.fits and fit.inscribed_width_m < 10


def test_share_cap_excess_is_the_area_to_leave_out():
    s = scrap_share(150.0, 1000.0, scrap_share_max=0.1)
    assert s["share"] == pytest.approx(0.15) and not s["ok"]
    x = s["excess_m2"]
    assert (150 - x) / (1000 - x) == pytest.approx(0.1)
    assert scrap_share(100.0, 1000.0, scrap_share_max=0.1)["ok"]


def test_analyse_land_merges_only_accepted_scrap():
    parcels = gpd.GeoDataFrame(
        {"parcel_id": ["P1", "P2", *PLOTS], "role": ["project", "project"] + ["scrap"] * len(PLOTS)},
        geometry=[P1, P2, *PLOTS.values()],
        crs=CRS,
    )
    roads = gpd.GeoDataFrame({"road_id": ["R"]}, geometry=[ROAD], crs=CRS)
    la = analyse_land(parcels, roads=roads)
    assert sorted(la.merged_ids) == ["C", "E", "J", "P1", "P2"]
    expected = P1.area + P2.area + 400 + 400 + 450
    assert la.net_land.net_area_m2 == pytest.approx(expected)
    assert la.net_land.n_parts == 1
    assert la.share["share"] == pytest.approx(1250 / expected)
    assert not la.share["ok"]  # 1,250 m² is 11.4 % of 10,850 m² > 10 %
