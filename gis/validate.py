"""Validation of a site against the contract: every problem collected, one line each.

:func:`validate_site` turns the raw layers read from disk into clean, typed GeoDataFrames in
one projected CRS, or reports every reason it cannot (``SITE_SCHEMA.md`` §Bad input).
Unambiguous geometry repairs are made and reported as notes; nothing is written back.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from gis import crs as crslib
from gis.io.site_reader import RawSite
from gis.problems import Note, Problem
from gis.rules import RulePack
from gis.schema import LAYERS, FieldSpec, LayerSpec

__all__ = ["ValidatedSite", "validate_site", "MAX_LINES_PER_KIND"]

# Beyond this many lines of the same kind (layer, field, what), the rest are summarised.
MAX_LINES_PER_KIND = 25


@dataclass
class ValidatedSite:
    layers: dict[str, pd.DataFrame]
    crs: CRS | None
    notes: list[Note] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


class _Collector:
    """Collects problems, summarising floods of the same kind."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self._counts: dict[tuple, int] = defaultdict(int)

    def add(self, layer: str, fid: str | None, fld: str | None, what: str, fix: str, kind: str | None = None) -> None:
        key = (layer, fld, kind or what)
        self._counts[key] += 1
        if self._counts[key] <= MAX_LINES_PER_KIND:
            self.problems.append(Problem(layer, fid, fld, what, fix))

    def finish(self) -> list[Problem]:
        for (layer, fld, kind), n in self._counts.items():
            if n > MAX_LINES_PER_KIND:
                self.problems.append(Problem(layer, None, fld, f"… and {n - MAX_LINES_PER_KIND} more features with the same problem ({kind})",
                                             "fix the lines above the same way"))
        return self.problems


def _labels(frame: pd.DataFrame, spec: LayerSpec) -> list[str]:
    """Feature labels for messages: the id where usable, else '#row' (1-based)."""
    if spec.name == "dwellings" and {"building_id", "unit_no"} <= set(frame.columns):
        return [f"{b}/{u}" if not (pd.isna(b) or pd.isna(u)) else f"#{i + 1}"
                for i, (b, u) in enumerate(zip(frame["building_id"], frame["unit_no"], strict=True))]
    ids = frame[spec.id_field] if spec.id_field and spec.id_field in frame.columns else None
    out = []
    for i in range(len(frame)):
        value = None if ids is None else ids.iloc[i]
        out.append(str(value).strip() if value is not None and not pd.isna(value) and str(value).strip() else f"#{i + 1}")
    return out


def _fmt(value: object) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "…"


def _check_field(frame: pd.DataFrame, spec: LayerSpec, fs: FieldSpec, labels: list[str], out: _Collector) -> pd.Series:
    """Coerce one field to its type, report bad values, return the clean column."""
    raw = frame[fs.name]
    present = raw.notna() & (raw.astype(str).str.strip() != "")
    if fs.kind == "str":
        clean = pd.Series([str(v).strip() if ok else None for v, ok in zip(raw, present, strict=True)], index=raw.index, dtype=object)
        if clean.dropna().map(lambda s: s.endswith(".0") and s[:-2].isdigit()).any():
            clean = clean.map(lambda s: s[:-2] if isinstance(s, str) and s.endswith(".0") and s[:-2].isdigit() else s)
        if fs.choices:
            aliases = {k.lower(): v for k, v in fs.value_aliases.items()}
            clean = clean.map(lambda s: None if s is None else aliases.get(s.lower(), aliases.get(s, s.lower() if s.lower() in fs.choices else s)))
            bad = clean.notna() & ~clean.isin(fs.choices)
            for i in np.flatnonzero(bad.to_numpy()):
                out.add(spec.name, labels[i], fs.name, f"'{_fmt(clean.iloc[i])}' is not one of {', '.join(fs.choices)}",
                        f"use one of {', '.join(fs.choices)} (Chinese: {', '.join(sorted(set(fs.value_aliases)))})" if fs.value_aliases
                        else f"use one of {', '.join(fs.choices)}", kind="bad choice")
            clean = clean.where(~bad, None)
    else:
        numeric = pd.to_numeric(raw.where(present, None), errors="coerce")
        bad = present & numeric.isna()
        for i in np.flatnonzero(bad.to_numpy()):
            out.add(spec.name, labels[i], fs.name, f"'{_fmt(raw.iloc[i])}' is not a number",
                    "write a plain number (digits, decimal point; no units or Chinese numerals)", kind="not a number")
        if fs.kind == "int":
            frac = numeric.notna() & (np.abs(numeric - np.round(numeric)) > 1e-9)
            for i in np.flatnonzero(frac.to_numpy()):
                out.add(spec.name, labels[i], fs.name, f"{numeric.iloc[i]} is not a whole number", "write a whole number", kind="not whole")
            numeric = numeric.where(~frac)
        if fs.low is not None:
            low_bad = numeric.notna() & ((numeric <= fs.low) if fs.low_open else (numeric < fs.low))
            for i in np.flatnonzero(low_bad.to_numpy()):
                rel = ">" if fs.low_open else "≥"
                out.add(spec.name, labels[i], fs.name, f"{numeric.iloc[i]:g} is out of range (must be {rel} {fs.low:g})",
                        f"correct the value ({fs.name} must be {rel} {fs.low:g})", kind="below range")
            numeric = numeric.where(~low_bad)
        if fs.high is not None:
            high_bad = numeric.notna() & (numeric > fs.high)
            for i in np.flatnonzero(high_bad.to_numpy()):
                out.add(spec.name, labels[i], fs.name, f"{numeric.iloc[i]:g} is out of range (must be ≤ {fs.high:g})",
                        f"correct the value ({fs.name} must be ≤ {fs.high:g})", kind="above range")
            numeric = numeric.where(~high_bad)
        clean = numeric.astype("Int64") if fs.kind == "int" else numeric.astype(float)
    if fs.required:
        for i in np.flatnonzero((~present).to_numpy()):
            out.add(spec.name, labels[i], fs.name, "is empty but required", f"fill in {fs.name} for every feature", kind="empty required")
    if fs.default is not None:
        clean = clean.where(clean.notna(), fs.default)
    return clean


