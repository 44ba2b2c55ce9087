"""Rescue sites (消防车登高操作场地) for high-rise buildings, GB 50016-2014(2018) 7.2.1–7.2.2, GB 55037 3.4.6.

Rule ids: RS-01 (a site along at least one long side, or along a quarter of the perimeter and not
less than a long side; the required covered wall length is the long side), RS-02 (for H ≤ 50 m
the site may be split with gaps ≤ 30 m; above 50 m continuous only), RS-03 (each site ≥ 15 × 10 m,
≥ 20 × 10 m above 50 m), RS-04 (near edge 5 m (宜) to 10 m (应) from the wall).

A wall point counts as covered when a site of the building lies within ``wall_distance_max_m``
of it; the covered length is measured along the footprint's outline (m).  Buildings at or below
``applies_above_height_m`` (27 m) need no site.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry import LineString

from gis.findings import Finding, Verdict, judge
from gis.massing._rules import pack
from gis.massing.shape import footprint_axes, long_sides, rect_erosion

if TYPE_CHECKING:
    from gis.rules import RulePack

__all__ = ["covered_wall_length", "site_fits", "near_edge_distances", "rescue_site_checks"]


def covered_wall_length(footprint, sites, *, reach: float, max_gap: float) -> tuple[float, Any]:
    """Longest covered run of the outline (m): pieces within ``reach`` of a site, joined across gaps ≤ ``max_gap``.

    Returns
    -------
    (float, geometry)
        Covered length (sum of the pieces of the best run, m) and those pieces.
    """
    ring = footprint.exterior
    total = ring.length
    cover = ring.intersection(shapely.union_all(sites).buffer(reach))
    pieces = [p for p in shapely.get_parts(shapely.line_merge(cover) if cover.geom_type == "MultiLineString" else cover)
              if p.geom_type == "LineString" and p.length > 1e-6]
    if not pieces:
        return 0.0, None
    iv = []
    for p in pieces:
        s = ring.project(shapely.Point(p.coords[0]))
        iv.append((s, p.length, p))
    iv.sort(key=lambda t: t[0])
    groups: list[list[tuple[float, float, Any]]] = [[iv[0]]]
    for cur in iv[1:]:
        last = groups[-1][-1]
        if cur[0] - (last[0] + last[1]) <= max_gap + 1e-6:
            groups[-1].append(cur)
        else:
            groups.append([cur])
    if len(groups) > 1:  # wrap-around join of the last and the first run
        last = groups[-1][-1]
        if groups[0][0][0] + total - (last[0] + last[1]) <= max_gap + 1e-6:
            groups[0] = groups.pop() + groups[0]
    best = max(groups, key=lambda g: sum(t[1] for t in g))
    return float(sum(t[1] for t in best)), shapely.union_all([t[2] for t in best])


def site_fits(site, length: float, width: float, *, extra_angles=()) -> bool:
    """Whether a ``length`` × ``width`` rectangle (m) fits in a site polygon.

    Tried along and across the site's long axis and any ``extra_angles`` (degrees from grid north).
    """
    ax = footprint_axes([site])[0, 0]
    for a in (ax, *extra_angles):
        for ang in (a, a + 90.0):
            if not rect_erosion(site, length / 2.0, width / 2.0, float(ang)).is_empty:
                return True
    return False


def near_edge_distances(footprint, site) -> tuple[float, float, LineString]:
    """Distance (m) from the wall to the site: nearest point and the far end of the site's near edge.

    The near edge is the side of the site's minimum rotated rectangle closest to the footprint;
    the distance to a convex footprint along a straight edge is largest at an end point.
    """
    sides = long_sides(site)
    near = min(sides, key=lambda s: s.distance(footprint))
    ends = [shapely.Point(c) for c in near.coords]
    far = max(footprint.distance(p) for p in ends)
    return float(footprint.distance(site)), float(far), shapely.shortest_line(footprint, site)


def _sites_of(sites: gpd.GeoDataFrame | None, bid: str, geom, reach: float, state: str):
    if sites is None or not len(sites):
        return []
    s = sites
    if "phase" in s:
        s = s[s["phase"].fillna("both").astype(str).isin([state, "both"])]
    if "building_id" in s and s["building_id"].notna().any():
        return list(s.loc[s["building_id"].astype(str) == bid].geometry)
    return [g for g in s.geometry if g.distance(geom) <= reach]


def rescue_site_checks(
    sites: gpd.GeoDataFrame | None,
    *,
    before: gpd.GeoDataFrame,
    after: gpd.GeoDataFrame,
    counterparts: dict[str, str] | None = None,
    rules: RulePack | None = None,
) -> tuple[list[Finding], gpd.GeoDataFrame]:
    """Rescue-site checks for every project building above ``rescue_site.applies_above_height_m``.

    Parameters
    ----------
    sites : GeoDataFrame or None
        The ``rescue_sites`` layer (Polygon; ``building_id`` served; ``phase``).
    before, after : GeoDataFrame
        Project buildings of the existing and proposed states (``building_id``, ``height_m``).
    counterparts : dict, optional
        Proposed id → existing id it replaces.

    Returns
    -------
    (list of Finding, GeoDataFrame)
        Findings and the ``rescue_site_checks`` table.
    """
    rp = pack(rules)
    rs = rp.rescue_site
    allow = rp.seed.fire_not_below_original.value
    reach = rs.wall_distance_max_m.value
    cp = {str(k): str(v) for k, v in (counterparts or {}).items() if v is not None}
    ex_b = {str(r.building_id): r for r in before.itertuples()}
    findings: list[Finding] = []
    rows: list[dict[str, Any]] = []

    def add(f: Finding) -> None:
        findings.append(f)
        rows.append({"rule_id": f.rule_id, "building_id": f.subject_ids[0], "existing": f.existing,
                     "proposed": f.proposed, "threshold": f.threshold, "verdict": str(f.verdict),
                     "message_zh": f.message_zh, "geometry": f.geometry})

    tall = after[pd.to_numeric(after["height_m"], errors="coerce") > rs.applies_above_height_m.value]
    for r in tall.itertuples():
        bid, h, fp = str(r.building_id), float(r.height_m), r.geometry
        very_tall = h > rs.tall_above_m.value
        la = long_sides(fp)[0]
        need_len = float(la.length)
        if sites is None or not len(sites):
            add(Finding("RS-01", (bid,), Verdict.NOT_CHECKED,
                        f"建筑 {bid} 高 {h:.2f} m（>{rs.applies_above_height_m.value:g} m），须设消防车登高操作场地，"
                        "但缺少 rescue_sites 图层，未检查；请绘制登高场地。",
                        f"Building {bid} is {h:.2f} m (> {rs.applies_above_height_m.value:g} m) and needs a rescue site, "
                        "but there is no rescue_sites layer; fix: draw the rescue sites.",
                        threshold=need_len, unit="m", source=rs.applies_above_height_m.source,
                        geometry=la.buffer(reach, single_sided=True), layer="rescue_sites"))
            continue
        mine = _sites_of(sites, bid, fp, reach + 1.0, "proposed")
        gap = 0.0 if very_tall else rs.max_gap_m.value
        covered, pieces = covered_wall_length(fp, mine, reach=reach, max_gap=gap) if mine else (0.0, None)
        eid = cp.get(bid, bid)
        exv = None
        if eid in ex_b and float(ex_b[eid].height_m) > rs.applies_above_height_m.value:
            old = _sites_of(sites, eid, ex_b[eid].geometry, reach + 1.0, "existing")
            exv = covered_wall_length(ex_b[eid].geometry, old, reach=reach, max_gap=gap)[0] if old else 0.0
        v = judge(exv, covered, need_len, sense="min", allow_not_worse=allow)
        how = "连续" if very_tall else f"间隔 ≤{rs.max_gap_m.value:g} m"
        add(Finding("RS-01", (bid,), v,
                    f"建筑 {bid}（{h:.2f} m）：登高场地覆盖外墙 {covered:.1f} m（{how}），要求不小于一个长边 {need_len:.1f} m"
                    + ("" if mine else "；未设登高场地") + "。",
                    f"Building {bid} ({h:.2f} m): rescue sites cover {covered:.1f} m of the wall "
                    f"({'continuous' if very_tall else f'gaps ≤ {rs.max_gap_m.value:g} m'}), required ≥ one long side "
                    f"{need_len:.1f} m" + ("" if mine else "; no rescue site drawn") + ".",
                    existing=exv, proposed=covered, threshold=need_len, unit="m",
                    source=f"{rs.applies_above_height_m.source}; {rs.max_gap_m.source}",
                    geometry=pieces if pieces is not None else la.buffer(reach, single_sided=True),
                    layer="rescue_sites", details={"sites": len(mine)}))
        L = rs.min_length_tall_m.value if very_tall else rs.min_length_m.value
        W = rs.min_width_m.value
        bax = footprint_axes([fp])[0, 0]
        for k, s in enumerate(mine):
            ok = site_fits(s, L, W, extra_angles=(bax,))
            dims = footprint_axes([s])[0]
            add(Finding("RS-03", (bid, f"site{k + 1}"), Verdict.PASS if ok else Verdict.FAIL,
                        f"建筑 {bid} 登高场地 {k + 1}：外接矩形 {dims[1]:.1f}×{dims[2]:.1f} m，"
                        + ("可" if ok else "不能") + f"容纳 {L:g}×{W:g} m。",
                        f"Building {bid} rescue site {k + 1}: bounding rectangle {dims[1]:.1f} × {dims[2]:.1f} m; "
                        + ("a" if ok else "no") + f" {L:g} × {W:g} m rectangle fits.",
                        proposed=float(dims[1]), threshold=L, unit="m", source=rs.min_length_m.source,
                        geometry=s.boundary, layer="rescue_sites", details={"width_m": float(dims[2])}))
            dmin, dfar, line = near_edge_distances(fp, s)
            v_min = judge(None, dmin, rs.wall_distance_min_m.value, sense="min", soft=rs.wall_distance_min_m.soft)
            v_max = judge(None, dfar, rs.wall_distance_max_m.value, sense="max", soft=rs.wall_distance_max_m.soft)
            add(Finding("RS-04", (bid, f"site{k + 1}"), v_min,
                        f"建筑 {bid} 登高场地 {k + 1} 靠建筑一侧边缘距外墙 {dmin:.2f} m，宜 ≥{rs.wall_distance_min_m.value:g} m。",
                        f"Building {bid} rescue site {k + 1}: near edge {dmin:.2f} m from the wall, should be ≥ "
                        f"{rs.wall_distance_min_m.value:g} m.",
                        proposed=dmin, threshold=rs.wall_distance_min_m.value, unit="m",
                        source=rs.wall_distance_min_m.source, geometry=line, layer="rescue_sites"))
            add(Finding("RS-04", (bid, f"site{k + 1}"), v_max,
                        f"建筑 {bid} 登高场地 {k + 1} 靠建筑一侧边缘最远处距外墙 {dfar:.2f} m，应 ≤{rs.wall_distance_max_m.value:g} m。",
                        f"Building {bid} rescue site {k + 1}: the near edge reaches {dfar:.2f} m from the wall, must be ≤ "
                        f"{rs.wall_distance_max_m.value:g} m.",
                        proposed=dfar, threshold=rs.wall_distance_max_m.value, unit="m",
                        source=rs.wall_distance_max_m.source, geometry=line, layer="rescue_sites"))
    table = gpd.GeoDataFrame(rows, geometry="geometry", crs=after.crs) if rows else gpd.GeoDataFrame(
        columns=["rule_id", "building_id", "verdict", "geometry"], geometry="geometry", crs=after.crs)
    return findings, table


