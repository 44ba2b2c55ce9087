"""Ground sunlight hours, the sunlight.tif raster and the concentrated-green 1/3 check.

References: the closed-form infinite slab (SUNLIGHT.md §4.3) for ground points (z = ground),
hand-placed grid cells, and a rasterio read-back of the written GeoTIFF.
"""

import geopandas as gpd
import numpy as np
import pytest
import rasterio
import shapely
from rasterio.transform import Affine
from sun_scenes import (
    DAHAN_2026,
    URUMQI,
    buildings_frame,
    noon_declination,
    slab_closed_form_minutes,
    slab_k_for_minutes,
)

from gis.sunlight.ground import GroundGrid, green_outside_shadow, ground_hours
from gis.sunlight.io import write_sunlight_tif
from gis.sunlight.occlusion import sun_steps
from gis.sunlight.scene import prisms_from_buildings
from gis.sunlight.solar import sun_path

X0, Y0 = 500000.0, 4850000.0  # EPSG:4538-like coordinates
H = 24.0  # slab height above the ground (m)
DECL = noon_declination(DAHAN_2026)
SUN = sun_steps(sun_path(year=2001, band_start_h=8.0, band_end_h=16.0, step_min=1.0, **URUMQI, date=DAHAN_2026, refraction=False))


def _slab():
    # E–W slab, north face at y = Y0, 12 m deep, 4 km long
    return buildings_frame([dict(building_id="S", geometry=shapely.box(X0 - 2000, Y0 - 12, X0 + 2000, Y0),
                                 height_m=H, phase="proposed")])


def _grid():
    # 21 columns × 81 rows of 1 m cells, centres at whole metres: x = X0−10…X0+10, y = Y0+70 … Y0−10
    return GroundGrid(x0=X0 - 10.5, y1=Y0 + 70.5, cell=1.0, nx=21, ny=81)


def _hours():
    b = _slab()
    empty = prisms_from_buildings(b.iloc[:0])
    slab = prisms_from_buildings(b)
    kw = dict(ground_z=0.0, step_min=1.0, accumulation="cumulative", n_segments=2, min_segment_min=0.0)
    hb, hfix = ground_hours(_grid(), empty, empty, SUN, [], **kw)
    ha, _ = ground_hours(_grid(), empty, slab, SUN, list(b.geometry), h_fixed=hfix, **kw)
    return hb, ha


def test_ground_cells_match_closed_form_slab():
    hb, ha = _hours()
    assert np.all(hb == 8.0)  # nothing before: the whole 8–16 h band
    for d in [48.0, 50.0, 52.0, 55.0, 60.0, 70.0]:
        row = int(70 - d)  # centre y = Y0 + 70 − row
        expect = slab_closed_form_minutes(H / d, DECL)
        assert abs(ha[row, 10] * 60.0 - expect) <= 1.0, d
        # the slab is infinite in x: the whole row gets the same hours
        assert np.all(ha[row] == ha[row, 10])
    # centres strictly inside the footprint (y = Y0−1 … Y0−10) are nodata, the others are not
    assert np.isnan(ha[71:]).all()
    assert np.isfinite(ha[:71]).all()


def test_sunlight_tif_read_back(tmp_path):
    hb, ha = _hours()
    path = write_sunlight_tif(tmp_path / "out" / "sunlight.tif", _grid(), hb, ha, crs="EPSG:4538",
                              tags={"standard_day": "2026-01-20"})
    with rasterio.open(path) as ds:
        assert ds.count == 3
        assert ds.descriptions == ("hours_before", "hours_after", "hours_difference")
        assert ds.crs.to_epsg() == 4538
        assert ds.transform == Affine(1.0, 0.0, X0 - 10.5, 0.0, -1.0, Y0 + 70.5)
        assert (ds.width, ds.height) == (21, 81)
        assert np.isnan(ds.nodata)
        assert ds.tags()["units"] == "h" and ds.tags()["standard_day"] == "2026-01-20"
        # geo-referencing: the cell at 55 m north of the slab holds the closed-form hours
        r, c = ds.index(X0 + 3.2, Y0 + 55.2)
        assert (r, c) == (15, 13)
        before, after, diff = (ds.read(i) for i in (1, 2, 3))
    expect = slab_closed_form_minutes(H / 55.0, DECL) / 60.0
    assert after[r, c] == pytest.approx(expect, abs=1 / 60)
    assert before[r, c] == 8.0
    assert diff[r, c] == pytest.approx(after[r, c] - 8.0, abs=1e-6)
    assert np.isnan(after[75, 0]) and np.isnan(diff[75, 0])  # under the slab


def test_green_share_outside_the_standard_shadow_line():
    _, ha = _hours()
    # the 2-h shadow line of the slab lies at D* = H / k(2 h) ≈ 50.4 m (D/H = 2.102, §4.3 table)
    d_star = H / slab_k_for_minutes(120.0, DECL)
    assert d_star == pytest.approx(2.102 * H, abs=0.1)
    green = gpd.GeoDataFrame(
        {"green_id": ["north", "shadow", "away"]},
        geometry=[
            shapely.box(X0 - 10.5, Y0 + 40.5, X0 + 10.5, Y0 + 70.5),  # rows y = 41 … 70 (30 rows)
            shapely.box(X0 - 5.0, Y0 + 5.0, X0 + 5.0, Y0 + 30.0),  # wholly inside the shadow line
            shapely.box(X0 + 500, Y0 + 500, X0 + 510, Y0 + 510),  # off the grid
        ],
        crs="EPSG:4538",
    )
    share = green_outside_shadow(_grid(), ha, green, min_hours=2.0)
    # rows with y > D*: y = 51 … 70 → 20 of 30
    n_out = sum(1 for y in range(41, 71) if y > d_star)
    assert n_out == 20
    assert share[0] == pytest.approx(n_out / 30)
    assert share[1] == 0.0
    assert np.isnan(share[2])
    # at 1/3 required: the northern lawn passes; hand-built hours make the threshold inclusive
    hrs = np.zeros((81, 21))
    hrs[:10] = 2.0  # y = 61 … 70 → exactly 10 of 30 rows = 1/3
    s = green_outside_shadow(_grid(), hrs, green.iloc[:1], min_hours=2.0)[0]
    assert s == pytest.approx(1 / 3)
