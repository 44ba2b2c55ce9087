"""The whole land step over plain frames: classify scrap plots, then merge project + accepted scrap into net land.

:func:`analyse_land` is what ``renewal check`` runs (through :mod:`gis.parcels.checks`); it takes the
``parcels``, ``roads`` and ``control_lines`` layers as GeoDataFrames so tests and notebooks can call it
without a site file.  Units: m, m².
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry import Polygon

from gis.parcels._params import land_param
from gis.parcels.inputs import ParcelInputError, parcel_roles, validate_parcels
from gis.parcels.netland import NetLand, close_gaps, excluded_areas, merge_net_land, reconcile_areas
from gis.parcels.scrap import classify_scrap, scrap_share

if TYPE_CHECKING:
    from gis.rules import RulePack

__all__ = ["LandAnalysis", "analyse_land"]


@dataclass
class LandAnalysis:
    """Result of :func:`analyse_land`.

    Attributes
    ----------
    net_land : NetLand
        The merge of the project parcels and the merged scrap plots.
    scrap : GeoDataFrame
        Classification of every ``role = scrap`` parcel (see :func:`gis.parcels.scrap.classify_scrap`).
    share : dict
        Share cap test (LC-04) over the merged scrap plots.
    reconciliation : DataFrame
        GIS vs registered area of every parcel in the net land (LC-10).
    merged_ids : list of str
        Parcels that make the net land.
    """

    net_land: NetLand
    scrap: gpd.GeoDataFrame
    share: dict[str, float | bool]
    reconciliation: pd.DataFrame
    merged_ids: list[str]
    problems: list[str] = field(default_factory=list)


def analyse_land(
    parcels: gpd.GeoDataFrame,
    *,
    roads: gpd.GeoDataFrame | None = None,
    control_lines: gpd.GeoDataFrame | None = None,
    force_scrap: Iterable[str] = (),
    rules: RulePack | None = None,
) -> LandAnalysis:
    """Classify scrap plots against the project land and merge the net land (RULES.md §5).

    Parameters
    ----------
    parcels : GeoDataFrame
        The ``parcels`` layer (宗地): ``parcel_id``, ``role`` (``project`` / ``scrap`` / ``neighbour``),
        ``area_registered_m2`` …; polygons in metres.
    roads, control_lines : GeoDataFrame, optional
        The ``roads`` and ``control_lines`` layers.
    force_scrap : iterable of str
        Scrap parcel ids to merge even when a test fails (run option ``force_scrap``).
    rules : RulePack, optional

    Raises
    ------
    ParcelInputError
        When the parcels cannot be analysed (one line per problem).
    """
    problems = validate_parcels(parcels)
    if problems:
        raise ParcelInputError(problems)
    roles = parcel_roles(parcels)
    project = parcels[roles == "project"]
    if not len(project):
        raise ParcelInputError(["parcels: no parcel has role = project; fix: mark the project's parcels with role = project"])
    candidates = parcels[roles == "scrap"]
    snap = land_param(None, "snap_tol_m", rules)
    project_land, _ = close_gaps(shapely.union_all(project.geometry.to_numpy()), snap_tol_m=float(snap))

    excluded, _ = excluded_areas(control_lines, roads, rules=rules)
    is_road = excluded["kind"] == "road" if len(excluded) else pd.Series([], dtype=bool)
    road_union = shapely.union_all(excluded.geometry.to_numpy()[is_road.to_numpy()]) if len(excluded) else Polygon()
    corridor_union = (
        shapely.union_all(control_lines.geometry.to_numpy()) if control_lines is not None and len(control_lines) else Polygon()
    )
    scrap = classify_scrap(candidates, project_land, roads=road_union, corridors=corridor_union, force=force_scrap, rules=rules)
    merged_scrap_ids = set(scrap.loc[scrap["merged"], "parcel_id"]) if len(scrap) else set()
    members = parcels[(roles == "project") | parcels["parcel_id"].astype(str).isin(merged_scrap_ids)]
    net = merge_net_land(members, roads=roads, control_lines=control_lines, rules=rules)
    scrap_area = float(scrap.loc[scrap["merged"], "area_m2"].sum()) if len(scrap) else 0.0
    share = scrap_share(scrap_area, net.merged_area_m2, rules=rules)
    recon = reconcile_areas(members, rules=rules)
    return LandAnalysis(
        net_land=net,
        scrap=scrap,
        share=share,
        reconciliation=recon,
        merged_ids=list(members["parcel_id"].astype(str)),
        problems=list(net.problems),
    )
