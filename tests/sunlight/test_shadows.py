"""Shadow outlines against the analytic shadow of a box (Minkowski sum with the shadow vector)."""

import numpy as np
import pytest
import shapely
from sun_scenes import DAHAN_2026, URUMQI, buildings_frame

from gis.sunlight.shadows import shadow_outlines, shadow_polygons
from gis.sunlight.solar import sun_path


def test_box_shadow_due_south_sun():
    # 10 × 20 m box, 30 m tall, sun due south at tan α = 0.5: shadow reaches 60 m north
    box = shapely.box(0, 0, 10, 20)
    g = shadow_polygons(np.array([box], dtype=object), np.array([30.0]), ux=0.0, uy=-1.0, tan_alt=0.5)[0]
    expect = shapely.box(0, 0, 10, 80)
    assert g.symmetric_difference(expect).area < 1e-6


@pytest.mark.parametrize("az", [135.0, 200.0, 250.0])
def test_box_shadow_oblique_sun(az):
    # sun at azimuth az, tan α = 0.4, box 10 (x) × 20 (y), roof 12 m above the shadow plane at z = 2:
    # the shadow vector is v = −L·u with L = (14 − 2)/0.4 = 30 m; for a convex footprint the
    # shadow is the convex hull of the box and its translate by v, of area 200 + |vx|·20 + |vy|·10
    box = shapely.box(0, 0, 10, 20)
    a = np.radians(az)
    ux, uy = np.sin(a), np.cos(a)
    g = shadow_polygons(np.array([box], dtype=object), np.array([14.0]), ux=ux, uy=uy, tan_alt=0.4,
                        ground_z=2.0)[0]
    vx, vy = -30.0 * ux, -30.0 * uy
    corners = np.array([[0, 0], [10, 0], [10, 20], [0, 20]], float)
    hull = shapely.MultiPoint(np.vstack([corners, corners + [vx, vy]])).convex_hull
    assert g.area == pytest.approx(200 + abs(vx) * 20 + abs(vy) * 10, rel=1e-9)
    assert g.symmetric_difference(hull).area < 1e-6


def test_concave_footprint_shadow_covers_its_notch():
    # L-shaped footprint (20 × 20 minus the NE 10 × 10 notch), shadow vector 10 m due north.
    # By hand: the west arm (x 0–10, y 0–20) sweeps y 0–30, the east arm (x 10–20, y 0–10) sweeps
    # y 0–20, filling the notch: area 10·30 + 10·20 = 500 m²
    ell = shapely.box(0, 0, 20, 20).difference(shapely.box(10, 10, 21, 21))
    g = shadow_polygons(np.array([ell], dtype=object), np.array([10.0]), ux=0.0, uy=-1.0, tan_alt=1.0)[0]
    expect = shapely.union_all([shapely.box(0, 0, 10, 30), shapely.box(10, 0, 20, 20)])
    assert g.area == pytest.approx(500.0, abs=1e-6)
    assert g.symmetric_difference(expect).area < 1e-6


def test_noon_outline_points_north_with_the_published_altitude():
    # TST noon on 大寒 2026 in Urumqi: azimuth 180°, apparent altitude 26.12° (SUNLIGHT.md §1.3)
    b = buildings_frame([dict(building_id="T", geometry=shapely.box(0, 0, 20, 10), height_m=30.0)])
    path = sun_path(year=2001, band_start_h=8.0, band_end_h=16.0, step_min=1.0, **URUMQI, date=DAHAN_2026, refraction=True)
    length = 30.0 / np.tan(np.radians(26.12))
    out = shadow_outlines(b, path, tst_hours=[12.0], scene="after")
    assert list(out["tst"]) == ["12:00"] and list(out["scene"]) == ["after"]
    # Beijing time of TST noon: 14:20:32 (§1.3), minutes precision in the label
    assert out["bjt"].iloc[0] in ("14:20", "14:21")
    x0, y0, x1, y1 = out.geometry.iloc[0].bounds
    assert (x0, x1) == pytest.approx((0.0, 20.0), abs=0.03)
    assert y0 == pytest.approx(0.0) and y1 == pytest.approx(10.0 + length, abs=0.15)
    # a grid turned 2° from true north: true north is at grid azimuth −2°, the tip moves west
    rot = shadow_outlines(b, path, tst_hours=[12.0], grid_north_azimuth_deg=2.0)
    x0r = rot.geometry.iloc[0].bounds[0]
    assert x0r == pytest.approx(-length * np.sin(np.radians(2.0)), abs=0.05)
    # outside the band or before sunrise nothing is drawn
    assert len(shadow_outlines(b, path, tst_hours=[3.0])) == 0
