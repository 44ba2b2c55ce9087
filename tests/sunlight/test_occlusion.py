"""The fast horizon kernel against brute-force rays; monotonicity and order laws."""

import numpy as np
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sun_scenes import DAHAN_2026, URUMQI, buildings_frame

from gis.sunlight.analysis import build_model, evaluate_windows
from gis.sunlight.occlusion import blocked_bruteforce, candidate_points, critical_height, horizon, sun_steps
from gis.sunlight.scene import prisms_from_buildings
from gis.sunlight.solar import sun_path

PATH = sun_path(year=2001, band_start_h=8.0, band_end_h=16.0, **URUMQI, date=DAHAN_2026, step_min=2.0)

building = st.tuples(
    st.floats(0, 150), st.floats(0, 150),  # position
    st.floats(4, 50), st.floats(4, 30),  # size
    st.floats(0, 180),  # rotation
    st.floats(3, 80),  # height
    st.floats(-3, 6),  # ground level
    st.booleans(),  # L-shaped (concave) footprint
)


def _footprint(x, y, w, d, rot, lshape):
    g = shapely.box(x, y, x + w, y + d)
    if lshape:
        g = g.difference(shapely.box(x + w / 2, y + d / 2, x + w + 1, y + d + 1))
    return shapely.affinity.rotate(g, rot, origin="centroid")


@st.composite
def scenes(draw):
    specs = draw(st.lists(building, min_size=1, max_size=12))
    geoms = [_footprint(s[0], s[1], s[2], s[3], s[4], s[7]) for s in specs]
    frame = buildings_frame([
        dict(building_id=f"b{i}", geometry=g, height_m=s[5], base_elev_m=s[6]) for i, (g, s) in
        enumerate(zip(geoms, specs, strict=True))
    ])
    union = shapely.union_all(geoms)
    pts = draw(st.lists(st.tuples(st.floats(-60, 210), st.floats(-60, 210), st.floats(-2, 60)),
                        min_size=1, max_size=25))
    pts = [p for p in pts if union.distance(shapely.Point(p[0], p[1])) > 1e-3]
    grid = draw(st.floats(-3, 3))
    return frame, np.array(pts, dtype=float).reshape(-1, 3), grid


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenes())
def test_horizon_kernel_equals_bruteforce(scene):
    frame, pts, grid = scene
    prisms = prisms_from_buildings(frame)
    sun = sun_steps(PATH, grid)
    fast = horizon(pts, prisms, sun) > sun.tan_alt[None, :]
    slow = blocked_bruteforce(pts, prisms, sun)
    np.testing.assert_array_equal(fast, slow)
    # the candidate pre-filter is conservative: every point shaded at some step is a candidate
    shaded = slow[:, sun.tan_alt > 0].any(axis=1)
    assert not (shaded & ~candidate_points(pts, prisms, sun)).any()


def test_bruteforce_reference_on_a_hand_case():
    # one 10 m cube 20 m due south of a point at z=0: at TST noon (alt ≈ 26°) the ray at 20 m is
    # at 9.8 m < 10 m → blocked; a 9 m building is cleared.
    sun = sun_steps(sun_path(year=2001, **URUMQI, date=DAHAN_2026, band_start_h=11.5, band_end_h=12.5, step_min=60))
    for h, blocked in [(10.0, True), (9.0, False)]:
        f = buildings_frame([dict(building_id="c", geometry=shapely.box(-5, -30, 5, -20), height_m=h)])
        p = prisms_from_buildings(f)
        assert blocked_bruteforce(np.array([[0.0, 0.0, 0.0]]), p, sun)[0, 0] == blocked
        assert (horizon(np.array([[0.0, 0.0, 0.0]]), p, sun) > sun.tan_alt)[0, 0] == blocked


def _window_minutes(frame, **kw):
    m = build_model(frame, **URUMQI, date=DAHAN_2026, step_min=2.0, context_reach=False, **kw)
    r = evaluate_windows(m)
    return r.set_index("window_id")


site_building = st.tuples(st.floats(-40, 80), st.floats(-70, -15), st.floats(8, 40), st.floats(8, 14),
                          st.floats(-20, 20), st.floats(6, 60))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(site_building, min_size=1, max_size=4), st.sampled_from(["cumulative", "longest", "n_longest"]))
def test_adding_a_building_never_increases_hours_and_order_does_not_matter(extra, accumulation):
    home = dict(building_id="H", geometry=shapely.box(0, 0, 40, 12), height_m=18.0, phase="context")
    added = [dict(building_id=f"n{i}", geometry=shapely.affinity.rotate(shapely.box(x, y, x + w, y + d), r),
                  height_m=h, phase="proposed", use="public") for i, (x, y, w, d, r, h) in enumerate(extra)]
    frame = buildings_frame([home] + added)
    if shapely.union_all(frame.geometry[1:]).intersects(frame.geometry[0].buffer(0.5)):
        return
    r = _window_minutes(frame, accumulation=accumulation, min_segment_min=6.0)
    # before = without the proposed buildings, after = with them: adding never increases hours
    assert (r["minutes_after"] <= r["minutes_before"]).all()
    # removing one of them never decreases hours
    if len(added) > 1:
        fewer = _window_minutes(buildings_frame([home] + added[1:]), accumulation=accumulation,
                                min_segment_min=6.0)
        assert (fewer["minutes_after"] >= r["minutes_after"]).all()
    # permuting the buildings changes nothing
    perm = _window_minutes(buildings_frame([home] + added[::-1]), accumulation=accumulation,
                           min_segment_min=6.0)
    np.testing.assert_array_equal(perm.loc[r.index, "minutes_after"], r["minutes_after"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenes(), st.floats(1.0, 90.0))
def test_critical_height_equals_bruteforce_at_a_uniform_height(scene, h):
    # 推算限高 kernel: the set blocks step t at p iff its common height h exceeds G[p, t]
    frame, pts, grid = scene
    sun = sun_steps(PATH, grid)
    g = critical_height(pts, prisms_from_buildings(frame), sun, h_search=100.0)
    slow = blocked_bruteforce(pts, prisms_from_buildings(frame.assign(height_m=h)), sun)
    np.testing.assert_array_equal((h > g) | ~(sun.tan_alt > 0)[None, :], slow)
    shaded = slow[:, sun.tan_alt > 0].any(axis=1)
    assert not (shaded & ~candidate_points(pts, prisms_from_buildings(frame), sun, h_search=h)).any()
