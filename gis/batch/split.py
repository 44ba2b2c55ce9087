"""Splitting a city GeoPackage (全市数据库) by community (小区).

Every site layer of the city file carries the community field (``community_id`` by
default), the ``dwellings`` table included.  A worker reads only its community's rows
(an OGR SQL ``WHERE`` on each layer), so nothing but the community id travels to it.
Layers that are not site layers are ignored, as :func:`gis.io.site_reader.read_site_layers`
ignores them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pyogrio

from gis.problems import Problem, SiteError
from gis.schema import canonical_layer_name

__all__ = ["city_layers", "community_ids", "read_community", "safe_dirname"]


def city_layers(city: str | Path, *, by: str) -> dict[str, str]:
    """Site layers of a city GeoPackage: contract name → layer name in the file.

    Raises
    ------
    SiteError
        When the file cannot be opened, has no parcels/buildings layer, or a site layer
        lacks the ``by`` field.
    """
    city = Path(city)
    if not city.exists():
        raise SiteError([Problem("city", None, None, f"{city} does not exist", "give the path of the city GeoPackage")])
    try:
        listed = [str(name) for name, _ in pyogrio.list_layers(city)]
    except Exception as exc:
        raise SiteError([Problem("city", None, None, f"{city.name} cannot be opened as a GeoPackage ({exc})",
                                 "export the city database as a GeoPackage (.gpkg)")]) from None
    layers = {canonical_layer_name(n): n for n in listed if canonical_layer_name(n)}
    problems = []
    for required in ("parcels", "buildings"):
        if required not in layers:
            problems.append(Problem(required, None, None, f"the city file has no {required} layer",
                                    f"add the {required} layer of every community"))
    for name, layer in layers.items():
        fields = list(pyogrio.read_info(city, layer=layer)["fields"])
        if by not in fields:
            problems.append(Problem(name, None, by, f"layer '{layer}' has no field '{by}' to split the city by",
                                    f"add {by} to every feature of '{layer}' (tables such as dwellings too), or pass --by"))
    if problems:
        raise SiteError(problems)
    return layers


def community_ids(city: str | Path, *, by: str = "community_id") -> list[str]:
    """Sorted community ids found in any site layer of the city (as text)."""
    ids: set[str] = set()
    for layer in city_layers(city, by=by).values():
        frame = pyogrio.read_dataframe(city, layer=layer, columns=[by], read_geometry=False)
        ids.update(str(v) for v in frame[by].dropna().unique())
    return sorted(ids)


_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def read_community(city: str | Path, community_id: str, *, by: str = "community_id") -> dict[str, pd.DataFrame]:
    """The rows of one community from every site layer of the city (layers left empty omitted)."""
    out: dict[str, pd.DataFrame] = {}
    for name, layer in city_layers(city, by=by).items():
        info = pyogrio.read_info(city, layer=layer)
        numeric = info["dtypes"][list(info["fields"]).index(by)] != "object"
        literal = community_id if numeric and _NUMBER.fullmatch(community_id) else _literal(community_id)
        where = f'"{by}" = {literal}'
        frame = pyogrio.read_dataframe(city, layer=layer, where=where, read_geometry=info["geometry_type"] is not None)
        if len(frame):
            out[name] = frame
    return out


def safe_dirname(community_id: str) -> str:
    """A folder name for a community id (characters unsafe in file names replaced by ``_``)."""
    name = re.sub(r'[\\/:*?"<>|\s]+', "_", community_id).strip("._")
    return name or "_"
