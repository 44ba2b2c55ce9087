"""Windows (窗) and their sill sample points (窗台采样点).

A window is a sill line (窗台线) on the computation base plane (计算基准面) of a façade,
``sill_height_m`` (0.9 m, GB 50180-2018 4.0.9 note) above its floor.  Windows come from
the site's ``windows`` layer or are generated on every residential façade that can see the
sun during the band, on every residential floor from ``lowest_residential_floor`` up.

Sample points lie on the sill line — its two end points and centre (``"ends_centre"``) or
every ``sample_spacing_m`` metres including both ends (``"every_n"``) — moved a few
millimetres out of the wall (1 mm: a 5 cm offset would already move a marginal window by
~2 min) so that they are outside their own building's prism: the own
building then blocks every sun direction behind the façade plane.

Conventions: metres in the site grid; azimuths in degrees clockwise from true north;
``grid_north_azimuth_deg`` is the azimuth of the grid's +y axis.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

__all__ = ["WindowSamples", "generate_windows", "read_windows", "sample_windows", "facing_sun"]

WINDOW_COLUMNS = ["window_id", "building_id", "floor", "dwelling", "room", "z_m", "normal_az_deg", "source"]


def _storey(b: pd.Series) -> float:
    sh = b.get("storey_height_m")
    if sh is not None and np.isfinite(sh) and sh > 0:
        return float(sh)
    fl = b.get("floors")
    return float(b["height_m"]) / float(fl) if fl and np.isfinite(fl) and fl > 0 else 3.0


def facing_sun(normal_grid_az_rad: np.ndarray, sun_ux: np.ndarray, sun_uy: np.ndarray,
               sun_up: np.ndarray, *, min_sweep_deg: float = 0.0) -> np.ndarray:
    """Whether each façade normal sees the sun at some step at more than the sweep angle.

    Parameters
    ----------
    normal_grid_az_rad : ndarray (n,)
        Outward normal azimuths in the grid frame, radians clockwise from grid north.
    sun_ux, sun_uy : ndarray (T,)
        Sun direction in the grid frame.
    sun_up : ndarray (T,) bool
        Steps with the sun above the horizon / minimum altitude.
    min_sweep_deg : float
        最小扫掠角: the sun must be at least this many degrees off the wall plane.
    """
    nx, ny = np.sin(normal_grid_az_rad), np.cos(normal_grid_az_rad)
    dots = nx[:, None] * sun_ux[None, sun_up] + ny[:, None] * sun_uy[None, sun_up]
    return (dots > np.sin(np.radians(min_sweep_deg))).any(axis=1) if sun_up.any() else np.zeros(len(nx), bool)


def generate_windows(
    buildings: gpd.GeoDataFrame,
    *,
    sun_ux: np.ndarray,
    sun_uy: np.ndarray,
    sun_up: np.ndarray,
    grid_north_azimuth_deg: float = 0.0,
    sill_height_m: float = 0.9,
    bay_m: float = 3.6,
    min_sweep_deg: float = 0.0,
    min_facade_m: float = 1.0,
    residential_only: bool = True,
    max_floor: int | None = None,
) -> gpd.GeoDataFrame:
    """Generate sill lines on the sunward façades of residential buildings (生成窗台线).

    Parameters
    ----------
    buildings : GeoDataFrame
        Footprints with ``building_id``, ``height_m``, ``floors``, ``storey_height_m``,
        ``base_elev_m``, ``use`` and ``lowest_residential_floor`` (defaults: 3 m storeys,
        base 0, floor 1).
    sun_ux, sun_uy, sun_up : ndarray (T,)
        Sun direction in the grid and the steps that count (see :func:`facing_sun`).
    grid_north_azimuth_deg : float
        Azimuth of grid north, degrees clockwise from true north.
    sill_height_m : float
        Sill above the floor (m), rule pack ``sunlight.sill_height_m``.
    bay_m : float
        Window module (开间, m): each façade segment is split into ``round(L / bay_m)`` equal
        windows; ``0`` keeps one sill line per façade segment.
    min_sweep_deg : float
        A façade must see the sun at more than this angle off its plane.
    min_facade_m : float
        Façade segments shorter than this (m) carry no window.
    residential_only : bool
        Only ``use == "residential"`` buildings get windows.
    max_floor : int, optional
        Only floors up to this one (e.g. ``1`` for a ground-floor screening).

    Returns
    -------
    GeoDataFrame
        One row per window: ``window_id``, ``building_id``, ``floor``, ``dwelling`` (None),
        ``room`` (None), ``z_m`` (sill elevation, m), ``normal_az_deg`` (outward normal,
        degrees clockwise from true north), ``source`` ("generated"); geometry = sill line.
    """
    b = buildings
    if residential_only and "use" in b:
        b = b[b["use"].fillna("residential").astype(str).str.lower() == "residential"]
    rows = []
    geoms = []
    for _, bld in b.iterrows():
        poly = shapely.orient_polygons(bld.geometry, exterior_cw=False)
        floors = int(round(float(bld.get("floors") or 0))) or max(1, int(round(float(bld["height_m"]) / 3.0)))
        lowest = bld.get("lowest_residential_floor")
        lowest = int(lowest) if lowest is not None and np.isfinite(lowest) else 1
        base = float(bld.get("base_elev_m") or 0.0)
        storey = _storey(bld)
        for part in shapely.get_parts(poly):
            xy = shapely.get_coordinates(part.exterior)
            a, c = xy[:-1], xy[1:]
            e = c - a
            length = np.hypot(e[:, 0], e[:, 1])
            ok = length >= min_facade_m
            nrm = np.arctan2(e[:, 1], -e[:, 0])  # outward normal (ey, -ex) as azimuth atan2(nx, ny)
            ok &= facing_sun(nrm, sun_ux, sun_uy, sun_up, min_sweep_deg=min_sweep_deg)
            for si in np.flatnonzero(ok):
                n_win = max(1, int(round(length[si] / bay_m))) if bay_m > 0 else 1
                for k in range(n_win):
                    p0 = a[si] + e[si] * (k / n_win)
                    p1 = a[si] + e[si] * ((k + 1) / n_win)
                    top_floor = floors if max_floor is None else min(floors, max_floor)
                    for fl in range(lowest, top_floor + 1):
                        z = base + (fl - 1) * storey + sill_height_m
                        rows.append(
                            (f"{bld['building_id']}-F{fl}-S{si}-W{k + 1}", bld["building_id"], fl, None, None, z,
                             (np.degrees(nrm[si]) + grid_north_azimuth_deg) % 360.0, "generated")
                        )
                        geoms.append(shapely.LineString([p0, p1]))
    frame = pd.DataFrame(rows, columns=WINDOW_COLUMNS)
    return gpd.GeoDataFrame(frame, geometry=geoms, crs=buildings.crs)


def read_windows(
    windows: gpd.GeoDataFrame,
    buildings: gpd.GeoDataFrame,
    *,
    grid_north_azimuth_deg: float = 0.0,
    sill_height_m: float = 0.9,
) -> gpd.GeoDataFrame:
    """Windows from the site's ``windows`` layer (sill lines or points).

    The sill elevation is ``base_elev_m + (floor − 1) · storey_height_m + sill_height_m`` of
    the window's building; without ``floor`` a Z coordinate is taken as the sill height
    above the building's base.  The outward normal is the one that points away from the
    building's footprint (for points: the normal of the nearest footprint edge).

    Raises
    ------
    ValueError
        Naming layer ``windows``, the feature and the field when a window has no
        ``building_id``, names an unknown building or has neither ``floor`` nor Z.
    """
    problems = []
    bidx = {bid: i for i, bid in enumerate(buildings["building_id"])}
    rows, geoms = [], []
    for i, w in windows.reset_index(drop=True).iterrows():
        wid = w.get("window_id") if "window_id" in windows else None
        wid = str(wid) if wid is not None and not (isinstance(wid, float) and np.isnan(wid)) else f"W{i + 1}"
        bid = w.get("building_id")
        if bid is None or (isinstance(bid, float) and np.isnan(bid)):
            problems.append(f"layer 'windows', feature {wid}: field 'building_id' is empty — give the id of "
                            "the building the window belongs to")
            continue
        if bid not in bidx:
            problems.append(f"layer 'windows', feature {wid}: building_id '{bid}' is not in layer 'buildings' — "
                            "fix the id")
            continue
        bld = buildings.iloc[bidx[bid]]
        geom = w.geometry
        if geom is None or geom.is_empty or geom.geom_type not in ("LineString", "Point", "MultiLineString"):
            problems.append(f"layer 'windows', feature {wid}: geometry must be a sill LineString or a Point")
            continue
        if geom.geom_type == "MultiLineString":
            geom = shapely.line_merge(geom)
            if geom.geom_type != "LineString":
                geom = max(geom.geoms, key=lambda g: g.length)
        base = float(bld.get("base_elev_m") or 0.0)
        floor = w.get("floor") if "floor" in windows else None
        if floor is not None and not (isinstance(floor, float) and np.isnan(floor)):
            z = base + (float(floor) - 1.0) * _storey(bld) + sill_height_m
        elif geom.has_z:
            z = base + float(shapely.get_coordinates(geom, include_z=True)[:, 2].mean())
            floor = None
        else:
            problems.append(f"layer 'windows', feature {wid}: field 'floor' is empty and the geometry has no Z — "
                            "give the floor number (1 = ground floor)")
            continue
        geom2d = shapely.force_2d(geom)
        nrm = _outward_normal(geom2d, bld.geometry)
        rows.append((wid, bid, floor, w.get("dwelling") if "dwelling" in windows else None,
                     w.get("room") if "room" in windows else None, z,
                     (np.degrees(nrm) + grid_north_azimuth_deg) % 360.0, "layer"))
        geoms.append(geom2d)
    if problems:
        raise ValueError("\n".join(problems))
    frame = pd.DataFrame(rows, columns=WINDOW_COLUMNS)
    return gpd.GeoDataFrame(frame, geometry=geoms, crs=windows.crs)


def _outward_normal(geom, footprint) -> float:
    """Outward normal azimuth (grid, radians) of a sill line or point on a footprint."""
    if geom.geom_type == "LineString" and geom.length > 1e-6:
        xy = shapely.get_coordinates(geom)
        e = xy[-1] - xy[0]
        n = np.array([e[1], -e[0]]) / np.hypot(*e)
        mid = geom.interpolate(0.5, normalized=True)
    else:
        mid = geom if geom.geom_type == "Point" else geom.centroid
        ring = footprint.boundary
        near = ring.interpolate(ring.project(mid))
        # tangent of the boundary at the nearest point
        d = ring.project(mid)
        p0 = ring.interpolate(max(0.0, d - 0.01))
        p1 = ring.interpolate(min(ring.length, d + 0.01))
        e = np.array([p1.x - p0.x, p1.y - p0.y])
        n = np.array([e[1], -e[0]]) / max(np.hypot(*e), 1e-12)
        del near
    probe_a = shapely.Point(mid.x + n[0] * 0.5, mid.y + n[1] * 0.5)
    probe_b = shapely.Point(mid.x - n[0] * 0.5, mid.y - n[1] * 0.5)
    if footprint.distance(probe_b) > footprint.distance(probe_a):
        n = -n
    return float(np.arctan2(n[0], n[1]))


@dataclass(frozen=True)
class WindowSamples:
    """Sample points of a set of windows, grouped by window.

    Attributes
    ----------
    xyz : ndarray (P, 3)
        Points (m), offset out of their façade.
    window : ndarray (P,) int64
        Row of the point's window in the window table (non-decreasing).
    start : ndarray (W + 1,) int64
        Points of window ``w`` are ``start[w]:start[w+1]``.
    centre : ndarray (W,) int64
        Index of each window's centre (chosen) point.
    normal_grid : ndarray (W,) float64
        Outward normal azimuth in the grid frame, radians.
    """

    xyz: np.ndarray
    window: np.ndarray
    start: np.ndarray
    centre: np.ndarray
    normal_grid: np.ndarray

    def __len__(self) -> int:
        return len(self.xyz)


def sample_windows(
    windows: gpd.GeoDataFrame,
    footprints: dict,
    *,
    grid_north_azimuth_deg: float = 0.0,
    sample: str = "ends_centre",
    sample_spacing_m: float = 1.0,
    offset_m: float = 0.001,
    end_inset_m: float = 0.01,
) -> WindowSamples:
    """Sample points on the sill lines (窗台采样点).

    Parameters
    ----------
    windows : GeoDataFrame
        From :func:`generate_windows` or :func:`read_windows`.
    footprints : dict
        ``building_id → footprint polygon``; points are pushed ``offset_m`` out of it.
    sample : {"ends_centre", "every_n"}
        Both end points and the centre, or every ``sample_spacing_m`` (m) including both ends.
    offset_m : float
        Distance of the points outside the wall (m).
    end_inset_m : float
        End points are moved this far (m) inside the sill line, off the building corner.
    """
    if sample not in ("ends_centre", "every_n"):
        raise ValueError(f"sunlight.sample = {sample!r}: use 'ends_centre' or 'every_n'")
    nrm = np.radians(windows["normal_az_deg"].to_numpy(float) - grid_north_azimuth_deg)
    nx, ny = np.sin(nrm), np.cos(nrm)
    xs, ys, zs, win, centre = [], [], [], [], []
    geoms = windows.geometry.to_numpy()
    zvals = windows["z_m"].to_numpy(float)
    n_pts = 0
    for w, g in enumerate(geoms):
        if g.geom_type == "Point" or g.length < 1e-6:
            ts = np.array([0.5])
            pts = shapely.get_coordinates(g)[:1]
        else:
            length = g.length
            if sample == "ends_centre":
                ts = np.array([0.0, 0.5, 1.0])
            else:
                n = max(2, int(np.ceil(length / sample_spacing_m - 1e-9)) + 1)
                ts = np.linspace(0.0, 1.0, n)
            inset = min(end_inset_m, 0.25 * length) / length
            ts = np.clip(ts, inset, 1.0 - inset)
            pts = shapely.get_coordinates(shapely.line_interpolate_point(g, ts, normalized=True))
        xs.append(pts[:, 0] + nx[w] * offset_m)
        ys.append(pts[:, 1] + ny[w] * offset_m)
        zs.append(np.full(len(pts), zvals[w]))
        win.append(np.full(len(pts), w))
        centre.append(n_pts + int(np.argmin(np.abs(ts - 0.5))))
        n_pts += len(pts)
    if not xs:
        return WindowSamples(np.zeros((0, 3)), np.zeros(0, np.int64), np.zeros(1, np.int64),
                             np.zeros(0, np.int64), np.zeros(0))
    xyz = np.column_stack([np.concatenate(xs), np.concatenate(ys), np.concatenate(zs)])
    window = np.concatenate(win).astype(np.int64)
    # push points that still lie inside (or on) their own footprint outwards
    bids = windows["building_id"].to_numpy()
    fp = np.array([footprints.get(b) for b in bids[window]], dtype=object)
    has = np.array([f is not None for f in fp])
    if has.any():
        pts = shapely.points(xyz[has, 0], xyz[has, 1])
        d = shapely.distance(pts, fp[has].astype(object))
        inside = shapely.contains(fp[has].astype(object), pts) | (d < offset_m * 0.5)
        if inside.any():
            idx = np.flatnonzero(has)[inside]
            bnd = shapely.boundary(fp[idx].astype(object))
            depth = shapely.distance(shapely.points(xyz[idx, 0], xyz[idx, 1]), bnd)
            w_i = window[idx]
            xyz[idx, 0] += nx[w_i] * (depth + offset_m)
            xyz[idx, 1] += ny[w_i] * (depth + offset_m)
    start = np.r_[0, np.cumsum(np.bincount(window, minlength=len(geoms)))].astype(np.int64)
    return WindowSamples(xyz, window, start, np.asarray(centre, np.int64), nrm)
