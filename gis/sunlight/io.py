"""File output of the sunlight module: the ground-hours GeoTIFF (``sunlight.tif``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import rasterio
from rasterio.transform import from_origin

from gis.io.package import atomic_write
from gis.sunlight.ground import GroundGrid

__all__ = ["write_sunlight_tif"]


def write_sunlight_tif(path: str | Path, grid: GroundGrid, before: np.ndarray, after: np.ndarray, *, crs,
                       tags: dict | None = None) -> Path:
    """Write ground sunlight hours as a 3-band float32 GeoTIFF: before, after, after − before (h).

    Cells under buildings are nodata (NaN).  The file is written to a temporary name in the
    same folder and moved into place.
    """
    data = np.stack([before, after, after - before]).astype(np.float32)

    def write(tmp: Path) -> None:
        with rasterio.open(
            tmp, "w", driver="GTiff", width=grid.nx, height=grid.ny, count=3, dtype="float32",
            crs=crs, transform=from_origin(grid.x0, grid.y1, grid.cell, grid.cell), nodata=np.nan,
            compress="deflate",
        ) as dst:
            dst.write(data)
            for i, name in enumerate(["hours_before", "hours_after", "hours_difference"], start=1):
                dst.set_band_description(i, name)
            dst.update_tags(units="h", **(tags or {}))

    return atomic_write(Path(path), write)