def _repair(geom, allow_multi: bool):
    """An unambiguous repair of an invalid polygonal geometry, or None.

    Unambiguous: the valid result is polygonal (single-part where multi is not allowed) and
    encloses the same area as the input ring(s) — e.g. a self-touching ring or a spike.  A
    bow-tie (area changes) is ambiguous and is reported instead.
    """
    fixed = shapely.make_valid(geom)
    parts = [g for g in shapely.get_parts(fixed) if g.geom_type in ("Polygon", "MultiPolygon")]
    if not parts:
        return None
    merged = shapely.union_all(parts)
    if merged.geom_type == "MultiPolygon" and len(merged.geoms) == 1:
        merged = merged.geoms[0]
    if merged.geom_type == "MultiPolygon" and not allow_multi:
        return None
    if abs(abs(geom.area) - merged.area) > max(0.01, 1e-4 * merged.area):
        return None
    return merged


def _check_geometry(frame: gpd.GeoDataFrame, spec: LayerSpec, labels: list[str], out: _Collector, notes: list[Note]) -> gpd.GeoSeries:
    geoms = frame.geometry.copy()
    allowed = set(spec.geometry or ())
    allow_multi = spec.name != "buildings"
    dropped_z = False
    for i, g in enumerate(geoms):
        if g is None or g.is_empty:
            out.add(spec.name, labels[i], "geometry", "has no geometry", "draw the feature or delete it", kind="no geometry")
            geoms.iloc[i] = None
            continue
        if g.has_z:
            g = shapely.force_2d(g)
            dropped_z = True
        base = g.geom_type.replace("Multi", "")
        if base not in allowed:
            out.add(spec.name, labels[i], "geometry", f"is a {g.geom_type}, expected {' or '.join(sorted(allowed))}",
                    f"put only {' or '.join(sorted(allowed))} features in {spec.name}", kind="geometry type")
            geoms.iloc[i] = None
            continue
        if g.geom_type.startswith("Multi"):
            parts = list(g.geoms)
            if len(parts) == 1:
                g = parts[0]
            elif not allow_multi:
                out.add(spec.name, labels[i], "geometry", f"has {len(parts)} separate parts",
                        "split it into one feature per building footprint (each with its own building_id)", kind="multipart")
                geoms.iloc[i] = None
                continue
        if base == "Polygon" and not g.is_valid:
            reason = shapely.is_valid_reason(g)
            fixed = _repair(g, allow_multi)
            if fixed is None:
                out.add(spec.name, labels[i], "geometry", f"is invalid ({reason}) and cannot be repaired unambiguously",
                        "redraw the outline so that it does not cross itself", kind="invalid")
                geoms.iloc[i] = None
                continue
            notes.append(Note("repair", f"{spec.name} [{labels[i]}]：几何无效（{reason}），已无歧义修复",
                              f"{spec.name} [{labels[i]}]: invalid geometry ({reason}) repaired unambiguously", spec.name, labels[i]))
            g = fixed
        geoms.iloc[i] = g
    if dropped_z:
        notes.append(Note("repair", f"{spec.name}：几何含Z值，已忽略（高程请填 base_elev_m）",
                          f"{spec.name}: Z coordinates ignored (give ground levels in base_elev_m)", spec.name))
    return geoms


