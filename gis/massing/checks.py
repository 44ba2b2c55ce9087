"""Registry adapter of the massing module: Site → the pure functions of ``area``, ``spacing``, ``setback``.

Checks (order 300–320): ``massing.area`` (MS-01, MS-02, MS-03; counted-area items, product
``counted_area``), ``massing.spacing`` (SP-01..03), ``massing.setback`` (SB-N1, SB-01, SB-02).
Layers: ``dwelling_area``, ``counted_area``, ``building_heights``, ``spacing_pairs``, ``setbacks``.
"""

from __future__ import annotations

import pandas as pd
import shapely

from gis.findings import Finding, Verdict
from gis.massing.area import (
    allowance_findings,
    counted_area,
    counted_area_totals,
    dwelling_allowance,
    dwelling_findings,
    household_findings,
)
from gis.massing.setback import boundary_setbacks, road_setbacks, setback_findings
from gis.massing.spacing import spacing_findings, spacing_pairs
from gis.registry import CheckContext, register_check

__all__ = ["main_counterparts"]


def main_counterparts(ctx: CheckContext) -> dict[str, str]:
    """Proposed id → the existing building it mainly replaces (largest footprint overlap).

    From :meth:`gis.site.Site.replaced_by`; shared as the product ``massing.counterparts``.
    """

    def compute() -> dict[str, str]:
        b = ctx.site.buildings
        geom = dict(zip(b["building_id"].astype(str), b.geometry, strict=True))
        out = {}
        for pid, olds in ctx.site.replaced_by().items():
            if not olds:
                continue
            out[pid] = max(olds, key=lambda o: shapely.area(shapely.intersection(geom[pid], geom[o])))
        return out

    return ctx.product("massing.counterparts", compute)


def _heights_layer(ctx: CheckContext) -> None:
    from gis.fire.separation import separation_class

    b = ctx.site.buildings
    rs = ctx.rules.rescue_site.applies_above_height_m.value
    cols = [c for c in ["building_id", "name", "phase", "use", "floors", "storey_height_m", "height_m", "base_elev_m",
                        "top_elev_m", "height_class", "fire_grade", "households", "gfa_m2"] if c in b]
    layer = b[[*cols, "geometry"]].copy()
    layer["fire_class"] = [separation_class(r) for r in b.drop(columns="geometry").to_dict("records")]
    layer["needs_rescue_site"] = b["height_m"] > rs
    ctx.add_layer("building_heights", layer, title_zh="建筑高度与分类", title_en="Building heights and classes")


@register_check("massing.area", rule_ids=("MS-01", "MS-02", "MS-03"), order=300,
                title_zh="增加建筑面积、户数与计容面积", title_en="Added floor area, households and counted area")
def check_area(ctx: CheckContext) -> list[Finding]:
    site, rules = ctx.site, ctx.rules
    b = site.buildings
    project = b[b["phase"] != "context"]
    items = counted_area(project, rules=rules)
    ctx.products["counted_area"] = counted_area_totals(items)
    ctx.add_layer("counted_area", items, title_zh="计容面积分项（含免缴土地出让金部分）",
                  title_en="Counted floor area by item (premium-free part shown)")
    _heights_layer(ctx)
    dw = site.layer("dwellings")
    out: list[Finding] = []
    rehoused = None
    if dw is None or not len(dw):
        out.append(Finding(
            "MS-01", ("project",), Verdict.NOT_CHECKED,
            "缺少户表 dwellings，按户增加面积（MS-01/MS-03）未检查；请提供每户产权面积 property_area_m2 与新面积 new_area_m2。",
            "No dwellings table: the per-dwelling added-area checks (MS-01/MS-03) were not run; fix: add the dwellings "
            "table with property_area_m2 and new_area_m2.", layer="dwellings", source=rules.massing.tiers.source))
    else:
        table = dwelling_allowance(dw, rules=rules)
        ctx.add_layer("dwelling_area", table, title_zh="户型面积对照表（按户增加面积）",
                      title_en="Per-dwelling added area")
        out += dwelling_findings(table, rules=rules)
        prop = b[(b["phase"] == "proposed") & (b["use"] == "residential")]
        lift = float(pd.to_numeric(prop.get("lift_public_area_m2"), errors="coerce").fillna(0).sum())
        gfa = float(pd.to_numeric(prop["gfa_m2"], errors="coerce").sum()) if len(prop) else None
        olds = b[b["building_id"].astype(str).isin(dw["building_id"].astype(str)) & (b["phase"] == "existing")]
        ex_gfa = float(pd.to_numeric(olds["gfa_m2"], errors="coerce").sum()) if len(olds) else None
        out += allowance_findings(table, lift_public_m2={"project": lift}, proposed_gfa_m2=gfa,
                                  existing_gfa_m2=ex_gfa, rules=rules)
        if "new_building_id" in dw and dw["new_building_id"].notna().any():
            rehoused = dw.dropna(subset=["new_building_id"]).groupby(dw["new_building_id"].dropna().astype(str)).size()
            rehoused = {k: int(v) for k, v in rehoused.items()}
    counterparts = None if rehoused else site.replaced_by()
    out += household_findings(b, dwellings=dw, counterparts=counterparts, rehoused=rehoused, rules=rules)
    return out


@register_check("massing.spacing", rule_ids=("SP-01", "SP-02", "SP-03"), order=310,
                title_zh="住宅建筑间距", title_en="Spacing between residential buildings")
def check_spacing(ctx: CheckContext) -> list[Finding]:
    site = ctx.site
    pairs = spacing_pairs(site.scene("after"), before=site.scene("before"), counterparts=main_counterparts(ctx),
                          grid_north_azimuth_deg=site.grid_north_azimuth_deg, rules=ctx.rules)
    ctx.add_layer("spacing_pairs", pairs, title_zh="住宅间距（方案/现状/要求）", title_en="Residential spacing pairs")
    return spacing_findings(pairs)


@register_check("massing.setback", rule_ids=("SB-N1", "SB-01", "SB-02"), order=320,
                title_zh="建筑退线", title_en="Setbacks from road red lines and the land boundary")
def check_setback(ctx: CheckContext) -> list[Finding]:
    site, rules = ctx.site, ctx.rules
    after = site.buildings[site.buildings["phase"] == "proposed"]
    before = site.buildings[site.buildings["phase"] == "existing"]
    cp = main_counterparts(ctx)
    roads = site.layer("roads")
    net = ctx.products.get("net_land")
    if net is None or not isinstance(net, shapely.Geometry):
        net = shapely.union_all(site.project_parcels.geometry.to_numpy()) if len(site.project_parcels) else None
    road = road_setbacks(after, roads, before=before, counterparts=cp, rules=rules)
    bnd = boundary_setbacks(after, net, roads=roads, before=before, counterparts=cp,
                            grid_north_azimuth_deg=site.grid_north_azimuth_deg, rules=rules)
    layer = pd.concat([road.assign(kind="road"), bnd.assign(kind="boundary")], ignore_index=True)
    import geopandas as gpd

    ctx.add_layer("setbacks", gpd.GeoDataFrame(layer, geometry="geometry", crs=site.crs),
                  title_zh="建筑退线（道路红线/用地边界）", title_en="Setbacks (road red lines, land boundary)")
    out = setback_findings(road, bnd, rules=rules)
    if roads is None or not len(roads):
        out.append(Finding("SB-01", ("project",), Verdict.NOT_CHECKED,
                           "缺少道路图层 roads，道路红线退线未检查。",
                           "No roads layer: setbacks from road red lines were not checked; fix: add roads.",
                           layer="roads", source=rules.setback.road_residential_low_m.source))
    return out
