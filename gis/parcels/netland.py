"""Net land (净地): merging scattered parcels into one clean plot.

The seed policy's 市场化共建 step ④ asks to "merge the scattered plots into net land" (将零散地块整合为净地),
and 六(二)1 lets scrap plots (边角地、夹心地、插花地) join the surrounding land.  This module does the
geometry of that merge, with the checks of RULES.md §5.2:

* overlaps between source parcels (LC-07) — an ownership conflict (权属冲突), reported and never hidden;
* digitising gaps narrower than the snap tolerance are closed, wider gaps, holes and slivers are reported
  with their area and location (LC-06);
* control-line areas (red / green / blue / purple / yellow lines, 控制线) and road red-line areas (道路红线)
  are subtracted (LC-09);
* contiguity (LC-05) and area reconciliation against the register (LC-10).

Every part of the net land keeps its provenance: the source parcel(s) it comes from.

Units: metres and square metres in the projected CRS of the site (CGCS2000 3° Gauss-Krüger in Urumqi).
All functions are pure: GeoDataFrames in, GeoDataFrames and numbers out.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from gis.parcels._params import land_param

if TYPE_CHECKING:
    from gis.rules import RulePack

__all__ = [
    "NetLand",
    "merge_net_land",
    "find_overlaps",
    "close_gaps",
    "road_areas",
    "excluded_areas",
    "reconcile_areas",
    "polygon_parts",
    "thinness",
    "ISSUE_COLUMNS",
]

#: Area below which a piece is floating-point noise of an overlay (m²).  Not a rule number.
AREA_EPS = 1e-6

ISSUE_COLUMNS = ["kind", "parcel_ids", "area_m2", "width_m", "closed", "x", "y", "geometry"]

_MITRE = {"join_style": "mitre", "mitre_limit": 10.0}


@dataclass
class NetLand:
    """Result of :func:`merge_net_land`.

    Attributes
    ----------
    parts : GeoDataFrame
        Provenance pieces of the net land (净用地): ``source_ids`` (comma-separated parcel ids),
        ``kind`` (``parcel`` = land of one parcel, ``overlap`` = land claimed by several parcels,
        ``gap_fill`` = a digitising gap closed by snapping), ``part_no`` (connected part of the net land,
        0-based), ``area_m2``.  The union of the pieces is :attr:`net`; their areas add up to
        :attr:`net_area_m2`.
    issues : GeoDataFrame
        Gaps, slivers, holes and overlaps (``kind`` in ``gap_closed``, ``gap``, ``hole``, ``sliver``,
        ``sliver_removed``, ``overlap``), with ``parcel_ids``, ``area_m2`` (m²), ``width_m`` (width of
        the widest disc that fits, m), ``closed`` (whether the merge absorbed it), ``x``/``y`` (a point
        inside it) and the piece itself as geometry.
    subtracted : GeoDataFrame
        Areas taken out of the merged land: ``kind`` (control-line kind or ``road``), ``source_id``,
        ``area_m2`` (area of that feature inside the merged land; features may overlap each other).
    merged : shapely geometry
        The union of the source parcels with closed gaps (总用地 before subtraction).
    net : shapely geometry
        ``merged`` minus the subtracted areas and removed slivers (净用地).
    merged_area_m2, net_area_m2, subtracted_area_m2 : float
        Areas in m²; ``subtracted_area_m2`` is the area of the union of subtracted features inside ``merged``.
    n_parts : int
        Number of connected parts of ``net`` (LC-05).
    problems : list of str
        Input problems that made part of the work impossible (e.g. a road centreline without width).
    """

    parts: gpd.GeoDataFrame
    issues: gpd.GeoDataFrame
    subtracted: gpd.GeoDataFrame
    merged: BaseGeometry
    net: BaseGeometry
    merged_area_m2: float
    net_area_m2: float
    subtracted_area_m2: float
    n_parts: int
    source_area_m2: float = 0.0
    closed_gap_area_m2: float = 0.0
    overlap_area_m2: float = 0.0
    problems: list[str] = field(default_factory=list)

    def issues_of(self, kind: str) -> gpd.GeoDataFrame:
        """The issues of one ``kind``."""
        return self.issues[self.issues["kind"] == kind]


# ---------------------------------------------------------------------------------------------
# geometry helpers


def polygon_parts(geom: BaseGeometry | None) -> np.ndarray:
    """The polygons of a (multi)polygon or collection as an array (empty array for empty input)."""
    if geom is None or geom.is_empty:
        return np.empty(0, dtype=object)
    parts = shapely.get_parts(np.asarray([geom], dtype=object))
    polys = [p for p in parts if p.geom_type == "Polygon" and not p.is_empty]
    multi = [q for p in parts if p.geom_type == "MultiPolygon" for q in p.geoms]
    return np.asarray(polys + multi, dtype=object)


def _as_polygonal(geom: BaseGeometry | None) -> BaseGeometry:
    parts = polygon_parts(geom)
    if len(parts) == 0:
        return Polygon()
    if len(parts) == 1:
        return parts[0]
    return MultiPolygon(list(parts))


def thinness(geoms: Any) -> np.ndarray:
    """Isoperimetric thinness ``4πA/P²`` (1 for a disc, → 0 for a sliver), dimensionless."""
    geoms = np.asarray(geoms, dtype=object)
    area = shapely.area(geoms)
    perim = shapely.length(geoms)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(perim > 0, 4.0 * math.pi * area / perim**2, 0.0)


def _width(geoms: Any) -> np.ndarray:
    """Diameter (m) of the largest inscribed disc of each polygon (its "width")."""
    geoms = np.asarray(geoms, dtype=object)
    if len(geoms) == 0:
        return np.empty(0)
    out = np.zeros(len(geoms))
    ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    # the tolerance bounds the error of the radius; 1 mm is far below any rule number here
    out[ok] = 2.0 * shapely.length(shapely.maximum_inscribed_circle(geoms[ok], tolerance=0.001))
    return out


def _closing(geom: BaseGeometry, half_width: float) -> BaseGeometry:
    """Morphological closing: fills gaps narrower than ``2 * half_width`` m (mitre joins keep corners)."""
    if half_width <= 0 or geom.is_empty:
        return geom
    closed = shapely.buffer(shapely.buffer(geom, half_width, **_MITRE), -half_width, **_MITRE)
    # mitre limits can clip very acute corners: never lose land of the input
    return shapely.union(closed, geom)


def _explode(geom: BaseGeometry) -> np.ndarray:
    parts = polygon_parts(geom)
    if len(parts) == 0:
        return parts
    return parts[shapely.area(parts) > AREA_EPS]


def _issue_frame(rows: list[dict[str, Any]], crs: Any) -> gpd.GeoDataFrame:
    frame = pd.DataFrame(rows, columns=ISSUE_COLUMNS)
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=crs)


def _neighbour_ids(pieces: np.ndarray, tree: shapely.STRtree, ids: np.ndarray, distance: float) -> list[str]:
    if len(pieces) == 0:
        return []
    pairs = tree.query(pieces, predicate="dwithin", distance=distance)
    out: list[list[str]] = [[] for _ in range(len(pieces))]
    for a, b in zip(*pairs, strict=True):
        out[a].append(str(ids[b]))
    return [",".join(sorted(set(x))) for x in out]


# ---------------------------------------------------------------------------------------------
# building blocks


def find_overlaps(
    parcels: gpd.GeoDataFrame,
    *,
    overlap_tol_m2: float | None = None,
    id_field: str = "parcel_id",
    rules: RulePack | None = None,
) -> gpd.GeoDataFrame:
    """Overlaps between parcels (宗地重叠, LC-07), found with an STRtree.

    Parameters
    ----------
    parcels : GeoDataFrame
        Polygons with an id field.
    overlap_tol_m2 : float, optional
        Overlaps up to this area (m²) are tolerated as digitising noise (rule ``land.overlap_tol_m2``).
    id_field : str
        Field holding the parcel id.

    Returns
    -------
    GeoDataFrame
        One row per overlapping pair: ``id_a``, ``id_b``, ``area_m2``, ``tolerated`` (area ≤ tolerance),
        ``x``, ``y`` (a point inside the overlap) and the overlap polygon.
    """
    tol = float(land_param(overlap_tol_m2, "overlap_tol_m2", rules))
    geoms = parcels.geometry.to_numpy()
    ids = parcels[id_field].astype(str).to_numpy() if id_field in parcels.columns else np.arange(len(parcels)).astype(str)
    tree = shapely.STRtree(geoms)
    a, b = tree.query(geoms, predicate="intersects")
    keep = a < b
    a, b = a[keep], b[keep]
    inter = shapely.intersection(geoms[a], geoms[b])
    inter = np.asarray([_as_polygonal(g) for g in inter], dtype=object) if len(inter) else inter
    area = shapely.area(inter) if len(inter) else np.empty(0)
    sel = area > AREA_EPS
    a, b, inter, area = a[sel], b[sel], inter[sel], area[sel]
    pts = shapely.point_on_surface(inter) if len(inter) else inter
    frame = pd.DataFrame(
        {
            "id_a": ids[a],
            "id_b": ids[b],
            "area_m2": area,
            "tolerated": area <= tol,
            "x": shapely.get_x(pts) if len(pts) else np.empty(0),
            "y": shapely.get_y(pts) if len(pts) else np.empty(0),
            "idx_a": a,
            "idx_b": b,
        }
    )
    return gpd.GeoDataFrame(frame, geometry=list(inter), crs=parcels.crs)


def close_gaps(union: BaseGeometry, *, snap_tol_m: float) -> tuple[BaseGeometry, np.ndarray]:
    """Close digitising gaps (缝隙) of width ≤ ``snap_tol_m`` (m) in a union of parcels.

    Returns the closed geometry and the closed gap pieces (polygons, area > 1e-6 m²).
    A morphological closing with mitre joins is exact for straight-edged gaps and keeps square corners.
    """
    closed = _closing(union, snap_tol_m / 2.0)
    return closed, _explode(shapely.difference(closed, union))


def road_areas(roads: gpd.GeoDataFrame | None, *, layer: str = "roads") -> tuple[gpd.GeoDataFrame, list[str]]:
    """Road red-line areas (道路红线范围) from the ``roads`` layer.

    Polygons are red-line areas as drawn.  Centrelines are buffered by half their ``red_line_width_m``
    (m) with flat ends.  Returns the areas (``source_id``, ``kind`` = ``"road"``) and input problems
    (a centreline without a width cannot be turned into an area and is named).
    """
    problems: list[str] = []
    crs = roads.crs if roads is not None else None
    if roads is None or len(roads) == 0:
        return gpd.GeoDataFrame({"source_id": [], "kind": []}, geometry=[], crs=crs), problems
    geoms = roads.geometry.to_numpy()
    ids = roads["road_id"].astype(str).to_numpy() if "road_id" in roads.columns else np.asarray([f"#{i}" for i in range(len(roads))])
    types = shapely.get_type_id(geoms)
    is_line = np.isin(types, (1, 2, 5))
    is_poly = np.isin(types, (3, 6))
    width = (
        pd.to_numeric(roads["red_line_width_m"], errors="coerce").to_numpy(dtype=float)
        if "red_line_width_m" in roads.columns
        else np.full(len(roads), np.nan)
    )
    out_geoms, out_ids = [], []
    for i in np.flatnonzero(is_poly):
        out_geoms.append(geoms[i])
        out_ids.append(ids[i])
    lines = np.flatnonzero(is_line)
    good = lines[np.isfinite(width[lines]) & (width[lines] > 0)]
    for i in lines:
        if not (np.isfinite(width[i]) and width[i] > 0):
            problems.append(
                f"{layer} road_id={ids[i]}: red_line_width_m is missing or not positive for a centreline, so its "
                "red-line area cannot be subtracted from the net land; fix: enter the red-line width (m) or draw the red-line area as a polygon"
            )
    if len(good):
        buffered = shapely.buffer(geoms[good], width[good] / 2.0, cap_style="flat", join_style="mitre", mitre_limit=10.0)
        out_geoms.extend(buffered)
        out_ids.extend(ids[good])
    frame = pd.DataFrame({"source_id": out_ids, "kind": "road"})
    return gpd.GeoDataFrame(frame, geometry=out_geoms, crs=crs), problems


def excluded_areas(
    control_lines: gpd.GeoDataFrame | None,
    roads: gpd.GeoDataFrame | None,
    *,
    excluded_control_lines: Sequence[str] | None = None,
    rules: RulePack | None = None,
) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Areas that are never net land (LC-09): control lines of the excluded kinds and road red-line areas.

    Returns a frame with ``kind`` (``red``/``green``/``blue``/``purple``/``yellow``/``road``),
    ``source_id`` and polygon geometry, plus input problems.
    """
    kinds = [str(k).lower() for k in land_param(excluded_control_lines, "excluded_control_lines", rules)]
    roads_frame, problems = road_areas(roads)
    frames = [roads_frame]
    if control_lines is not None and len(control_lines):
        if "kind" not in control_lines.columns:
            problems.append(
                "control_lines: field kind is missing, so no control line can be subtracted; "
                "fix: set kind to red / green / blue / purple / yellow"
            )
        else:
            kind = control_lines["kind"].astype(str).str.strip().str.lower()
            geoms = control_lines.geometry.to_numpy()
            poly = np.isin(shapely.get_type_id(geoms), (3, 6))
            cid = (
                control_lines["line_id"].astype(str)
                if "line_id" in control_lines.columns
                else pd.Series([f"#{i}" for i in range(len(control_lines))], index=control_lines.index)
            )
            for i in np.flatnonzero(~poly):
                problems.append(
                    f"control_lines feature {cid.iloc[i]}: geometry is a {geoms[i].geom_type}, not a polygon, so its area "
                    "cannot be subtracted; fix: draw the control-line area as a polygon"
                )
            sel = kind.isin(kinds).to_numpy() & poly
            frames.append(
                gpd.GeoDataFrame(
                    {"source_id": cid.to_numpy()[sel], "kind": kind.to_numpy()[sel]},
                    geometry=list(geoms[sel]),
                    crs=control_lines.crs,
                )
            )
    crs = next((f.crs for f in frames if f.crs is not None), None)
    frames = [f.set_crs(crs, allow_override=True) if f.crs is None and crs is not None else f for f in frames]
    out = pd.concat(frames, ignore_index=True) if frames else frames[0]
    return gpd.GeoDataFrame(out, geometry="geometry", crs=crs), problems