def _check_layer(name: str, frame: pd.DataFrame, out: _Collector, notes: list[Note]) -> pd.DataFrame:
    spec = LAYERS[name]
    frame = frame.copy()
    if len(frame) == 0:
        out.add(name, None, None, "layer is empty", "add features or remove the layer from the site")
        return frame
    labels = _labels(frame, spec)
    columns = {c.lower(): c for c in frame.columns}
    for fs in spec.fields:
        if fs.name not in frame.columns and fs.name.lower() in columns:
            frame = frame.rename(columns={columns[fs.name.lower()]: fs.name})
        elif fs.name not in frame.columns and len(fs.name) > 10 and fs.name[:10].lower() in columns:
            # Shapefile (dBase) field names are cut to 10 characters.
            frame = frame.rename(columns={columns[fs.name[:10].lower()]: fs.name})
        if fs.name not in frame.columns:
            if fs.required:
                close = difflib.get_close_matches(fs.name, [str(c) for c in frame.columns], n=1, cutoff=0.6)
                hint = f" (found '{close[0]}': rename it)" if close else ""
                out.add(name, None, fs.name, f"required field is missing{hint}", f"add a field {fs.name} to the layer")
                continue
            frame[fs.name] = fs.default if fs.default is not None else None
            if fs.kind != "str":
                frame[fs.name] = pd.array([pd.NA] * len(frame), dtype="Int64") if fs.kind == "int" else np.nan
            continue
        frame[fs.name] = _check_field(frame, spec, fs, labels, out)
        if fs.unique:
            values = frame[fs.name]
            dup = values.notna() & values.duplicated(keep=False)
            for value in sorted(set(values[dup])):
                out.add(name, str(value), fs.name, f"id '{value}' is used by {int((values == value).sum())} features",
                        f"give every feature its own {fs.name}", kind="duplicate id")
    if spec.geometry is not None:
        if not isinstance(frame, gpd.GeoDataFrame) or frame.geometry.name not in frame.columns:
            out.add(name, None, "geometry", "layer has no geometry", f"{name} must be a {' / '.join(spec.geometry)} layer")
            return frame
        frame = frame.set_geometry(_check_geometry(frame, spec, labels, out, notes))
    return frame


