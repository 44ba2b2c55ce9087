"""推算限高 (height back-calculation) against the closed-form infinite slab (SUNLIGHT.md §4.3).

For a south-facing window at sill height z and an E–W slab whose north face is D to the south,
the window is lit iff |ω| < ω₀(k), k = (H − z)/D.  With 1-min steps at the interval midpoints
(ω = ±0.125°, ±0.375°, …) the window keeps ``m`` minutes iff ω₀ > (m − 1)/8 degrees, so the
greatest admissible slab height is H = z + k(m − 1 min)·D, where k(minutes) inverts the closed
form.  Tolerances: ±1 min of the lit band, i.e. H between z + k(m)·D and z + k(m − 2)·D.
"""

import geopandas as gpd
import numpy as np
import pytest
import shapely
from sun_scenes import DAHAN_2026, URUMQI, noon_declination, slab_k_for_minutes, slab_scene

from gis.sunlight.analysis import build_model, evaluate_windows, height_limit

EXACT = dict(refraction=False, min_segment_min=0.0, accumulation="cumulative", date=DAHAN_2026)
DECL = noon_declination(DAHAN_2026)
SILL = 0.9


def _bounds(minutes: float, d: float, z: float = SILL) -> tuple[float, float]:
    """(lowest, highest) admissible limit for keeping ``minutes`` (±1 min band tolerance)."""
    return z + slab_k_for_minutes(minutes, DECL) * d, z + slab_k_for_minutes(minutes - 2.0, DECL) * d


def _model(b, w, **kw):
    return build_model(b, windows=w, **URUMQI, **{**EXACT, **kw})


@pytest.mark.parametrize("d", [50.0, 60.0, 85.0])
def test_limit_of_one_proposed_slab_matches_closed_form(d):
    b, w, _ = slab_scene(d, 10.0)  # the slab's current height does not matter
    m = _model(b, w)
    lim = height_limit(m, building_ids=["SLAB"])
    lo, hi = _bounds(120.0, d)  # Urumqi 大寒日 2 h, window lit all band before
    assert lo <= lim["height_m"] <= hi
    assert lim["binding_windows"] == ["w1"]
    assert lim["already_failing"] == []


def test_limit_is_the_boundary_of_the_full_evaluation():
    # independent of the back-calculation's shortcuts: the full engine at the limit passes,
    # 5 cm above it the window drops below 2 h
    d = 55.0
    b, w, _ = slab_scene(d, 10.0)
    m = _model(b, w)
    h = height_limit(m, building_ids=["SLAB"])["height_m"]
    for dh, ok in [(0.0, True), (0.05, False)]:
        r = evaluate_windows(m.with_heights({"SLAB": h + dh})).set_index("window_id")
        assert (r.loc["w1", "minutes_after"] >= 120.0) == ok


def test_uniform_height_over_a_footprint_and_ground_level():
    # no proposed building: the greatest uniform height over a given footprint, standing on
    # ground 0 m and 3 m above the window's ground (the difference adds to the height, §4.3)
    d = 60.0
    b, w, _ = slab_scene(d, 10.0)
    slab = b.loc[b.building_id == "SLAB", "geometry"].iloc[0]
    b = b[b.building_id != "SLAB"]
    m = _model(b, w)
    lo, hi = _bounds(120.0, d)
    h0 = height_limit(m, footprint=slab, base_elev_m=0.0)["height_m"]
    h3 = height_limit(m, footprint=slab, base_elev_m=3.0)["height_m"]
    assert lo <= h0 <= hi
    assert lo - 3.0 <= h3 <= hi - 3.0
    assert h3 == pytest.approx(h0 - 3.0, abs=1e-6)


def test_lowest_window_binds():
    d = 55.0
    b, _, _ = slab_scene(d, 10.0)
    w = gpd.GeoDataFrame({"building_id": ["HOME"] * 2, "floor": [1, 4], "window_id": ["f1", "f4"]},
                         geometry=[shapely.Point(0, 0)] * 2, crs=b.crs)
    lim = height_limit(_model(b, w), building_ids=["SLAB"])
    lo, hi = _bounds(120.0, d)
    assert lo <= lim["height_m"] <= hi
    assert lim["binding_windows"] == ["f1"]


def _closed_form_discrete_minutes(k: float) -> float:
    """Minutes lit at 1-min midpoint steps for slab ratio k (centred band, |ω| < ω₀)."""
    from sun_scenes import slab_closed_form_minutes

    w0 = slab_closed_form_minutes(k, DECL) / 60.0 * 15.0 / 2.0  # degrees
    per_side = int(np.floor(w0 / 0.25 + 0.5)) if w0 > 0 else 0
    return float(2 * min(per_side, 240))


def test_not_worse_target_behind_a_context_slab():
    # context slab (unchanged) at 50 m, 24 m above the sill: the window has < 2 h before.
    # "Optimise, not worsen": the proposed slab further south (80 m) may rise until it takes the
    # first minute, i.e. to just above the context slab's sight line H = z + k₁·80.
    d1, d2 = 50.0, 80.0
    b, w, _ = slab_scene(d1, 24.0)
    b.loc[b.building_id == "SLAB", "phase"] = "context"
    far = shapely.box(-2000.0, -d2 - 12.0, 2000.0, -d2)
    b = gpd.GeoDataFrame(
        [*b.to_dict("records"), dict(building_id="FAR", geometry=far, height_m=10.0, phase="proposed",
                                     use="residential", storey_height_m=3.0, base_elev_m=0.0,
                                     lowest_residential_floor=1, floors=3)],
        geometry="geometry", crs=b.crs)
    m = _model(b, w)
    k1 = 24.0 / d1
    m_before = _closed_form_discrete_minutes(k1)
    assert 60.0 < m_before < 120.0
    before = evaluate_windows(m).set_index("window_id").loc["w1", "minutes_before"]
    assert abs(before - m_before) <= 2.0
    lim = height_limit(m, building_ids=["FAR"])
    lo, hi = _bounds(before, d2)
    assert SILL + k1 * d2 - 1e-6 <= lim["height_m"]
    assert lo <= lim["height_m"] <= hi
    # without "not worse" the window fails even with no FAR building: reported, not binding
    strict = _model(b, w, allow_not_worse=False)
    lim2 = height_limit(strict, building_ids=["FAR"])
    assert lim2["already_failing"] == ["w1"]
    assert lim2["binding_windows"] == []


def test_report_table_all_at_once_and_per_building():
    from gis.sunlight.checks import height_limit_table

    d = 60.0
    b, w, _ = slab_scene(d, 10.0)
    tab = height_limit_table(_model(b, w)).set_index("building_id")
    lo, hi = _bounds(120.0, d)
    assert list(tab.index) == ["*", "SLAB"]
    assert (tab["limit_m"] >= round(lo, 2) - 0.01).all() and (tab["limit_m"] <= round(hi, 2) + 0.01).all()
    assert tab.loc["SLAB", "binding_windows"] == "w1" and tab.loc["SLAB", "already_failing"] == 0
