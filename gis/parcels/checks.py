"""Registry adapter of the parcels module: findings LC-01 … LC-10 and TDR-01 … TDR-04, layers and products.

Layers added to ``results.gpkg``: ``net_land`` (provenance pieces), ``scrap_plots`` (class and reasons),
``parcel_issues`` (gaps, slivers, holes, overlaps) and the table ``pooling_ledger``.
Products for the indicator table: ``net_land`` / ``net_land_area_m2`` (净用地) and ``total_land`` /
``total_land_area_m2`` (总用地, before subtracting control lines and roads).

Pooling rule ids (RULES.md §4.4 "typical conditions"): ``TDR-01`` same planning unit, ``TDR-02`` unit total and
zero-sum, ``TDR-03`` caps of each receiving parcel, ``TDR-04`` required floor area met (resettlement first).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import shapely

from gis.findings import Finding, Verdict, judge
from gis.parcels.inputs import ParcelInputError, parcel_roles
from gis.parcels.land import LandAnalysis, analyse_land
from gis.parcels.pooling import PoolingError, PoolingResult, assign_to_parcels, parcel_caps, pool_floor_area
from gis.registry import CheckContext, register_check

if TYPE_CHECKING:
    from gis.rules import RulePack
    from gis.site import Site

__all__ = ["land_analysis", "pooling_table", "run_pooling"]

_LAYER = "parcels"


def _force(ctx: CheckContext) -> tuple[str, ...]:
    value = ctx.options.get("force_scrap", ())
    if isinstance(value, str):
        value = [v for v in value.replace("，", ",").split(",") if v.strip()]
    return tuple(str(v).strip() for v in value)


def land_analysis(ctx: CheckContext) -> LandAnalysis | None:
    """The shared land analysis of a run (computed once; None when the parcels cannot be analysed)."""

    def compute() -> LandAnalysis | None:
        site = ctx.site
        try:
            result = analyse_land(
                site.parcels, roads=site.layer("roads"), control_lines=site.layer("control_lines"),
                force_scrap=_force(ctx), rules=ctx.rules,
            )
        except ParcelInputError as exc:
            ctx.products["parcels.problems"] = exc.problems
            return None
        nl = result.net_land
        ctx.products["net_land"] = nl.net
        ctx.products["net_land_area_m2"] = nl.net_area_m2
        ctx.products["total_land"] = nl.merged
        ctx.products["total_land_area_m2"] = nl.merged_area_m2
        return result

    return ctx.product("parcels.land", compute)


def _not_checked(rule_id: str, problems: list[str]) -> list[Finding]:
    text = "; ".join(problems[:5]) + (" …" if len(problems) > 5 else "")
    return [Finding(rule_id, ("project",), Verdict.NOT_CHECKED, f"宗地数据无法分析：{text}", f"parcels cannot be analysed: {text}", layer=_LAYER)]


def _src(rules: RulePack, name: str) -> str:
    return getattr(rules.land, name).source


@register_check(
    "parcels.net_land", rule_ids=("LC-05", "LC-06", "LC-07", "LC-08", "LC-09", "LC-10"), order=200,
    title_zh="净地整合：重叠、缝隙、碎片、扣除控制线、连通、面积核对",
    title_en="Net land: overlaps, gaps, slivers, control-line subtraction, contiguity, area reconciliation",
)
def check_net_land(ctx: CheckContext) -> list[Finding]:
    la = land_analysis(ctx)
    if la is None:
        return _not_checked("LC-05", ctx.products.get("parcels.problems", []))
    rules, land = ctx.rules, ctx.rules.land
    nl = la.net_land
    out: list[Finding] = []
    ctx.add_layer("net_land", nl.parts, title_zh="净地（含来源宗地）", title_en="Net land with source parcels")
    ctx.add_layer("parcel_issues", nl.issues, title_zh="宗地缝隙、碎片与重叠", title_en="Parcel gaps, slivers and overlaps")

    # LC-07 overlaps
    ov = nl.issues_of("overlap")
    bad = ov[~ov["closed"].astype(bool)]
    for row in bad.itertuples():
        out.append(Finding(
            "LC-07", tuple(row.parcel_ids.split(",")), Verdict.FAIL,
            f"宗地{row.parcel_ids}重叠{row.area_m2:,.2f} m²（位置 {row.x:.2f}, {row.y:.2f}）：权属冲突，不予合并，请核实界址",
            f"parcels {row.parcel_ids} overlap by {row.area_m2:,.2f} m² at ({row.x:.2f}, {row.y:.2f}): an ownership "
            "conflict, not merged silently; fix the boundaries or settle the title",
            None, float(row.area_m2), land.overlap_tol_m2.value, unit="m²", source=_src(rules, "overlap_tol_m2"),
            geometry=row.geometry, layer=_LAYER,
        ))
    if not len(bad):
        out.append(Finding("LC-07", ("project",), Verdict.PASS, "宗地之间无重叠", "no overlaps between parcels",
                           None, float(ov["area_m2"].sum()) if len(ov) else 0.0, land.overlap_tol_m2.value, unit="m²",
                           source=_src(rules, "overlap_tol_m2"), layer=_LAYER))

    # LC-06 gaps and slivers
    closed = nl.issues_of("gap_closed")
    if len(closed):
        out.append(Finding(
            "LC-06", ("project",), Verdict.PASS,
            f"已闭合{len(closed)}处不超过{land.snap_tol_m.value:g} m的缝隙，共{closed['area_m2'].sum():,.2f} m²",
            f"closed {len(closed)} gap(s) no wider than {land.snap_tol_m.value:g} m, {closed['area_m2'].sum():,.2f} m² in total",
            None, float(closed["width_m"].max()), land.snap_tol_m.value, unit="m", source=_src(rules, "snap_tol_m"),
            geometry=shapely.union_all(closed.geometry.to_numpy()), layer=_LAYER, details={"count": len(closed)},
        ))
    for row in nl.issues_of("gap").itertuples():
        out.append(Finding(
            "LC-06", tuple(row.parcel_ids.split(",")) if row.parcel_ids else ("project",), Verdict.FAIL,
            f"宗地{row.parcel_ids}之间有宽{row.width_m:.2f} m、面积{row.area_m2:,.2f} m²的缝隙（{row.x:.2f}, {row.y:.2f}），超过容差{land.snap_tol_m.value:g} m，未自动闭合；请修正界址或说明",
            f"a gap {row.width_m:.2f} m wide, {row.area_m2:,.2f} m², between parcels {row.parcel_ids} at ({row.x:.2f}, {row.y:.2f}) "
            f"exceeds the snap tolerance {land.snap_tol_m.value:g} m and was not closed; correct the boundaries or explain it",
            None, float(row.width_m), land.snap_tol_m.value, unit="m", source=_src(rules, "snap_tol_m"),
            geometry=row.geometry, layer=_LAYER,
        ))
    for kind, zh, en in (("hole", "净地内有未纳入的孔洞", "the net land encloses a hole"),
                         ("sliver", "狭长碎片", "a sliver"),
                         ("sliver_removed", "已剔除宽度不超过容差的碎片", "removed a sliver no wider than the tolerance")):
        for row in nl.issues_of(kind).itertuples():
            verdict = Verdict.PASS if kind == "sliver_removed" else Verdict.WARN
            out.append(Finding(
                "LC-06", tuple(row.parcel_ids.split(",")) if row.parcel_ids else ("project",), verdict,
                f"{zh}：面积{row.area_m2:,.2f} m²，宽{row.width_m:.2f} m（{row.x:.2f}, {row.y:.2f}）",
                f"{en}: {row.area_m2:,.2f} m², {row.width_m:.2f} m wide, at ({row.x:.2f}, {row.y:.2f})",
                None, float(row.width_m), land.sliver_min_width_m.value, unit="m", source=_src(rules, "sliver_min_width_m"),
                geometry=row.geometry, layer=_LAYER,
            ))

    # LC-09 subtraction
    sub = nl.subtracted
    for problem in nl.problems:
        out.append(Finding("LC-09", ("project",), Verdict.NOT_CHECKED, f"未能扣除：{problem}", f"not subtracted: {problem}", layer=_LAYER))
    by_kind = sub.groupby("kind")["area_m2"].sum().to_dict() if len(sub) else {}
    parts = "，".join(f"{k} {v:,.1f} m²" for k, v in by_kind.items()) or "无"
    out.append(Finding(
        "LC-09", ("project",), Verdict.PASS,
        f"净用地扣除控制线与道路红线范围{nl.subtracted_area_m2:,.1f} m²（{parts}）：总用地{nl.merged_area_m2:,.1f} m² → 净用地{nl.net_area_m2:,.1f} m²",
        f"subtracted {nl.subtracted_area_m2:,.1f} m² of control-line and road red-line areas ({parts.replace('无', 'none')}): "
        f"total land {nl.merged_area_m2:,.1f} m² → net land {nl.net_area_m2:,.1f} m²",
        nl.merged_area_m2, nl.net_area_m2, None, unit="m²", source=_src(rules, "excluded_control_lines"),
        geometry=nl.net, layer=_LAYER, details={"subtracted_by_kind": by_kind},
    ))

    # LC-05 contiguity
    max_parts = land.max_parts.value
    v = judge(None, float(nl.n_parts), float(max_parts), sense="max")
    out.append(Finding(
        "LC-05", ("project",), v,
        f"净地为{nl.n_parts}块（允许{max_parts}块）", f"the net land has {nl.n_parts} part(s) (allowed {max_parts})",
        None, float(nl.n_parts), float(max_parts), unit="", source=_src(rules, "max_parts"), geometry=nl.net, layer=_LAYER,
    ))

    # LC-10 area reconciliation
    rec = la.reconciliation
    per = rec[rec["parcel_id"] != "Σ"]
    unknown = per[per["registered_m2"].isna()]
    wrong = per[per["ok"].eq(False)]
    geom_of = dict(zip(ctx.site.parcels["parcel_id"].astype(str), ctx.site.parcels.geometry, strict=True))
    for row in wrong.itertuples():
        out.append(Finding(
            "LC-10", (row.parcel_id,), Verdict.FAIL,
            f"宗地{row.parcel_id}图形面积{row.gis_area_m2:,.2f} m²与登记面积{row.registered_m2:,.2f} m²相差{row.diff_m2:+,.2f} m²，超过容差{row.tol_m2:,.2f} m²",
            f"parcel {row.parcel_id}: GIS area {row.gis_area_m2:,.2f} m² differs from the registered {row.registered_m2:,.2f} m² "
            f"by {row.diff_m2:+,.2f} m², above the tolerance {row.tol_m2:,.2f} m²",
            row.registered_m2, row.gis_area_m2, row.tol_m2, unit="m²", source=_src(rules, "area_tol_m2"),
            geometry=geom_of.get(row.parcel_id), layer=_LAYER, details={"diff_m2": row.diff_m2},
        ))
    if len(unknown):
        ids = ", ".join(unknown["parcel_id"])
        out.append(Finding(
            "LC-10", tuple(unknown["parcel_id"]), Verdict.NOT_CHECKED,
            f"宗地{ids}缺少登记面积area_registered_m2，未核对", f"parcels {ids} have no area_registered_m2; not reconciled",
            layer=_LAYER,
        ))
    total = rec[rec["parcel_id"] == "Σ"]
    if len(total):
        t = total.iloc[0]
        out.append(Finding(
            "LC-10", ("project",), Verdict.PASS if t["ok"] else Verdict.FAIL,
            f"登记面积合计{t['registered_m2']:,.2f} m²，图形面积合计{t['gis_area_m2']:,.2f} m²，差{t['diff_m2']:+,.2f} m²（容差{t['tol_m2']:,.2f} m²）",
            f"registered total {t['registered_m2']:,.2f} m², GIS total {t['gis_area_m2']:,.2f} m², difference {t['diff_m2']:+,.2f} m² "
            f"(tolerance {t['tol_m2']:,.2f} m²)",
            float(t["registered_m2"]), float(t["gis_area_m2"]), float(t["tol_m2"]), unit="m²", source=_src(rules, "area_tol_ratio"),
            layer=_LAYER,
        ))

    # LC-08 ownership attributes
    parcels = ctx.site.parcels
    members = parcels[parcels["parcel_id"].astype(str).isin(la.merged_ids)]
    for name, zh in (("right_type", "权利类型"), ("land_use", "用途"), ("area_registered_m2", "登记面积")):
        if name not in members.columns:
            missing = list(members["parcel_id"].astype(str))
        else:
            missing = list(members.loc[members[name].isna() | (members[name].astype(str).str.strip() == ""), "parcel_id"].astype(str))
        if missing:
            out.append(Finding(
                "LC-08", tuple(missing), Verdict.WARN,
                f"宗地{', '.join(missing)}缺少{zh}（{name}），权属资料不完整", f"parcels {', '.join(missing)} lack {name}; ownership records incomplete",
                layer=_LAYER,
            ))
    if "right_type" in members.columns:
        unsold = members[members["right_type"].astype(str).str.contains("未出让", na=False)]
        for pid in unsold["parcel_id"].astype(str):
            out.append(Finding(
                "LC-08", (pid,), Verdict.WARN,
                f"宗地{pid}为国有未出让土地，纳入净地前须办理协议出让或划拨", f"parcel {pid} is unsold state land: it needs 协议出让 or 划拨 before it becomes net land",
                layer=_LAYER,
            ))
    return out


@register_check(
    "parcels.scrap", rule_ids=("LC-01", "LC-02", "LC-03", "LC-04"), order=205,
    title_zh="零星地块：边角地、夹心地、插花地", title_en="Scrap plots: corner, sandwiched and interlocked plots",
)
def check_scrap(ctx: CheckContext) -> list[Finding]:
    la = land_analysis(ctx)
    if la is None:
        return _not_checked("LC-01", ctx.products.get("parcels.problems", []))
    rules, land = ctx.rules, ctx.rules.land
    sc = la.scrap
    ctx.add_layer("scrap_plots", sc, title_zh="零星地块分类", title_en="Scrap-plot classes")
    out: list[Finding] = []
    for row in sc.itertuples():
        pid = row.parcel_id
        failed = not row.eligible
        verdict = Verdict.PASS if not failed else (Verdict.FAIL if row.forced else Verdict.WARN)
        state_zh = "纳入净地" if row.merged else "不纳入净地"
        state_en = "merged into the net land" if row.merged else "not merged"
        out.append(Finding(
            "LC-01", (pid,), Verdict.PASS if row.below_area else verdict,
            f"零星地块{pid}面积{row.area_m2:,.1f} m²（上限 < {land.scrap_max_area_m2.value:,.0f} m²）",
            f"scrap plot {pid}: {row.area_m2:,.1f} m² (limit < {land.scrap_max_area_m2.value:,.0f} m²)",
            None, row.area_m2, land.scrap_max_area_m2.value, unit="m²", source=_src(rules, "scrap_max_area_m2"),
            geometry=row.geometry, layer=_LAYER,
        ))
        if row.footprint_fits is None:
            fit, fit_en = "未评估（面积超过零星地块上限）", "was not assessed (area above the scrap limit)"
        else:
            fit = "可布置" if row.footprint_fits else "不可布置"
            fit_en = "fits" if row.footprint_fits else "does not fit"
        out.append(Finding(
            "LC-02", (pid,), Verdict.PASS if not row.developable_alone else verdict,
            f"零星地块{pid}：退界{land.own_setback_m.value:g} m后可建范围{_num(row.buildable_area_m2)} m²、最大内切宽{_num(row.inscribed_width_m, 2)} m，"
            f"{land.min_footprint_width_m.value:g}×{land.min_footprint_length_m.value:g} m建筑{fit}；临路{row.road_frontage_m:.1f} m；"
            f"{'不具备' if not row.developable_alone else '具备'}单独建设条件",
            f"scrap plot {pid}: after {land.own_setback_m.value:g} m setbacks {_num(row.buildable_area_m2)} m² buildable, largest inscribed width "
            f"{_num(row.inscribed_width_m, 2)} m, a {land.min_footprint_width_m.value:g} × {land.min_footprint_length_m.value:g} m footprint {fit_en}; "
            f"road frontage {row.road_frontage_m:.1f} m; {'cannot' if not row.developable_alone else 'can'} be developed alone",
            None, _float(row.inscribed_width_m), land.min_footprint_width_m.value + 2 * land.own_setback_m.value, unit="m",
            source=_src(rules, "min_footprint_width_m"), geometry=row.geometry, layer=_LAYER,
        ))
        reasons_zh = f"：{row.reasons_zh}" if row.reasons_zh else ""
        reasons_en = f": {row.reasons_en}" if row.reasons_en else ""
        out.append(Finding(
            "LC-03", (pid,), Verdict.PASS if row.relation != "none" else verdict,
            f"零星地块{pid}为{row.relation_zh}（共边{row.shared_m:.1f} m，占周长{row.shared_ratio:.0%}），{state_zh}{reasons_zh}",
            f"scrap plot {pid} is a {row.relation} plot (shares {row.shared_m:.1f} m, {row.shared_ratio:.0%} of its perimeter), "
            f"{state_en}{reasons_en}",
            None, row.relation_zh, None, unit="", source=_src(rules, "interlock_shared_ratio"),
            geometry=row.geometry, layer=_LAYER, details={"relation": row.relation, "hole_ratio": row.hole_ratio},
        ))
    share = la.share
    if len(sc):
        v = Verdict.PASS if share["ok"] else Verdict.FAIL
        out.append(Finding(
            "LC-04", ("project",), v,
            f"纳入的零星地块占整合后用地{share['share']:.1%}（上限{share['limit']:.0%}）"
            + ("" if share["ok"] else f"，须减少{share['excess_m2']:,.1f} m²"),
            f"merged scrap plots are {share['share']:.1%} of the merged land (cap {share['limit']:.0%})"
            + ("" if share["ok"] else f"; {share['excess_m2']:,.1f} m² must be left out"),
            None, float(share["share"]), float(share["limit"]), unit="ratio", source=_src(rules, "scrap_share_max"), layer=_LAYER,
        ))
    return out


def _float(v: Any) -> float | None:
    return None if v is None or (isinstance(v, float) and np.isnan(v)) else float(v)


def _num(v: Any, digits: int = 1) -> str:
    f = _float(v)
    return "—" if f is None else f"{f:,.{digits}f}"


# ---------------------------------------------------------------------------------------------
# pooling


def pooling_table(site: Site, rules: RulePack) -> tuple[pd.DataFrame, dict[str, float], list[str]]:
    """Per-parcel pooling inputs from a site: ``base_m2``, ``required_m2``, caps, resettlement flag.

    * required (m²): counted floor area of the buildings standing on the parcel after the proposal — kept and
      proposed buildings, and context buildings (they keep their area) — via the massing module's
      :func:`gis.massing.area.counted_area`;
    * base (m²): existing counted area + the seed's added-area allowance (Σ per-dwelling ``allowance_m2`` of the
      ``dwellings`` table, 六(一)1) on parcels with dwellings; otherwise ``far_max × area``; otherwise the
      existing counted area (``base_source`` says which);
    * caps: :func:`gis.parcels.pooling.parcel_caps` with the minimum new storey height;
    * resettlement (回迁安置): parcels with role ``project``.

    Returns the table, the unit caps (``unit_id → floor_area_cap_m2``) and notes.
    """
    from gis.massing.area import allowance_summary, counted_area, dwelling_allowance

    notes: list[str] = []
    parcels = site.parcels
    p = pd.DataFrame({"parcel_id": parcels["parcel_id"].astype(str).to_numpy()})
    p["unit_id"] = parcels["unit_id"].to_numpy() if "unit_id" in parcels.columns else None
    p["area_m2"] = shapely.area(parcels.geometry.to_numpy())
    for name in ("far_max", "height_max_m", "density_max"):
        p[name] = pd.to_numeric(parcels[name], errors="coerce").to_numpy() if name in parcels.columns else np.nan
    p["resettlement"] = (parcel_roles(parcels) == "project").to_numpy()
    b = site.buildings
    on = assign_to_parcels(b, parcels)
    existing = np.zeros(len(p))
    required = np.zeros(len(p))
    index = {pid: i for i, pid in enumerate(p["parcel_id"])}
    for pid, group in b.groupby(on):
        items = counted_area(group.assign(phase=group["phase"].replace({"context": "kept"})), rules=rules)
        i = index[str(pid)]
        existing[i] = float(items["existing_counted_m2"].sum())
        required[i] = float(items["proposed_counted_m2"].sum())
    allowance = np.full(len(p), np.nan)
    dw = site.layer("dwellings")
    if dw is not None and len(dw):
        per_b = allowance_summary(dwelling_allowance(dw, rules=rules), by="building_id")
        parcel_of_b = dict(zip(b["building_id"].astype(str), on, strict=True))
        per_b["parcel_id"] = per_b["building_id"].astype(str).map(parcel_of_b)
        per_p = per_b.groupby("parcel_id")["allowance_m2"].sum(min_count=1)
        for pid, val in per_p.items():
            if pid in index:
                allowance[index[pid]] = val
    far_base = p["far_max"].to_numpy(dtype=float) * p["area_m2"].to_numpy()
    base = np.where(np.isfinite(allowance), existing + np.nan_to_num(allowance), np.where(np.isfinite(far_base), far_base, existing))
    p["existing_m2"] = existing
    p["allowance_m2"] = allowance
    p["base_m2"] = base
    p["base_source"] = np.where(np.isfinite(allowance), "existing+allowance", np.where(np.isfinite(far_base), "far_max×area", "existing"))
    p["required_m2"] = required
    caps = parcel_caps(p, storey_height_m=rules.building.storey_height_new_min_m.value)
    p = pd.concat([p, caps], axis=1)
    unit_caps: dict[str, float] = {}
    pu = site.layer("planning_units")
    if pu is not None and len(pu) and "floor_area_cap_m2" in pu.columns:
        for uid, cap in zip(pu["unit_id"].astype(str), pd.to_numeric(pu["floor_area_cap_m2"], errors="coerce"), strict=True):
            if np.isfinite(cap):
                unit_caps[uid] = float(cap)
    else:
        notes.append("planning_units has no floor_area_cap_m2: the unit totals are not capped")
    return p, unit_caps, notes


def run_pooling(site: Site, rules: RulePack) -> tuple[PoolingResult | None, pd.DataFrame, list[str]]:
    """Pool the floor area of a site's parcels; returns the result (None on unusable input), the inputs and notes."""
    table, unit_caps, notes = pooling_table(site, rules)
    usable = table[table["unit_id"].notna()]
    if len(usable) < len(table):
        ids = ", ".join(table.loc[table["unit_id"].isna(), "parcel_id"])
        notes.append(f"parcels {ids} have no unit_id and are left out of pooling; fix: enter the detailed-planning unit")
    if not len(usable):
        return None, table, notes + ["no parcel has a unit_id: nothing to pool"]
    try:
        result = pool_floor_area(usable, unit_caps=unit_caps, rules=rules)
    except PoolingError as exc:
        return None, table, notes + exc.problems
    return result, table, notes + result.notes


