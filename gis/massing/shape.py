"""Footprint geometry shared by the spacing, setback and fire checks.

Conventions: coordinates in a projected CRS in metres; azimuths in degrees clockwise from the
grid +y axis (grid north) unless a function says *true*; an axis azimuth lies in [0, 180).
The long axis (长轴) and the long sides (长边) / gables (山墙) of a footprint come from its
minimum rotated rectangle (最小外接矩形).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import shapely
from shapely.geometry import LineString, Polygon
from shapely.geometry.base import BaseGeometry

__all__ = [
    "footprint_axes",
    "axis_angle",
    "long_sides",
    "facing_side",
    "gap_line",
    "match_counterparts",
    "rect_erosion",
    "true_azimuth",
]


def footprint_axes(geoms) -> np.ndarray:
    """Long axis of each footprint from its minimum rotated rectangle.

    Parameters
    ----------
    geoms : array-like of shapely geometries
        Footprints, m.

    Returns
    -------
    numpy.ndarray, shape (n, 3)
        Columns: axis azimuth (degrees clockwise from grid north, in [0, 180)), length (m, long
        side) and width (m, short side).
    """
    env = shapely.oriented_envelope(np.asarray(geoms, dtype=object))
    out = np.full((len(env), 3), np.nan)
    for i, e in enumerate(env):
        if e is None or e.is_empty or e.geom_type != "Polygon":
            continue
        c = np.asarray(e.exterior.coords)
        e0, e1 = c[1] - c[0], c[2] - c[1]
        l0, l1 = np.hypot(*e0), np.hypot(*e1)
        if abs(l0 - l1) <= 1e-9 * max(l0, l1, 1.0):  # square: take the axis in [0, 90) so that noise cannot flip it
            a0 = np.degrees(np.arctan2(e0[0], e0[1])) % 180.0
            v = e0 if a0 < 90.0 else e1
            ln, wd = max(l0, l1), min(l0, l1)
        else:
            v, ln, wd = (e0, l0, l1) if l0 > l1 else (e1, l1, l0)
        out[i] = (np.degrees(np.arctan2(v[0], v[1])) % 180.0, ln, wd)
    return out


def axis_angle(az1, az2):
    """Acute angle between two axes (degrees, 0–90)."""
    d = np.abs(np.asarray(az1, float) - np.asarray(az2, float)) % 180.0
    return np.minimum(d, 180.0 - d)


def true_azimuth(grid_az, grid_north_azimuth_deg: float):
    """Grid azimuth → true azimuth (degrees clockwise from true north).

    ``grid_north_azimuth_deg`` is the azimuth of the grid +y axis measured clockwise from true north.
    """
    return (np.asarray(grid_az, float) + grid_north_azimuth_deg) % 360.0


def long_sides(geom: BaseGeometry) -> tuple[LineString, LineString, LineString, LineString]:
    """The two long sides and the two short sides (gables) of the minimum rotated rectangle."""
    e = shapely.oriented_envelope(geom)
    c = np.asarray(e.exterior.coords)[:5]
    sides = [LineString([c[i], c[i + 1]]) for i in range(4)]
    if sides[0].length >= sides[1].length:
        return sides[0], sides[2], sides[1], sides[3]
    return sides[1], sides[3], sides[0], sides[2]


def _unit(az_deg: float) -> np.ndarray:
    a = np.radians(az_deg)
    return np.array([np.sin(a), np.cos(a)])


def facing_side(geom: BaseGeometry, other: BaseGeometry, axis_az_deg: float) -> Literal["main", "gable"]:
    """Which façade of ``geom`` faces ``other``: ``"main"`` (long side, 主要朝向) or ``"gable"`` (山墙).

    Decided by the direction of the shortest gap between the two footprints: ``"main"`` when it
    is closer to the normal of the long axis than to the axis itself.  The direction does not
    change when ``other`` moves away along it, so a building moved away keeps its class.
    """
    u = _unit(axis_az_deg)
    n = np.array([u[1], -u[0]])
    p, q = shapely.get_coordinates(shapely.shortest_line(geom, other))
    d = q - p
    return "main" if abs(d @ n) >= abs(d @ u) else "gable"


def gap_line(a: BaseGeometry, b: BaseGeometry) -> LineString:
    """Shortest line between two footprints (its length is the gap, m)."""
    return shapely.shortest_line(a, b)


def match_counterparts(proposed, existing, *, min_overlap: float = 0.0) -> list[list[int]]:
    """Existing footprints that each proposed footprint replaces (对应原楼栋), by overlap area.

    Parameters
    ----------
    proposed, existing : array-like of shapely geometries
    min_overlap : float
        Smallest overlap area (m²) that counts.

    Returns
    -------
    list of list of int
        For each proposed footprint, positions of the existing footprints it overlaps, largest
        overlap first (empty when it stands on new ground).
    """
    proposed = np.asarray(proposed, dtype=object)
    existing = np.asarray(existing, dtype=object)
    tree = shapely.STRtree(existing)
    pi, ei = tree.query(proposed, predicate="intersects")
    res: list[list[tuple[float, int]]] = [[] for _ in range(len(proposed))]
    if len(pi):
        areas = shapely.area(shapely.intersection(proposed[pi], existing[ei]))
        for p, e, ar in zip(pi, ei, areas, strict=True):
            if ar > min_overlap:
                res[p].append((ar, int(e)))
    return [[e for _, e in sorted(r, reverse=True)] for r in res]


def rect_erosion(
    region: BaseGeometry, half_a: float, half_b: float, angle_deg: float, *, tol: float = 0.005
) -> BaseGeometry:
    """Centres at which a rectangle fits inside ``region`` (erosion by a rectangle, 矩形腐蚀).

    The rectangle has half-sizes ``half_a`` along the direction ``angle_deg`` (degrees clockwise
    from grid north) and ``half_b`` across it.  Exact Minkowski erosion for polygons: a centre is
    kept when it lies in ``region`` and the rectangle around it crosses no boundary segment, i.e.
    ``region − ⋃ (segment ⊕ rectangle)``.  ``tol`` (m) is taken off each half-size so that an
    exact fit (a 10 m wide site for a 10 m wide rectangle) counts as fitting.

    Returns
    -------
    shapely geometry
        Possibly empty (the rectangle fits nowhere).
    """
    u = _unit(angle_deg)
    n = np.array([u[1], -u[0]])
    half_a, half_b = max(half_a - tol, 0.0), max(half_b - tol, 0.0)
    corners = np.array([s * half_a * u + t * half_b * n for s in (-1, 1) for t in (-1, 1)])
    rings = shapely.get_rings(shapely.get_parts(region))
    segs = []
    for r in rings:
        c = np.asarray(r.coords)
        seg = np.stack([c[:-1], c[1:]], axis=1)  # (m, 2, 2)
        pts = (seg[:, :, None, :] + corners[None, None, :, :]).reshape(len(seg), 8, 2)
        segs.append(pts)
    if not segs:
        return Polygon()
    pts = np.concatenate(segs)
    hulls = shapely.convex_hull(shapely.multipoints(pts))
    return shapely.difference(region, shapely.union_all(hulls))
