"""Registry adapter: the sunlight checks of ``renewal check`` / ``renewal sunlight``.

- ``sunlight.windows`` (SUN-03, SUN-04): hours before / after per window, verdicts,
  obstruction attribution; layers ``windows`` and ``shadows``; tables
  ``sunlight_buildings``, ``sunlight_dwellings``, ``sunlight_obstruction`` (遮挡关系表),
  ``sunlight_height_limit`` (推算限高) and ``sunlight_time`` (真太阳时–北京时间对照).
- ``sunlight.ground`` (SUN-05): ground hours raster ``sunlight.tif`` (before / after /
  difference) and the concentrated-green share outside the standard shadow line.

All numbers come from ``ctx.rules.sunlight``.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gis.findings import Finding, Verdict, judge
from gis.registry import CheckContext, register_check
from gis.sunlight.analysis import (
    FIXED_PHASES,
    SunlightModel,
    SunlightParams,
    attribute_obstruction,
    build_model,
    evaluate_windows,
    height_limit,
    summarise_windows,
)
from gis.sunlight.ground import green_outside_shadow, ground_grid, ground_hours
from gis.sunlight.shadows import shadow_outlines
from gis.sunlight.solar import tst_bjt_table

__all__ = ["sunlight_model", "height_limit_table"]

_DAY_ZH = {"dahan": "大寒日", "dongzhi": "冬至日"}


def _params(ctx: CheckContext) -> SunlightParams:
    return SunlightParams.from_rules(ctx.rules.sunlight)


def sunlight_model(ctx: CheckContext) -> SunlightModel:
    """The shared sunlight model of a run (``ctx.product("sunlight_model")``)."""

    def compute() -> SunlightModel:
        site = ctx.site
        win = site.layer("windows") if site.has("windows") else None
        return build_model(site.buildings, lon=site.lon, lat=site.lat,
                           grid_north_azimuth_deg=site.grid_north_azimuth_deg, windows=win, params=_params(ctx))

    return ctx.product("sunlight_model", compute)


def _src(ctx: CheckContext, name: str) -> str:
    return getattr(ctx.rules.sunlight, name).source


@register_check("sunlight.windows", rule_ids=("SUN-04", "SUN-03", "SUN-02"), order=500,
                title_zh="住宅窗日照（优化不恶化）", title_en="Window sunlight (optimise, not worsen)")
def check_windows(ctx: CheckContext):
    p = _params(ctx)
    model = sunlight_model(ctx)
    res = evaluate_windows(model)
    ctx.products["sunlight_windows"] = res
    obstr = attribute_obstruction(model, res)
    if len(obstr):
        agg = obstr.groupby("window_id").apply(
            lambda g: ", ".join(f"{o}:{m:g}" for o, m in zip(g["obstructor_id"], g["minutes"], strict=True)),
            include_groups=False)
        res["obstructors"] = res["window_id"].map(agg)
    else:
        res["obstructors"] = None
    layer = res.drop(columns=["normal_az_deg"]).copy()
    ctx.add_layer("windows", gpd.GeoDataFrame(layer, geometry="geometry", crs=ctx.site.crs),
                  title_zh="窗日照分析（前后对比）", title_en="Window sunlight, before and after")
    by_dw, by_b = summarise_windows(res)
    ctx.add_table("sunlight_buildings", by_b, title_zh="日照分楼汇总", title_en="Sunlight by building")
    ctx.add_table("sunlight_dwellings", by_dw, title_zh="窗报批表（分户）", title_en="Window table by dwelling")
    ctx.add_table("sunlight_obstruction", obstr, title_zh="遮挡关系表", title_en="Obstruction table")
    limits = height_limit_table(model)
    if len(limits):
        ctx.add_table("sunlight_height_limit", limits, title_zh="推算限高（不使任何窗不满足的最大高度）",
                      title_en="Height back-calculation (greatest height at which no window fails)")
    tab = tst_bjt_table(lon=model.path.lon, lat=model.path.lat, date=model.path.date, refraction=p.refraction)
    tab["refraction"] = p.refraction
    tab["date"] = str(model.path.date)
    ctx.add_table("sunlight_time", tab, title_zh="真太阳时与北京时间对照", title_en="True solar time vs Beijing time")
    # shadow outlines at whole hours of the band, both scenes
    hours = [h for h in np.arange(np.ceil(p.band_start_h), np.floor(p.band_end_h) + 0.1, 1.0)]
    sh = [shadow_outlines(ctx.site.scene(s), model.path, tst_hours=hours,
                          grid_north_azimuth_deg=model.grid_north_azimuth_deg, scene=s) for s in ("before", "after")]
    ctx.add_layer("shadows", gpd.GeoDataFrame(pd.concat(sh, ignore_index=True), geometry="geometry",
                                              crs=ctx.site.crs),
                  title_zh="逐时阴影", title_en="Hourly shadows", in_report=False)
    return list(_window_findings(ctx, res, p))


def height_limit_table(model: SunlightModel) -> pd.DataFrame:
    """推算限高 for all proposed buildings at once and for each one alone (others as proposed).

    Columns: ``building_id`` ("*" = all proposed at once, one common height above their bases),
    ``height_m`` (current, m), ``limit_m`` (greatest height at which no judged window fails, m;
    the search ceiling if nothing binds), ``binding_windows``, ``already_failing`` (windows that
    fail whatever the tested building's height).
    """
    cols = ["building_id", "height_m", "limit_m", "binding_windows", "already_failing"]
    prop = model.proposed
    if prop.n_buildings == 0:
        return pd.DataFrame(columns=cols)
    heights = prop.top - prop.base
    rows = []
    for ids, label, h in [(None, "*", float(heights.max()))] + [
            ([b], b, float(hb)) for b, hb in zip(prop.building_ids, heights, strict=True)]:
        r = height_limit(model, building_ids=ids)
        rows.append((label, round(h, 2), round(r["height_m"], 2), ", ".join(map(str, r["binding_windows"][:10])),
                     len(r["already_failing"])))
    return pd.DataFrame(rows, columns=cols)


def _window_findings(ctx: CheckContext, res: pd.DataFrame, p: SunlightParams):
    day = _DAY_ZH.get(p.standard_day, p.standard_day)
    band = f"{p.band_start_h:g}–{p.band_end_h:g} h"
    for _, w in res.iterrows():
        v = Verdict(w["verdict"])
        if v in (Verdict.PASS, Verdict.NOT_CHECKED):
            continue
        hb, ha, thr = w["hours_before"], w["hours_after"], w["threshold_h"]
        if w["rule_id"] == "SUN-04":
            zh = (f"窗 {w['window_id']}（{w['building_id']}，{w['floor']}层）{day}{band}日照由 {hb:.2f} h 变为 "
                  f"{ha:.2f} h，标准 {thr:g} h：" + ("未低于现状，按“优化不恶化”通过" if v == Verdict.PASS_NOT_WORSE
                                                   else "低于标准且低于现状"))
            en = (f"Window {w['window_id']} ({w['building_id']}, floor {w['floor']}): {ha:.2f} h after vs "
                  f"{hb:.2f} h before on the standard day, standard {thr:g} h: "
                  + ("not worse than existing" if v == Verdict.PASS_NOT_WORSE else "below the standard and worse"))
            src = _src(ctx, "allow_not_worse")
        else:
            zh = f"新建住宅窗 {w['window_id']}（{w['building_id']}，{w['floor']}层）{day}日照 {ha:.2f} h，低于旧区改建下限 {thr:g} h"
            en = (f"New housing window {w['window_id']} ({w['building_id']}, floor {w['floor']}) gets {ha:.2f} h, "
                  f"below the old-district minimum {thr:g} h")
            src = _src(ctx, "old_district_new_min_hours")
        yield Finding(
            rule_id=w["rule_id"], subject_ids=(str(w["window_id"]), str(w["building_id"])), verdict=v,
            message_zh=zh, message_en=en,
            existing=None if pd.isna(hb) else round(float(hb), 4), proposed=round(float(ha), 4), threshold=thr,
            unit="h", source=src, geometry=w.geometry, layer="windows",
            details={"lost_min": None if pd.isna(w["lost_min"]) else float(w["lost_min"]),
                     "obstructors": w.get("obstructors")},
        )
    # one summary finding per building whose judged windows all pass
    judged = res[res["verdict"] != str(Verdict.NOT_CHECKED)]
    for bid, g in judged.groupby("building_id"):
        if (g["verdict"] == str(Verdict.PASS)).all():
            ph = g["phase"].iloc[0]
            rule = "SUN-04" if ph in FIXED_PHASES else "SUN-03"
            geom = ctx.site.buildings.set_index("building_id").geometry.get(bid)
            yield Finding(
                rule_id=rule, subject_ids=(str(bid),), verdict=Verdict.PASS,
                message_zh=f"{bid} 全部 {len(g)} 个窗{day}日照 ≥ {g['threshold_h'].iloc[0]:g} h（最少 {g['hours_after'].min():.2f} h）",
                message_en=f"All {len(g)} windows of {bid} get ≥ {g['threshold_h'].iloc[0]:g} h "
                           f"(least {g['hours_after'].min():.2f} h)",
                existing=None if g["hours_before"].isna().all() else round(float(g["hours_before"].min()), 4),
                proposed=round(float(g["hours_after"].min()), 4), threshold=float(g["threshold_h"].iloc[0]),
                unit="h", source=_src(ctx, "min_hours"), geometry=geom, layer="buildings",
            )


@register_check("sunlight.ground", rule_ids=("SUN-05",), order=510,
                title_zh="场地日照与集中绿地", title_en="Ground sunlight and concentrated green")
def check_ground(ctx: CheckContext):
    p = _params(ctx)
    model = sunlight_model(ctx)
    site = ctx.site
    area = shapely.union_all(site.project_parcels.geometry.to_numpy())
    grid = ground_grid(area, cell_m=p.ground_grid_m, margin_m=10.0)
    bld = site.buildings
    kw = dict(ground_z=float(np.nanmin(bld["base_elev_m"])) if len(bld) else 0.0, step_min=p.step_min,
              accumulation=p.accumulation, n_segments=p.n_segments, min_segment_min=p.min_segment_min)
    fp_b = list(site.scene("before").geometry)
    fp_a = list(site.scene("after").geometry)
    hb, hfix = ground_hours(grid, model.fixed, model.existing, model.sun, fp_b, **kw)
    ha, _ = ground_hours(grid, model.fixed, model.proposed, model.sun, fp_a, h_fixed=hfix, **kw)
    # The package writer turns this into sunlight.tif; checks write no files.
    ctx.products["sunlight_ground"] = (grid, hb, ha)
    ctx.products["sunlight_ground_tags"] = {"standard_day": str(model.path.date), "refraction": str(p.refraction)}
    green = site.layer("green")
    if green is None or len(green) == 0 or "kind" not in green:
        return [Finding(rule_id="SUN-05", subject_ids=("project",), verdict=Verdict.NOT_CHECKED,
                        message_zh="无集中绿地图层（green, kind=concentrated），未检查集中绿地日照",
                        message_en="No concentrated green space (layer 'green', kind = concentrated): "
                                   "the green-in-sun rule was not checked", layer="green")]
    conc = green[green["kind"] == "concentrated"]
    out = []
    for scene_name in ("before", "after"):
        ph = conc.get("phase")
        sel = conc if ph is None else conc[ph.fillna("both").isin(["both", "existing" if scene_name == "before"
                                                                      else "proposed", scene_name])]
        ctx.products[f"green_{scene_name}"] = sel
    ga = ctx.products["green_after"]
    gb = ctx.products["green_before"]
    if len(ga) == 0:
        return [Finding(rule_id="SUN-05", subject_ids=("project",), verdict=Verdict.NOT_CHECKED,
                        message_zh="方案无集中绿地", message_en="The proposal has no concentrated green space",
                        layer="green")]
    share_a = _area_share(grid, ha, ga, p.min_hours)
    share_b = _area_share(grid, hb, gb, p.min_hours) if len(gb) else None
    thr = p.green_outside_shadow_min
    v = judge(share_b, share_a, thr, sense="min", allow_not_worse=p.allow_not_worse)
    out.append(Finding(
        rule_id="SUN-05", subject_ids=("project",), verdict=v,
        message_zh=f"集中绿地位于标准日照阴影线外（≥ {p.min_hours:g} h）的比例 {share_a:.1%}，要求 ≥ {thr:.1%}",
        message_en=f"Share of concentrated green getting ≥ {p.min_hours:g} h: {share_a:.1%} (required ≥ {thr:.1%})",
        existing=share_b, proposed=share_a, threshold=thr, unit="", source=_src(ctx, "green_outside_shadow_min"),
        geometry=shapely.union_all(ga.geometry.to_numpy()), layer="green",
    ))
    return out


def _area_share(grid, hours, green, min_hours) -> float:
    shares = green_outside_shadow(grid, hours, green, min_hours=min_hours)
    areas = green.geometry.area.to_numpy()
    ok = np.isfinite(shares)
    return float((shares[ok] * areas[ok]).sum() / areas[ok].sum()) if ok.any() else float("nan")
