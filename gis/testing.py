"""Small synthetic sites for tests and examples (cityseer ``mock`` style).

:func:`make_site_layers` builds a minimal valid site in EPSG:4538 near Urumqi: two project
parcels in one planning unit, a road, three slab blocks (one existing, one kept, one
proposed) and one context block, with dwellings.  Tests mutate it to build bad inputs.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
from shapely.geometry import LineString, box

__all__ = ["ORIGIN", "make_site_layers", "write_site"]

ORIGIN = (548_200.0, 4_851_700.0)  # EPSG:4538, ≈ 87.6°E 43.8°N


def _shift(geom, dx: float = ORIGIN[0], dy: float = ORIGIN[1]):
    from shapely import affinity

    return affinity.translate(geom, dx, dy)


def make_site_layers(crs: str = "EPSG:4538") -> dict[str, pd.DataFrame]:
    """A minimal valid site as a dict of layers (GeoDataFrames, and a DataFrame for dwellings)."""
    parcels = gpd.GeoDataFrame(
        {
            "parcel_id": ["P1", "P2"],
            "unit_id": ["U1", "U1"],
            "role": ["project", "project"],
            "area_registered_m2": [6000.0, 6000.0],
            "far_max": [1.8, 1.8],
            "height_max_m": [36.0, 36.0],
            "density_max": [0.28, 0.28],
            "green_min": [0.30, 0.30],
        },
        geometry=[_shift(box(0, 0, 60, 100)), _shift(box(60, 0, 120, 100))],
        crs=crs,
    )
    buildings = gpd.GeoDataFrame(
        {
            "building_id": ["E1", "K1", "N1", "C1"],
            "name": ["1号楼", "2号楼", "新1号楼", "北侧住宅"],
            "phase": ["existing", "kept", "proposed", "context"],
            "floors": [6, 6, 9, None],
            "height_m": [None, 17.1, None, 18.0],
            "use": ["residential"] * 4,
            "households": [24, 24, 20, 36],
            "year_built": [1988, 1992, None, 1995],
            "lift_public_area_m2": [None, None, 240.0, None],
        },
        geometry=[
            _shift(box(10, 20, 50, 32)),
            _shift(box(70, 20, 110, 32)),
            _shift(box(10, 60, 50, 73)),
            _shift(box(10, 130, 70, 142)),
        ],
        crs=crs,
    )
    dwellings = pd.DataFrame(
        {
            "building_id": ["E1"] * 4,
            "unit_no": ["1-1-01", "1-1-02", "1-2-01", "1-2-02"],
            "property_area_m2": [48.0, 50.0, 70.0, 90.0],
            "new_area_m2": [62.0, 65.0, 84.0, 99.0],
            "new_building_id": ["N1", "N1", "N1", None],
        }
    )
    roads = gpd.GeoDataFrame(
        {"road_id": ["R1"], "red_line_width_m": [24.0], "road_class": ["主干路"]},
        geometry=[_shift(LineString([(-50, -12), (200, -12)]))],
        crs=crs,
    )
    planning_units = gpd.GeoDataFrame(
        {"unit_id": ["U1"], "floor_area_cap_m2": [20000.0]}, geometry=[_shift(box(0, 0, 120, 100))], crs=crs
    )
    green = gpd.GeoDataFrame(
        {"green_id": ["G1"], "kind": ["concentrated"], "phase": ["both"]}, geometry=[_shift(box(70, 50, 110, 80))], crs=crs
    )
    return {
        "parcels": parcels,
        "buildings": buildings,
        "dwellings": dwellings,
        "roads": roads,
        "planning_units": planning_units,
        "green": green,
    }


def write_site(layers: dict[str, pd.DataFrame], path: str | Path) -> Path:
    """Write layers to a GeoPackage (attribute tables without geometry included)."""
    path = Path(path)
    for name, frame in layers.items():
        if isinstance(frame, gpd.GeoDataFrame):
            pyogrio.write_dataframe(frame, path, layer=name, driver="GPKG")
        else:
            pyogrio.write_dataframe(frame, path, layer=name, driver="GPKG")
    return path
