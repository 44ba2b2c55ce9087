"""Building-model checks: height-class crossings of rebuilds, storey height of new housing.

``CL-XING`` warns when a proposed building is taller than the buildings it replaces by
enough to cross a threshold of ``[building.height_thresholds]`` (27 / 33 / 54 / 100 m) and
says what that triggers, before the designer finds out.  ``ST-01`` checks that new
residential storeys are at least the GB 55038-2025 minimum (3.0 m).
"""

from __future__ import annotations

from gis.buildings import HEIGHT_CLASSES
from gis.findings import Finding, Verdict, judge
from gis.registry import CheckContext, register_check


@register_check("buildings.height_crossing", rule_ids=("CL-XING",), order=100,
                title_zh="建筑高度分类变化及其后果", title_en="Height-class crossings and what they trigger")
def check_height_crossing(ctx: CheckContext) -> list[Finding]:
    site, rules = ctx.site, ctx.rules
    b = site.buildings
    replaced = site.replaced_by()
    out = []
    for _, row in b[b["phase"] == "proposed"].iterrows():
        bid = str(row["building_id"])
        old = b[b["building_id"].isin(replaced.get(bid, []))]
        old_h = float(old["height_m"].max()) if len(old) else None
        old_class = old.loc[old["height_m"].idxmax(), "height_class"] if len(old) else None
        new_h = float(row["height_m"])
        base = old_h if old_h is not None else 0.0
        crossed = [t for t in rules.building.height_thresholds if base <= t.height_m.value < new_h]
        if row["use"] != "residential":
            crossed = []
        new_label = HEIGHT_CLASSES[row["height_class"]]
        old_label = HEIGHT_CLASSES[old_class] if old_class else ("—", "—")
        if not crossed:
            out.append(Finding(
                "CL-XING", (bid,), Verdict.PASS,
                f"建筑 {bid}：{new_h:.2f} m（{new_label[0]}），未跨越高度分界（原 {old_label[0]}）",
                f"building {bid}: {new_h:.2f} m ({new_label[1]}), crosses no height threshold (was {old_label[1]})",
                old_h, new_h, None, unit="m", source="; ".join(t.height_m.source for t in rules.building.height_thresholds[:1]),
                geometry=row.geometry, layer="buildings", details={"height_class": row["height_class"]},
            ))
            continue
        for t in crossed:
            was = f"原建筑 {', '.join(old['building_id'].astype(str))} 高 {old_h:.2f} m" if old_h is not None else "新建"
            was_en = f"replacing {', '.join(old['building_id'].astype(str))} at {old_h:.2f} m" if old_h is not None else "new"
            out.append(Finding(
                "CL-XING", (bid,), Verdict.WARN,
                f"建筑 {bid} 高 {new_h:.2f} m（{row['floors']} 层 × {row['storey_height_m']:.2f} m），超过 {t.height_m.value:g} m（{was}）。{t.triggers_zh}",
                f"building {bid} is {new_h:.2f} m ({row['floors']} floors × {row['storey_height_m']:.2f} m), above {t.height_m.value:g} m ({was_en}). {t.triggers_en}",
                old_h, new_h, t.height_m.value, unit="m", source=t.height_m.source, geometry=row.geometry, layer="buildings",
                details={"height_class": row["height_class"], "was_class": old_class},
            ))
    return out


@register_check("buildings.storey_height", rule_ids=("ST-01",), order=100,
                title_zh="新建住宅层高", title_en="Storey height of new housing")
def check_storey_height(ctx: CheckContext) -> list[Finding]:
    p = ctx.rules.building.storey_height_new_min_m
    b = ctx.site.buildings
    out = []
    for _, row in b[(b["phase"] == "proposed") & (b["use"] == "residential")].iterrows():
        bid, s = str(row["building_id"]), float(row["storey_height_m"])
        verdict = judge(None, s, p.value, sense="min")
        out.append(Finding(
            "ST-01", (bid,), verdict,
            f"新建住宅 {bid} 层高 {s:.2f} m，标准 ≥ {p.value:g} m",
            f"new housing {bid}: storey height {s:.2f} m, standard ≥ {p.value:g} m",
            None, s, p.value, unit="m", source=p.source, geometry=row.geometry, layer="buildings",
        ))
    return out