def reconcile_areas(
    parcels: gpd.GeoDataFrame,
    *,
    area_tol_m2: float | None = None,
    area_tol_ratio: float | None = None,
    id_field: str = "parcel_id",
    rules: RulePack | None = None,
) -> pd.DataFrame:
    """Compare GIS areas with registered areas (面积核对, LC-10).

    The tolerance is ``max(area_tol_m2, area_tol_ratio × registered area)`` per parcel (defaults 1 m², 0.1 %).

    Returns
    -------
    DataFrame
        ``parcel_id``, ``gis_area_m2``, ``registered_m2`` (NaN when unknown), ``diff_m2`` (GIS − registered),
        ``tol_m2``, ``ok`` (True / False, None when the registered area is unknown); a last row
        ``parcel_id = "Σ"`` compares the totals over the parcels with a registered area.
    """
    tol_abs = float(land_param(area_tol_m2, "area_tol_m2", rules))
    tol_rel = float(land_param(area_tol_ratio, "area_tol_ratio", rules))
    gis_area = shapely.area(parcels.geometry.to_numpy())
    if "area_registered_m2" in parcels.columns:
        reg = pd.to_numeric(parcels["area_registered_m2"], errors="coerce").to_numpy(dtype=float)
    else:
        reg = np.full(len(parcels), np.nan)
    diff = gis_area - reg
    tol = np.maximum(tol_abs, tol_rel * np.nan_to_num(reg))
    known = np.isfinite(reg)
    ok = np.where(known, np.abs(diff) <= tol + 1e-9, None)
    frame = pd.DataFrame(
        {
            "parcel_id": parcels[id_field].astype(str).to_numpy() if id_field in parcels.columns else np.arange(len(parcels)).astype(str),
            "gis_area_m2": gis_area,
            "registered_m2": reg,
            "diff_m2": diff,
            "tol_m2": tol,
            "ok": ok,
        }
    )
    if known.any():
        g, r = gis_area[known].sum(), reg[known].sum()
        t = max(tol_abs, tol_rel * r)
        frame.loc[len(frame)] = {"parcel_id": "Σ", "gis_area_m2": g, "registered_m2": r, "diff_m2": g - r, "tol_m2": t, "ok": abs(g - r) <= t + 1e-9}
    return frame


