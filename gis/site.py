"""The site (场地): validated layers in one projected CRS, with the building model applied.

>>> from gis.datasets import get_path
>>> from gis.rules import load_rules
>>> site = load_site(get_path("sample"), rules=load_rules())
>>> site.crs.to_epsg()
4538
>>> sorted(site.scene("after")["phase"].unique())
['context', 'kept', 'proposed']
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS

from gis import crs as crslib
from gis.buildings import derive_buildings, replaced_buildings
from gis.buildings import scene as _scene
from gis.io.site_reader import read_site_layers
from gis.problems import Note, Problem, SiteError
from gis.rules import RulePack
from gis.validate import validate_site

__all__ = ["Site", "load_site", "site_from_layers"]


@dataclass
class Site:
    """A validated site.  A thin holder of state; analysis lives in plain functions.

    Attributes
    ----------
    layers : dict of str to DataFrame
        Layers by contract name (``parcels``, ``buildings`` …); spatial ones are GeoDataFrames
        in :attr:`crs`.  ``buildings`` carries the derived columns of
        :func:`gis.buildings.derive_buildings`.
    crs : pyproj.CRS
        Projected CRS in metres used for every computation.
    lon, lat : float
        Site centroid, degrees (CGCS2000, ≈ WGS 84), for the sun.
    grid_north_azimuth_deg : float
        Azimuth of grid north (+y) at the centroid, degrees clockwise from true north.
    notes : list of Note
        What was done to the data (repairs, reprojection, defaults, detected encodings).
    source : str
        Where the site was read from.
    """

    layers: dict[str, pd.DataFrame]
    crs: CRS
    lon: float
    lat: float
    grid_north_azimuth_deg: float
    notes: list[Note] = field(default_factory=list)
    source: str = ""
    name: str = ""

    def layer(self, name: str) -> pd.DataFrame | None:
        """A layer by contract name, or None when the site does not have it."""
        return self.layers.get(name)

    def has(self, name: str) -> bool:
        frame = self.layers.get(name)
        return frame is not None and len(frame) > 0

    @property
    def buildings(self) -> gpd.GeoDataFrame:
        return self.layers["buildings"]

    @property
    def parcels(self) -> gpd.GeoDataFrame:
        return self.layers["parcels"]

    @property
    def project_parcels(self) -> gpd.GeoDataFrame:
        """Parcels with role ``project`` (项目用地)."""
        p = self.parcels
        return p[p["role"] == "project"]

    def scene(self, which: str) -> gpd.GeoDataFrame:
        """Buildings of ``"before"`` (context + existing + kept) or ``"after"`` (context + kept + proposed)."""
        return _scene(self.buildings, which)

    def project_buildings(self, which: str) -> gpd.GeoDataFrame:
        """Buildings of the project (no context) in a scene: existing + kept, or kept + proposed."""
        s = self.scene(which)
        return s[s["phase"] != "context"]

    def replaced_by(self) -> dict[str, list[str]]:
        """For each proposed building, the existing buildings it replaces."""
        return replaced_buildings(self.buildings, self.layer("dwellings"))


def site_from_layers(
    layers: dict[str, pd.DataFrame], crs: CRS, *, rules: RulePack, notes: list[Note] | None = None, source: str = ""
) -> Site:
    """Build a :class:`Site` from already-valid layers (tests and generators use this)."""
    notes = list(notes or [])
    buildings, bnotes = derive_buildings(layers["buildings"], rules=rules)
    layers = {**layers, "buildings": buildings}
    bounds = np.array([f.total_bounds for f in layers.values() if isinstance(f, gpd.GeoDataFrame) and len(f)])
    cx = (bounds[:, 0].min() + bounds[:, 2].max()) / 2
    cy = (bounds[:, 1].min() + bounds[:, 3].max()) / 2
    lon, lat = crslib.to_lonlat(np.array([cx]), np.array([cy]), crs)
    return Site(
        layers=layers,
        crs=crs,
        lon=float(lon[0]),
        lat=float(lat[0]),
        grid_north_azimuth_deg=crslib.grid_north_azimuth_deg(crs, cx, cy),
        notes=notes + bnotes,
        source=source,
        name=Path(source).stem if source else "",
    )


def load_site(path: str | Path, *, rules: RulePack) -> Site:
    """Read and validate a site.

    Parameters
    ----------
    path : str or Path
        A site GeoPackage, or a folder of GeoJSON / Shapefiles / CSV named by layer.
    rules : RulePack
        Rule pack in effect (storey-height defaults, plausibility bounds).

    Raises
    ------
    SiteError
        With every problem found, one per line; nothing is written anywhere.
    """
    raw = read_site_layers(path)
    checked = validate_site(raw, rules)
    if not checked.problems and checked.crs is None:
        checked.problems.append(Problem("crs", None, None, "the site has no usable coordinates", "check that the layers hold geometries"))
    if checked.problems:
        raise SiteError(checked.problems, checked.notes)
    return site_from_layers(checked.layers, checked.crs, rules=rules, notes=checked.notes, source=str(path))
