"""Window hours against closed-form slab geometry (SUNLIGHT.md §4.3)."""

import numpy as np
import pytest
from sun_scenes import DAHAN_2026, URUMQI, slab_closed_form_minutes, slab_scene

from gis.sunlight.analysis import build_model, evaluate_windows
from gis.sunlight.solar import sun_path

EXACT = dict(refraction=False, min_segment_min=0.0, accumulation="cumulative")


def _declination(date) -> float:
    sp = sun_path(year=2001, **URUMQI, date=date, refraction=False, band_start_h=11.5, band_end_h=12.5, step_min=60)
    return float(sp.altitude[0]) - 90.0 + URUMQI["lat"]  # noon: alt = 90 − φ + δ


def _hours(b, w, **kw):
    m = build_model(b, windows=w, **URUMQI, **{**EXACT, **kw})
    return evaluate_windows(m).set_index("window_id")


def test_closed_form_matches_published_table():
    # SUNLIGHT.md §4.3: δ = −20.11°, H − z = 24 m
    for d, expect in [(48, 0.0), (50, 100.1), (52, 168.6), (55, 228.3), (60, 289.4), (70, 358.0)]:
        assert slab_closed_form_minutes(24 / d, -20.11) == pytest.approx(expect, abs=0.3)


@pytest.mark.parametrize("d", [48.0, 50.0, 52.0, 55.0, 60.0, 70.0, 120.0])
def test_infinite_slab_within_one_minute(d):
    b, w, _ = slab_scene(d, 24.0)
    r = _hours(b, w, date=DAHAN_2026)
    expect = slab_closed_form_minutes(24 / d, _declination(DAHAN_2026))
    assert r.loc["w1", "minutes_before"] == 480.0  # slab is "proposed": before = no slab
    assert abs(r.loc["w1", "minutes_after"] - expect) <= 1.0


def _per_step_reference(path, *, k, facade_az, half_length=None, d=None):
    """Independent per-step test: lit iff the sun is in front of the façade and the profile angle
    clears the slab (tan α / cos γ > k), or the ray passes beside a finite slab."""
    alt = np.radians(path.altitude)
    gamma = np.radians(path.azimuth - facade_az)
    front = np.cos(gamma) > 0
    clears = np.tan(alt) / np.where(front, np.cos(gamma), 1.0) > k
    if half_length is not None:
        clears |= np.abs(d * np.tan(gamma)) >= half_length
    return float((front & clears & (alt > 0)).sum() * path.step_min)


def test_finite_slab():
    d, length = 40.0, 60.0
    b, w, _ = slab_scene(d, 24.0, length=length, depth=0.01)
    r = _hours(b, w, date=DAHAN_2026)
    path = sun_path(year=2001, band_start_h=8.0, band_end_h=16.0, step_min=1.0, **URUMQI, date=DAHAN_2026, refraction=False)
    expect = _per_step_reference(path, k=24 / d, facade_az=180.0, half_length=length / 2, d=d)
    assert 0 < expect < 480
    assert abs(r.loc["w1", "minutes_after"] - expect) <= 1.0


@pytest.mark.parametrize(("rot", "grid"), [(25.0, 0.0), (-40.0, 0.0), (25.0, 1.7)])
def test_slab_rotated_off_south_and_grid_convergence(rot, grid):
    d = 45.0
    b, w, _ = slab_scene(d, 20.0, rotate_deg=rot, grid_rotation_deg=grid)
    m = build_model(b, windows=w, **URUMQI, grid_north_azimuth_deg=grid, date=DAHAN_2026, **EXACT)
    r = evaluate_windows(m).set_index("window_id")
    assert r.loc["w1", "normal_az_deg"] == pytest.approx(180.0 + rot, abs=1e-6)
    path = sun_path(year=2001, band_start_h=8.0, band_end_h=16.0, step_min=1.0, **URUMQI, date=DAHAN_2026, refraction=False)
    expect = _per_step_reference(path, k=20 / d, facade_az=180.0 + rot)
    assert abs(r.loc["w1", "minutes_after"] - expect) <= 1.0
    # before (no slab): the sun in front of the façade only
    front = float((np.cos(np.radians(path.azimuth - 180 - rot)) > 0).sum())
    assert abs(r.loc["w1", "minutes_before"] - front) <= 1.0


def test_ground_level_difference_adds_to_height():
    # slab standing 3 m higher: same hours as a slab 3 m taller on level ground
    d = 55.0
    b1, w1, _ = slab_scene(d, 24.0, obstructor_base=3.0)
    b2, w2, _ = slab_scene(d, 24.0)
    r1 = _hours(b1, w1, date=DAHAN_2026)
    expect = slab_closed_form_minutes(24 / d, _declination(DAHAN_2026))
    assert abs(r1.loc["w1", "minutes_after"] - expect) <= 1.0
    assert r1.loc["w1", "minutes_after"] == _hours(b2, w2, date=DAHAN_2026).loc["w1", "minutes_after"]
    # and the same slab on level ground (i.e. 3 m lower roof) gives more sun
    b3, w3, _ = slab_scene(d, 21.0)
    assert _hours(b3, w3, date=DAHAN_2026).loc["w1", "minutes_after"] > r1.loc["w1", "minutes_after"]
