"""Obstruction attribution (遮挡关系表): which proposed building takes which lost minutes."""

import numpy as np
import shapely
from sun_scenes import DAHAN_2026, URUMQI, buildings_frame

from gis.sunlight.analysis import attribute_obstruction, build_model, evaluate_windows
from gis.sunlight.solar import sun_path

KW = dict(**URUMQI, date=DAHAN_2026, refraction=False, min_segment_min=0.0, context_reach=False)


def _frame(with_a=True, with_b=True):
    rows = [dict(building_id="HOME", geometry=shapely.box(-20, 0, 20, 12), height_m=18.0, phase="context")]
    if with_a:  # tall tower to the south-east: takes morning minutes
        rows.append(dict(building_id="A", geometry=shapely.box(25, -45, 37, -33), height_m=60.0, phase="proposed",
                         use="public"))
    if with_b:  # tall tower to the south-west: takes afternoon minutes
        rows.append(dict(building_id="B", geometry=shapely.box(-37, -45, -25, -33), height_m=60.0,
                         phase="proposed", use="public"))
    return buildings_frame(rows)


def _window():
    import geopandas as gpd

    return gpd.GeoDataFrame({"building_id": ["HOME"], "floor": [1], "window_id": ["w"]},
                            geometry=[shapely.Point(0, 0)], crs="EPSG:4538")


def _lost(frame):
    m = build_model(frame, windows=_window(), **KW)
    r = evaluate_windows(m)
    return m, r, float(r["lost_min"].iloc[0])


def test_each_tower_takes_its_own_minutes():
    m, r, lost = _lost(_frame())
    tab = attribute_obstruction(m, r).set_index("obstructor_id")["minutes"]
    _, _, lost_a = _lost(_frame(with_b=False))
    _, _, lost_b = _lost(_frame(with_a=False))
    # hand geometry: A is seen at azimuths 180 − atan(37/33) … 180 − atan(25/45) ≈ 131.7°–150.9° (morning),
    # B mirrored at ≈ 209.1°–228.3° (afternoon): their shadows never overlap in time
    path = sun_path(year=2001, band_start_h=8.0, band_end_h=16.0, step_min=1.0, **URUMQI, date=DAHAN_2026, refraction=False)
    am = (path.azimuth > 131.0) & (path.azimuth < 151.5)
    pm = (path.azimuth > 208.5) & (path.azimuth < 229.0)
    assert 0 < lost_a <= am.sum() and 0 < lost_b <= pm.sum()
    assert tab["A"] == lost_a and tab["B"] == lost_b
    assert lost == lost_a + lost_b
    assert np.isclose(r["minutes_before"].iloc[0] - r["minutes_after"].iloc[0], lost)
