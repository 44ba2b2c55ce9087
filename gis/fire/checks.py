"""Registry adapter of the fire module: Site → separation, lanes, rescue sites (order 400–430).

Layers: ``fire_separations``, ``fire_lane_checks``, ``rescue_site_checks``.  ``CL-FIRE`` sums up,
per proposed building that becomes high-rise, what the fire checks now demand of it and how
they came out (the height warning itself is the foundation's ``CL-XING``).
"""

from __future__ import annotations

from gis.findings import Finding, Verdict, worst_verdict
from gis.fire.lanes import lane_checks
from gis.fire.rescue import rescue_site_checks
from gis.fire.separation import fire_separations, removed_separation_findings, separation_findings
from gis.massing.checks import main_counterparts
from gis.registry import CheckContext, register_check


@register_check("fire.separation", rule_ids=("SEP-01", "SEP-100"), order=400,
                title_zh="建筑防火间距", title_en="Fire separation between buildings")
def check_separation(ctx: CheckContext) -> list[Finding]:
    site = ctx.site
    after = site.scene("after")
    t = fire_separations(after, before=site.scene("before"), counterparts=main_counterparts(ctx),
                         subject_ids=after.loc[after["phase"] != "context", "building_id"], rules=ctx.rules)
    ctx.add_layer("fire_separations", t, title_zh="防火间距（方案/现状/要求）", title_en="Fire separations")
    f = separation_findings(t) + removed_separation_findings(site.scene("before"), after, t, rules=ctx.rules)
    ctx.products["fire.separation_findings"] = f
    return f


@register_check("fire.lanes", rule_ids=("FL-01", "FL-02", "FL-05", "FL-06", "FL-08", "FL-10"), order=410,
                title_zh="消防车道", title_en="Fire lanes")
def check_lanes(ctx: CheckContext) -> list[Finding]:
    site = ctx.site
    f, table = lane_checks(site.layer("fire_lanes"), before=site.project_buildings("before"),
                           after=site.project_buildings("after"), roads=site.layer("roads"),
                           rescue_sites=site.layer("rescue_sites"), counterparts=main_counterparts(ctx),
                           rules=ctx.rules)
    ctx.add_layer("fire_lane_checks", table, title_zh="消防车道检查", title_en="Fire-lane checks")
    ctx.products["fire.lane_findings"] = f
    return f


@register_check("fire.rescue_sites", rule_ids=("RS-01", "RS-03", "RS-04"), order=420,
                title_zh="消防车登高操作场地", title_en="Rescue sites")
def check_rescue(ctx: CheckContext) -> list[Finding]:
    site = ctx.site
    f, table = rescue_site_checks(site.layer("rescue_sites"), before=site.project_buildings("before"),
                                  after=site.project_buildings("after"), counterparts=main_counterparts(ctx),
                                  rules=ctx.rules)
    ctx.add_layer("rescue_site_checks", table, title_zh="登高场地检查", title_en="Rescue-site checks")
    ctx.products["fire.rescue_findings"] = f
    return f


@register_check("fire.high_rise_consequences", rule_ids=("CL-FIRE",), order=430,
                title_zh="改建为高层后的消防要求", title_en="Fire consequences of becoming high-rise")
def check_consequences(ctx: CheckContext) -> list[Finding]:
    site, rules = ctx.site, ctx.rules
    b = site.buildings
    limit = rules.building.height_class.residential_multi_max_m.value
    replaced = site.replaced_by()
    every = (ctx.products.get("fire.separation_findings", []) + ctx.products.get("fire.lane_findings", [])
             + ctx.products.get("fire.rescue_findings", []))
    table = rules.fire_separation.table_m.value
    sep = f"{table[0][1]:g}/{table[0][0]:g} m"  # high-rise ↔ multi-storey / high-rise, GB 50016 Table 5.2.2
    radius, pad = rules.fire_lane.min_turn_radius_aerial_m.value, rules.fire_lane.turnaround_high_rise_m.value
    topics = [("RS", "登高场地", "rescue site"), ("SEP", f"防火间距({sep})", f"fire separation ({sep})"),
              ("FL", f"消防车道(转弯{radius:g} m、回车场{pad:g}×{pad:g} m)", f"fire lanes ({radius:g} m radius, {pad:g} × {pad:g} m turnaround)")]
    out = []
    for r in b[(b["phase"] == "proposed") & (b["height_class"] != "multi")].itertuples():
        bid = str(r.building_id)
        olds = b[b["building_id"].isin(replaced.get(bid, []))]
        if len(olds) and (olds["height_class"] != "multi").any():
            continue  # was already high-rise
        mine = [f for f in every if bid in f.subject_ids]
        by_rule: dict[str, list[Finding]] = {}
        for f in mine:
            by_rule.setdefault(f.rule_id.split("-")[0], []).append(f)
        parts_zh, parts_en = [], []
        for key, zh, en in topics:
            fs = by_rule.get(key, [])
            if key == "FL":  # bends and turnarounds belong to the lane network, not to one building
                fs = fs + [f for f in every if f.rule_id in ("FL-06", "FL-10") and f not in fs]
            # no separation pair means no building within the largest table distance
            v = worst_verdict(f.verdict for f in fs) if fs else (Verdict.PASS if key == "SEP" else Verdict.NOT_CHECKED)
            parts_zh.append(f"{zh}：{v.label_zh}")
            parts_en.append(f"{en}: {v.label_en}")
        v = worst_verdict(f.verdict for f in mine) if mine else Verdict.NOT_CHECKED
        out.append(Finding(
            "CL-FIRE", (bid,), v,
            f"建筑 {bid} 高 {r.height_m:.2f} m（>{limit:g} m）由多层变为高层，消防要求随之提高——" + "；".join(parts_zh) + "。",
            f"Building {bid} at {r.height_m:.2f} m (> {limit:g} m) turns from multi-storey into a high-rise, raising the fire "
            "requirements — " + "; ".join(parts_en) + ".",
            existing=float(olds["height_m"].max()) if len(olds) else None, proposed=float(r.height_m), threshold=limit,
            unit="m", source=rules.building.height_class.residential_multi_max_m.source, geometry=r.geometry,
            layer="buildings", details={"findings": len(mine)},
        ))
    return out
