"""Bundled data: the sample site and rule packs.

>>> get_path("sample").name
'site.gpkg'
"""

from __future__ import annotations

from pathlib import Path

from gis.rules.loader import DATA_DIR

__all__ = ["get_path", "available"]

available = ["sample"]


def get_path(name: str = "sample") -> Path:
    """Path of a bundled dataset (``"sample"``: the synthetic Urumqi community, EPSG:4538)."""
    if name != "sample":
        raise ValueError(f"unknown dataset {name!r}; available: {available}")
    return DATA_DIR / "sample" / "site.gpkg"
