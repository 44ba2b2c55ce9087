"""Indicators against the planning conditions (规划条件): FAR, density, green ratio, height.

Rule ids: ``FAR-01`` (容积率), ``DEN-01`` (建筑密度), ``GRN-01`` (绿地率), ``HGT-01`` (建筑高度).
Density and green ratio may pass as "not worse" (优化不恶化, seed 六(一)3) where the pack
says so; FAR and height are fixed by the planning conditions.
"""

from __future__ import annotations

import shapely

from gis.findings import Finding, judge
from gis.indicators import indicator_table, planning_conditions, project_land
from gis.registry import CheckContext, register_check

_SOURCE = "规划条件（宗地 far_max / density_max / green_min / height_max_m）"


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{v * 100:.1f}%"


@register_check("planning.indicators", rule_ids=("FAR-01", "DEN-01", "GRN-01"), order=900,
                title_zh="规划条件：容积率、建筑密度、绿地率", title_en="Planning conditions: FAR, density, green ratio")
def check_indicators(ctx: CheckContext) -> list[Finding]:
    site, rules = ctx.site, ctx.rules
    rows = {r.key: r for r in indicator_table(site, rules, products=ctx.products)}
    _, _, net_geom, _ = project_land(site, ctx.products)
    pl = rules.planning
    specs = [
        ("FAR-01", "far", "max", pl.far_not_worse, "容积率", "FAR", "far_max", lambda v: "—" if v is None else f"{v:.2f}"),
        ("DEN-01", "density", "max", pl.density_not_worse, "建筑密度", "building density", "density_max", _pct),
        ("GRN-01", "green_ratio", "min", pl.green_not_worse, "绿地率", "green ratio", "green_min", _pct),
    ]
    out = []
    for rule_id, key, sense, not_worse, zh, en, field, fmt in specs:
        row = rows[key]
        verdict = judge(row.existing, row.proposed, row.condition, sense=sense, allow_not_worse=not_worse.value)
        if row.condition is None:
            mz = f"{zh}：宗地未给出规划条件 {field}，未检查（现状 {fmt(row.existing)}，方案 {fmt(row.proposed)}）"
            me = f"{en}: no parcel gives {field}; not checked (existing {fmt(row.existing)}, proposed {fmt(row.proposed)})"
        elif row.proposed is None:
            mz, me = f"{zh}：缺少数据（需 green 图层），未检查", f"{en}: data missing (needs the green layer); not checked"
        else:
            rel = "≤" if sense == "max" else "≥"
            mz = f"{zh}：现状 {fmt(row.existing)}，方案 {fmt(row.proposed)}，规划条件 {rel} {fmt(row.condition)}"
            me = f"{en}: existing {fmt(row.existing)}, proposed {fmt(row.proposed)}, condition {rel} {fmt(row.condition)}"
        out.append(Finding(rule_id, ("project",), verdict, mz, me, row.existing, row.proposed, row.condition,
                           unit="" if key == "far" else "ratio", source=f"{_SOURCE}; {not_worse.source}",
                           geometry=net_geom, layer="parcels"))
    return out


@register_check("planning.height", rule_ids=("HGT-01",), order=900,
                title_zh="规划条件：建筑高度", title_en="Planning conditions: building height")
def check_height(ctx: CheckContext) -> list[Finding]:
    site = ctx.site
    parcels = site.project_parcels
    proposed = site.buildings[site.buildings["phase"] == "proposed"]
    out = []
    for _, b in proposed.iterrows():
        touching = parcels[parcels.intersects(b.geometry)]
        if not len(touching):
            touching = parcels.iloc[[int(shapely.distance(parcels.geometry.to_numpy(), b.geometry).argmin())]]
        cap = planning_conditions(touching)["height_max_m"]
        replaced = site.replaced_by().get(str(b["building_id"]), [])
        old = site.buildings[site.buildings["building_id"].isin(replaced)]["height_m"]
        existing = float(old.max()) if len(old) else None
        verdict = judge(existing, float(b["height_m"]), cap, sense="max", allow_not_worse=ctx.rules.planning.height_not_worse.value)
        bid = str(b["building_id"])
        cap_text = "—" if cap is None else f"{cap:g} m"
        out.append(Finding(
            "HGT-01", (bid,), verdict,
            f"建筑 {bid} 高度 {b['height_m']:.2f} m，规划条件限高 {cap_text}",
            f"building {bid} is {b['height_m']:.2f} m high; height cap {cap_text}",
            existing, float(b["height_m"]), cap, unit="m", source=_SOURCE, geometry=b.geometry, layer="buildings",
        ))
    return out
