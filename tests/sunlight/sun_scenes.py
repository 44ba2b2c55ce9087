"""Helpers for the sunlight tests: hand-built scenes with known geometry (imported as ``sun_scenes``)."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import numpy as np
import shapely
from shapely import affinity

URUMQI = dict(lon=87.6, lat=43.8)
DAHAN_2026 = dt.date(2026, 1, 20)


def buildings_frame(rows: list[dict], crs="EPSG:4538") -> gpd.GeoDataFrame:
    """Buildings from dicts with geometry + fields; fills the site defaults."""
    defaults = dict(phase="context", use="residential", storey_height_m=3.0, base_elev_m=0.0,
                    lowest_residential_floor=1)
    recs = [{**defaults, **r} for r in rows]
    for r in recs:
        r.setdefault("floors", max(1, int(round(r["height_m"] / r["storey_height_m"]))))
    return gpd.GeoDataFrame(recs, geometry="geometry", crs=crs)


def slab_scene(d: float, h_minus_z: float, *, length: float = 4000.0, rotate_deg: float = 0.0,
               obstructor_base: float = 0.0, grid_rotation_deg: float = 0.0, depth: float = 12.0):
    """Window at the origin on a south façade (y = 0) and an E–W slab whose north face is at y = −d.

    ``rotate_deg`` turns the whole scene clockwise (the façade then faces azimuth 180 + rotate);
    ``grid_rotation_deg`` is the grid's rotation from true north (the scene is built in true
    directions and turned into the grid).  Returns (buildings, windows, sill_z).
    """
    sill = 0.9
    top = h_minus_z + sill - obstructor_base
    home = shapely.box(-length / 2, 0.0, length / 2, 12.0)
    slab = shapely.box(-length / 2, -d - depth, length / 2, -d)
    win = shapely.Point(0.0, 0.0)
    # clockwise rotation by rotate_deg in true directions, then into the grid (grid north at +g)
    ang = -(rotate_deg - grid_rotation_deg)
    home, slab, win = (affinity.rotate(g, ang, origin=(0, 0)) for g in (home, slab, win))
    b = buildings_frame([
        dict(building_id="HOME", geometry=home, height_m=18.0, phase="context"),
        dict(building_id="SLAB", geometry=slab, height_m=top, base_elev_m=obstructor_base, phase="proposed"),
    ])
    w = gpd.GeoDataFrame({"building_id": ["HOME"], "floor": [1], "window_id": ["w1"]}, geometry=[win],
                         crs=b.crs)
    return b, w, sill


def slab_closed_form_minutes(k: float, decl_deg: float, lat_deg: float = 43.8) -> float:
    """Duration (min) of the centred lit band for an infinite south slab (SUNLIGHT.md §4.3)."""
    d, p = np.radians(decl_deg), np.radians(lat_deg)
    c = -np.sin(d) * (k * np.cos(p) + np.sin(p)) / (np.cos(d) * (np.cos(p) - k * np.sin(p)))
    if c >= 1:
        return 0.0
    w0 = np.degrees(np.arccos(np.clip(c, -1, 1)))
    return min(2 * w0 / 15 * 60, 480.0)


def slab_k_for_minutes(minutes: float, decl_deg: float, lat_deg: float = 43.8) -> float:
    """Inverse of :func:`slab_closed_form_minutes`: the slab ratio k = (H − z)/D whose centred lit
    band lasts ``minutes`` (solving cos ω₀ = −sin δ (k cos φ + sin φ) / (cos δ (cos φ − k sin φ)) for k)."""
    c = np.cos(np.radians(minutes / 60.0 * 15.0 / 2.0))
    a = -np.tan(np.radians(decl_deg))
    p = np.radians(lat_deg)
    return float((c * np.cos(p) - a * np.sin(p)) / (a * np.cos(p) + c * np.sin(p)))


def noon_declination(date, lat_deg: float = 43.8, lon_deg: float = 87.6) -> float:
    """Solar declination (degrees) from the geometric TST-noon altitude: alt = 90 − φ + δ."""
    from gis.sunlight.solar import sun_path

    sp = sun_path(year=2001, lon=lon_deg, lat=lat_deg, date=date, refraction=False, band_start_h=11.5, band_end_h=12.5,
                  step_min=60)
    return float(sp.altitude[0]) - 90.0 + lat_deg