def _resolve_crs(layers: dict[str, pd.DataFrame], raw: RawSite, rules: RulePack, out: _Collector, notes: list[Note]) -> CRS | None:
    spatial = {n: f for n, f in layers.items() if isinstance(f, gpd.GeoDataFrame) and LAYERS[n].geometry is not None}
    crss: dict[str, CRS] = {}
    for n in spatial:
        crs = raw.layers[n].crs
        if crs is None:
            out.add(n, None, "crs", "layer has no coordinate reference system",
                    f"assign it in QGIS (Layer ▸ Set CRS), for Urumqi EPSG:{rules.crs.project_epsg.value}")
        else:
            crss[n] = crs
    distinct: list[CRS] = []
    for crs in crss.values():
        if not any(crs == d for d in distinct):
            distinct.append(crs)
    if len(distinct) > 1:
        listing = "; ".join(f"{n}: {c.to_string()}" for n, c in crss.items())
        out.add("crs", None, None, f"layers use different CRSs ({listing})",
                "reproject every layer to one CRS (e.g. QGIS ▸ Export ▸ Save Features As with the same CRS)")
        return None
    if not distinct:
        return None
    crs = distinct[0]
    reason = crslib.legacy_datum_reason(crs)
    if reason:
        out.add("crs", None, None, f"{crs.name}: {reason}",
                "transform the data to CGCS2000 with the 7-parameter set from the surveying authority (测绘院), then retry")
        return None
    bounds = np.array([f.total_bounds for f in spatial.values() if len(f) and f.geometry.notna().any()])
    if not len(bounds):
        return None
    minx, miny = bounds[:, 0].min(), bounds[:, 1].min()
    maxx, maxy = bounds[:, 2].max(), bounds[:, 3].max()
    lon_lo, lon_hi = rules.crs.china_lon_range_deg.value
    lat_lo, lat_hi = rules.crs.china_lat_range_deg.value
    if crs.is_geographic:
        cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
        if not (lon_lo <= cx <= lon_hi and lat_lo <= cy <= lat_hi):
            swapped = lon_lo <= cy <= lon_hi and lat_lo <= cx <= lat_hi
            what = f"geographic coordinates centre on lon {cx:.4f}, lat {cy:.4f}, outside China"
            out.add("crs", None, None, what + ("; longitude and latitude appear swapped" if swapped else ""),
                    "check the axis order (x = longitude, y = latitude) and the CRS")
            return None
        target = CRS.from_epsg(crslib.gk3_epsg_for_lon(cx))
        notes.append(Note("crs", f"输入为地理坐标（{crs.name}），已投影至 {target.name}（EPSG:{target.to_epsg()}）",
                          f"input in geographic coordinates ({crs.name}) projected to {target.name} (EPSG:{target.to_epsg()})"))
        return target
    if not crslib.is_metric_projected(crs):
        out.add("crs", None, None, f"{crs.name} is not a projected CRS in metres",
                f"reproject to a metric CRS, for Urumqi EPSG:{rules.crs.project_epsg.value}")
        return None
    problem = crslib.prefix_problem(crs, minx, maxx, miny)
    if problem:
        out.add("crs", None, None, problem, "set the CRS that matches the coordinates (or fix the coordinates) and retry")
        return None
    lon, lat = crslib.to_lonlat(np.array([(minx + maxx) / 2]), np.array([(miny + maxy) / 2]), crs)
    if not (lon_lo <= lon[0] <= lon_hi and lat_lo <= lat[0] <= lat_hi) or not np.isfinite(lon[0]):
        out.add("crs", None, None, f"coordinates in {crs.name} fall at lon {lon[0]:.3f}, lat {lat[0]:.3f}, outside China",
                "check that the stated CRS is the one the coordinates were surveyed in")
        return None
    return crs


def _check_buildings(b: gpd.GeoDataFrame, rules: RulePack, out: _Collector) -> None:
    v = rules.validation
    labels = _labels(b, LAYERS["buildings"])
    floors = b["floors"].astype(float)
    height = b["height_m"].astype(float)
    storey = b["storey_height_m"].astype(float)
    s_lo, s_hi = v.storey_height_range_m.value
    area = b.geometry.area if b.crs is not None and b.crs.is_projected else None
    roof = rules.building.roof_buildup_m.value
    tol = v.height_floor_consistency_tol.value
    for i in range(len(b)):
        lab = labels[i]
        f, h, s = floors.iloc[i], height.iloc[i], storey.iloc[i]
        if np.isnan(f) and np.isnan(h):
            out.add("buildings", lab, "floors", "has neither floors nor height_m", "give the number of floors (and height_m if surveyed)",
                    kind="no height")
        if not np.isnan(f) and f > v.max_floors.value:
            out.add("buildings", lab, "floors", f"{f:g} floors is implausible (more than {v.max_floors.value})", "correct the number of floors",
                    kind="absurd floors")
        if not np.isnan(h) and h > v.max_height_m.value:
            out.add("buildings", lab, "height_m", f"{h:g} m is implausible (more than {v.max_height_m.value:g} m)", "correct the height",
                    kind="absurd height")
        if not np.isnan(s) and not (s_lo <= s <= s_hi):
            out.add("buildings", lab, "storey_height_m", f"{s:g} m is outside the plausible storey height {s_lo:g}–{s_hi:g} m",
                    "correct the storey height (metres per floor)", kind="storey height")
        if not np.isnan(f) and not np.isnan(h) and f >= 1:
            implied = (h - roof) / f
            if not (s_lo * (1 - tol) <= implied <= s_hi * (1 + tol)):
                out.add("buildings", lab, "height_m", f"{h:g} m over {f:g} floors means {implied:.2f} m per storey",
                        "check floors and height_m (one of them is wrong)", kind="height/floors")
        if area is not None and b.geometry.iloc[i] is not None:
            a = area.iloc[i]
            if a < v.min_footprint_m2.value:
                out.add("buildings", lab, "geometry", f"footprint area {a:.2f} m² is below {v.min_footprint_m2.value:g} m²",
                        "redraw the footprint (it is degenerate or drawn in the wrong units)", kind="tiny footprint")
            hh = b["households"].iloc[i]
            if not pd.isna(hh) and not np.isnan(f) and a > 0 and hh / f / a * 100 > v.max_households_per_floor_per_100m2.value:
                out.add("buildings", lab, "households", f"{int(hh)} households on {f:g} floors of {a:.0f} m² is implausible",
                        "correct households (number of dwellings in the building)", kind="households")
        yb = b["year_built"].iloc[i]
        lo, hi = v.year_built_range.value
        if not pd.isna(yb) and not (lo <= yb <= hi):
            out.add("buildings", lab, "year_built", f"{int(yb)} is implausible", f"give a year between {lo} and {hi}", kind="year")
        be = b["base_elev_m"].iloc[i]
        lo_e, hi_e = v.base_elev_range_m.value
        if not pd.isna(be) and not (lo_e <= be <= hi_e):
            out.add("buildings", lab, "base_elev_m", f"{be:g} m is implausible", "give the ground level in metres", kind="base elev")
        lr = b["lowest_residential_floor"].iloc[i]
        if not pd.isna(lr) and not np.isnan(f) and lr > f:
            out.add("buildings", lab, "lowest_residential_floor", f"{int(lr)} is above the top floor ({f:g})",
                    "correct lowest_residential_floor or floors", kind="lowest floor")
        g, lp = b["gfa_m2"].iloc[i], b["lift_public_area_m2"].iloc[i]
        if not pd.isna(g) and not pd.isna(lp) and lp > g:
            out.add("buildings", lab, "lift_public_area_m2", f"{lp:g} m² exceeds gfa_m2 {g:g} m²",
                    "lift_public_area_m2 is part of the building's gross floor area; correct one of them", kind="lift area")


