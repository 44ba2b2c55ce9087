"""A re-run with another site massing (with_proposed / with_heights) equals a fresh analysis."""

import numpy as np
import pandas as pd
import pytest
import shapely
from sun_scenes import DAHAN_2026, URUMQI, buildings_frame

from gis.sunlight.analysis import build_model, evaluate_windows

KW = dict(**URUMQI, date=DAHAN_2026, step_min=2.0, context_reach=False)


def _scene(prop_h=30.0, shift=0.0):
    rows = []
    for i in range(3):  # context housing rows north of the site
        rows.append(dict(building_id=f"C{i}", geometry=shapely.box(i * 50, 60, i * 50 + 40, 72), height_m=18.0))
    rows.append(dict(building_id="K", geometry=shapely.box(-60, 0, -30, 12), height_m=24.0, phase="kept"))
    rows.append(dict(building_id="E1", geometry=shapely.box(0, 0, 40, 12), height_m=18.0, phase="existing"))
    rows.append(dict(building_id="E2", geometry=shapely.box(60, 0, 100, 12), height_m=18.0, phase="existing"))
    rows.append(dict(building_id="P1", geometry=shapely.box(5, shift, 45, 12 + shift), height_m=prop_h,
                     phase="proposed"))
    rows.append(dict(building_id="P2", geometry=shapely.box(55, -10 + shift, 95, 2 + shift), height_m=prop_h + 6,
                     phase="proposed"))
    return buildings_frame(rows)


COLS = ["minutes_before", "minutes_after", "lost_min", "verdict"]


def _table(model):
    r = evaluate_windows(model)
    return pd.DataFrame(r.drop(columns="geometry")).set_index("window_id").sort_index()


@pytest.mark.parametrize("sweep", [0.0, 15.0])
def test_with_proposed_equals_a_fresh_run(sweep):
    m = build_model(_scene(), min_sweep_deg=sweep, **KW)
    _table(m)  # fill the caches that the re-run reuses
    for h, shift in [(36.0, -3.0), (21.0, 4.0)]:  # chained re-runs
        new = _scene(h, shift)
        m = m.with_proposed(new[new.phase == "proposed"])
        got = _table(m)
        ref = _table(build_model(new, min_sweep_deg=sweep, **KW))
        assert list(got.index) == list(ref.index)
        pd.testing.assert_frame_equal(got[COLS], ref[COLS])
        assert (got["phase"] == "proposed").sum() > 0 and (got["minutes_after"] < got["minutes_before"]).any()


def test_with_heights_equals_a_fresh_run():
    m = build_model(_scene(), **KW)
    _table(m)
    got = _table(m.with_heights({"P1": 45.0}))
    b = _scene()
    b.loc[b.building_id == "P1", "height_m"] = 45.0
    ref = _table(build_model(b, **KW))
    # windows are kept as they were (the 45 m P1 would get more floors in a fresh run)
    common = got.index.intersection(ref.index)
    fixed = got.loc[common, "phase"] != "proposed"
    np.testing.assert_array_equal(got.loc[common][fixed]["minutes_after"], ref.loc[common][fixed]["minutes_after"])
