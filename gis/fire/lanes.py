"""Fire lanes (消防车道): width, clear height, connection, long sides, lane-to-wall, bends, dead ends.

Rule ids (RULES.md §1.1): FL-01 (every lane reaches the road network), FL-02 (residential
buildings: lane along at least one long side), FL-05 (clear width ≥ 4 m along the whole lane;
clear height ≥ 4 m), FL-06 (inner-edge turning radius at bends ≥ 9 m, 12 m where aerial trucks
serve a high-rise), FL-08 (lane edge to wall ≥ 5 m, 宜), FL-10 (dead end > 40 m ends in a
12 × 12 m turnaround; 15 × 15 m when serving a high-rise; 18 × 18 m for heavy trucks).

Method
------
Lanes come as polygons (clear paved area) or centre lines with ``width_m``; lines are buffered by
half their width (flat ends; a round join where a line's end meets another lane, see
:func:`lane_area`), everything of one state (``phase`` existing / proposed / both) is merged into
the *lane area* (m²), so polygon and line lanes mix freely.  Its centreline graph is the medial axis (中轴线): edges of
the Voronoi diagram of the densely sampled boundary that lie inside the area, with spurs into
convex corners pruned (a leaf edge is dropped while the clearance radius falls towards the leaf
faster than ``_SPUR_SLOPE`` m per m).  The clearance radius *r* at a skeleton node is its distance
to the lane edge, so the clear width there is 2*r*; the narrowest section is the node of least
*r*, drawn as the line across the lane through it.  Dead ends are leaves of the graph that are
not within ``fire_lane.road_connect_tol_m`` of a road; their length runs from the junction (or
road) to the lane end.  A turnaround fits when an s × s square, rotated 0–85° in 5° steps, fits in
the lane area with its centre within s of the dead end (exact erosion by the square,
:func:`gis.massing.shape.rect_erosion`).  Bends: runs of consecutive reflex vertices of the lane
edge (split at edges longer than ``fire_lane.bend_split_edge_m``) turning at least
``fire_lane.bend_min_angle_deg``, turnaround-pad corners excluded.  What is measured is the
inner-edge radius of the paved area at the bend (转弯处铺装内缘半径, m), as review offices read
the kerb-return radius: the largest circular kerb arc tangent to the two lane edges around the
bend whose wedge towards the corner is paved (:func:`curb_radius`).  A sharp inner corner
measures 0 m whatever the outer edge looks like: a mitred or rounded outer corner does not help,
because the truck's swept path spans the whole lane width from the inner edge outwards.  A kerb
drawn as an arc of radius R measures R.  FL-06 findings: one per short bend that is new or worse
than the existing bend at the same place (within ``fire_lane.road_connect_tol_m``), one for all
short bends unchanged from the existing state (PASS_NOT_WORSE), one for the bends that pass and
one for the existing short bends the proposal removed (现状问题已消除).  Existing long dead ends
without a turnaround that the proposal removed are FL-10 PASS findings with the same note.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import LineString, MultiPoint, Point, Polygon
from shapely.geometry.base import BaseGeometry

from gis.findings import Finding, Verdict, judge
from gis.massing._improve import REMOVED_EN, REMOVED_ZH, removed_note
from gis.massing._rules import pack
from gis.massing.shape import long_sides, rect_erosion

if TYPE_CHECKING:
    from gis.rules import RulePack

__all__ = [
    "LaneNetwork",
    "lane_area",
    "lane_network",
    "narrowest_section",
    "dead_ends",
    "square_fits",
    "bends",
    "curb_radius",
    "long_side_service",
    "road_area",
    "lane_checks",
]

_SAMPLE_M = 0.5  # boundary sampling for the Voronoi medial axis (numerical method, not a rule)
_SPUR_SLOPE = 0.3  # clearance fall per metre that marks a corner spur
_ANGLES = np.arange(0.0, 90.0, 5.0)  # square-fit rotations, degrees
_MARK_M = 1.0  # radius of the disc marking a bend in a grouped finding, m
_R_MAX = 60.0  # search cap for the inner-edge radius, m (reported as ">= 60 m"; no rule needs more)
_R_STEP = 0.001  # bisection resolution of the inner-edge radius, m (reported to 0.01 m)
_WEDGE_TOL_M2 = 1e-6  # unpaved area (m²) tolerated inside the curb wedge (floating point)
_DISC_QUAD_SEGS = 64  # segments per quarter circle of the curb-arc disc


def _in_state(phase: pd.Series, state: str) -> pd.Series:
    p = phase.fillna("both").astype(str)
    return p.isin([state, "both"])


def lane_area(lanes: gpd.GeoDataFrame | None, state: str, *, join_tol: float = 0.01) -> BaseGeometry:
    """Clear paved lane area (m²) of one state (``"existing"`` or ``"proposed"``).

    Polygons are taken as drawn.  LineStrings (centre lines, 中心线) are buffered by
    ``width_m / 2`` with flat ends; where a line's end meets another lane of the state (within
    ``join_tol`` m: two separately drawn pieces of one lane, a branch ending on another lane) a
    disc of radius ``width_m / 2`` is added at the end, the round join a single polyline would
    get, so the outer corner of an L drawn as two lines is not notched.  Free ends (dead ends,
    ends at a road) stay flat.  Inner corners stay sharp: a centre line with a sharp vertex has a
    sharp inner edge (turning radius 0, FL-06).
    """
    if lanes is None or not len(lanes):
        return Polygon()
    sel = lanes[_in_state(lanes["phase"], state)] if "phase" in lanes else lanes
    widths = sel.get("width_m", pd.Series(np.nan, index=sel.index))
    polys, lines = [], []  # lines: (part, half width)
    for g, w in zip(sel.geometry, widths, strict=True):
        if g is None or g.is_empty:
            continue
        if g.geom_type in ("LineString", "MultiLineString"):
            if w is None or pd.isna(w) or float(w) <= 0:
                continue  # validation reports lines without width
            lines += [(part, float(w) / 2.0) for part in shapely.get_parts(g) if part.length > 0]
        else:
            polys.append(g)
    parts = list(polys)
    for k, (line, h) in enumerate(lines):
        parts.append(line.buffer(h, cap_style="flat", join_style="round"))
        others = polys + [ln for j, (ln, _) in enumerate(lines) if j != k]
        ends = shapely.points(np.asarray(line.coords)[[0, -1]])
        for e in ends:
            if line.is_ring or any(shapely.dwithin(o, e, join_tol) for o in others):
                parts.append(e.buffer(h))
    return shapely.union_all(parts) if parts else Polygon()


def road_area(roads: gpd.GeoDataFrame | None) -> BaseGeometry:
    """Road red-line area (m²): polygons as drawn, centre lines buffered by ``red_line_width_m / 2``."""
    if roads is None or not len(roads):
        return Polygon()
    parts = []
    widths = roads.get("red_line_width_m", pd.Series(np.nan, index=roads.index))
    for g, w in zip(roads.geometry, widths, strict=True):
        if g is None or g.is_empty:
            continue
        if g.geom_type in ("LineString", "MultiLineString"):
            parts.append(g.buffer(max(float(w) if w is not None and not pd.isna(w) else 0.0, 0.1) / 2.0, cap_style="flat"))
        else:
            parts.append(g)
    return shapely.union_all(parts)


@dataclass
class LaneNetwork:
    """Centreline graph of a lane area.

    Attributes
    ----------
    area : shapely geometry
        Clear paved area, m².
    nodes : ndarray (n, 2)
        Skeleton node coordinates, m.
    radius : ndarray (n,)
        Clearance (half clear width) at each node, m.
    adj : list of dict
        Neighbour index → edge length (m) per node.
    """

    area: BaseGeometry
    nodes: np.ndarray
    radius: np.ndarray
    adj: list[dict[int, float]] = field(default_factory=list)

    def alive(self) -> np.ndarray:
        return np.array([len(a) > 0 for a in self.adj], dtype=bool)

    def degree(self, i: int) -> int:
        return len(self.adj[i])


def lane_network(area: BaseGeometry) -> LaneNetwork:
    """Medial-axis centreline graph of a lane area (see the module docstring)."""
    if area.is_empty:
        return LaneNetwork(area, np.zeros((0, 2)), np.zeros(0), [])
    boundary = shapely.segmentize(area.boundary, _SAMPLE_M)
    pts = shapely.get_coordinates(boundary)
    pts = np.unique(np.round(pts, 3), axis=0)
    edges = shapely.get_parts(shapely.voronoi_polygons(MultiPoint(pts), only_edges=True))
    shapely.prepare(area)
    inside = shapely.contains_properly(area, edges)
    coords = [np.asarray(e.coords) for e in edges[inside]]
    key: dict[tuple[float, float], int] = {}
    nodes: list[tuple[float, float]] = []
    adj: list[dict[int, float]] = []

    def nid(c) -> int:
        k = (round(float(c[0]), 3), round(float(c[1]), 3))
        if k not in key:
            key[k] = len(nodes)
            nodes.append(k)
            adj.append({})
        return key[k]

    for c in coords:
        for p, q in zip(c[:-1], c[1:], strict=True):
            a, b = nid(p), nid(q)
            if a != b:
                d = float(np.hypot(*(q - p)))
                adj[a][b] = d
                adj[b][a] = d
    arr = np.array(nodes) if nodes else np.zeros((0, 2))
    radius = shapely.distance(area.boundary, shapely.points(arr)) if len(arr) else np.zeros(0)
    net = LaneNetwork(area, arr, np.asarray(radius, float), adj)
    _prune(net)
    return net


def _prune(net: LaneNetwork) -> None:
    """Drop corner spurs: leaf edges along which the clearance falls steeply towards the leaf."""
    stack = [i for i, a in enumerate(net.adj) if len(a) == 1]
    while stack:
        v = stack.pop()
        if len(net.adj[v]) != 1:
            continue
        (u, d), = net.adj[v].items()
        if d <= 0 or (net.radius[u] - net.radius[v]) / d >= _SPUR_SLOPE or net.radius[v] < 1e-3:
            del net.adj[u][v]
            net.adj[v].clear()
            if len(net.adj[u]) == 1:
                stack.append(u)


def narrowest_section(net: LaneNetwork, region: BaseGeometry | None = None) -> tuple[float, LineString | None]:
    """Narrowest clear width (m) on the centreline graph and the section across the lane there.

    Parameters
    ----------
    region : shapely geometry, optional
        Restrict to skeleton nodes inside it (one connected lane component).
    """
    alive = net.alive()
    if region is not None and alive.any():
        alive &= shapely.covers(region, shapely.points(net.nodes))
    if not alive.any():
        return float("nan"), None
    idx = np.flatnonzero(alive)
    i = idx[np.argmin(net.radius[idx])]
    r = float(net.radius[i])
    c = Point(net.nodes[i])
    p = np.asarray(shapely.shortest_line(c, net.area.boundary).coords)[1]
    q = 2 * np.asarray(c.coords[0]) - p
    return 2.0 * r, LineString([p, q])


def _chain_to_junction(net: LaneNetwork, leaf: int, stop) -> tuple[float, list[int]]:
    """Walk from a leaf until a junction (degree ≥ 3), a stop node or another leaf."""
    path, length, prev, cur = [leaf], 0.0, -1, leaf
    while True:
        nxt = [n for n in net.adj[cur] if n != prev]
        if not nxt:
            return length, path
        n = nxt[0]
        length += net.adj[cur][n]
        path.append(n)
        if net.degree(n) >= 3 or stop(n):
            return length, path
        prev, cur = cur, n


def dead_ends(net: LaneNetwork, roads: BaseGeometry, *, tol: float) -> list[dict[str, Any]]:
    """Dead ends (尽头式车道) of the lane graph.

    Returns
    -------
    list of dict
        ``node`` (leaf index), ``point`` (lane end, m), ``length_m`` (from the junction or road
        to the lane end, including the clearance radius at the leaf), ``path`` (LineString).
    """
    near_road = np.zeros(len(net.nodes), bool)
    if len(net.nodes) and not roads.is_empty:
        near_road = shapely.dwithin(roads, shapely.points(net.nodes), net.radius + tol)
    out = []
    for i, a in enumerate(net.adj):
        if len(a) != 1 or near_road[i]:
            continue
        length, path = _chain_to_junction(net, i, lambda n: bool(near_road[n]))
        length += float(net.radius[i])
        if near_road[path[-1]] and net.degree(path[-1]) < 3:
            length += float(roads.distance(Point(net.nodes[path[-1]])))
        line = LineString(net.nodes[path]) if len(path) > 1 else Point(net.nodes[i])
        (u,) = a
        d = net.nodes[i] - net.nodes[u]
        d = d / (np.hypot(*d) or 1.0)
        end = net.nodes[i] + d * net.radius[i]
        out.append({"node": i, "point": Point(end), "leaf": Point(net.nodes[i]), "length_m": length, "path": line})
    return out


def square_fits(area: BaseGeometry, at: Point, size: float) -> tuple[bool, Polygon | None]:
    """Whether an s × s square (s = ``size``, m) fits in ``area`` with its centre within s of ``at``.

    Returns the square found (or None).  Rotations 0–85° in 5° steps.
    """
    clip = area.intersection(at.buffer(2.0 * size))
    target = at.buffer(size)
    for ang in _ANGLES:
        ok = rect_erosion(clip, size / 2.0, size / 2.0, float(ang)).intersection(target)
        if not ok.is_empty:
            c = ok.representative_point()
            sq = shapely.affinity.rotate(
                Polygon([(-1, -1), (1, -1), (1, 1), (-1, 1)]), -float(ang), origin=(0, 0)
            )
            sq = shapely.affinity.translate(shapely.affinity.scale(sq, size / 2, size / 2, origin=(0, 0)), c.x, c.y)
            return True, sq
    return False, None


def largest_square(area: BaseGeometry, at: Point, sizes) -> tuple[float, Polygon | None]:
    """The largest of ``sizes`` (m) whose square fits at ``at`` (0 and None if none does)."""
    for s in sorted(sizes, reverse=True):
        ok, sq = square_fits(area, at, s)
        if ok:
            return float(s), sq
    return 0.0, None


def _wedge_paved(area: BaseGeometry, x: np.ndarray, n1: np.ndarray, n2: np.ndarray, cosphi: float,
                 radius: float) -> bool:
    """Whether the curb-return wedge of ``radius`` (m) at corner ``x`` lies in the paved area.

    The wedge is the triangle corner – tangent point – tangent point minus the disc of the curb
    arc, the arc tangent to both lane edges (outward normals ``n1``, ``n2``, into the unpaved side).
    """
    c = x + radius * (n1 + n2) / (1.0 + cosphi)
    t1, t2 = c - radius * n1, c - radius * n2
    tri = Polygon([x, t1, t2])
    if not tri.is_valid or tri.area < 1e-9:
        return True
    # disc polygon circumscribing the circle, so the wedge never includes slivers of the true disc
    disc = Point(c).buffer(radius / np.cos(np.pi / (4 * _DISC_QUAD_SEGS)), quad_segs=_DISC_QUAD_SEGS)
    return tri.difference(disc).difference(area).area <= _WEDGE_TOL_M2


def curb_radius(area: BaseGeometry, a: np.ndarray, d1: np.ndarray, b: np.ndarray, d2: np.ndarray,
                *, max_radius: float = _R_MAX) -> float:
    """Inner-edge radius (m) of the paved area at a bend (转弯内缘半径).

    The edge comes in through point ``a`` with unit direction ``d1`` and leaves through ``b``
    with unit direction ``d2`` (paved area on the left, the bend turning right).  The radius is
    the largest R such that the circular curb arc of radius R tangent to both edge lines keeps the
    truck's side of it (the wedge between the arc and the lines' intersection) paved: a sharp
    inner corner gives 0, a kerb drawn as an arc of radius R (vertices on the arc, or an offset
    polyline outside it) gives R, a 45° chamfer with legs of L m gives L.  Rounded to 0.01 m.  Capped at ``max_radius``; NaN for a U-turn (parallel edges).
    """
    cross = d1[0] * d2[1] - d1[1] * d2[0]
    if abs(cross) < 1e-6:
        return float("nan")
    # intersection X of the two edge lines: a + s d1 = b + t d2
    s = ((b[0] - a[0]) * d2[1] - (b[1] - a[1]) * d2[0]) / cross
    x = a + s * d1
    n1 = np.array([d1[1], -d1[0]])
    n2 = np.array([d2[1], -d2[0]])
    cosphi = float(d1 @ d2)
    paved = area
    if _wedge_paved(paved, x, n1, n2, cosphi, max_radius):
        return float(max_radius)
    lo, hi = 0.0, float(max_radius)
    while hi - lo > _R_STEP:
        mid = 0.5 * (lo + hi)
        if _wedge_paved(paved, x, n1, n2, cosphi, mid):
            lo = mid
        else:
            hi = mid
    return round(lo, 2)


def bends(area: BaseGeometry, *, min_angle_deg: float, split_edge_m: float = 8.0,
          exclude: BaseGeometry | None = None) -> list[dict[str, Any]]:
    """Bends of the lane edge (内缘转弯) and their inner-edge radius.

    A bend is a run of consecutive reflex vertices of the paved area's edge (the inner side of a
    turn), split where two of them are joined by an edge longer than ``split_edge_m`` (m), that
    turns at least ``min_angle_deg`` in all.  Its radius is :func:`curb_radius`: the inner-edge
    radius of the paved area, m.

    Parameters
    ----------
    exclude : geometry, optional
        Bends touching it are skipped (the corners of turnaround pads, which are manoeuvring
        areas, not bends of a lane).

    Returns
    -------
    list of dict
        ``radius_m`` (inner-edge radius of the paved area, m; 0 for a sharp inner corner),
        ``turn_deg``, ``geometry`` (the inner edge of the bend: a point for a sharp corner, else
        the run of vertices).
    """
    out = []
    for poly in shapely.get_parts(area):
        poly = shapely.geometry.polygon.orient(poly, 1.0)
        for ring in [poly.exterior, *poly.interiors]:
            c = np.asarray(ring.coords)[:-1]
            n = len(c)
            if n < 3:
                continue
            e = np.roll(c, -1, axis=0) - c  # edge i: c[i] -> c[i+1]
            ein = np.roll(e, 1, axis=0)  # edge into vertex i
            cross = ein[:, 0] * e[:, 1] - ein[:, 1] * e[:, 0]
            dot = (ein * e).sum(axis=1)
            turn = np.degrees(np.arctan2(cross, dot))  # >0 left (convex), <0 right (reflex)
            reflex = turn < -0.5
            if not reflex.any():
                continue
            lens = np.hypot(e[:, 0], e[:, 1])
            # a run breaks at a non-reflex vertex or after an edge longer than split_edge_m
            brk = ~reflex | (np.roll(lens, 1) > split_edge_m)  # vertex i starts a new run
            start = int(np.flatnonzero(brk)[0]) if brk.any() else 0
            runs, cur = [], []
            for k in range(n):
                i = (start + k) % n
                if brk[i] and cur:
                    runs.append(cur)
                    cur = []
                if reflex[i]:
                    cur.append(i)
            if cur:
                runs.append(cur)
            for run in runs:
                theta = float(-turn[run].sum())
                if theta < min_angle_deg:
                    continue
                geom = Point(c[run[0]]) if len(run) == 1 else LineString(c[run])
                if exclude is not None and not exclude.is_empty and geom.intersects(exclude):
                    continue
                i0, i1 = run[0], run[-1]
                d1 = ein[i0] / (np.hypot(*ein[i0]) or 1.0)
                d2 = e[i1] / (np.hypot(*e[i1]) or 1.0)
                radius = curb_radius(poly, c[i0], d1, c[i1], d2)
                if np.isnan(radius):  # U-turn: arc estimate from the inner edge length
                    k = len(run)
                    radius = float(lens[run[:-1]].sum()) * k / max(k - 1, 1) / np.radians(theta) if k > 1 else 0.0
                out.append({"radius_m": float(radius), "turn_deg": theta, "geometry": geom})
    return out


def long_side_service(
    footprint: BaseGeometry, area: BaseGeometry, *, max_offset: float, min_coverage: float
) -> tuple[int, float, BaseGeometry | None]:
    """How many long sides (长边) of a footprint have a lane along them.

    A long side is served when the lane area inside the strip reaching ``max_offset`` (m) out
    from it spans at least ``min_coverage`` of the side's length (projected on the side).

    Returns
    -------
    (int, float, geometry)
        Number of long sides served (0–2), the distance (m) from the wall to the lane on the
        served sides (NaN if none), and the lane parts along them.
    """
    la, lb, _, _ = long_sides(footprint)
    centre = np.asarray(footprint.centroid.coords[0])
    served, parts = 0, []
    for side in (la, lb):
        p, q = np.asarray(side.coords)
        u = (q - p) / (np.hypot(*(q - p)) or 1.0)
        nrm = np.array([-u[1], u[0]])
        if (centre - p) @ nrm > 0:
            nrm = -nrm
        strip = Polygon([p, q, q + nrm * max_offset, p + nrm * max_offset])
        inter = area.intersection(strip)
        if inter.is_empty or inter.area < 1e-6:
            continue
        proj = (shapely.get_coordinates(inter) - p) @ u
        span = min(proj.max(), side.length) - max(proj.min(), 0.0)
        if span >= min_coverage * side.length - 1e-9:
            served += 1
            parts.append(inter)
    if not parts:
        return served, float("nan"), None
    along = shapely.union_all(parts)
    return served, float(footprint.distance(along)), along


def _components(area: BaseGeometry) -> list[BaseGeometry]:
    return [g for g in shapely.get_parts(area) if not g.is_empty]


def _state_facts(
    lanes: gpd.GeoDataFrame | None, roads_area: BaseGeometry, buildings: gpd.GeoDataFrame, state: str, rp: RulePack
) -> dict[str, Any]:
    fl = rp.fire_lane
    area = lane_area(lanes, state)
    net = lane_network(area)
    high = buildings[buildings["height_class"].astype(str) != "multi"] if len(buildings) else buildings
    comps = []
    for comp in _components(area):
        width, section = narrowest_section(net, comp)
        connected = (not roads_area.is_empty) and comp.distance(roads_area) <= fl.road_connect_tol_m.value
        serves_high = bool(len(high)) and bool(
            (shapely.distance(high.geometry.to_numpy(), comp) <= fl.max_offset_to_long_side_m.value).any()
        )
        comps.append({"geometry": comp, "width_m": width, "section": section, "connected": connected,
                      "serves_high": serves_high})
    ends = dead_ends(net, roads_area, tol=fl.road_connect_tol_m.value)
    heavy = False
    if lanes is not None and "heavy_trucks" in lanes:
        sel = lanes[_in_state(lanes["phase"], state)] if "phase" in lanes else lanes
        heavy_geoms = sel.loc[sel["heavy_trucks"].fillna(False).astype(bool)].geometry
    else:
        heavy_geoms = []
    for d in ends:
        comp = next((c for c in comps if c["geometry"].distance(d["leaf"]) < 1e-6), None)
        hi = bool(comp and comp["serves_high"])
        is_heavy = heavy or any(g.distance(d["leaf"]) < 1.0 for g in heavy_geoms)
        p = fl.turnaround_heavy_m if is_heavy else (fl.turnaround_high_rise_m if hi else fl.turnaround_m)
        d["required_m"] = float(p.value)
        d["required_source"] = p.source
        d["long"] = d["length_m"] > fl.deadend_max_len_m.value
        if d["long"]:
            sizes = sorted({p.value, fl.turnaround_m.value, fl.turnaround_high_rise_m.value, fl.turnaround_heavy_m.value})
            d["square_m"], d["square"] = largest_square(area, d["point"], sizes)
        else:
            d["square_m"], d["square"] = float("nan"), None
    heights = []
    if lanes is not None and "clear_height_m" in lanes:
        sel = lanes[_in_state(lanes["phase"], state)] if "phase" in lanes else lanes
        h = pd.to_numeric(sel["clear_height_m"], errors="coerce")
        heights = [(float(v), g) for v, g in zip(h, sel.geometry, strict=True) if not pd.isna(v)]
    pads = shapely.union_all([d["square"] for d in ends if d.get("square") is not None]) if ends else None
    if pads is not None and not pads.is_empty:
        pads = pads.buffer(fl.road_connect_tol_m.value)
    return {"area": area, "net": net, "components": comps, "dead_ends": ends,
            "bends": bends(area, min_angle_deg=fl.bend_min_angle_deg.value, split_edge_m=fl.bend_split_edge_m.value,
                           exclude=pads),
            "heights": heights, "aerial": bool(len(high))}


def _with_sites(area: BaseGeometry, sites: gpd.GeoDataFrame | None, state: str, tol: float) -> BaseGeometry:
    """Lane area plus the rescue sites of ``state`` that adjoin it (within ``tol`` m)."""
    if sites is None or not len(sites) or area.is_empty:
        return area
    sel = sites[_in_state(sites["phase"], state)] if "phase" in sites else sites
    near = [g for g in sel.geometry if g is not None and g.distance(area) <= tol]
    return shapely.union_all([area, *near]) if near else area


def _marks(geoms: list[BaseGeometry]) -> BaseGeometry:
    """Several bends as one map geometry: discs of ``_MARK_M`` m around them (no MultiPoint, which web maps
    draw as a group of markers without one element)."""
    return shapely.union_all([g.buffer(_MARK_M) for g in geoms])


def _val(x: float) -> float | None:
    return None if x is None or (isinstance(x, float) and np.isnan(x)) else float(x)


def lane_checks(
    lanes: gpd.GeoDataFrame | None,
    *,
    before: gpd.GeoDataFrame,
    after: gpd.GeoDataFrame,
    roads: gpd.GeoDataFrame | None = None,
    rescue_sites: gpd.GeoDataFrame | None = None,
    counterparts: dict[str, str] | None = None,
    rules: RulePack | None = None,
) -> tuple[list[Finding], gpd.GeoDataFrame]:
    """All fire-lane checks for the existing and the proposed state.

    Parameters
    ----------
    lanes : GeoDataFrame or None
        The ``fire_lanes`` layer (Polygon, or LineString with ``width_m``; ``phase`` existing /
        proposed / both; optional ``clear_height_m``, ``heavy_trucks``).
    before, after : GeoDataFrame
        Project buildings (no context) of the existing and proposed states with ``building_id``,
        ``use``, ``height_class``.
    roads : GeoDataFrame, optional
        The ``roads`` layer (lane connection to the road network).
    rescue_sites : GeoDataFrame, optional
        The ``rescue_sites`` layer.  For FL-02 a rescue site that adjoins a lane counts as
        part of the lane (GB 55037 3.4.3: the lane lies on the rescue-site side; trucks reach
        the façade across the site).
    counterparts : dict, optional
        Proposed building id → existing building id it replaces (for the long-side triple).

    Returns
    -------
    (list of Finding, GeoDataFrame)
        Findings and the ``fire_lane_checks`` table (one row per measured item, with geometry).
    """
    rp = pack(rules)
    fl = rp.fire_lane
    allow = fl.allow_not_worse.value
    proxy_zh = "（无原建造标准资料，以现状代替）"
    proxy_en = " (the existing state stands in for the standard at original construction)"
    if lanes is None or not len(lanes):
        f = Finding("FL-05", ("project",), Verdict.NOT_CHECKED,
                    "缺少消防车道图层 fire_lanes，消防车道各项未检查；请提供车道面（净宽铺装范围）或带 width_m 的中心线。",
                    "No fire_lanes layer: the fire-lane checks were not run; fix: add the clear paved lane area as polygons "
                    "or centre lines with width_m.", layer="fire_lanes", source=fl.min_width_m.source)
        return [f], gpd.GeoDataFrame(columns=["check", "state", "value", "threshold", "verdict", "geometry"],
                                     geometry="geometry", crs=after.crs)
    ra = road_area(roads)
    ex = _state_facts(lanes, ra, before, "existing", rp)
    pr = _state_facts(lanes, ra, after, "proposed", rp)
    findings: list[Finding] = []
    rows: list[dict[str, Any]] = []

    def add(f: Finding, check: str) -> None:
        rz, ren = removed_note(f.verdict, f.existing, f.threshold)  # every lane rule is a minimum
        if rz and REMOVED_ZH not in f.message_zh:
            f = dataclasses.replace(f, message_zh=f.message_zh[:-1] + rz + f.message_zh[-1],
                                    message_en=f.message_en[:-1] + ren + f.message_en[-1])
        findings.append(f)
        rows.append({"check": check, "rule_id": f.rule_id, "subject": ",".join(f.subject_ids),
                     "existing": _val(f.existing) if isinstance(f.existing, float) else f.existing,
                     "proposed": f.proposed, "threshold": f.threshold, "verdict": str(f.verdict),
                     "message_zh": f.message_zh, "geometry": f.geometry})

    # FL-05 width, per proposed component (existing: narrowest existing section touching it)
    wmin = fl.min_width_m.value
    for k, c in enumerate(pr["components"]):
        exw = [e["width_m"] for e in ex["components"] if e["geometry"].intersects(c["geometry"])]
        exv = min(exw) if exw else None
        v = judge(exv, _val(c["width_m"]), wmin, sense="min", allow_not_worse=allow)
        extra = proxy_zh if v is Verdict.PASS_NOT_WORSE else ""
        add(Finding("FL-05", (f"lane{k + 1}",), v,
                    f"消防车道 {k + 1}：最窄净宽 {c['width_m']:.2f} m（图中断面），要求 ≥{wmin:g} m"
                    + (f"；现状 {exv:.2f} m" if exv is not None else "") + extra + "。",
                    f"Fire lane {k + 1}: narrowest clear width {c['width_m']:.2f} m (section drawn), required ≥ {wmin:g} m"
                    + (f"; existing {exv:.2f} m" if exv is not None else "") + (proxy_en if extra else "") + ".",
                    existing=exv, proposed=_val(c["width_m"]), threshold=wmin, unit="m", source=fl.min_width_m.source,
                    geometry=c["section"], layer="fire_lanes"), "width")
    # FL-05 clear height
    if pr["heights"]:
        hv, hg = min(pr["heights"], key=lambda t: t[0])
        exh = min((h for h, _ in ex["heights"]), default=None)
        hmin = fl.min_clear_height_m.value
        v = judge(exh, hv, hmin, sense="min", allow_not_worse=allow)
        add(Finding("FL-05", ("clear_height",), v,
                    f"消防车道最小净高 {hv:.2f} m，要求 ≥{hmin:g} m" + (f"；现状 {exh:.2f} m" if exh is not None else "")
                    + (proxy_zh if v is Verdict.PASS_NOT_WORSE else "") + "。",
                    f"Lowest clear height over a fire lane {hv:.2f} m, required ≥ {hmin:g} m"
                    + (f"; existing {exh:.2f} m" if exh is not None else "")
                    + (proxy_en if v is Verdict.PASS_NOT_WORSE else "") + ".",
                    existing=exh, proposed=hv, threshold=hmin, unit="m", source=fl.min_clear_height_m.source,
                    geometry=hg, layer="fire_lanes"), "clear_height")
    # FL-01 connection to roads
    for k, c in enumerate(pr["components"]):
        if roads is None or not len(roads):
            v, msg_zh, msg_en = (Verdict.NOT_CHECKED, "缺少道路图层 roads，无法判断消防车道是否与市政道路连通。",
                                 "No roads layer, so the lane's connection to the road network is unknown; fix: add roads.")
        else:
            v = Verdict.PASS if c["connected"] else Verdict.FAIL
            msg_zh = f"消防车道 {k + 1}" + ("与道路连通。" if c["connected"] else "未与任何道路连通（孤立车道）。")
            msg_en = f"Fire lane {k + 1} " + ("connects to a road." if c["connected"] else "does not connect to any road.")
        add(Finding("FL-01", (f"lane{k + 1}",), v, msg_zh, msg_en, proposed=float(c["connected"]), threshold=1.0,
                    source=fl.connect_to_road.source, geometry=c["geometry"].boundary, layer="fire_lanes"), "connection")
    # FL-10 dead ends and turnarounds
    for d in pr["dead_ends"]:
        if not d["long"]:
            continue
        near = [e for e in ex["dead_ends"] if e.get("long") and e["point"].distance(d["point"]) <= d["required_m"]]
        exs = max((e["square_m"] for e in near), default=None)
        v = judge(exs, d["square_m"], d["required_m"], sense="min", allow_not_worse=allow)
        geom = d["square"] if d["square"] is not None and v is Verdict.PASS else d["point"].buffer(d["required_m"] / 2, cap_style="square")
        add(Finding("FL-10", (f"deadend@{d['point'].x:.0f},{d['point'].y:.0f}",), v,
                    f"尽头式消防车道长 {d['length_m']:.1f} m（>{fl.deadend_max_len_m.value:g} m），尽端可容纳回车场 "
                    f"{d['square_m']:g}×{d['square_m']:g} m，要求 ≥{d['required_m']:g}×{d['required_m']:g} m"
                    + ("" if v is Verdict.PASS else "（图中方框为所需回车场位置）") + "。",
                    f"Dead-end fire lane {d['length_m']:.1f} m long (> {fl.deadend_max_len_m.value:g} m); the largest "
                    f"turnaround at its end is {d['square_m']:g} × {d['square_m']:g} m, required ≥ "
                    f"{d['required_m']:g} × {d['required_m']:g} m"
                    + ("" if v is Verdict.PASS else " (the square marks the missing turnaround)") + ".",
                    existing=exs, proposed=d["square_m"], threshold=d["required_m"], unit="m",
                    source=f"{fl.deadend_max_len_m.source}; {d['required_source']}", geometry=geom, layer="fire_lanes",
                    details={"length_m": round(d["length_m"], 2)}), "turnaround")
    # FL-10 existing long dead ends without an adequate turnaround that the proposal removed: the lane end is
    # gone, or lies inside the lane area on a through lane / a proposed dead end that passes
    for e in ex["dead_ends"]:
        if not e["long"] or e["square_m"] >= e["required_m"] - 1e-9:
            continue
        if any(d["long"] and d["point"].distance(e["point"]) <= e["required_m"] for d in pr["dead_ends"]):
            continue  # the proposed dead end there carries it as its existing value (triple above)
        on = pr["area"].distance(e["point"]) <= fl.road_connect_tol_m.value
        now_zh = "方案中该车道延伸或连通，尽端已不在此处" if on else "方案中该尽头式车道已取消"
        now_en = "the proposal extends or connects the lane, so its end is no longer there" if on else \
            "the proposal removes the dead-end lane"
        add(Finding("FL-10", (f"deadend@{e['point'].x:.0f},{e['point'].y:.0f}",), Verdict.PASS,
                    f"现状尽头式消防车道长 {e['length_m']:.1f} m（>{fl.deadend_max_len_m.value:g} m），尽端回车场 "
                    f"{e['square_m']:g}×{e['square_m']:g} m，不足 {e['required_m']:g}×{e['required_m']:g} m；"
                    f"{now_zh}，{REMOVED_ZH}。",
                    f"Existing dead-end fire lane {e['length_m']:.1f} m long (> {fl.deadend_max_len_m.value:g} m) with "
                    f"a turnaround of {e['square_m']:g} × {e['square_m']:g} m, short of {e['required_m']:g} × "
                    f"{e['required_m']:g} m; {now_en}: {REMOVED_EN}.",
                    existing=e["square_m"], proposed=None, threshold=e["required_m"], unit="m",
                    source=f"{fl.deadend_max_len_m.source}; {e['required_source']}", geometry=e["path"],
                    layer="fire_lanes", details={"length_m": round(e["length_m"], 2), "existing_problem_removed": True}),
            "turnaround")
    # FL-06 bends: one finding per proposed bend short of the radius (existing = the bend at the same place),
    # one summary for the bends that pass, and a PASS for each short existing bend the proposal removed
    thr_p = fl.min_turn_radius_aerial_m if pr["aerial"] else fl.min_turn_radius_m
    thr_e = fl.min_turn_radius_aerial_m if ex["aerial"] else fl.min_turn_radius_m
    tol = fl.road_connect_tol_m.value
    aer_zh, aer_en = ("（服务高层，按登高车）", " (aerial trucks for a high-rise)") if pr["aerial"] else ("", "")
    what_zh, what_en = "转弯处铺装内缘半径", "inner-edge radius of the paved area at the bend"
    short_p = [b for b in pr["bends"] if b["radius_m"] < thr_p.value - 1e-9]
    same_place = []  # bends short as they were: one finding for all of them
    for b in short_p:
        same = [e["radius_m"] for e in ex["bends"] if e["geometry"].distance(b["geometry"]) <= tol]
        exr = min(same) if same else None
        v = judge(exr, b["radius_m"], thr_p.value, sense="min", allow_not_worse=allow)
        if v is Verdict.PASS_NOT_WORSE:
            same_place.append((b, exr))
            continue
        sharp = ("（直角内角，无转弯圆弧）", " (sharp inner corner, no kerb arc)") if b["radius_m"] == 0 else ("", "")
        p0 = b["geometry"].representative_point()
        add(Finding("FL-06", (f"bend@{p0.x:.0f},{p0.y:.0f}",), v,
                    f"消防车道转弯（转角 {b['turn_deg']:.0f}°）{what_zh} {b['radius_m']:.2f} m{sharp[0]}，"
                    f"要求 ≥{thr_p.value:g} m{aer_zh}" + (f"；现状同处 {exr:.2f} m" if exr is not None else "；现状无此转弯")
                    + "。",
                    f"Fire-lane bend ({b['turn_deg']:.0f}°): {what_en} {b['radius_m']:.2f} m{sharp[1]}, required ≥ "
                    f"{thr_p.value:g} m{aer_en}" + (f"; existing {exr:.2f} m at the same place" if exr is not None
                                                    else "; no such bend today") + ".",
                    existing=exr, proposed=b["radius_m"], threshold=thr_p.value, unit="m", source=thr_p.source,
                    geometry=b["geometry"], layer="fire_lanes", details={"turn_deg": round(b["turn_deg"], 1)}),
            "turning_radius")
    if same_place:
        worst_b, _ = min(same_place, key=lambda t: t[0]["radius_m"])
        exw = min(t[1] for t in same_place)
        add(Finding("FL-06", ("bends_as_existing",), Verdict.PASS_NOT_WORSE,
                    f"{len(same_place)} 处消防车道转弯的{what_zh}不足 {thr_p.value:g} m{aer_zh}（最小 "
                    f"{worst_b['radius_m']:.2f} m），与现状同处相同或更大" + proxy_zh + "。",
                    f"{len(same_place)} fire-lane bend(s) have an {what_en} below {thr_p.value:g} m{aer_en} (smallest "
                    f"{worst_b['radius_m']:.2f} m), no smaller than at the same place today" + proxy_en + ".",
                    existing=exw, proposed=worst_b["radius_m"], threshold=thr_p.value, unit="m", source=thr_p.source,
                    geometry=_marks([t[0]["geometry"] for t in same_place]), layer="fire_lanes",
                    details={"bends": len(same_place)}), "turning_radius")
    ok = [b for b in pr["bends"] if b["radius_m"] >= thr_p.value - 1e-9]
    if ok:
        worst = min(ok, key=lambda b: b["radius_m"])
        add(Finding("FL-06", ("bends_ok",), Verdict.PASS,
                    f"{len(ok)} 处消防车道转弯的{what_zh}均 ≥{thr_p.value:g} m{aer_zh}，最小 {worst['radius_m']:.2f} m。",
                    f"{len(ok)} fire-lane bend(s) have an {what_en} ≥ {thr_p.value:g} m{aer_en}; smallest "
                    f"{worst['radius_m']:.2f} m.",
                    proposed=worst["radius_m"], threshold=thr_p.value, unit="m", source=thr_p.source,
                    geometry=_marks([b["geometry"] for b in ok]), layer="fire_lanes",
                    details={"bends": len(ok)}), "turning_radius")
    gone = []
    for e in ex["bends"]:
        if e["radius_m"] >= thr_e.value - 1e-9:
            continue
        if any(b["geometry"].distance(e["geometry"]) <= tol for b in short_p):
            continue  # still a short bend there (reported above)
        gone.append(e)
    if gone:
        worst_e = min(gone, key=lambda e: e["radius_m"])
        add(Finding("FL-06", ("bends_removed",), Verdict.PASS,
                    f"现状 {len(gone)} 处消防车道转弯的{what_zh}不足 {thr_e.value:g} m（最小 {worst_e['radius_m']:.2f} m），"
                    f"方案中这些位置已无转弯或半径已足够，{REMOVED_ZH}。",
                    f"{len(gone)} existing fire-lane bend(s) with an {what_en} below {thr_e.value:g} m (smallest "
                    f"{worst_e['radius_m']:.2f} m) are gone or wide enough in the proposal: {REMOVED_EN}.",
                    existing=worst_e["radius_m"], proposed=None, threshold=thr_e.value, unit="m", source=thr_e.source,
                    geometry=_marks([e["geometry"] for e in gone]), layer="fire_lanes",
                    details={"bends": len(gone), "existing_problem_removed": True}), "turning_radius")
    # FL-02 long sides and FL-08 lane to wall, per project building
    cp = {str(k): str(v) for k, v in (counterparts or {}).items() if v is not None}
    ex_bld = {str(r.building_id): r.geometry for r in before.itertuples()}
    reach = {"existing": _with_sites(ex["area"], rescue_sites, "existing", fl.road_connect_tol_m.value),
             "proposed": _with_sites(pr["area"], rescue_sites, "proposed", fl.road_connect_tol_m.value)}
    for r in after.itertuples():
        bid = str(r.building_id)
        res = str(getattr(r, "use", "residential")) == "residential"
        need = fl.residential_lane_sides.value if res or str(r.height_class) == "multi" else 2
        n = long_side_service(r.geometry, reach["proposed"], max_offset=fl.max_offset_to_long_side_m.value,
                              min_coverage=fl.long_side_coverage_min.value)[0]
        eid = cp.get(bid, bid)
        exn = None
        if eid in ex_bld:
            exn = float(long_side_service(ex_bld[eid], reach["existing"], max_offset=fl.max_offset_to_long_side_m.value,
                                          min_coverage=fl.long_side_coverage_min.value)[0])
        v = judge(exn, float(n), float(need), sense="min", allow_not_worse=allow)
        add(Finding("FL-02", (bid,), v,
                    f"建筑 {bid}：沿长边设置消防车道的长边数 {n}，要求 ≥{need}" + (f"；现状 {exn:.0f}" if exn is not None else "") + "。",
                    f"Building {bid}: {n} long side(s) with a fire lane along them, required ≥ {need}"
                    + (f"; existing {exn:.0f}" if exn is not None else "") + ".",
                    existing=exn, proposed=float(n), threshold=float(need), unit="", source=fl.residential_lane_sides.source,
                    geometry=r.geometry.boundary, layer="buildings"), "long_side")
        dist = float(r.geometry.distance(pr["area"])) if not pr["area"].is_empty else float("nan")
        if not np.isnan(dist) and dist <= fl.max_offset_to_long_side_m.value:
            exd = None
            if eid in ex_bld and not ex["area"].is_empty:
                exd = float(ex_bld[eid].distance(ex["area"]))
                exd = exd if exd <= fl.max_offset_to_long_side_m.value else None
            wv = judge(exd, dist, fl.min_lane_to_wall_m.value, sense="min", soft=fl.min_lane_to_wall_m.soft,
                       allow_not_worse=allow)
            gap = shapely.shortest_line(r.geometry, pr["area"])
            add(Finding("FL-08", (bid,), wv,
                        f"建筑 {bid}：消防车道边缘距外墙 {dist:.2f} m，宜 ≥{fl.min_lane_to_wall_m.value:g} m"
                        + (f"；现状 {exd:.2f} m" if exd is not None else "") + "。",
                        f"Building {bid}: lane edge {dist:.2f} m from the wall, should be ≥ {fl.min_lane_to_wall_m.value:g} m"
                        + (f"; existing {exd:.2f} m" if exd is not None else "") + ".",
                        existing=exd, proposed=dist, threshold=fl.min_lane_to_wall_m.value, unit="m",
                        source=fl.min_lane_to_wall_m.source, geometry=gap, layer="buildings"), "lane_to_wall")
    table = gpd.GeoDataFrame(rows, geometry="geometry", crs=after.crs) if rows else gpd.GeoDataFrame(
        columns=["check", "verdict", "geometry"], geometry="geometry", crs=after.crs)
    return findings, table

