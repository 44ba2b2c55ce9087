"""Fire separation between buildings (建筑防火间距), GB 50016-2014(2018) Table 5.2.2 and notes.

Rule ids: ``SEP-01`` (table value, with the reductions of notes 1, 2 and 4 where the building
attributes allow them: SEP-N1, SEP-N2, SEP-N4), ``SEP-100`` (a building above 100 m: no reduction).
Distances are the shortest horizontal distance between outer walls (footprints, m, SEP-M).

Building class for the table: ``high_rise`` when ``height_class`` is not ``"multi"``, otherwise
by ``fire_grade`` (1–2 → ``grade12``, 3 → ``grade3``, 4 or worse → ``grade4``, SEP-N7).
Optional building attributes enabling reductions (they describe the wall facing the neighbour;
one value per building): ``fire_wall`` (bool, the facing wall is a fire wall 防火墙),
``noncombustible_walls`` (bool), ``opening_ratio`` (unprotected openings / wall area, 0–1),
``roof_fr_h`` (fire resistance of the roof, h).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gis.findings import Finding, Verdict, judge
from gis.massing._improve import REMOVED_EN, REMOVED_ZH, removed_note
from gis.massing._rules import pack
from gis.massing.spacing import candidate_pairs

if TYPE_CHECKING:
    from gis.rules import RulePack

__all__ = [
    "separation_class",
    "required_separation",
    "fire_separations",
    "separation_findings",
    "removed_separation_findings",
]

_CLASS_ZH = {"high_rise": "高层", "grade12": "一、二级多层", "grade3": "三级", "grade4": "四级"}


def separation_class(row: dict[str, Any]) -> str:
    """Row/column of Table 5.2.2 for a building: ``high_rise``, ``grade12``, ``grade3`` or ``grade4``."""
    if str(row.get("height_class", "multi")) != "multi":
        return "high_rise"
    g = row.get("fire_grade", 2)
    g = 2 if g is None or pd.isna(g) else int(g)
    return "grade12" if g <= 2 else ("grade3" if g == 3 else "grade4")


def _flag(r: dict[str, Any], name: str) -> bool:
    v = r.get(name)
    return bool(v) if v is not None and not (isinstance(v, float) and np.isnan(v)) else False


def _num(r: dict[str, Any], name: str) -> float | None:
    v = r.get(name)
    try:
        v = float(v)
    except (TypeError, ValueError):
        return None
    return None if np.isnan(v) else v


def required_separation(ra: dict[str, Any], rb: dict[str, Any], *, rules: RulePack | None = None) -> dict[str, Any]:
    """Required fire separation (m) of two buildings with the reductions their attributes allow.

    Returns
    -------
    dict
        ``table_m`` (Table 5.2.2 value), ``required_m`` (after reductions), ``notes`` (ids of the
        notes applied), ``class_a``, ``class_b``, ``rule_id``, ``source``.
    """
    rp = pack(rules)
    fs = rp.fire_separation
    classes = list(fs.classes.value)
    ca, cb = separation_class(ra), separation_class(rb)
    table = float(fs.table_m.value[classes.index(ca)][classes.index(cb)])
    super_min = rp.building.height_class.super_high_rise_min_m.value
    tall = max(float(ra["height_m"]), float(rb["height_m"]))
    out = {"table_m": table, "required_m": table, "notes": [], "class_a": ca, "class_b": cb,
           "rule_id": "SEP-01", "source": fs.table_m.source}
    if tall > super_min and fs.no_reduction_super_high_rise.value:
        out.update(rule_id="SEP-100", source=f"{fs.table_m.source}; {fs.no_reduction_super_high_rise.source}")
        return out
    top = lambda r: float(r.get("base_elev_m", 0.0) or 0.0) + float(r["height_m"])  # noqa: E731
    hi, lo = (ra, rb) if top(ra) >= top(rb) else (rb, ra)
    req = table
    if _flag(hi, "fire_wall"):  # note 2: higher facing wall a fire wall -> no limit
        out.update(required_m=0.0, notes=["SEP-N2"])
        return out
    roof = _num(lo, "roof_fr_h")
    if _flag(lo, "fire_wall") and separation_class(lo) in ("grade12", "high_rise") and roof is not None and roof >= 1.0:
        cap = fs.n4_min_high_rise_m.value if "high_rise" in (ca, cb) else fs.n4_min_m.value
        if cap < req:
            req = cap
            out["notes"].append("SEP-N4")
    if "high_rise" not in (ca, cb):
        ok = all(_flag(r, "noncombustible_walls") and (_num(r, "opening_ratio") is not None)
                 and _num(r, "opening_ratio") <= fs.n1_max_opening_ratio.value for r in (ra, rb))
        if ok and table * (1 - fs.reduction_n1.value) < req:
            req = table * (1 - fs.reduction_n1.value)
            out["notes"].append("SEP-N1")
    out["required_m"] = float(req)
    return out


def fire_separations(
    after: gpd.GeoDataFrame,
    *,
    before: gpd.GeoDataFrame | None = None,
    subject_ids=None,
    counterparts: dict[str, str] | None = None,
    rules: RulePack | None = None,
) -> gpd.GeoDataFrame:
    """Fire-separation table for the pairs of the proposed scene that involve a subject building.

    Parameters
    ----------
    after, before : GeoDataFrame
        Buildings of the proposed and existing scenes (``building_id``, ``height_m``,
        ``height_class``, ``fire_grade``, ``base_elev_m`` and the optional note attributes).
    subject_ids : iterable of str, optional
        Default: ``phase == "proposed"``.
    counterparts : dict, optional
        Proposed id → existing id it replaces; kept and context buildings map to themselves.

    Returns
    -------
    GeoDataFrame
        ``a_id``, ``b_id``, ``class_a``, ``class_b``, ``table_m``, ``required_m``, ``notes``,
        ``gap_m``, ``existing_a``, ``existing_b``, ``existing_gap_m``, ``existing_required_m``,
        ``rule_id``, ``verdict``; geometry = shortest line between the outer walls.
    """
    rp = pack(rules)
    fs = rp.fire_separation
    b = after.reset_index(drop=True)
    ids = b["building_id"].astype(str).to_numpy()
    if subject_ids is None:
        subj = (b["phase"].astype(str) == "proposed").to_numpy() if "phase" in b else np.ones(len(b), bool)
    else:
        subj = np.isin(ids, [str(s) for s in subject_ids])
    cols = ["a_id", "b_id", "class_a", "class_b", "table_m", "required_m", "notes", "gap_m", "existing_a",
            "existing_b", "existing_gap_m", "existing_required_m", "rule_id", "verdict", "source"]
    if len(b) < 2 or not subj.any():
        return gpd.GeoDataFrame(columns=[*cols, "geometry"], geometry="geometry", crs=after.crs)
    radius = float(np.max(fs.table_m.value)) + 1.0
    geoms = b.geometry.to_numpy()
    recs = b.drop(columns="geometry").to_dict("records")
    bmap = {}
    if before is not None:
        for g, r in zip(before.geometry, before.drop(columns="geometry").to_dict("records"), strict=True):
            bmap[str(r["building_id"])] = (g, r)
    cp = {str(k): str(v) for k, v in (counterparts or {}).items() if v is not None}
    rows = []
    for i, j in candidate_pairs(geoms, subjects=subj, max_distance=radius, adjacent_only=False):
        req = required_separation(recs[i], recs[j], rules=rp)
        gap = float(geoms[i].distance(geoms[j]))
        ea, eb = cp.get(ids[i], ids[i]), cp.get(ids[j], ids[j])
        ex_gap = ex_req = None
        if ea in bmap and eb in bmap and ea != eb:
            (g1, r1), (g2, r2) = bmap[ea], bmap[eb]
            ex_gap = float(g1.distance(g2))
            ex_req = required_separation(r1, r2, rules=rp)["required_m"]
        else:
            ea = eb = None
        allow = fs.allow_not_worse.value and req["rule_id"] != "SEP-100"
        v = judge(ex_gap, gap, req["required_m"], sense="min", allow_not_worse=allow)
        rows.append({
            "a_id": ids[i], "b_id": ids[j], "class_a": req["class_a"], "class_b": req["class_b"],
            "table_m": req["table_m"], "required_m": req["required_m"], "notes": ",".join(req["notes"]),
            "gap_m": gap, "existing_a": ea, "existing_b": eb, "existing_gap_m": ex_gap, "existing_required_m": ex_req,
            "rule_id": req["rule_id"], "verdict": str(v), "source": req["source"],
            "geometry": shapely.shortest_line(geoms[i], geoms[j]),
        })
    return gpd.GeoDataFrame(rows, columns=[*cols, "geometry"], geometry="geometry", crs=after.crs)


def separation_findings(table: gpd.GeoDataFrame) -> list[Finding]:
    """One finding per pair of :func:`fire_separations` (geometry: the shortest gap line)."""
    out = []
    for r in table.itertuples(index=False):
        ex = None if r.existing_gap_m is None or pd.isna(r.existing_gap_m) else float(r.existing_gap_m)
        notes = f"，按 {r.notes} 折减（表值 {r.table_m:g} m）" if r.notes else ""
        notes_en = f", reduced by {r.notes} (table {r.table_m:g} m)" if r.notes else ""
        if Verdict(r.verdict) is Verdict.PASS_NOT_WORSE:
            tail_zh = (f"；未达现行标准，但不小于现状间距 {ex:.2f} m（无原建造标准资料，以现状代替）——"
                       "须按指导方案六(一)4 采取等效或性能补偿措施")
            tail_en = (f"; below the current standard but not below the existing {ex:.2f} m (the existing state stands in "
                       "for the standard at original construction) — compensating measures per seed 六(一)4 are required")
        elif ex is not None:
            tail_zh, tail_en = f"；现状 {ex:.2f} m", f"; existing {ex:.2f} m"
        else:
            tail_zh, tail_en = "", ""
        rz, ren = removed_note(Verdict(r.verdict), ex, float(r.required_m))
        out.append(Finding(
            r.rule_id, (r.a_id, r.b_id), Verdict(r.verdict),
            f"{r.a_id}（{_CLASS_ZH[r.class_a]}）–{r.b_id}（{_CLASS_ZH[r.class_b]}）防火间距 {r.gap_m:.2f} m，"
            f"要求 ≥{r.required_m:.2f} m{notes}{tail_zh}{rz}。",
            f"Fire separation {r.a_id} ({r.class_a}) – {r.b_id} ({r.class_b}): {r.gap_m:.2f} m, required ≥ "
            f"{r.required_m:.2f} m{notes_en}{tail_en}{ren}.",
            existing=ex, proposed=float(r.gap_m), threshold=float(r.required_m), unit="m", source=r.source,
            geometry=r.geometry, layer="buildings", details={"notes": r.notes, "table_m": float(r.table_m)},
        ))
    return out


def removed_separation_findings(
    before: gpd.GeoDataFrame, after: gpd.GeoDataFrame, table: gpd.GeoDataFrame, *, rules: RulePack | None = None
) -> list[Finding]:
    """PASS findings for existing pairs that missed the separation and are gone from the proposal.

    A pair of the existing scene with at least one demolished building (``phase == "existing"``)
    whose gap (m) is below its required separation has been removed by the proposal (现状问题已消除)
    when no row of ``table`` (:func:`fire_separations` of ``after``) pairs the two buildings or
    their successors (the ``after`` buildings standing on their footprints, overlap > 1 m²).
    Geometry: the existing gap line.
    """
    rp = pack(rules)
    fs = rp.fire_separation
    if before is None or len(before) < 2 or "phase" not in before:
        return []
    b = before.reset_index(drop=True)
    ids = b["building_id"].astype(str).to_numpy()
    subj = (b["phase"].astype(str) == "existing").to_numpy()
    if not subj.any():
        return []
    seen = {frozenset((str(r.a_id), str(r.b_id))) for r in table.itertuples(index=False)}
    for r in table.itertuples(index=False):
        if r.existing_a is not None and not pd.isna(r.existing_a):
            seen.add(frozenset((str(r.existing_a), str(r.existing_b))))
    a_ids = after["building_id"].astype(str).to_numpy()
    a_geoms = after.geometry.to_numpy()
    geoms = b.geometry.to_numpy()

    def successors(k: int) -> set[str]:
        over = shapely.area(shapely.intersection(a_geoms, geoms[k])) > 1.0
        return {ids[k], *a_ids[over].tolist()}

    recs = b.drop(columns="geometry").to_dict("records")
    out = []
    for i, j in candidate_pairs(geoms, subjects=subj, max_distance=float(np.max(fs.table_m.value)) + 1.0,
                                adjacent_only=False):
        si, sj = successors(i), successors(j)
        if any(frozenset((x, y)) in seen for x in si for y in sj if x != y):
            continue
        req = required_separation(recs[i], recs[j], rules=rp)
        gap = float(geoms[i].distance(geoms[j]))
        if gap >= req["required_m"] - 1e-9:
            continue
        out.append(Finding(
            req["rule_id"], (ids[i], ids[j]), Verdict.PASS,
            f"现状 {ids[i]}–{ids[j]} 防火间距 {gap:.2f} m，不足 {req['required_m']:.2f} m；方案中已无此对建筑"
            f"（拆除或移开），{REMOVED_ZH}。",
            f"Existing {ids[i]}–{ids[j]}: fire separation {gap:.2f} m, short of {req['required_m']:.2f} m; the pair is "
            f"gone from the proposal (demolished or moved apart): {REMOVED_EN}.",
            existing=gap, proposed=None, threshold=float(req["required_m"]), unit="m", source=req["source"],
            geometry=shapely.shortest_line(geoms[i], geoms[j]), layer="buildings",
            details={"existing_problem_removed": True},
        ))
    return out
