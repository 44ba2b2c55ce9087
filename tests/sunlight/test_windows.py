"""Generated windows and sample points against hand-counted façades."""

import numpy as np
import pytest
import shapely
from sun_scenes import DAHAN_2026, URUMQI, buildings_frame

from gis.rules import load_rules
from gis.sunlight.analysis import SunlightParams, build_model
from gis.sunlight.occlusion import sun_steps
from gis.sunlight.solar import sun_path
from gis.sunlight.windows import generate_windows, sample_windows

SUN = sun_steps(sun_path(year=2001, band_start_h=8.0, band_end_h=16.0, **URUMQI, date=DAHAN_2026, step_min=2.0))


def test_window_bay_comes_from_the_rule_pack():
    rules = load_rules()
    p = SunlightParams.from_rules(rules.sunlight)
    assert p.window_bay_m == rules.sunlight.window_bay_m.value == 3.6
    assert rules.sunlight.window_bay_m.unit == "m" and rules.sunlight.window_bay_m.status == "D"


def _gen(b, **kw):
    kw = {"sill_height_m": 0.9, "bay_m": 3.6, "min_sweep_deg": 0.0, **kw}  # GB 50180 sill height; a 3.6 m bay
    return generate_windows(b, sun_ux=SUN.ux, sun_uy=SUN.uy, sun_up=SUN.tan_alt > 0, **kw)


def test_generated_windows_per_facade_and_floor():
    # 36 × 12 m slab, 4 floors of 3 m: the sun (azimuth 125–235°) sees the south façade and,
    # at grazing-to-positive angles, the east and west gables.  South: 36/3.6 = 10 bays;
    # gables: round(12/3.6) = 3 bays; north: none.  Sill z = 0.5 (base) + 3(f − 1) + 0.9.
    b = buildings_frame([dict(building_id="B", geometry=shapely.box(0, 0, 36, 12), height_m=12.0,
                              base_elev_m=0.5, floors=4)])
    w = _gen(b, bay_m=3.6, sill_height_m=0.9)
    by_az = w.groupby(w["normal_az_deg"].round(6)).size().to_dict()
    assert by_az == {90.0: 3 * 4, 180.0: 10 * 4, 270.0: 3 * 4}
    south = w[np.isclose(w["normal_az_deg"], 180.0)]
    assert sorted(south["floor"].unique()) == [1, 2, 3, 4]
    assert np.allclose(sorted(south["z_m"].unique()), [1.4, 4.4, 7.4, 10.4])
    assert np.allclose(south.geometry.length, 3.6)
    # bay 0: one sill line per façade segment; max_floor and lowest_residential_floor
    w0 = _gen(b.assign(lowest_residential_floor=2), bay_m=0.0, max_floor=3)
    assert len(w0) == 3 * 2 and set(w0["floor"]) == {2, 3}
    # a public building gets none
    assert len(_gen(b.assign(use="public"))) == 0


@pytest.mark.parametrize("sample", ["ends_centre", "every_n"])
def test_sample_points_on_the_sill(sample):
    b = buildings_frame([dict(building_id="B", geometry=shapely.box(0, 0, 36, 12), height_m=3.0, floors=1)])
    w = _gen(b, bay_m=0.0)
    w = w[np.isclose(w["normal_az_deg"], 180.0)].reset_index(drop=True)
    s = sample_windows(w, {"B": b.geometry[0]}, sample=sample, sample_spacing_m=4.0)
    x = np.sort(s.xyz[:, 0])
    if sample == "ends_centre":
        assert np.allclose(x, [0.01, 18.0, 35.99])
    else:  # 36 m every 4 m: 10 points including both ends (ends 1 cm inside the corner)
        assert len(x) == 10 and np.allclose(x[1:-1], np.arange(4, 33, 4))
    # 1 mm in front of the south wall, at the sill
    assert np.allclose(s.xyz[:, 1], -0.001) and np.allclose(s.xyz[:, 2], 0.9)
    # the chosen point is the one nearest the sill's centre
    assert s.xyz[s.centre[0], 0] == pytest.approx(18.0 if sample == "ends_centre" else 16.0)


def test_model_uses_the_pack_bay():
    b = buildings_frame([dict(building_id="B", geometry=shapely.box(0, 0, 36, 12), height_m=3.0, floors=1)])
    m = build_model(b, **URUMQI, date=DAHAN_2026, step_min=2.0, window_bay_m=7.2, context_reach=False)
    south = m.windows[np.isclose(m.windows["normal_az_deg"], 180.0)]
    assert len(south) == 5
