"""Validation of the parcel, road and control-line frames the land analysis reads.

Bad input is never a traceback: every problem is one line naming the layer, the feature,
the field, what is wrong and how to fix it, and all problems are raised together in one
:class:`ParcelInputError`.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

__all__ = ["ParcelInputError", "validate_parcels", "parcel_roles", "ROLES"]

ROLES = ("project", "scrap", "neighbour")


class ParcelInputError(ValueError):
    """Parcel data that cannot be analysed; ``problems`` holds one line per problem."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


def _fid(frame: pd.DataFrame, i: int, id_field: str) -> str:
    if id_field in frame.columns:
        value = frame[id_field].iloc[i]
        if value is not None and not (isinstance(value, float) and np.isnan(value)):
            return str(value)
    return f"#{i}"


def validate_parcels(parcels: gpd.GeoDataFrame, *, layer: str = "parcels") -> list[str]:
    """Problems of a parcel frame (宗地) as messages; empty when it is usable.

    Checks: a ``parcel_id`` field with unique, non-empty values; polygonal, non-empty, valid
    geometry; a known ``role``; non-negative ``area_registered_m2``.
    """
    problems: list[str] = []
    if parcels is None or len(parcels) == 0:
        return [f"{layer}: the layer is empty or absent; fix: add the project parcels (宗地) as polygons"]
    if "parcel_id" not in parcels.columns:
        problems.append(f"{layer}: field parcel_id is missing; fix: add a unique id per parcel (不动产单元号 where known)")
    else:
        ids = parcels["parcel_id"]
        blank = ids.isna() | (ids.astype(str).str.strip() == "")
        for i in np.flatnonzero(blank.to_numpy()):
            problems.append(f"{layer} feature #{i}: parcel_id is empty; fix: give every parcel an id")
        dup = ids[~blank & ids.duplicated(keep=False)]
        for value in sorted(set(dup.astype(str))):
            problems.append(f"{layer} parcel_id={value}: the id is used more than once; fix: make parcel ids unique")
    geoms = parcels.geometry.to_numpy()
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    types = shapely.get_type_id(geoms)
    polygonal = np.isin(types, (3, 6))
    valid = shapely.is_valid(geoms)
    for i in range(len(parcels)):
        fid = _fid(parcels, i, "parcel_id")
        if missing[i]:
            problems.append(f"{layer} parcel_id={fid}: geometry is empty; fix: draw the parcel boundary")
        elif not polygonal[i]:
            problems.append(
                f"{layer} parcel_id={fid}: geometry is a {geoms[i].geom_type}, not a polygon; "
                "fix: store parcels as (multi)polygons"
            )
        elif not valid[i]:
            reason = shapely.is_valid_reason(geoms[i])
            problems.append(f"{layer} parcel_id={fid}: invalid geometry ({reason}); fix: repair the boundary (e.g. QGIS Fix geometries)")
    if "role" in parcels.columns:
        roles = parcels["role"].fillna("project").astype(str)
        for i in np.flatnonzero(~roles.isin(ROLES).to_numpy()):
            problems.append(
                f"{layer} parcel_id={_fid(parcels, i, 'parcel_id')}: role={roles.iloc[i]!r} is unknown; "
                f"fix: use one of {', '.join(ROLES)}"
            )
    if "area_registered_m2" in parcels.columns:
        reg = pd.to_numeric(parcels["area_registered_m2"], errors="coerce")
        bad = (reg < 0) | (parcels["area_registered_m2"].notna() & reg.isna())
        for i in np.flatnonzero(bad.to_numpy()):
            problems.append(
                f"{layer} parcel_id={_fid(parcels, i, 'parcel_id')}: area_registered_m2="
                f"{parcels['area_registered_m2'].iloc[i]!r} is not a non-negative number of m²; fix: enter the registered area"
            )
    return problems


def parcel_roles(parcels: pd.DataFrame) -> pd.Series:
    """The ``role`` of every parcel, ``"project"`` where the field is absent or empty."""
    if "role" not in parcels.columns:
        return pd.Series("project", index=parcels.index)
    return parcels["role"].fillna("project").astype(str).str.strip().str.lower()