# ---------------------------------------------------------------------------------------------
# the merge


def merge_net_land(
    parcels: gpd.GeoDataFrame,
    *,
    roads: gpd.GeoDataFrame | None = None,
    control_lines: gpd.GeoDataFrame | None = None,
    snap_tol_m: float | None = None,
    sliver_thinness: float | None = None,
    sliver_min_width_m: float | None = None,
    overlap_tol_m2: float | None = None,
    excluded_control_lines: Sequence[str] | None = None,
    id_field: str = "parcel_id",
    rules: RulePack | None = None,
) -> NetLand:
    """Merge parcels into net land (整合为净地).

    Parameters
    ----------
    parcels : GeoDataFrame
        The parcels that make the net land (the project parcels and the accepted scrap plots), polygons in
        a projected CRS in metres, with ``parcel_id``.
    roads : GeoDataFrame, optional
        Road red-line areas (polygons) or centrelines with ``red_line_width_m`` (m); subtracted.
    control_lines : GeoDataFrame, optional
        Control-line areas (控制线) with ``kind``; the kinds in ``excluded_control_lines`` are subtracted.
    snap_tol_m : float, optional
        Gaps up to this width (m) are closed (rule ``land.snap_tol_m``, default 0.05 m); net-land parts
        no wider than this are removed as slivers.
    sliver_thinness : float, optional
        A piece with ``4πA/P²`` below this is a sliver (``land.sliver_thinness``).
    sliver_min_width_m : float, optional
        Gaps narrower than this (m) but wider than the snap tolerance are reported as gaps; pieces
        narrower than this are slivers (``land.sliver_min_width_m``).
    overlap_tol_m2 : float, optional
        Overlaps up to this area (m²) are tolerated (``land.overlap_tol_m2``).
    excluded_control_lines : sequence of str, optional
        Control-line kinds subtracted (``land.excluded_control_lines``).
    rules : RulePack, optional
        Pack the defaults come from (the default pack when omitted).

    Returns
    -------
    NetLand
        Net land with provenance, the issue list and the areas; see :class:`NetLand`.

    Notes
    -----
    Area law (tested): ``net_area = Σ parcel areas − Σ overlap areas + closed gap area − subtracted area
    − removed sliver area``.  Merging the merged land again changes nothing (idempotent).
    """
    snap = float(land_param(snap_tol_m, "snap_tol_m", rules))
    thin_max = float(land_param(sliver_thinness, "sliver_thinness", rules))
    min_w = float(land_param(sliver_min_width_m, "sliver_min_width_m", rules))
    crs = parcels.crs
    geoms = parcels.geometry.to_numpy()
    ids = parcels[id_field].astype(str).to_numpy()
    n = len(geoms)
    issues: list[dict[str, Any]] = []

    # -- overlaps (LC-07) and the pieces owned by one parcel only
    overlaps = find_overlaps(parcels, overlap_tol_m2=overlap_tol_m2, id_field=id_field, rules=rules)
    own = geoms.copy()
    piece_geoms: list[BaseGeometry] = []
    piece_src: list[str] = []
    piece_kind: list[str] = []
    if len(overlaps):
        involved = np.unique(np.concatenate([overlaps["idx_a"].to_numpy(), overlaps["idx_b"].to_numpy()]))
        for i in involved:
            others = np.concatenate(
                [overlaps.loc[overlaps["idx_a"] == i, "idx_b"].to_numpy(), overlaps.loc[overlaps["idx_b"] == i, "idx_a"].to_numpy()]
            )
            own[i] = _as_polygonal(shapely.difference(geoms[i], shapely.union_all(geoms[others])))
        taken: BaseGeometry = Polygon()
        for row in overlaps.itertuples():
            piece = _as_polygonal(shapely.difference(row.geometry, taken))
            taken = shapely.union(taken, row.geometry)
            if piece.area > AREA_EPS:
                piece_geoms.append(piece)
                piece_src.append(f"{row.id_a},{row.id_b}")
                piece_kind.append("overlap")
            issues.append(
                {
                    "kind": "overlap",
                    "parcel_ids": f"{row.id_a},{row.id_b}",
                    "area_m2": row.area_m2,
                    "width_m": float(_width([row.geometry])[0]),
                    "closed": bool(row.tolerated),
                    "x": row.x,
                    "y": row.y,
                    "geometry": row.geometry,
                }
            )
    piece_geoms = list(own) + piece_geoms
    piece_src = list(ids) + piece_src
    piece_kind = ["parcel"] * n + piece_kind

    # -- union, closing of gaps within the snap tolerance (LC-06)
    union = shapely.union_all(geoms)
    merged, gap_pieces = close_gaps(union, snap_tol_m=snap)
    merged = _as_polygonal(merged)
    tree = shapely.STRtree(geoms)
    if len(gap_pieces):
        near = _neighbour_ids(gap_pieces, tree, ids, snap)
        widths = _width(gap_pieces)
        pts = shapely.point_on_surface(gap_pieces)
        for g, nb, w, p in zip(gap_pieces, near, widths, pts, strict=True):
            issues.append({"kind": "gap_closed", "parcel_ids": nb, "area_m2": g.area, "width_m": w, "closed": True, "x": p.x, "y": p.y, "geometry": g})
            piece_geoms.append(g)
            piece_src.append(nb)
            piece_kind.append("gap_fill")

    # -- wider gaps (reported, not closed) and enclosed holes
    detected = _as_polygonal(_closing(merged, min_w / 2.0))
    open_gaps = _explode(shapely.difference(detected, merged))
    if len(open_gaps):
        near = _neighbour_ids(open_gaps, tree, ids, min_w)
        widths = _width(open_gaps)
        pts = shapely.point_on_surface(open_gaps)
        for g, nb, w, p in zip(open_gaps, near, widths, pts, strict=True):
            issues.append({"kind": "gap", "parcel_ids": nb, "area_m2": g.area, "width_m": w, "closed": False, "x": p.x, "y": p.y, "geometry": g})
    holes = [Polygon(r) for poly in polygon_parts(detected) for r in poly.interiors]
    holes = [h for h in holes if h.area > AREA_EPS]
    if holes:
        harr = np.asarray(holes, dtype=object)
        near = _neighbour_ids(harr, tree, ids, min_w)
        widths = _width(harr)
        for g, nb, w in zip(harr, near, widths, strict=True):
            p = g.point_on_surface()
            issues.append({"kind": "hole", "parcel_ids": nb, "area_m2": g.area, "width_m": w, "closed": False, "x": p.x, "y": p.y, "geometry": g})

    # -- sliver parcels
    thin = thinness(geoms) < thin_max
    narrow = shapely.is_empty(shapely.buffer(geoms, -min_w / 2.0, **_MITRE))
    for i in np.flatnonzero(thin | narrow):
        p = geoms[i].point_on_surface()
        issues.append(
            {"kind": "sliver", "parcel_ids": ids[i], "area_m2": geoms[i].area, "width_m": float(_width([geoms[i]])[0]), "closed": False, "x": p.x, "y": p.y, "geometry": geoms[i]}
        )

    # -- subtraction of control lines and road red-line areas (LC-09)
    excluded, problems = excluded_areas(control_lines, roads, excluded_control_lines=excluded_control_lines, rules=rules)
    merged_area = merged.area
    sub_rows: list[dict[str, Any]] = []
    excl_union: BaseGeometry = Polygon()
    if len(excluded):
        ex_geoms = excluded.geometry.to_numpy()
        inside = shapely.intersection(ex_geoms, merged)
        inside = np.asarray([_as_polygonal(g) for g in inside], dtype=object)
        area = shapely.area(inside)
        for k, sid, g, a in zip(excluded["kind"], excluded["source_id"], inside, area, strict=True):
            if a > AREA_EPS:
                sub_rows.append({"kind": k, "source_id": sid, "area_m2": a, "geometry": g})
        excl_union = _as_polygonal(shapely.union_all(inside[area > AREA_EPS])) if (area > AREA_EPS).any() else Polygon()
    net = _as_polygonal(shapely.difference(merged, excl_union)) if not excl_union.is_empty else merged
    subtracted_area = merged_area - net.area

    # -- slivers of the net land left by the subtraction: removed when within the snap tolerance
    parts = polygon_parts(net)
    removed: BaseGeometry = Polygon()
    if len(parts) > 1 or (len(parts) == 1 and not excl_union.is_empty):
        gone = shapely.is_empty(shapely.buffer(parts, -snap / 2.0, **_MITRE))
        narrow_p = shapely.is_empty(shapely.buffer(parts, -min_w / 2.0, **_MITRE)) | (thinness(parts) < thin_max)
        for g, is_gone, is_narrow in zip(parts, gone, narrow_p, strict=True):
            if is_gone or is_narrow:
                p = g.point_on_surface()
                issues.append(
                    {
                        "kind": "sliver_removed" if is_gone else "sliver",
                        "parcel_ids": ",".join(_neighbour_ids(np.asarray([g], dtype=object), tree, ids, snap)),
                        "area_m2": g.area,
                        "width_m": float(_width([g])[0]),
                        "closed": bool(is_gone),
                        "x": p.x,
                        "y": p.y,
                        "geometry": g,
                    }
                )
        if gone.any():
            removed = _as_polygonal(shapely.union_all(parts[gone]))
            parts = parts[~gone]
            net = _as_polygonal(shapely.union_all(parts)) if len(parts) else Polygon()

    # -- provenance pieces clipped to the net land
    pg = np.asarray(piece_geoms, dtype=object)
    cut = _as_polygonal(shapely.union(excl_union, removed)) if not removed.is_empty else excl_union
    if not cut.is_empty and len(pg):
        hit = shapely.STRtree(pg).query(cut, predicate="intersects")
        if len(hit):
            pg[hit] = [_as_polygonal(g) for g in shapely.difference(pg[hit], cut)]
    area = shapely.area(pg) if len(pg) else np.empty(0)
    keep = area > AREA_EPS
    pg = pg[keep]
    src = np.asarray(piece_src, dtype=object)[keep]
    kind = np.asarray(piece_kind, dtype=object)[keep]
    if len(pg):
        # one row per polygon, so that every row lies in exactly one connected part of the net land
        pg, index = shapely.get_parts(pg, return_index=True)
        src, kind = src[index], kind[index]
        sel = shapely.area(pg) > AREA_EPS
        pg, src, kind = pg[sel], src[sel], kind[sel]
    part_no = np.full(len(pg), -1, dtype=int)
    if len(parts) and len(pg):
        reps = shapely.point_on_surface(pg)
        pi, pj = shapely.STRtree(parts).query(reps, predicate="intersects")
        part_no[pi] = pj
    parts_frame = gpd.GeoDataFrame(
        {"source_ids": src, "kind": kind, "part_no": part_no, "area_m2": shapely.area(pg) if len(pg) else np.empty(0)},
        geometry=list(pg),
        crs=crs,
    )
    issues_frame = _issue_frame(issues, crs)
    sub_frame = gpd.GeoDataFrame(pd.DataFrame(sub_rows, columns=["kind", "source_id", "area_m2", "geometry"]), geometry="geometry", crs=crs)
    return NetLand(
        parts=parts_frame,
        issues=issues_frame,
        subtracted=sub_frame,
        merged=merged,
        net=net,
        merged_area_m2=float(merged_area),
        net_area_m2=float(net.area),
        subtracted_area_m2=float(subtracted_area),
        n_parts=int(len(parts)),
        source_area_m2=float(shapely.area(geoms).sum()),
        closed_gap_area_m2=float(shapely.area(gap_pieces).sum()) if len(gap_pieces) else 0.0,
        overlap_area_m2=float(overlaps["area_m2"].sum()) if len(overlaps) else 0.0,
        problems=problems,
    )
