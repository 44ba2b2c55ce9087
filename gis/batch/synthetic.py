"""A synthetic city (合成城市) of many small communities, for batch tests and benchmarks.

Each community is :func:`gis.testing.make_site_layers` shifted onto a grid of blocks, with
every id prefixed by the community id (``C001-E1`` …) and a ``community_id`` field on every
layer, including the ``dwellings`` table.  A community listed in ``bad`` gets unusable data
(a duplicate building id and a building with 0 floors), as a surveyor's typo would.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
from shapely import affinity

from gis.testing import make_site_layers

__all__ = ["make_city_layers", "write_city", "community_name"]

_ID_FIELDS = ("parcel_id", "unit_id", "building_id", "new_building_id", "road_id", "green_id", "lane_id", "site_id",
              "window_id", "line_id")


def community_name(k: int) -> str:
    """Id of the k-th synthetic community (0-based): ``C001``, ``C002`` …"""
    return f"C{k + 1:03d}"


def make_city_layers(n: int, *, bad: tuple[int, ...] = (), block_m: float = 400.0, per_row: int = 20,
                     by: str = "community_id") -> dict[str, pd.DataFrame]:
    """``n`` communities on a grid of ``block_m`` × ``block_m`` m blocks (EPSG:4538).

    Parameters
    ----------
    n : int
        Number of communities.
    bad : tuple of int
        0-based indexes of communities given unusable data.
    block_m : float
        Grid spacing, m (the sample site spans ≈ 250 m × 160 m).
    per_row : int
        Communities per grid row.
    by : str
        Name of the community id field.
    """
    parts: dict[str, list[pd.DataFrame]] = {}
    for k in range(n):
        cid = community_name(k)
        dx, dy = (k % per_row) * block_m, (k // per_row) * block_m
        for name, frame in make_site_layers().items():
            frame = frame.copy()
            for col in _ID_FIELDS:
                if col in frame.columns:
                    frame[col] = frame[col].map(lambda v, c=cid: None if v is None or pd.isna(v) else f"{c}-{v}")
            if isinstance(frame, gpd.GeoDataFrame):
                frame = frame.set_geometry(frame.geometry.map(lambda g, x=dx, y=dy: affinity.translate(g, x, y)))
            frame.insert(0, by, cid)
            if k in bad and name == "buildings":
                frame.loc[frame.index[1], "building_id"] = frame["building_id"].iloc[0]
                frame.loc[frame.index[2], "floors"] = 0
            parts.setdefault(name, []).append(frame)
    out: dict[str, pd.DataFrame] = {}
    for name, frames in parts.items():
        cat = pd.concat(frames, ignore_index=True)
        out[name] = gpd.GeoDataFrame(cat, geometry="geometry", crs=frames[0].crs) if isinstance(frames[0], gpd.GeoDataFrame) else cat
    return out


def write_city(layers: dict[str, pd.DataFrame], path: str | Path) -> Path:
    """Write a city's layers to one GeoPackage (tables without geometry included)."""
    import pyogrio

    path = Path(path)
    for name, frame in layers.items():
        pyogrio.write_dataframe(frame, path, layer=name, driver="GPKG")
    return path
