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
import numba as nb
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
    nrm = np.asarray(normal_grid_az_rad, dtype=np.float64)
    up = np.asarray(sun_up, dtype=bool)
    return _facing(np.sin(nrm), np.cos(nrm), np.ascontiguousarray(sun_ux[up], dtype=np.float64),
                   np.ascontiguousarray(sun_uy[up], dtype=np.float64), float(np.sin(np.radians(min_sweep_deg))))


@nb.njit(cache=True)
def _facing(nx, ny, ux, uy, thr):
    out = np.zeros(len(nx), dtype=np.bool_)
    for i in range(len(nx)):
        for t in range(len(ux)):
            if nx[i] * ux[t] + ny[i] * uy[t] > thr:
                out[i] = True
                break
    return out


def generate_windows(
    buildings: gpd.GeoDataFrame,
    *,
    sun_ux: np.ndarray,
    sun_uy: np.ndarray,
    sun_up: np.ndarray,
    grid_north_azimuth_deg: float = 0.0,
    sill_height_m: float,
    bay_m: float,
    min_sweep_deg: float,
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
    if len(b) == 0:
        return gpd.GeoDataFrame(pd.DataFrame(columns=WINDOW_COLUMNS), geometry=[], crs=buildings.crs)
    n_b = len(b)
    height = pd.to_numeric(b["height_m"], errors="coerce").to_numpy(float)
    fl_col = pd.to_numeric(b["floors"], errors="coerce").to_numpy(float) if "floors" in b else np.full(n_b, np.nan)
    floors = np.where(np.isfinite(fl_col) & (np.round(fl_col) > 0), np.round(np.nan_to_num(fl_col)),
                      np.maximum(1, np.round(height / 3.0))).astype(np.int64)
    low_col = (pd.to_numeric(b["lowest_residential_floor"], errors="coerce").to_numpy(float)
               if "lowest_residential_floor" in b else np.full(n_b, np.nan))
    lowest = np.where(np.isfinite(low_col), low_col, 1.0).astype(np.int64)
    base = (pd.to_numeric(b["base_elev_m"], errors="coerce").fillna(0.0).to_numpy(float)
            if "base_elev_m" in b else np.zeros(n_b))
    sh = (pd.to_numeric(b["storey_height_m"], errors="coerce").to_numpy(float)
          if "storey_height_m" in b else np.full(n_b, np.nan))
    storey = np.where(np.isfinite(sh) & (sh > 0), sh,
                      np.where(np.isfinite(fl_col) & (fl_col > 0), height / np.where(fl_col > 0, fl_col, 1.0), 3.0))
    top_floor = floors if max_floor is None else np.minimum(floors, max_floor)
    # façade segments of every exterior ring (per part), counter-clockwise
    polys = shapely.orient_polygons(np.asarray(b.geometry.values), exterior_cw=False)
    parts, part_b = shapely.get_parts(polys, return_index=True)
    xy, coord_part = shapely.get_coordinates(shapely.get_exterior_ring(parts), return_index=True)
    same = coord_part[:-1] == coord_part[1:]
    a_pt, c_pt = xy[:-1][same], xy[1:][same]
    seg_part = coord_part[:-1][same]
    first = np.r_[0, np.flatnonzero(np.diff(seg_part)) + 1]
    seg_local = np.arange(len(seg_part)) - np.repeat(first, np.diff(np.r_[first, len(seg_part)]))
    seg_b = part_b[seg_part]
    e = c_pt - a_pt
    length = np.hypot(e[:, 0], e[:, 1])
    nrm = np.arctan2(e[:, 1], -e[:, 0])  # outward normal (ey, -ex) as azimuth atan2(nx, ny)
    ok = (length >= min_facade_m) & facing_sun(nrm, sun_ux, sun_uy, sun_up, min_sweep_deg=min_sweep_deg)
    seg = np.flatnonzero(ok)
    n_win = np.maximum(1, np.round(length[seg] / bay_m)).astype(np.int64) if bay_m > 0 else np.ones(len(seg), np.int64)
    # one row per (segment, bay, floor), in building → part → segment → bay → floor order
    seg_r = np.repeat(seg, n_win)
    k = np.arange(len(seg_r)) - np.repeat(np.cumsum(n_win) - n_win, n_win)
    nw = np.repeat(n_win, n_win)
    bi = seg_b[seg_r]
    n_fl = np.maximum(0, top_floor[bi] - lowest[bi] + 1)
    row_w = np.repeat(np.arange(len(seg_r)), n_fl)
    fl = lowest[bi][row_w] + (np.arange(len(row_w)) - np.repeat(np.cumsum(n_fl) - n_fl, n_fl))
    sr, kr, nwr, br = seg_r[row_w], k[row_w], nw[row_w], bi[row_w]
    p0 = a_pt[sr] + e[sr] * (kr / nwr)[:, None]
    p1 = a_pt[sr] + e[sr] * ((kr + 1) / nwr)[:, None]
    z = base[br] + (fl - 1) * storey[br] + sill_height_m
    bids = b["building_id"].to_numpy()[br]
    ids = [f"{bb}-F{f}-S{si}-W{kk + 1}" for bb, f, si, kk in zip(bids, fl, seg_local[sr], kr, strict=True)]
    frame = pd.DataFrame({
        "window_id": ids, "building_id": bids, "floor": fl.astype(np.int64), "dwelling": None, "room": None,
        "z_m": z, "normal_az_deg": (np.degrees(nrm[sr]) + grid_north_azimuth_deg) % 360.0, "source": "generated",
    }, columns=WINDOW_COLUMNS)
    geoms = shapely.linestrings(np.stack([p0, p1], axis=1)) if len(frame) else []
    return gpd.GeoDataFrame(frame, geometry=geoms, crs=buildings.crs)


def read_windows(
    windows: gpd.GeoDataFrame,
    buildings: gpd.GeoDataFrame,
    *,
    grid_north_azimuth_deg: float = 0.0,
    sill_height_m: float,
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
    geoms = np.asarray(windows.geometry.to_numpy(), dtype=object)
    n_w = len(geoms)
    if n_w == 0:
        return WindowSamples(np.zeros((0, 3)), np.zeros(0, np.int64), np.zeros(1, np.int64),
                             np.zeros(0, np.int64), np.zeros(0))
    zvals = windows["z_m"].to_numpy(float)
    length = shapely.length(geoms)
    is_pt = (shapely.get_type_id(geoms) == 0) | (length < 1e-6)
    if sample == "ends_centre":
        n = np.full(n_w, 3, dtype=np.int64)
    else:
        n = np.maximum(2, np.ceil(length / sample_spacing_m - 1e-9).astype(np.int64) + 1)
    n[is_pt] = 1
    window = np.repeat(np.arange(n_w), n).astype(np.int64)
    first = np.cumsum(n) - n
    j = np.arange(len(window)) - first[window]
    nn = n[window]
    ts = np.where(nn > 1, j / np.maximum(nn - 1, 1), 0.5)
    safe_len = np.where(is_pt, 1.0, length)
    inset = (np.minimum(end_inset_m, 0.25 * safe_len) / safe_len)[window]
    ts = np.clip(ts, inset, 1.0 - inset)
    line = ~is_pt[window]
    xy = np.empty((len(window), 2))
    if line.any():
        # straight two-vertex sills (all generated ones) by arithmetic, others through shapely
        n_vert = shapely.get_num_coordinates(geoms)
        two = line & (n_vert[window] == 2)
        if two.any():
            ends = shapely.get_coordinates(geoms[n_vert == 2]).reshape(-1, 2, 2)
            pos = np.cumsum(n_vert == 2) - 1  # row of each two-vertex window in ``ends``
            e = ends[pos[window[two]]]
            xy[two] = e[:, 0] + (e[:, 1] - e[:, 0]) * ts[two, None]
        other = line & ~two
        if other.any():
            xy[other] = shapely.get_coordinates(
                shapely.line_interpolate_point(geoms[window[other]], ts[other], normalized=True))
    if (~line).any():
        xy[~line] = shapely.get_coordinates(_first_point(geoms[window[~line]]))
    xyz = np.column_stack([xy[:, 0] + nx[window] * offset_m, xy[:, 1] + ny[window] * offset_m, zvals[window]])
    # the chosen point: nearest the sill's centre (first of a tie), among the window's points
    jc0 = (n - 1) // 2
    jc1 = n // 2
    t0 = np.clip(jc0 / np.maximum(n - 1, 1), *_inset_bounds(end_inset_m, safe_len))
    t1 = np.clip(jc1 / np.maximum(n - 1, 1), *_inset_bounds(end_inset_m, safe_len))
    centre = first + np.where(np.abs(t1 - 0.5) < np.abs(t0 - 0.5), jc1, jc0)
    centre = centre.astype(np.int64)
    # push points that still lie inside (or on, or within offset/2 of) their own footprint outwards;
    # coarse pass on coordinates against the footprints grown by offset/2 (no point objects)
    bids = windows["building_id"].to_numpy()
    ub, inv = np.unique(bids.astype(str), return_inverse=True)
    first_w = np.zeros(len(ub), dtype=np.int64)
    first_w[inv[::-1]] = np.arange(len(bids))[::-1]
    fp_u = np.array([footprints.get(bids[i]) for i in first_w], dtype=object)
    has_u = np.array([f is not None for f in fp_u], dtype=bool)
    grown = np.full(len(ub), None, dtype=object)
    grown[has_u] = shapely.buffer(fp_u[has_u].astype(object), offset_m * 0.5)
    shapely.prepare(grown[has_u])
    fp = fp_u[inv][window]
    has = has_u[inv][window]
    near = np.zeros(len(window), dtype=bool)
    if has.any():
        near[has] = shapely.intersects_xy(grown[inv][window][has], xyz[has, 0], xyz[has, 1])
    if near.any():
        sel = np.flatnonzero(near)
        pts = shapely.points(xyz[sel, 0], xyz[sel, 1])
        d = shapely.distance(pts, fp[sel].astype(object))
        inside = shapely.contains(fp[sel].astype(object), pts) | (d < offset_m * 0.5)
        if inside.any():
            idx = sel[inside]
            bnd = shapely.boundary(fp[idx].astype(object))
            depth = shapely.distance(shapely.points(xyz[idx, 0], xyz[idx, 1]), bnd)
            w_i = window[idx]
            xyz[idx, 0] += nx[w_i] * (depth + offset_m)
            xyz[idx, 1] += ny[w_i] * (depth + offset_m)
    start = np.r_[0, np.cumsum(n)].astype(np.int64)
    return WindowSamples(xyz, window, start, centre, nrm)


def _inset_bounds(end_inset_m: float, length: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    inset = np.minimum(end_inset_m, 0.25 * length) / length
    return inset, 1.0 - inset


def _first_point(geoms: np.ndarray) -> np.ndarray:
    """First vertex of each geometry (points and degenerate lines), as shapely points."""
    xy, idx = shapely.get_coordinates(geoms, return_index=True)
    keep = np.r_[True, idx[1:] != idx[:-1]]
    return shapely.points(xy[keep])
