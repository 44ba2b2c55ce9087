"""Spacing between residential buildings (住宅建筑间距), RULES.md §3.4 (rule ids SP-01..SP-03).

A pair of residential footprints is classified by the acute angle between their long axes and by
which façades face each other (:func:`gis.massing.shape.facing_side`):

Façades and the south side are judged from the direction of the shortest gap (so that a building
moved away along it keeps its class).

``parallel`` (平行布置, SP-01)
    Long side faces long side and the axes differ by at most ``spacing.parallel_max_angle_deg``.
    Required = max(coef × H_eff × orientation factor, ``min_parallel_m``) with the coefficient of
    the old district (``coef_parallel_old_district``) or new area, H_eff of the *shading*
    building: the southern one across the gap (true north) when its façades face within 45° of
    south, else the taller one (east–west facing slabs).
``perpendicular`` (垂直布置, SP-02)
    A long side faces a gable, or the axes differ by more than the threshold.  Required =
    max(coef × H_eff(southern building), ``min_perpendicular_m``); the coefficient is
    ``coef_perpendicular_main`` when the gable building stands south of the slab (it shades the
    slab's main, sunny side), else ``coef_perpendicular_back``.
``gable`` (山墙间距, SP-03)
    Gable faces gable.  Required = ``gable_min_high_rise_m`` when either building is high-rise,
    else ``gable_min_windows_m`` when either gable has windows (``gable_windows`` field), else
    ``gable_min_m``.

H_eff (m) = top of the shading building (``base_elev_m + height_m``) − the shaded building's
lowest residential floor level (``base_elev_m + (lowest_residential_floor − 1) × storey_height_m``);
ground-floor shops are thereby deducted.  Gaps are the shortest distance between outer walls
(footprints, m).  The verdict compares the proposed gap with the required spacing and, where the
rule pack allows "optimise, not worsen" (优化不恶化), with the gap of the existing pair that the
proposed buildings replace.
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
from gis.massing.shape import axis_angle, facing_side, footprint_axes, true_azimuth

if TYPE_CHECKING:
    from gis.rules import RulePack

__all__ = ["pair_requirement", "spacing_pairs", "spacing_findings", "candidate_pairs"]

_RULE = {"parallel": "SP-01", "perpendicular": "SP-02", "gable": "SP-03"}
_KIND_ZH = {"parallel": "平行", "perpendicular": "垂直", "gable": "山墙"}


def candidate_pairs(geoms, *, subjects: np.ndarray, max_distance: float, adjacent_only: bool = True) -> list[tuple[int, int]]:
    """Index pairs (i < j) of footprints within ``max_distance`` (m) where i or j is a subject.

    With ``adjacent_only`` a pair is dropped when its shortest gap line crosses a third footprint
    (the pair is screened by a building between them).
    """
    geoms = np.asarray(geoms, dtype=object)
    tree = shapely.STRtree(geoms)
    a, b = tree.query(geoms, predicate="dwithin", distance=max_distance)
    keep = (a < b) & (subjects[a] | subjects[b])
    pairs = list(zip(a[keep].tolist(), b[keep].tolist(), strict=True))
    if not adjacent_only or not pairs:
        return pairs
    lines = shapely.shortest_line(geoms[[p[0] for p in pairs]], geoms[[p[1] for p in pairs]])
    li, gi = tree.query(lines, predicate="intersects")
    blocked = set()
    for k, g in zip(li.tolist(), gi.tolist(), strict=True):
        i, j = pairs[k]
        if g not in (i, j) and shapely.length(shapely.intersection(lines[k], geoms[g])) > 1e-6:
            blocked.add(k)
    return [p for k, p in enumerate(pairs) if k not in blocked]


def _north_vec(grid_north_azimuth_deg: float) -> np.ndarray:
    a = np.radians(-grid_north_azimuth_deg)
    return np.array([np.sin(a), np.cos(a)])


def _orientation_factor(axis_az_grid: float, grid_north_azimuth_deg: float, factors) -> tuple[float, float]:
    normal = (true_azimuth(axis_az_grid, grid_north_azimuth_deg) + 90.0) % 180.0
    dev = float(min(normal, 180.0 - normal))  # deviation of the façade normal from the N–S line, 0–90°
    for upper, f in factors:
        if dev <= upper + 1e-9:
            return dev, float(f)
    return dev, float(factors[-1][1])


def _sill(r: dict[str, Any]) -> float:
    lrf = r.get("lowest_residential_floor", 1)
    lrf = 1 if lrf is None or pd.isna(lrf) else int(lrf)
    sh = r.get("storey_height_m", 0.0)
    sh = 0.0 if sh is None or pd.isna(sh) else float(sh)
    return float(r.get("base_elev_m", 0.0) or 0.0) + (lrf - 1) * sh


def _top(r: dict[str, Any]) -> float:
    return float(r.get("base_elev_m", 0.0) or 0.0) + float(r["height_m"])


def _high(r: dict[str, Any]) -> bool:
    return str(r.get("height_class", "multi")) != "multi"


def pair_requirement(
    ga, gb, ra: dict[str, Any], rb: dict[str, Any], *, grid_north_azimuth_deg: float = 0.0, rules: RulePack | None = None
) -> dict[str, Any]:
    """Classify one pair and compute its required spacing (m).

    Parameters
    ----------
    ga, gb : shapely Polygon
        Footprints, m.
    ra, rb : dict
        Attributes: ``height_m`` (m), ``base_elev_m`` (m), ``storey_height_m`` (m),
        ``lowest_residential_floor``, ``height_class``, optional ``gable_windows`` (bool).
    grid_north_azimuth_deg : float
        Azimuth of the grid +y axis clockwise from true north (degrees).

    Returns
    -------
    dict
        ``kind``, ``axis_angle_deg``, ``facing_a`` / ``facing_b`` ("main"/"gable"),
        ``shading`` ("a"/"b"/None), ``h_eff_m``, ``coef``, ``orientation_factor``,
        ``deviation_deg``, ``required_m``, ``gap_m``, ``source``.
    """
    sp = pack(rules).spacing
    ax = footprint_axes([ga, gb])
    ang = float(axis_angle(ax[0, 0], ax[1, 0]))
    fa = facing_side(ga, gb, ax[0, 0])
    fb = facing_side(gb, ga, ax[1, 0])
    north = _north_vec(grid_north_azimuth_deg)
    p, q = shapely.get_coordinates(shapely.shortest_line(ga, gb))
    dn = float((q - p) @ north)  # > 0: b lies north of a across the gap
    if abs(dn) > 1e-9:
        south = "a" if dn > 0 else "b"
    else:  # due east-west of each other: the taller one counts as the shading one
        south = "a" if _top(ra) >= _top(rb) else "b"
    out: dict[str, Any] = {"axis_angle_deg": ang, "facing_a": fa, "facing_b": fb, "gap_m": float(ga.distance(gb))}
    rows = {"a": ra, "b": rb}
    other = {"a": "b", "b": "a"}
    if fa == "gable" and fb == "gable":
        high = _high(ra) or _high(rb)
        win = bool(ra.get("gable_windows") is True or rb.get("gable_windows") is True)
        p = sp.gable_min_high_rise_m if high else (sp.gable_min_windows_m if win else sp.gable_min_m)
        out.update(kind="gable", shading=None, h_eff_m=None, coef=None, orientation_factor=None,
                   deviation_deg=None, required_m=float(p.value), source=p.source)
        return out
    if fa == "main" and fb == "main" and ang <= sp.parallel_max_angle_deg.value:
        dev_a, _ = _orientation_factor(ax[0, 0], grid_north_azimuth_deg, sp.orientation_factors.value)
        if dev_a <= 45.0:
            shading = south
        else:
            shading = "a" if _top(ra) >= _top(rb) else "b"
        k = 0 if shading == "a" else 1
        dev, factor = _orientation_factor(ax[k, 0], grid_north_azimuth_deg, sp.orientation_factors.value)
        coefp = sp.coef_parallel_old_district if sp.use_old_district_coef.value else sp.coef_parallel_new
        h = max(_top(rows[shading]) - _sill(rows[other[shading]]), 0.0)
        req = max(coefp.value * h * factor, sp.min_parallel_m.value)
        out.update(kind="parallel", shading=shading, h_eff_m=h, coef=float(coefp.value), orientation_factor=factor,
                   deviation_deg=dev, required_m=float(req), source=coefp.source)
        return out
    # perpendicular: the slab is the one facing with its long side
    slab = "a" if fa == "main" else "b"
    gable_bldg = other[slab]
    main_side = fa == "main" and fb == "main" or south == gable_bldg
    coefp = sp.coef_perpendicular_main if main_side else sp.coef_perpendicular_back
    shading = south
    h = max(_top(rows[shading]) - _sill(rows[other[shading]]), 0.0)
    req = max(coefp.value * h, sp.min_perpendicular_m.value)
    out.update(kind="perpendicular", shading=shading, h_eff_m=h, coef=float(coefp.value), orientation_factor=None,
               deviation_deg=None, required_m=float(req), source=coefp.source)
    return out


def spacing_pairs(
    after: gpd.GeoDataFrame,
    *,
    before: gpd.GeoDataFrame | None = None,
    subject_ids=None,
    counterparts: dict[str, str] | None = None,
    grid_north_azimuth_deg: float = 0.0,
    rules: RulePack | None = None,
) -> gpd.GeoDataFrame:
    """Spacing table of residential pairs in the proposed scene, with the existing pair beside it.

    Parameters
    ----------
    after : GeoDataFrame
        Buildings of the proposed scene (context + kept + proposed) with ``building_id``,
        ``use``, ``height_m``, ``base_elev_m``, ``storey_height_m``, ``lowest_residential_floor``,
        ``height_class`` and optional ``gable_windows``.
    before : GeoDataFrame, optional
        Buildings of the existing scene (context + existing + kept), same fields.
    subject_ids : iterable of str, optional
        Buildings whose pairs are checked; default: ``phase == "proposed"``.
    counterparts : dict, optional
        Proposed building id → the existing building id it replaces.  Ids present in both
        scenes (kept, context) map to themselves.
    grid_north_azimuth_deg : float
        Azimuth of grid north clockwise from true north (degrees).

    Returns
    -------
    GeoDataFrame
        One row per pair: ``a_id``, ``b_id``, ``kind``, ``rule_id``, ``axis_angle_deg``,
        ``facing_a``, ``facing_b``, ``shading_id``, ``h_eff_m``, ``coef``,
        ``orientation_factor``, ``required_m``, ``gap_m``, ``existing_a``, ``existing_b``,
        ``existing_gap_m``, ``existing_required_m``, ``verdict``; geometry = the shortest gap line.
    """
    rp = pack(rules)
    sp = rp.spacing
    res = after[after.get("use", pd.Series("residential", index=after.index)).fillna("residential") == "residential"]
    res = res.reset_index(drop=True)
    ids = res["building_id"].astype(str).to_numpy()
    if subject_ids is None:
        subj = (res["phase"].astype(str) == "proposed").to_numpy() if "phase" in res else np.ones(len(res), bool)
    else:
        subj = np.isin(ids, [str(s) for s in subject_ids])
    cols = ["a_id", "b_id", "kind", "rule_id", "axis_angle_deg", "facing_a", "facing_b", "shading_id", "h_eff_m",
            "coef", "orientation_factor", "required_m", "gap_m", "existing_a", "existing_b", "existing_gap_m",
            "existing_required_m", "verdict", "source"]
    if len(res) < 2 or not subj.any():
        return gpd.GeoDataFrame(columns=[*cols, "geometry"], geometry="geometry", crs=after.crs)
    hmax = float((res["height_m"] + res.get("base_elev_m", 0.0)).max() - res.get("base_elev_m", pd.Series([0.0])).min())
    coef_max = max(sp.coef_parallel_old_district.value, sp.coef_parallel_new.value, sp.coef_perpendicular_main.value)
    radius = max(coef_max * hmax, sp.min_parallel_m.value, sp.min_perpendicular_m.value, sp.gable_min_high_rise_m.value) + 1.0
    geoms = res.geometry.to_numpy()
    recs = res.drop(columns="geometry").to_dict("records")

    bmap: dict[str, tuple[Any, dict[str, Any]]] = {}
    if before is not None and len(before):
        bres = before[before.get("use", pd.Series("residential", index=before.index)).fillna("residential") == "residential"]
        for g, r in zip(bres.geometry, bres.drop(columns="geometry").to_dict("records"), strict=True):
            bmap[str(r["building_id"])] = (g, r)
    cp = {str(k): str(v) for k, v in (counterparts or {}).items() if v is not None}

    rows = []
    for i, j in candidate_pairs(geoms, subjects=subj, max_distance=radius):
        r = pair_requirement(geoms[i], geoms[j], recs[i], recs[j], grid_north_azimuth_deg=grid_north_azimuth_deg, rules=rp)
        ea, eb = cp.get(ids[i], ids[i]), cp.get(ids[j], ids[j])
        ex_gap = ex_req = None
        if ea in bmap and eb in bmap and ea != eb:
            (g1, r1), (g2, r2) = bmap[ea], bmap[eb]
            er = pair_requirement(g1, g2, r1, r2, grid_north_azimuth_deg=grid_north_azimuth_deg, rules=rp)
            ex_gap, ex_req = er["gap_m"], er["required_m"]
        else:
            ea = eb = None
        v = judge(ex_gap, r["gap_m"], r["required_m"], sense="min", allow_not_worse=sp.allow_not_worse.value)
        shading_id = None if r["shading"] is None else (ids[i] if r["shading"] == "a" else ids[j])
        rows.append(
            {
                "a_id": ids[i], "b_id": ids[j], "kind": r["kind"], "rule_id": _RULE[r["kind"]],
                "axis_angle_deg": r["axis_angle_deg"], "facing_a": r["facing_a"], "facing_b": r["facing_b"],
                "shading_id": shading_id, "h_eff_m": r["h_eff_m"], "coef": r["coef"],
                "orientation_factor": r["orientation_factor"], "required_m": r["required_m"], "gap_m": r["gap_m"],
                "existing_a": ea, "existing_b": eb, "existing_gap_m": ex_gap, "existing_required_m": ex_req,
                "verdict": str(v), "source": r["source"],
                "geometry": shapely.shortest_line(geoms[i], geoms[j]),
            }
        )
    return gpd.GeoDataFrame(rows, columns=[*cols, "geometry"], geometry="geometry", crs=after.crs)


def spacing_findings(pairs: gpd.GeoDataFrame) -> list[Finding]:
    """One finding per row of :func:`spacing_pairs` (geometry: the shortest gap line)."""
    out = []
    for r in pairs.itertuples(index=False):
        ex = None if r.existing_gap_m is None or pd.isna(r.existing_gap_m) else float(r.existing_gap_m)
        ex_zh = f"，现状对应楼栋 {r.existing_a}–{r.existing_b} 间距 {ex:.2f} m" if ex is not None else "，无现状对应楼栋"
        ex_en = f"; existing pair {r.existing_a}–{r.existing_b}: {ex:.2f} m" if ex is not None else "; no existing pair"
        how_zh = how_en = ""
        if r.kind != "gable":
            how_zh = f"（{r.coef:g}×H {r.h_eff_m:.2f} m" + (f"×朝向系数 {r.orientation_factor:g}" if r.orientation_factor else "") + "）"
            how_en = f" ({r.coef:g} × H {r.h_eff_m:.2f} m" + (f" × orientation {r.orientation_factor:g}" if r.orientation_factor else "") + ")"
        rz, ren = removed_note(Verdict(r.verdict), ex, float(r.required_m))
        out.append(
            Finding(
                r.rule_id, (r.a_id, r.b_id), Verdict(r.verdict),
                f"{r.a_id}–{r.b_id} {_KIND_ZH[r.kind]}布置：间距 {r.gap_m:.2f} m，要求 ≥{r.required_m:.2f} m{how_zh}{ex_zh}{rz}。",
                f"{r.a_id}–{r.b_id} {r.kind}: gap {r.gap_m:.2f} m, required ≥ {r.required_m:.2f} m{how_en}{ex_en}{ren}.",
                existing=ex, proposed=float(r.gap_m), threshold=float(r.required_m), unit="m", source=r.source,
                geometry=r.geometry, layer="buildings",
                details={"kind": r.kind, "shading_id": r.shading_id, "axis_angle_deg": round(float(r.axis_angle_deg), 1)},
            )
        )
    return out
