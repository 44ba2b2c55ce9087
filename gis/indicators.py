"""主要技术经济指标表 — the technical-economic indicator table, existing vs proposed.

Formulas (RULES.md §6.2): FAR (容积率) = counted floor area / net land area; building density
(建筑密度) = footprint area / net land area; green ratio (绿地率) = green area / net land area.
Areas in m², ratios as fractions (the report shows %).

Products shared by other modules refine the table when present in ``products``:
``net_land`` / ``net_land_area_m2`` / ``total_land_area_m2`` (parcels module) and
``counted_area`` (massing module: ``{"existing", "proposed", "premium_free_proposed"}``).
Without them, net land is the project parcels minus control-line areas and the counted area
is the gross floor area.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from gis.rules import RulePack

__all__ = ["Indicator", "indicator_table", "project_land", "planning_conditions", "green_area"]


@dataclass(frozen=True)
class Indicator:
    key: str
    label_zh: str
    label_en: str
    unit: str
    existing: float | None
    proposed: float | None
    condition: float | None = None
    condition_text: str = ""


def project_land(site, products: dict[str, Any] | None = None) -> tuple[BaseGeometry, float, BaseGeometry, float]:
    """Total land (总用地) and net land (净用地) geometries and areas in m².

    Uses the parcels module's products when present; otherwise the union of the project
    parcels, minus control-line polygons for the net land.
    """
    products = products or {}
    total_geom = products.get("total_land") or shapely.union_all(site.project_parcels.geometry.to_numpy())
    total_area = float(products.get("total_land_area_m2", total_geom.area))
    net_geom = products.get("net_land")
    if net_geom is None:
        net_geom = total_geom
        cl = site.layer("control_lines")
        if cl is not None and len(cl):
            net_geom = net_geom.difference(shapely.union_all(cl.geometry.to_numpy()))
    net_area = float(products.get("net_land_area_m2", net_geom.area))
    return total_geom, total_area, net_geom, net_area


def planning_conditions(parcels: gpd.GeoDataFrame) -> dict[str, float | None]:
    """Project-level planning conditions (规划条件) from the project parcels.

    ``far_max``, ``density_max``, ``green_min`` are area-weighted over the parcels that give
    them (so the project cap equals the sum of the parcels' caps); ``height_max_m`` is the
    lowest cap.  None when no parcel gives the field.
    """
    area = parcels.geometry.area.to_numpy()
    out: dict[str, float | None] = {}
    for fld in ("far_max", "density_max", "green_min"):
        v = parcels[fld].astype(float).to_numpy()
        ok = ~np.isnan(v)
        out[fld] = float((v[ok] * area[ok]).sum() / area[ok].sum()) if ok.any() and area[ok].sum() > 0 else None
    h = parcels["height_max_m"].astype(float).dropna()
    out["height_max_m"] = float(h.min()) if len(h) else None
    return out


def green_area(site, scene: str, within: BaseGeometry, *, kind: str | None = None) -> float | None:
    """Green area (绿地面积, m²) of a scene inside ``within``; None when the site has no green layer."""
    g = site.layer("green")
    if g is None or not len(g):
        return None
    phases = ("existing", "both") if scene == "before" else ("proposed", "both")
    g = g[g["phase"].isin(phases)]
    if kind is not None:
        g = g[g["kind"] == kind]
    if not len(g):
        return 0.0
    return float(shapely.union_all(g.geometry.to_numpy()).intersection(within).area)


def _ratio(a: float | None, b: float | None) -> float | None:
    return None if a is None or b in (None, 0) else a / b


def indicator_table(site, rules: RulePack, *, products: dict[str, Any] | None = None) -> list[Indicator]:
    """The 主要技术经济指标表 rows for the existing and the proposed state.

    Returns
    -------
    list of Indicator
        Land (m²), gross and counted floor area (m²), premium-free area (m²), FAR, footprint
        (m²), density, green area (m²) and ratio, concentrated green per person (m²/person),
        max height (m), max storeys, households, buildings, average dwelling area (m²).
    """
    products = products or {}
    _, total_area, net_geom, net_area = project_land(site, products)
    cond = planning_conditions(site.project_parcels)
    before, after = site.project_buildings("before"), site.project_buildings("after")
    counted = products.get("counted_area") or {}
    gfa_b, gfa_a = float(before["gfa_m2"].sum()), float(after["gfa_m2"].sum())
    counted_b = float(counted.get("existing", gfa_b))
    counted_a = float(counted.get("proposed", gfa_a))
    premium_free = float(counted.get("premium_free_proposed", after.loc[after["phase"] == "proposed", "lift_public_area_m2"].sum()))
    foot_b, foot_a = float(before["footprint_area_m2"].sum()), float(after["footprint_area_m2"].sum())
    green_b, green_a = green_area(site, "before", net_geom), green_area(site, "after", net_geom)
    conc_b = green_area(site, "before", net_geom, kind="concentrated")
    conc_a = green_area(site, "after", net_geom, kind="concentrated")
    res_b, res_a = before[before["use"] == "residential"], after[after["use"] == "residential"]
    hh_b, hh_a = int(res_b["households"].sum()), int(res_a["households"].sum())
    pph = rules.planning.persons_per_household.value
    rows = [
        Indicator("total_land_area_m2", "总用地面积", "Total land area", "m²", total_area, total_area),
        Indicator("net_land_area_m2", "净用地面积", "Net land area", "m²", net_area, net_area),
        Indicator("gross_floor_area_m2", "总建筑面积", "Gross floor area", "m²", gfa_b, gfa_a),
        Indicator("counted_floor_area_m2", "计容建筑面积", "Counted floor area (FAR)", "m²", counted_b, counted_a,
                  None if cond["far_max"] is None else cond["far_max"] * net_area),
        Indicator("premium_free_area_m2", "其中：新增电梯·楼梯·连廊·保温·公服（计容不计地价）",
                  "of which lifts, stairs, corridors, insulation, public facilities (counted, no land premium)", "m²", 0.0, premium_free),
        Indicator("far", "容积率", "Floor area ratio (FAR)", "", _ratio(counted_b, net_area), _ratio(counted_a, net_area), cond["far_max"],
                  "≤"),
        Indicator("footprint_area_m2", "建筑基底面积", "Building footprint area", "m²", foot_b, foot_a),
        Indicator("density", "建筑密度", "Building density", "%", _ratio(foot_b, net_area), _ratio(foot_a, net_area), cond["density_max"], "≤"),
        Indicator("green_area_m2", "绿地面积", "Green area", "m²", green_b, green_a),
        Indicator("green_ratio", "绿地率", "Green ratio", "%", _ratio(green_b, net_area), _ratio(green_a, net_area), cond["green_min"], "≥"),
        Indicator("concentrated_green_m2", "集中绿地面积", "Concentrated green area", "m²", conc_b, conc_a),
        Indicator("concentrated_green_per_person_m2", "人均集中绿地面积", "Concentrated green per person", "m²/人",
                  _ratio(conc_b, hh_b * pph), _ratio(conc_a, hh_a * pph)),
        Indicator("max_height_m", "最大建筑高度", "Maximum building height", "m",
                  float(before["height_m"].max()) if len(before) else None, float(after["height_m"].max()) if len(after) else None,
                  cond["height_max_m"], "≤"),
        Indicator("max_floors", "最高层数", "Maximum storeys", "层",
                  float(before["floors"].max()) if len(before) else None, float(after["floors"].max()) if len(after) else None),
        Indicator("households", "户数", "Households", "户", float(hh_b), float(hh_a), float(hh_b), "≤"),
        Indicator("buildings", "建筑栋数", "Buildings", "栋", float(len(before)), float(len(after))),
        Indicator("avg_dwelling_area_m2", "套均建筑面积", "Average floor area per dwelling", "m²",
                  _ratio(float(res_b["gfa_m2"].sum()), hh_b), _ratio(float(res_a["gfa_m2"].sum()), hh_a)),
    ]
    return rows


def indicators_frame(rows: list[Indicator]) -> pd.DataFrame:
    """Indicator rows as a table (the ``indicators`` table of ``results.gpkg``)."""
    return pd.DataFrame([r.__dict__ for r in rows])