def _check_overlaps(b: gpd.GeoDataFrame, out: _Collector) -> None:
    """Footprints overlapping inside one scene are a data error (a phase is probably wrong)."""
    scenes = {"before": ("context", "existing", "kept"), "after": ("context", "kept", "proposed")}
    reported: set[tuple[str, str]] = set()
    valid = b[b.geometry.notna()]
    for scene, phases in scenes.items():
        s = valid[valid["phase"].isin(phases)]
        if len(s) < 2:
            continue
        left, right = s.sindex.query(s.geometry, predicate="intersects")
        for i, j in zip(left, right, strict=True):
            if i >= j:
                continue
            a, c = s.iloc[i], s.iloc[j]
            overlap = a.geometry.intersection(c.geometry).area
            key = (str(a["building_id"]), str(c["building_id"]))
            if overlap > 0.5 and key not in reported:
                reported.add(key)
                out.add("buildings", f"{key[0]}, {key[1]}", "geometry",
                        f"footprints overlap by {overlap:.1f} m² in the {scene} scene (phases {a['phase']} and {c['phase']})",
                        "check the phase of each (a demolished building is 'existing', a new one 'proposed') or redraw them",
                        kind="overlap")


def _check_references(layers: dict[str, pd.DataFrame], out: _Collector) -> None:
    b = layers.get("buildings")
    if b is None or "building_id" not in b.columns:
        return
    phase = dict(zip(b["building_id"], b.get("phase", pd.Series(index=b.index, dtype=object)), strict=False))
    d = layers.get("dwellings")
    if d is not None and len(d) and {"building_id", "unit_no"} <= set(d.columns):
        labels = [f"{bid}/{u}" for bid, u in zip(d["building_id"], d["unit_no"], strict=True)]
        for i, bid in enumerate(d["building_id"]):
            if bid is None:
                continue
            if bid not in phase:
                out.add("dwellings", labels[i], "building_id", f"building '{bid}' is not in the buildings layer",
                        "use the building_id of an existing (demolished) building", kind="unknown building")
            elif phase[bid] not in ("existing",):
                out.add("dwellings", labels[i], "building_id", f"building '{bid}' has phase '{phase[bid]}', dwellings belong to an existing (demolished) building",
                        "set the building's phase to existing or correct building_id", kind="wrong phase")
        if "new_building_id" in d.columns:
            for i, nb in enumerate(d["new_building_id"]):
                if nb is not None and not pd.isna(nb) and phase.get(nb) != "proposed":
                    what = "is not in the buildings layer" if nb not in phase else f"has phase '{phase[nb]}', not proposed"
                    out.add("dwellings", labels[i], "new_building_id", f"building '{nb}' {what}",
                            "use the building_id of a proposed building, or leave it empty", kind="new building")
        dup = d.duplicated(subset=["building_id", "unit_no"], keep="first")
        for i in np.flatnonzero(dup.to_numpy()):
            out.add("dwellings", labels[i], "unit_no", "dwelling listed twice", "keep one row per dwelling", kind="dup dwelling")
    for lname in ("windows", "rescue_sites"):
        layer = layers.get(lname)
        if layer is None or "building_id" not in layer.columns or not len(layer):
            continue
        labs = _labels(layer, LAYERS[lname])
        for i, bid in enumerate(layer["building_id"]):
            if bid is not None and not pd.isna(bid) and bid not in phase:
                out.add(lname, labs[i], "building_id", f"building '{bid}' is not in the buildings layer",
                        "use an existing building_id", kind="unknown building")
    p, u = layers.get("parcels"), layers.get("planning_units")
    if p is not None and "unit_id" in p.columns and len(p):
        if u is not None and "unit_id" in u.columns and len(u):
            known = set(u["unit_id"].dropna())
            labs = _labels(p, LAYERS["parcels"])
            for i, uid in enumerate(p["unit_id"]):
                if uid is not None and not pd.isna(uid) and uid not in known:
                    out.add("parcels", labs[i], "unit_id", f"planning unit '{uid}' is not in planning_units",
                            "add the unit to planning_units or correct unit_id", kind="unknown unit")
        if "role" in p.columns and not (p["role"] == "project").any():
            out.add("parcels", None, "role", "no parcel has role = project", "mark the project's parcels with role = project")
    for lname, fname in (("roads", "red_line_width_m"), ("fire_lanes", "width_m")):
        layer = layers.get(lname)
        if layer is None or not isinstance(layer, gpd.GeoDataFrame) or fname not in layer.columns or not len(layer):
            continue
        labs = _labels(layer, LAYERS[lname])
        lines = layer.geometry.geom_type.isin(["LineString", "MultiLineString"]).to_numpy()
        for i in np.flatnonzero(lines & layer[fname].isna().to_numpy()):
            out.add(lname, labs[i], fname, f"a {lname[:-1].replace('_', ' ')} drawn as a line needs {fname}",
                    f"give {fname} in metres, or draw the {lname[:-1].replace('_', ' ')} as a polygon", kind="line width")


