"""The building model: heights from floors, height classes, before / after scenes.

Heights (建筑高度) are in metres above the building's own ground level (``base_elev_m``).
Where ``height_m`` is missing it is ``floors × storey_height_m + roof_buildup_m``; the storey
height defaults to the rule pack's value for existing buildings (survey practice) and to the
GB 55038-2025 minimum (3.0 m) for proposed ones.

Height classes (高度分类), residential (GB 50016-2014(2018) 5.1.1, GB 50352-2019 3.1.2):
``multi`` ≤ 27 m (单、多层), ``high2`` 27–54 m (二类高层), ``high1`` > 54 m (一类高层),
``super`` > 100 m (超高层).  Public buildings use 24 m and 50 m instead of 27 m and 54 m.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from gis.problems import Note
from gis.rules import RulePack

__all__ = ["derive_buildings", "height_class", "HEIGHT_CLASSES", "SCENES", "scene", "replaced_buildings"]

HEIGHT_CLASSES = {
    "multi": ("单、多层", "single/multi-storey"),
    "high2": ("二类高层", "class-2 high-rise"),
    "high1": ("一类高层", "class-1 high-rise"),
    "super": ("超高层", "super-high-rise"),
}

SCENES = {
    "before": ("context", "existing", "kept"),
    "after": ("context", "kept", "proposed"),
}


def height_class(height_m: np.ndarray | pd.Series, use: np.ndarray | pd.Series, *, rules: RulePack) -> np.ndarray:
    """Height class of each building.

    Parameters
    ----------
    height_m : array of float
        Building height in metres (fire-code height, grade to roof surface).
    use : array of str
        ``residential`` / ``public`` / ``commercial`` / ``other``; non-residential uses take
        the public-building thresholds.
    rules : RulePack
        Thresholds from ``[building.height_class]``.

    Returns
    -------
    numpy.ndarray of str
        ``"multi"``, ``"high2"``, ``"high1"`` or ``"super"``.
    """
    hc = rules.building.height_class
    h = np.asarray(height_m, dtype=float)
    residential = np.asarray(use) == "residential"
    low = np.where(residential, hc.residential_multi_max_m.value, hc.public_multi_max_m.value)
    mid = np.where(residential, hc.residential_class2_max_m.value, hc.public_class1_min_m.value)
    return np.select(
        [h > hc.super_high_rise_min_m.value, h > mid, h > low],
        ["super", "high1", "high2"],
        default="multi",
    )


def derive_buildings(buildings: gpd.GeoDataFrame, *, rules: RulePack) -> tuple[gpd.GeoDataFrame, list[Note]]:
    """Fill in the derived attributes of validated buildings.

    Adds or completes: ``storey_height_m`` (m), ``height_m`` (m), ``height_source``
    (``given`` / ``floors``), ``floors`` (derived from the height where only it is given),
    ``base_elev_m`` (m), ``use``, ``households`` (0 when unknown), ``fire_grade``,
    ``footprint_area_m2`` (m²), ``gfa_m2`` (m², default footprint × floors),
    ``lift_public_area_m2`` (m², default 0), ``lowest_residential_floor``, ``height_class``
    and ``top_elev_m`` (base + height, m).
    """
    b = buildings.copy()
    for col in ("floors", "height_m", "storey_height_m", "base_elev_m", "households", "fire_grade",
                "gfa_m2", "lift_public_area_m2", "lowest_residential_floor"):
        if col not in b.columns:
            b[col] = np.nan
    if "use" not in b.columns:
        b["use"] = "residential"
    br = rules.building
    notes: list[Note] = []
    proposed = (b["phase"] == "proposed").to_numpy()
    default_storey = np.where(proposed, br.storey_height_new_min_m.value, br.storey_height_existing_m.value)
    storey = b["storey_height_m"].astype(float).to_numpy()
    storey_given = ~np.isnan(storey)
    floors = b["floors"].astype(float).to_numpy()
    height = b["height_m"].astype(float).to_numpy()
    roof = br.roof_buildup_m.value
    height_given = ~np.isnan(height)
    # A storey height implied by a surveyed height beats the pack's default.
    implied = np.where(height_given & ~np.isnan(floors) & (floors > 0), (height - roof) / np.where(floors > 0, floors, 1), np.nan)
    storey = np.where(storey_given, storey, np.where(np.isnan(implied), default_storey, implied))
    floors_missing = np.isnan(floors)
    floors = np.where(floors_missing, np.maximum(1, np.round((height - roof) / storey)), floors)
    height = np.where(height_given, height, floors * storey + roof)
    ids = b["building_id"].astype(str).to_numpy()
    for i in np.flatnonzero(~height_given):
        notes.append(Note("default", f"建筑 {ids[i]}：未给出高度，按 {floors[i]:g} 层 × {storey[i]:.2f} m + 屋面 {roof:g} m 计为 {height[i]:.2f} m",
                          f"building {ids[i]}: no height_m; {floors[i]:g} floors × {storey[i]:.2f} m + roof {roof:g} m = {height[i]:.2f} m",
                          "buildings", ids[i]))
    for i in np.flatnonzero(floors_missing):
        notes.append(Note("default", f"建筑 {ids[i]}：未给出层数，按高度推算为 {floors[i]:g} 层",
                          f"building {ids[i]}: no floors; {floors[i]:g} derived from the height", "buildings", ids[i]))
    b["storey_height_m"] = storey
    b["height_m"] = height
    b["height_source"] = np.where(height_given, "given", "floors")
    b["floors"] = floors.astype(int)
    b["base_elev_m"] = b["base_elev_m"].astype(float).fillna(br.default_base_elev_m.value)
    b["use"] = b["use"].fillna("residential")
    b["households"] = b["households"].fillna(0).astype(int)
    b["fire_grade"] = b["fire_grade"].fillna(br.default_fire_grade.value).astype(int)
    b["lowest_residential_floor"] = b["lowest_residential_floor"].fillna(br.default_lowest_residential_floor.value).astype(int)
    b["footprint_area_m2"] = b.geometry.area
    b["gfa_m2"] = b["gfa_m2"].astype(float).fillna(b["footprint_area_m2"] * b["floors"])
    b["lift_public_area_m2"] = b["lift_public_area_m2"].astype(float).fillna(0.0)
    b["height_class"] = height_class(b["height_m"], b["use"], rules=rules)
    b["top_elev_m"] = b["base_elev_m"] + b["height_m"]
    return b, notes


def scene(buildings: gpd.GeoDataFrame, which: str) -> gpd.GeoDataFrame:
    """Buildings standing in a scene: ``"before"`` = context + existing + kept, ``"after"`` = context + kept + proposed."""
    if which not in SCENES:
        raise ValueError(f"scene must be 'before' or 'after', not {which!r}")
    return buildings[buildings["phase"].isin(SCENES[which])]


def replaced_buildings(buildings: gpd.GeoDataFrame, dwellings: pd.DataFrame | None = None) -> dict[str, list[str]]:
    """For each proposed building, the existing buildings it replaces.

    A proposed building replaces the existing (demolished) buildings whose footprints it
    overlaps, plus those whose dwellings are re-housed in it (``dwellings.new_building_id``).
    """
    existing = buildings[buildings["phase"] == "existing"]
    proposed = buildings[buildings["phase"] == "proposed"]
    out: dict[str, set[str]] = {str(pid): set() for pid in proposed["building_id"]}
    if len(existing) and len(proposed):
        left, right = existing.sindex.query(proposed.geometry, predicate="intersects")
        for i, j in zip(left, right, strict=True):
            out[str(proposed["building_id"].iloc[i])].add(str(existing["building_id"].iloc[j]))
    if dwellings is not None and len(dwellings) and "new_building_id" in dwellings.columns:
        pairs = dwellings[["new_building_id", "building_id"]].dropna().drop_duplicates()
        for nb, ob in pairs.itertuples(index=False):
            if str(nb) in out:
                out[str(nb)].add(str(ob))
    return {k: sorted(v) for k, v in out.items()}
