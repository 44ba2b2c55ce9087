"""Reading the raw layers of a site: one GeoPackage, or a folder of GeoJSON / Shapefiles / CSV.

Only reading happens here — no validation beyond "can the file be read" — and input files
are opened read-only.  Layer names are mapped to the contract's names (Chinese aliases
accepted); Shapefile text encoding honours a ``.cpg`` file and is otherwise detected
(UTF-8 or GB18030) and reported.
"""

from __future__ import annotations

import difflib
import struct
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyogrio
from pyproj import CRS

from gis.problems import Note, Problem
from gis.schema import LAYERS, canonical_layer_name

__all__ = ["RawLayer", "RawSite", "read_site_layers", "detect_dbf_encoding"]

VECTOR_SUFFIXES = {".geojson", ".json", ".shp", ".gpkg", ".fgb", ".csv", ".dbf"}


@dataclass
class RawLayer:
    """A layer as read from disk, before validation."""

    name: str  # contract name
    source: str  # file (and layer) it came from, for messages
    frame: pd.DataFrame  # GeoDataFrame for spatial layers
    crs: CRS | None


@dataclass
class RawSite:
    path: Path
    layers: dict[str, RawLayer] = field(default_factory=dict)
    notes: list[Note] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def detect_dbf_encoding(dbf_path: Path) -> str | None:
    """Text encoding of a DBF file without a ``.cpg``: ``"UTF-8"``, ``"GB18030"`` or None if neither decodes.

    The record area is decoded strictly; plain ASCII is reported as UTF-8.
    """
    data = dbf_path.read_bytes()
    if len(data) < 32:
        return None
    header_len, record_len = struct.unpack("<HH", data[8:12])
    n_records = struct.unpack("<I", data[4:8])[0]
    body = data[header_len : header_len + n_records * record_len]
    for encoding in ("utf-8", "gb18030"):
        try:
            body.decode(encoding)
        except UnicodeDecodeError:
            continue
        return "UTF-8" if encoding == "utf-8" else "GB18030"
    return None


def _suggest(name: str) -> str:
    candidates = list(LAYERS) + [s.alias_zh for s in LAYERS.values()]
    close = difflib.get_close_matches(name.lower(), candidates, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _read_one(raw: RawSite, path: Path, layer: str | None, display: str) -> None:
    stem = layer if layer is not None else path.stem
    name = canonical_layer_name(stem)
    if name is None:
        raw.notes.append(
            Note("layer", f"图层“{display}”不是场地图层，已忽略{_suggest(stem)}",
                 f"layer '{display}' is not a site layer and was ignored{_suggest(stem)}", layer=stem)
        )
        return
    if name in raw.layers:
        raw.problems.append(
            Problem(name, None, None, f"given twice ({raw.layers[name].source} and {display})",
                    "keep one of the two (Chinese and English names are aliases of the same layer)")
        )
        return
    kwargs: dict = {}
    if path.suffix.lower() in {".shp", ".dbf"}:
        cpg = path.with_suffix(".cpg")
        if not cpg.exists():
            cpg = path.with_suffix(".CPG")
        if cpg.exists():
            encoding = cpg.read_text(errors="replace").strip() or "UTF-8"
            kwargs["encoding"] = encoding
        else:
            dbf = path.with_suffix(".dbf")
            encoding = detect_dbf_encoding(dbf) if dbf.exists() else "UTF-8"
            if encoding is None:
                raw.problems.append(
                    Problem(name, None, None, f"text in {dbf.name} is neither UTF-8 nor GB18030/GBK",
                            f"add a {path.stem}.cpg file naming the encoding (e.g. GBK or UTF-8) or re-export as GeoPackage")
                )
                return
            kwargs["encoding"] = encoding
            raw.notes.append(
                Note("encoding", f"图层 {name}：{path.name} 无 .cpg 文件，按检测结果以 {encoding} 读取文字",
                     f"layer {name}: {path.name} has no .cpg; text read as {encoding} (detected)", layer=name)
            )
    try:
        if path.suffix.lower() == ".csv":
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
            crs = None
        else:
            info = pyogrio.read_info(path, layer=layer, **kwargs)
            frame = pyogrio.read_dataframe(path, layer=layer, **kwargs)
            crs = CRS.from_user_input(info["crs"]) if info.get("crs") else None
    except Exception as exc:  # GDAL raises many types; the message is what the user needs
        raw.problems.append(
            Problem(name, None, None, f"cannot be read from {display}: {exc}",
                    "check that the file is a valid GeoPackage / GeoJSON / Shapefile (open it in QGIS)")
        )
        return
    raw.layers[name] = RawLayer(name=name, source=display, frame=frame, crs=crs)


def read_site_layers(path: str | Path) -> RawSite:
    """Read every site layer of a GeoPackage or of a folder of vector files.

    Parameters
    ----------
    path : str or Path
        A ``.gpkg`` file (layers named as in the contract, English or Chinese), or a folder
        holding one file per layer (``buildings.geojson``, ``宗地.shp``, ``dwellings.csv`` …).

    Returns
    -------
    RawSite
        Layers by contract name, plus notes and problems met while reading.
    """
    path = Path(path)
    raw = RawSite(path=path)
    if not path.exists():
        raw.problems.append(Problem("site", None, None, f"{path} does not exist", "give the path of a site GeoPackage or folder"))
        return raw
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() in VECTOR_SUFFIXES)
        # A .dbf beside a .shp is part of the shapefile, not a table of its own.
        files = [p for p in files if not (p.suffix.lower() == ".dbf" and p.with_suffix(".shp").exists())]
        if not files:
            raw.problems.append(Problem("site", None, None, f"folder {path} holds no GeoJSON, Shapefile, GeoPackage or CSV files",
                                        "put one file per layer in the folder, named by layer (buildings.geojson, parcels.shp …)"))
        for file in files:
            _read_one(raw, file, None, file.name)
        return raw
    try:
        listed = pyogrio.list_layers(path)
    except Exception as exc:
        raw.problems.append(Problem("site", None, None, f"{path.name} cannot be opened as a GeoPackage ({exc})",
                                    "export the site from QGIS as a GeoPackage (.gpkg)"))
        return raw
    for layer_name, _geom in listed:
        _read_one(raw, path, str(layer_name), f"{path.name}:{layer_name}")
    return raw