def validate_site(raw: RawSite, rules: RulePack) -> ValidatedSite:
    """Validate raw layers against the contract and the rule pack's plausibility bounds.

    Returns clean layers (typed columns, defaults applied, repaired geometries, all in one
    projected metre CRS) with notes, or the full list of problems.
    """
    out = _Collector()
    for p in raw.problems:
        out.problems.append(p)
    notes = list(raw.notes)
    for name, spec in LAYERS.items():
        if spec.required and name not in raw.layers and not any(p.layer == name for p in raw.problems):
            ignored = [n.layer for n in raw.notes if n.kind == "layer" and n.layer]
            close = difflib.get_close_matches(name, [str(x) for x in ignored], n=1, cutoff=0.6)
            hint = f"; a layer named '{close[0]}' was found: rename it" if close else ""
            out.add(name, None, None, f"required layer is missing{hint}", f"add a layer named {name} (or {spec.alias_zh})")
    layers: dict[str, pd.DataFrame] = {}
    for name, layer in raw.layers.items():
        layers[name] = _check_layer(name, layer.frame, out, notes)
    site_crs = _resolve_crs(layers, raw, rules, out, notes)
    if site_crs is not None:
        for name, frame in list(layers.items()):
            if isinstance(frame, gpd.GeoDataFrame) and LAYERS[name].geometry is not None and len(frame):
                src = raw.layers[name].crs
                frame = frame.set_crs(src, allow_override=True)
                layers[name] = frame.to_crs(site_crs) if not src == site_crs else frame
        b = layers.get("buildings")
        if isinstance(b, gpd.GeoDataFrame) and len(b) and {"floors", "height_m", "phase"} <= set(b.columns):
            _check_buildings(b, rules, out)
            _check_overlaps(b, out)
    _check_references(layers, out)
    return ValidatedSite(layers=layers, crs=site_crs, notes=notes, problems=out.finish())
