"""Setbacks (建筑退线) from road red lines and from the net-land boundary, RULES.md §3.2 and §3.5.

Rule ids: ``SB-N1`` (no part of a building beyond a road red line or the land red line = net-land
boundary, ``setback.no_projection_beyond_red_lines``, GB 50352-2019 4.2; for the land red line
``gap_m`` is negative: how far the footprint reaches beyond it),
``SB-01`` (road setback by red-line width and height class, ``setback.road_*``), ``SB-02``
(net-land boundary setback: main façade or gable, low / multi / high, ``setback.boundary_*``; with
``setback.half_spacing`` a main façade facing a boundary to its north keeps at least half of the
parallel spacing its own height requires, a gable half the gable spacing).

Distances are shortest distances between the footprint (outer wall) and the red-line area or the
boundary line, m.  Roads come as red-line polygons or centre lines with ``red_line_width_m``.
Boundary parts lying along a road red line (within ``fire_lane.road_connect_tol_m``) are road
frontage and are checked by SB-01 instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gis.findings import Finding, Verdict, judge
from gis.massing._improve import removed_note
from gis.massing._rules import pack
from gis.massing.shape import footprint_axes

if TYPE_CHECKING:
    from gis.rules import RulePack

__all__ = ["road_setback_required", "road_setbacks", "boundary_setbacks", "setback_findings"]


def road_setback_required(width_m: float, height_m: float, *, rules: RulePack | None = None) -> float:
    """Required setback (m) from a road red line of width ``width_m`` for a residential building of ``height_m``.

    Width bins ``setback.road_width_bins_m`` are lower edges; a road narrower than the first
    edge takes the first bin.  Height ≤ ``building.height_class.residential_multi_max_m`` uses
    ``road_residential_low_m``, above it ``road_residential_high_m``.
    """
    rp = pack(rules)
    sb = rp.setback
    bins = np.asarray(sb.road_width_bins_m.value, float)
    i = int(np.clip(np.searchsorted(bins, width_m, side="right") - 1, 0, len(bins) - 1))
    table = sb.road_residential_low_m if height_m <= rp.building.height_class.residential_multi_max_m.value \
        else sb.road_residential_high_m
    return float(table.value[i])


def _road_parts(roads: gpd.GeoDataFrame) -> list[tuple[str, float, Any]]:
    out = []
    widths = roads.get("red_line_width_m", pd.Series(np.nan, index=roads.index))
    ids = roads.get("road_id", pd.Series(range(len(roads)), index=roads.index)).astype(str)
    for rid, w, g in zip(ids, widths, roads.geometry, strict=True):
        if g is None or g.is_empty:
            continue
        if g.geom_type in ("LineString", "MultiLineString"):
            if w is None or pd.isna(w):
                continue
            out.append((rid, float(w), g.buffer(float(w) / 2.0, cap_style="flat")))
        else:
            width = float(w) if w is not None and not pd.isna(w) else 2.0 * shapely.maximum_inscribed_circle(g).length
            out.append((rid, width, g))
    return out


def road_setbacks(
    after: gpd.GeoDataFrame,
    roads: gpd.GeoDataFrame | None,
    *,
    before: gpd.GeoDataFrame | None = None,
    counterparts: dict[str, str] | None = None,
    rules: RulePack | None = None,
) -> gpd.GeoDataFrame:
    """Setback of each proposed building from the road red lines near it (worst road per building).

    Parameters
    ----------
    after : GeoDataFrame
        Proposed project buildings (``building_id``, ``height_m``).
    roads : GeoDataFrame
        The ``roads`` layer.
    before : GeoDataFrame, optional
        Existing buildings, for the existing setback of the replaced building.
    counterparts : dict, optional
        Proposed id → existing id.

    Returns
    -------
    GeoDataFrame
        ``building_id``, ``road_id``, ``road_width_m``, ``required_m``, ``gap_m``,
        ``existing_gap_m``, ``encroaches``, ``rule_id``, ``verdict``; geometry = gap line.
    """
    rp = pack(rules)
    sb = rp.setback
    cols = ["building_id", "road_id", "road_width_m", "required_m", "gap_m", "existing_gap_m", "encroaches",
            "rule_id", "verdict"]
    if roads is None or not len(roads) or not len(after):
        return gpd.GeoDataFrame(columns=[*cols, "geometry"], geometry="geometry", crs=after.crs)
    parts = _road_parts(roads)
    search = 2.0 * max(max(sb.road_residential_low_m.value), max(sb.road_residential_high_m.value))
    ex = {str(r.building_id): r.geometry for r in before.itertuples()} if before is not None else {}
    cp = {str(k): str(v) for k, v in (counterparts or {}).items() if v is not None}
    rows = []
    for r in after.itertuples():
        bid = str(r.building_id)
        best = None
        for rid, w, area in parts:
            gap = float(r.geometry.distance(area))
            if gap > search:
                continue
            req = road_setback_required(w, float(r.height_m), rules=rp)
            if best is None or gap - req < best[4] - best[3]:
                best = (rid, w, area, req, gap)
        if best is None:
            continue
        rid, w, area, req, gap = best
        enc = bool(sb.no_projection_beyond_red_lines.value and r.geometry.intersects(area)
                   and r.geometry.intersection(area).area > 1e-6)
        eg = ex.get(cp.get(bid, bid))
        exg = float(eg.distance(area)) if eg is not None else None
        if enc:
            v, rule = Verdict.FAIL, "SB-N1"
        else:
            v, rule = judge(exg, gap, req, sense="min", allow_not_worse=sb.allow_not_worse.value), "SB-01"
        rows.append({"building_id": bid, "road_id": rid, "road_width_m": w, "required_m": req, "gap_m": gap,
                     "existing_gap_m": exg, "encroaches": enc, "rule_id": rule, "verdict": str(v),
                     "geometry": shapely.shortest_line(r.geometry, area) if not enc else r.geometry.intersection(area)})
    return gpd.GeoDataFrame(rows, columns=[*cols, "geometry"], geometry="geometry", crs=after.crs)


def boundary_setbacks(
    after: gpd.GeoDataFrame,
    net_land,
    *,
    roads: gpd.GeoDataFrame | None = None,
    before: gpd.GeoDataFrame | None = None,
    counterparts: dict[str, str] | None = None,
    grid_north_azimuth_deg: float = 0.0,
    rules: RulePack | None = None,
) -> gpd.GeoDataFrame:
    """Setback of each proposed building from the net-land boundary (用地红线), road frontage excluded.

    Returns
    -------
    GeoDataFrame
        ``building_id``, ``facade`` (main/gable), ``height_band`` (0 low, 1 multi, 2 high),
        ``table_m``, ``half_spacing_m``, ``required_m``, ``gap_m``, ``existing_gap_m``,
        ``verdict``; geometry = gap line to the boundary.
    """
    rp = pack(rules)
    sb, sp = rp.setback, rp.spacing
    cols = ["building_id", "facade", "height_band", "table_m", "half_spacing_m", "required_m", "gap_m",
            "existing_gap_m", "rule_id", "verdict"]
    if net_land is None or net_land.is_empty or not len(after):
        return gpd.GeoDataFrame(columns=[*cols, "geometry"], geometry="geometry", crs=after.crs)
    line = net_land.boundary
    if roads is not None and len(roads):
        ra = shapely.union_all([p[2] for p in _road_parts(roads)])
        line = line.difference(ra.buffer(rp.fire_lane.road_connect_tol_m.value))
    if line.is_empty:
        return gpd.GeoDataFrame(columns=[*cols, "geometry"], geometry="geometry", crs=after.crs)
    a = np.radians(-grid_north_azimuth_deg)
    north = np.array([np.sin(a), np.cos(a)])
    ex = {str(r.building_id): r.geometry for r in before.itertuples()} if before is not None else {}
    cp = {str(k): str(v) for k, v in (counterparts or {}).items() if v is not None}
    rows = []
    for r in after.itertuples():
        bid, g, h = str(r.building_id), r.geometry, float(r.height_m)
        gl = shapely.shortest_line(g, line)
        p, q = np.asarray(gl.coords)
        d = q - p
        az = footprint_axes([g])[0, 0]
        u = np.array([np.sin(np.radians(az)), np.cos(np.radians(az))])
        nrm = np.array([u[1], -u[0]])
        facade = "main" if abs(d @ nrm) >= abs(d @ u) else "gable"
        floors = getattr(r, "floors", None)
        if floors is not None and not pd.isna(floors) and int(floors) <= sb.boundary_low_max_floors.value:
            band = 0
        else:
            band = 1 if h <= rp.building.height_class.residential_multi_max_m.value else 2
        table = float((sb.boundary_main_m if facade == "main" else sb.boundary_gable_m).value[band])
        half = 0.0
        if sb.half_spacing.value:
            if facade == "main" and d @ north > 0:
                coef = sp.coef_parallel_old_district if sp.use_old_district_coef.value else sp.coef_parallel_new
                half = 0.5 * coef.value * h
            elif facade == "gable":
                half = 0.5 * (sp.gable_min_high_rise_m.value if band == 2 else sp.gable_min_m.value)
        req = max(table, half)
        gap = float(gl.length)
        eg = ex.get(cp.get(bid, bid))
        exg = float(eg.distance(line)) if eg is not None else None
        beyond = g.difference(net_land)
        rule, geom = "SB-02", gl
        if sb.no_projection_beyond_red_lines.value and beyond.area > 1e-6:
            # SB-N1: part of the footprint lies beyond the land red line
            v, rule, geom = Verdict.FAIL, "SB-N1", beyond
            # gap < 0: how far (m) the footprint reaches beyond the line (farthest vertex outside)
            gap = -float(shapely.distance(shapely.points(shapely.get_coordinates(beyond)), net_land).max())
        else:
            v = judge(exg, gap, req, sense="min", allow_not_worse=sb.allow_not_worse.value)
        rows.append({"building_id": bid, "facade": facade, "height_band": band, "table_m": table,
                     "half_spacing_m": half, "required_m": req, "gap_m": gap, "existing_gap_m": exg,
                     "rule_id": rule, "verdict": str(v), "geometry": geom})
    return gpd.GeoDataFrame(rows, columns=[*cols, "geometry"], geometry="geometry", crs=after.crs)


def setback_findings(road: gpd.GeoDataFrame, boundary: gpd.GeoDataFrame, *, rules: RulePack | None = None) -> list[Finding]:
    """Findings of :func:`road_setbacks` and :func:`boundary_setbacks` (geometry: the gap line)."""
    sb = pack(rules).setback
    out = []
    for r in road.itertuples(index=False):
        exg = None if r.existing_gap_m is None or pd.isna(r.existing_gap_m) else float(r.existing_gap_m)
        if r.rule_id == "SB-N1":
            out.append(Finding("SB-N1", (r.building_id, r.road_id), Verdict.FAIL,
                               f"建筑 {r.building_id} 越过道路 {r.road_id} 红线。",
                               f"Building {r.building_id} crosses the red line of road {r.road_id}.",
                               existing=exg, proposed=0.0, threshold=float(r.required_m), unit="m",
                               source=sb.no_projection_beyond_red_lines.source, geometry=r.geometry, layer="buildings"))
            continue
        rz, ren = removed_note(Verdict(r.verdict), exg, float(r.required_m))
        out.append(Finding("SB-01", (r.building_id, r.road_id), Verdict(r.verdict),
                           f"建筑 {r.building_id} 距道路 {r.road_id}（红线宽 {r.road_width_m:g} m）红线 {r.gap_m:.2f} m，"
                           f"要求 ≥{r.required_m:g} m" + (f"；现状 {exg:.2f} m" if exg is not None else "") + rz + "。",
                           f"Building {r.building_id} is {r.gap_m:.2f} m from the red line of road {r.road_id} "
                           f"({r.road_width_m:g} m wide), required ≥ {r.required_m:g} m"
                           + (f"; existing {exg:.2f} m" if exg is not None else "") + ren + ".",
                           existing=exg, proposed=float(r.gap_m), threshold=float(r.required_m), unit="m",
                           source=sb.road_residential_low_m.source, geometry=r.geometry, layer="buildings"))
    for r in boundary.itertuples(index=False):
        exg = None if r.existing_gap_m is None or pd.isna(r.existing_gap_m) else float(r.existing_gap_m)
        if r.rule_id == "SB-N1":
            out.append(Finding("SB-N1", (r.building_id,), Verdict.FAIL,
                               f"建筑 {r.building_id} 越过用地红线（净用地边界）{-r.gap_m:.2f} m（图中为越线部分）"
                               + (f"；现状距用地边界 {exg:.2f} m" if exg is not None else "") + "。",
                               f"Building {r.building_id} reaches {-r.gap_m:.2f} m beyond the land red line (net-land "
                               "boundary; the part beyond is drawn)"
                               + (f"; existing {exg:.2f} m inside it" if exg is not None else "") + ".",
                               existing=exg, proposed=float(r.gap_m), threshold=0.0, unit="m",
                               source=sb.no_projection_beyond_red_lines.source, geometry=r.geometry,
                               layer="buildings", details={"red_line": "land"}))
            continue
        fz = "主立面" if r.facade == "main" else "山墙"
        rz, ren = removed_note(Verdict(r.verdict), exg, float(r.required_m))
        half_zh = f"（含半间距 {r.half_spacing_m:.2f} m）" if r.half_spacing_m >= r.table_m and r.half_spacing_m > 0 else ""
        half_en = f" (half spacing {r.half_spacing_m:.2f} m)" if r.half_spacing_m >= r.table_m and r.half_spacing_m > 0 else ""
        out.append(Finding("SB-02", (r.building_id,), Verdict(r.verdict),
                           f"建筑 {r.building_id} {fz}距用地边界 {r.gap_m:.2f} m，要求 ≥{r.required_m:.2f} m{half_zh}"
                           + (f"；现状 {exg:.2f} m" if exg is not None else "") + rz + "。",
                           f"Building {r.building_id} {r.facade} façade is {r.gap_m:.2f} m from the land boundary, "
                           f"required ≥ {r.required_m:.2f} m{half_en}" + (f"; existing {exg:.2f} m" if exg is not None else "") + ren + ".",
                           existing=exg, proposed=float(r.gap_m), threshold=float(r.required_m), unit="m",
                           source=sb.boundary_main_m.source, geometry=r.geometry, layer="buildings"))
    return out