@register_check(
    "parcels.pooling", rule_ids=("TDR-01", "TDR-02", "TDR-03", "TDR-04"), order=210,
    title_zh="跨宗地建筑量统筹", title_en="Cross-parcel floor-area pooling",
)
def check_pooling(ctx: CheckContext) -> list[Finding]:
    site, rules = ctx.site, ctx.rules
    result, table, notes = ctx.product("parcels.pooling", lambda: run_pooling(site, rules))
    src_unit = rules.pooling.same_unit_only.source
    if result is None:
        text = "; ".join(notes)
        return [Finding("TDR-04", ("project",), Verdict.NOT_CHECKED, f"未能进行建筑量统筹：{text}", f"pooling not done: {text}", layer=_LAYER)]
    ledger = result.ledger.merge(table[["parcel_id", "base_source", "existing_m2", "allowance_m2"]], on="parcel_id", how="left")
    ctx.add_table("pooling_ledger", ledger, title_zh="跨宗地建筑量统筹台账", title_en="Floor-area pooling ledger")
    geom_of = dict(zip(site.parcels["parcel_id"].astype(str), site.parcels.geometry, strict=True))
    out: list[Finding] = []
    units = result.ledger["unit_id"].nunique()
    moved = float(result.ledger["in_m2"].sum())
    out.append(Finding(
        "TDR-01", ("project",), Verdict.PASS,
        f"统筹仅在同一详细规划单元内进行（{units}个单元，转移{moved:,.0f} m²）",
        f"pooling stays inside each detailed-planning unit ({units} unit(s), {moved:,.0f} m² transferred)",
        None, moved, None, unit="m²", source=src_unit, layer=_LAYER,
        details={"notes": notes} if notes else {},
    ))
    for u in result.units.itertuples():
        m = result.ledger["unit_id"] == u.unit_id
        net = float(result.ledger.loc[m, "in_m2"].sum() - result.ledger.loc[m, "out_m2"].sum())
        cap = None if np.isnan(u.cap_m2) else float(u.cap_m2)
        v = judge(None, float(u.built_m2), cap, sense="max") if cap is not None else Verdict.NOT_CHECKED
        if abs(net) > 0.01:
            v = Verdict.FAIL
        cap_txt = f"{cap:,.0f}" if cap is not None else "—"
        out.append(Finding(
            "TDR-02", (str(u.unit_id),), v,
            f"规划单元{u.unit_id}：计容建筑面积{u.built_m2:,.0f} m²（上限{cap_txt} m²），转入转出合计{net:+,.0f} m²（零和）",
            f"planning unit {u.unit_id}: counted floor area {u.built_m2:,.0f} m² (cap {cap_txt} m²), transfers net {net:+,.0f} m² (zero-sum)",
            float(u.base_m2), float(u.built_m2), cap, unit="m²", source=rules.pooling.zero_sum.source, layer=_LAYER,
        ))
    for row in result.ledger.itertuples():
        if row.in_m2 > 0.01:
            cap = None if not np.isfinite(row.cap_m2) else float(row.cap_m2)
            v = judge(None, float(row.result_m2), cap, sense="max") if cap is not None else Verdict.NOT_CHECKED
            out.append(Finding(
                "TDR-03", (row.parcel_id,), v,
                f"宗地{row.parcel_id}转入{row.in_m2:,.0f} m²后为{row.result_m2:,.0f} m²（上限{_num(cap, 0)} m²，{row.cap_source or '无'}）",
                f"parcel {row.parcel_id} receives {row.in_m2:,.0f} m² and holds {row.result_m2:,.0f} m² (cap {_num(cap, 0)} m², {row.cap_source or 'none'})",
                float(row.base_m2), float(row.result_m2), cap, unit="m²", source="规划条件 far_max / height_max_m / density_max",
                geometry=geom_of.get(row.parcel_id), layer=_LAYER,
            ))
    if result.feasible:
        out.append(Finding(
            "TDR-04", ("project",), Verdict.PASS,
            "各宗地所需计容建筑面积均可在统筹后满足", "the required counted floor area of every parcel is met after pooling",
            None, float(result.ledger["required_m2"].sum()), None, unit="m²", source=src_unit, layer=_LAYER,
        ))
    else:
        why_zh = "；".join(s.message_zh for s in result.shortages) or "—"
        why_en = "; ".join(s.message_en for s in result.shortages) or "—"
        for row in result.ledger[result.ledger["shortfall_m2"] > 0.01].itertuples():
            who_zh = "回迁安置宗地" if row.resettlement else "宗地"
            who_en = "resettlement parcel" if row.resettlement else "parcel"
            out.append(Finding(
                "TDR-04", (row.parcel_id,), Verdict.FAIL,
                f"{who_zh}{row.parcel_id}需{row.required_m2:,.0f} m²，统筹后仍缺{row.shortfall_m2:,.0f} m²。原因：{why_zh}",
                f"{who_en} {row.parcel_id} needs {row.required_m2:,.0f} m² and is {row.shortfall_m2:,.0f} m² short after pooling. Why: {why_en}",
                float(row.base_m2), float(row.required_m2 - row.shortfall_m2), float(row.required_m2), unit="m²",
                source=src_unit, geometry=geom_of.get(row.parcel_id), layer=_LAYER,
                details={"shortages": [s.__dict__ for s in result.shortages]},
            ))
    return out
