"""Before/after window sunlight, verdicts, obstruction attribution and 推算限高.

The scene is split into three prism sets (see ``SUNLIGHT.md`` §5 "horizon reuse"):

- **fixed**: ``context`` + ``kept`` buildings (unchanged by the proposal);
- **existing**: the site massing before (demolished by the proposal);
- **proposed**: the site massing after.

The horizon of the fixed set is traced once for every sample point and kept; each
scenario only traces its site buildings for the points they can reach and takes the
``max``.  A change of the site massing, a before/after comparison and the height
back-calculation therefore cost a small fraction of a full run.

Units: hours (h) and minutes (min) of true-solar-time sunlight on the standard day;
heights in metres above the building's own ground (m).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gis.findings import Verdict, judge
from gis.sunlight.hours import segment_minutes, sweep_mask, window_lit
from gis.sunlight.occlusion import SunSteps, candidate_points, critical_height, horizon, sun_steps
from gis.sunlight.scene import Prisms, prisms_from_buildings
from gis.sunlight.solar import SunPath, sun_path
from gis.sunlight.windows import WindowSamples, generate_windows, read_windows, sample_windows

__all__ = [
    "SunlightParams",
    "SunlightModel",
    "build_model",
    "evaluate_windows",
    "attribute_obstruction",
    "height_limit",
    "summarise_windows",
]

FIXED_PHASES = ("context", "kept")


@dataclass(frozen=True)
class SunlightParams:
    """Sunlight rule parameters (rule pack ``[sunlight]``), as plain values.

    See ``data/rules/urumqi.toml`` for meaning, units and sources; hours in h, minutes in
    min, angles in degrees, lengths in m, ``band_*`` in hours of true solar time.
    """

    standard_day: str = "dahan"
    year: int = 2001
    band_start_h: float = 8.0
    band_end_h: float = 16.0
    step_min: float = 1.0
    min_hours: float = 2.0
    old_district_new_min_hours: float = 1.0
    accumulation: str = "cumulative"
    n_segments: int = 2
    min_segment_min: float = 5.0
    min_sweep_deg: float = 0.0
    min_altitude_deg: float = 0.0
    whole_window: bool = True
    sill_height_m: float = 0.9
    sample: str = "ends_centre"
    sample_spacing_m: float = 1.0
    refraction: bool = True
    ground_grid_m: float = 2.0
    green_outside_shadow_min: float = 1.0 / 3.0
    allow_not_worse: bool = True
    window_bay_m: float = 3.6

    @classmethod
    def from_rules(cls, sunlight_rules: Any) -> SunlightParams:
        """Values of a rule pack's ``sunlight`` section (``ctx.rules.sunlight``)."""
        kw = {}
        for name in cls.__dataclass_fields__:
            p = getattr(sunlight_rules, name, None)
            if p is not None:
                kw[name] = p.value
        return cls(**kw)

    def segment_kw(self) -> dict:
        return dict(step_min=self.step_min, accumulation=self.accumulation, n_segments=self.n_segments,
                    min_segment_min=self.min_segment_min)


@dataclass
class SunlightModel:
    """State of one sunlight analysis: sun, windows, sample points and cached horizons.

    Build it with :func:`build_model`; derive scenarios with :meth:`with_proposed`.
    """

    params: SunlightParams
    path: SunPath
    sun: SunSteps
    grid_north_azimuth_deg: float
    windows: gpd.GeoDataFrame  # + column "phase" of the window's building
    samples: WindowSamples
    fixed: Prisms
    existing: Prisms
    proposed: Prisms
    h_fixed: np.ndarray
    sweep: np.ndarray | None
    footprints: dict = field(default_factory=dict)
    _site_cache: dict = field(default_factory=dict)
    max_floor: int | None = None

    # ------------------------------------------------------------------ scenario horizons
    def site_horizon(self, prisms: Prisms, point_mask: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Horizon of a site prism set for the points it can reach.

        Returns ``(row, H)``: ``row[p]`` is the row of point ``p`` in ``H`` or ``-1``.
        """
        xyz = self.samples.xyz
        cand = candidate_points(xyz, prisms, self.sun)
        if point_mask is not None:
            cand &= point_mask
        idx = np.flatnonzero(cand)
        row = np.full(len(xyz), -1, dtype=np.int64)
        row[idx] = np.arange(len(idx))
        return row, horizon(xyz[idx], prisms, self.sun)

    def _cached(self, key: str, prisms: Prisms, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if key not in self._site_cache:
            self._site_cache[key] = self.site_horizon(prisms, mask)
        return self._site_cache[key]

    def lit(self, scenario: str) -> np.ndarray:
        """Lit steps per window, ``(W, T)`` bool, for ``"before"`` or ``"after"``."""
        prisms = self.existing if scenario == "before" else self.proposed
        row, h = self._cached(scenario, prisms, self._phase_points(scenario))
        return window_lit(self.h_fixed, self.sun.tan_alt, self.samples.start, self.samples.centre,
                          whole_window=self.params.whole_window, h_extra=h, extra_row=row, sweep=self.sweep)

    def _phase_points(self, scenario: str) -> np.ndarray:
        ph = self.windows["phase"].to_numpy()
        keep = np.isin(ph, FIXED_PHASES + (("existing",) if scenario == "before" else ("proposed",)))
        return keep[self.samples.window]

    def minutes(self, scenario: str) -> np.ndarray:
        """Counted sunlit minutes per window under the segment rules, for a scenario."""
        return segment_minutes(self.lit(scenario), **self.params.segment_kw())

    def with_proposed(self, proposed_buildings: gpd.GeoDataFrame) -> SunlightModel:
        """The same model with another proposed massing (windows of fixed/existing buildings kept).

        The fixed horizon and the "before" scenario are reused; windows of the new proposed
        residential buildings are generated as in :func:`build_model`.
        """
        prop = prisms_from_buildings(proposed_buildings)
        keep = self.windows["phase"].to_numpy() != "proposed"
        new_w = _generate(proposed_buildings.assign(phase="proposed"), self.path, self.sun, self.params,
                          self.grid_north_azimuth_deg, self.max_floor)
        fps = dict(self.footprints)
        fps.update(dict(zip(proposed_buildings["building_id"], proposed_buildings.geometry, strict=True)))
        old_pts = np.isin(self.samples.window, np.flatnonzero(keep))
        new_samples = sample_windows(new_w, fps, grid_north_azimuth_deg=self.grid_north_azimuth_deg,
                                     sample=self.params.sample, sample_spacing_m=self.params.sample_spacing_m)
        windows = pd.concat([self.windows[keep], new_w], ignore_index=True)
        windows = gpd.GeoDataFrame(windows, geometry="geometry", crs=self.windows.crs)
        # merge samples: old kept windows first, then the new ones
        old_start = self.samples.start
        kept_idx = np.flatnonzero(keep)
        counts = np.r_[np.diff(old_start)[kept_idx], np.diff(new_samples.start)]
        xyz = np.vstack([self.samples.xyz[old_pts], new_samples.xyz])
        start = np.r_[0, np.cumsum(counts)].astype(np.int64)
        n_old = int(old_pts.sum())
        old_centre_local = self.samples.centre[kept_idx] - old_start[kept_idx]
        centre = np.r_[start[:-1][: len(kept_idx)] + old_centre_local, new_samples.centre + n_old].astype(np.int64)
        window = np.repeat(np.arange(len(counts)), counts).astype(np.int64)
        normal = np.r_[self.samples.normal_grid[kept_idx], new_samples.normal_grid]
        samples = WindowSamples(xyz, window, start, centre, normal)
        h_fixed = np.vstack([self.h_fixed[old_pts], horizon(new_samples.xyz, self.fixed, self.sun)])
        cache = {}
        if "before" in self._site_cache:
            row, h = self._site_cache["before"]
            r_old = row[old_pts]
            cache["before"] = (np.r_[r_old, np.full(len(new_samples), -1)].astype(np.int64), h)
        sweep = sweep_mask(normal, self.sun.ux, self.sun.uy, min_sweep_deg=self.params.min_sweep_deg)
        return replace(self, windows=windows, samples=samples, proposed=prop, h_fixed=h_fixed, sweep=sweep,
                       footprints=fps, _site_cache=cache)


def _generate(buildings: gpd.GeoDataFrame, path: SunPath, sun: SunSteps, p: SunlightParams, gn: float,
              max_floor: int | None = None) -> gpd.GeoDataFrame:
    up = sun.tan_alt > 0
    w = generate_windows(buildings, sun_ux=sun.ux, sun_uy=sun.uy, sun_up=up, grid_north_azimuth_deg=gn,
                         sill_height_m=p.sill_height_m, bay_m=p.window_bay_m, min_sweep_deg=p.min_sweep_deg,
                         max_floor=max_floor)
    w["phase"] = w["building_id"].map(dict(zip(buildings["building_id"], buildings["phase"], strict=True)))
    return w


def build_model(
    buildings: gpd.GeoDataFrame,
    *,
    lon: float,
    lat: float,
    grid_north_azimuth_deg: float = 0.0,
    windows: gpd.GeoDataFrame | None = None,
    params: SunlightParams | None = None,
    context_reach: bool = True,
    date: Any = None,
    max_floor: int | None = None,
    **kw: Any,
) -> SunlightModel:
    """Set up a before/after sunlight analysis and trace the fixed scene once.

    Parameters
    ----------
    buildings : GeoDataFrame
        All buildings with ``building_id``, ``phase`` (context / kept / existing / proposed),
        ``height_m``, ``base_elev_m`` and, for window generation, ``use``, ``floors``,
        ``storey_height_m``, ``lowest_residential_floor``.
    lon, lat : float
        Site centroid (degrees).
    grid_north_azimuth_deg : float
        Azimuth of the grid +y axis, degrees clockwise from true north.
    windows : GeoDataFrame, optional
        The site's ``windows`` layer; generated on residential façades when ``None``.
    params : SunlightParams, optional
        Rule parameters; any field may also be passed as a keyword.
    context_reach : bool
        Generate windows on context buildings only where the site massing (before or after)
        can reach them; windows on far-away context buildings cannot change.
    date : datetime.date, optional
        Override the standard day (tests and studies at other dates).
    max_floor : int, optional
        Generate windows only up to this floor (screening runs; the lowest floors bind).
    """
    p = replace(params or SunlightParams(), **kw)
    path = sun_path(lon=lon, lat=lat, standard_day=p.standard_day, year=p.year, band_start_h=p.band_start_h,
                    band_end_h=p.band_end_h, step_min=p.step_min, refraction=p.refraction, date=date)
    sun = sun_steps(path, grid_north_azimuth_deg, min_altitude_deg=p.min_altitude_deg)
    phase = buildings["phase"].astype(str).str.lower()
    unknown = sorted(set(phase) - {"context", "kept", "existing", "proposed"})
    if unknown:
        raise ValueError(f"layer 'buildings', field 'phase': unknown value(s) {unknown}; "
                         "use existing / kept / proposed / context")
    b = buildings.assign(phase=phase)
    fixed = prisms_from_buildings(b[phase.isin(FIXED_PHASES)])
    existing = prisms_from_buildings(b[phase == "existing"])
    proposed = prisms_from_buildings(b[phase == "proposed"])
    footprints = dict(zip(b["building_id"], b.geometry, strict=True))
    if windows is None:
        target = b
        if context_reach:
            site = Prisms.concat([existing, proposed])
            is_ctx = (phase == "context").to_numpy()
            if site.n_buildings and is_ctx.any():
                reach = _reachable(b[is_ctx], site, sun)
                target = pd.concat([b[~is_ctx], b[is_ctx][reach]])
            elif is_ctx.any():
                target = b[~is_ctx]
        win = _generate(gpd.GeoDataFrame(target, geometry="geometry", crs=b.crs), path, sun, p,
                        grid_north_azimuth_deg, max_floor)
    else:
        win = read_windows(windows, b, grid_north_azimuth_deg=grid_north_azimuth_deg, sill_height_m=p.sill_height_m)
        win["phase"] = win["building_id"].map(dict(zip(b["building_id"], b["phase"], strict=True)))
    samples = sample_windows(win, footprints, grid_north_azimuth_deg=grid_north_azimuth_deg, sample=p.sample,
                             sample_spacing_m=p.sample_spacing_m)
    h_fixed = horizon(samples.xyz, fixed, sun)
    sweep = sweep_mask(samples.normal_grid, sun.ux, sun.uy, min_sweep_deg=p.min_sweep_deg)
    return SunlightModel(p, path, sun, grid_north_azimuth_deg, win, samples, fixed, existing, proposed, h_fixed,
                         sweep, footprints, max_floor=max_floor)


def _reachable(ctx_buildings: gpd.GeoDataFrame, site: Prisms, sun: SunSteps) -> np.ndarray:
    """Context buildings that some site building can shade (bounding-circle test)."""
    g = ctx_buildings.geometry.to_numpy()
    bounds = shapely.bounds(g)
    cx = 0.5 * (bounds[:, 0] + bounds[:, 2])
    cy = 0.5 * (bounds[:, 1] + bounds[:, 3])
    r = 0.5 * np.hypot(bounds[:, 2] - bounds[:, 0], bounds[:, 3] - bounds[:, 1])
    base = pd.to_numeric(ctx_buildings.get("base_elev_m", 0.0), errors="coerce")
    base = np.broadcast_to(np.nan_to_num(np.asarray(base, float)), (len(g),))
    d = np.hypot(cx[:, None] - site.cx[None, :], cy[:, None] - site.cy[None, :]) - r[:, None] - site.radius[None, :]
    reach = (site.top[None, :] - base[:, None]) / sun.tan_min
    return ((d <= reach) & (site.top[None, :] > base[:, None])).any(axis=1)


# ---------------------------------------------------------------------- verdicts
def evaluate_windows(model: SunlightModel) -> gpd.GeoDataFrame:
    """Hours before / after, the standard and the verdict for every window (窗日照分析).

    Windows of ``context``/``kept`` housing are judged "optimise, not worsen" (SUN-04):
    ``PASS`` when after ≥ ``min_hours``, ``PASS_NOT_WORSE`` when after < standard but
    ≥ before (if the pack allows it), else ``FAIL``.  Windows of ``proposed`` housing must
    reach ``old_district_new_min_hours`` (SUN-03, 旧区改建新建住宅).  Windows of ``existing``
    (demolished) housing get their "before" hours only (verdict ``NOT_CHECKED``).

    Returns
    -------
    GeoDataFrame
        The window table plus ``minutes_before``, ``minutes_after``, ``hours_before``,
        ``hours_after`` (h), ``threshold_h``, ``rule_id``, ``verdict``, ``lost_min``
        (steps lit before and blocked after, min).
    """
    p = model.params
    w = model.windows.copy()
    phase = w["phase"].to_numpy()
    lit_b = model.lit("before")
    lit_a = model.lit("after")
    mb = segment_minutes(lit_b, **p.segment_kw())
    ma = segment_minutes(lit_a, **p.segment_kw())
    has_b = np.isin(phase, FIXED_PHASES + ("existing",))
    has_a = np.isin(phase, FIXED_PHASES + ("proposed",))
    w["minutes_before"] = np.where(has_b, mb, np.nan)
    w["minutes_after"] = np.where(has_a, ma, np.nan)
    w["hours_before"] = w["minutes_before"] / 60.0
    w["hours_after"] = w["minutes_after"] / 60.0
    lost = (lit_b & ~lit_a).sum(axis=1) * p.step_min
    w["lost_min"] = np.where(has_b & has_a, lost, np.nan)
    thr, rule, verdict = [], [], []
    for ph, hb, ha in zip(phase, w["hours_before"], w["hours_after"], strict=True):
        if ph in FIXED_PHASES:
            thr.append(p.min_hours)
            rule.append("SUN-04")
            verdict.append(judge(hb, ha, p.min_hours, sense="min", allow_not_worse=p.allow_not_worse))
        elif ph == "proposed":
            thr.append(p.old_district_new_min_hours)
            rule.append("SUN-03")
            verdict.append(judge(None, ha, p.old_district_new_min_hours, sense="min"))
        else:
            thr.append(p.min_hours)
            rule.append("")
            verdict.append(Verdict.NOT_CHECKED)
    w["threshold_h"] = thr
    w["rule_id"] = rule
    w["verdict"] = [str(v) for v in verdict]
    return w


def attribute_obstruction(model: SunlightModel, result: gpd.GeoDataFrame, *, min_lost_min: float = 0.0
                          ) -> pd.DataFrame:
    """Which proposed buildings take each window's lost minutes (遮挡关系表).

    A minute is lost when the window is lit before and not after; it is attributed to every
    proposed building that on its own blocks the window at that step (a minute can be
    attributed to several buildings).

    Returns
    -------
    DataFrame
        ``window_id``, ``building_id`` (the window's), ``obstructor_id``, ``minutes``.
    """
    cols = ["window_id", "building_id", "obstructor_id", "minutes"]
    lost_w = np.flatnonzero(np.nan_to_num(result["lost_min"].to_numpy(float)) > min_lost_min)
    if len(lost_w) == 0 or model.proposed.n_buildings == 0:
        return pd.DataFrame(columns=cols)
    lit_b = model.lit("before")[lost_w]
    lit_a = model.lit("after")[lost_w]
    lost = lit_b & ~lit_a
    s = model.samples
    pidx = np.concatenate([np.arange(s.start[w], s.start[w + 1]) for w in lost_w])
    sub_start = np.r_[0, np.cumsum(np.diff(s.start)[lost_w])]
    sub_centre = s.centre[lost_w] - s.start[lost_w] + sub_start[:-1]
    xyz = s.xyz[pidx]
    rows = []
    for bi in range(model.proposed.n_buildings):
        one = model.proposed.subset(np.array([bi]))
        cand = candidate_points(xyz, one, model.sun)
        if not cand.any():
            continue
        h = np.zeros((len(xyz), len(model.sun)))
        h[cand] = horizon(xyz[cand], one, model.sun)
        blocked_by = ~window_lit(h, model.sun.tan_alt, sub_start, sub_centre,
                                 whole_window=model.params.whole_window)
        minutes = (blocked_by & lost).sum(axis=1) * model.params.step_min
        for k in np.flatnonzero(minutes > 0):
            wrow = result.iloc[lost_w[k]]
            rows.append((wrow["window_id"], wrow["building_id"], one.building_ids[0], float(minutes[k])))
    return pd.DataFrame(rows, columns=cols).sort_values(["window_id", "minutes"], ascending=[True, False],
                                                       ignore_index=True)


def summarise_windows(result: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-dwelling and per-building summaries (窗报批表).

    Returns
    -------
    by_dwelling, by_building : DataFrame
        Windows, failing windows, the best window's hours before / after per dwelling
        (a dwelling meets the standard when one of its windows does) and window counts per
        verdict per building.
    """
    r = pd.DataFrame(result.drop(columns="geometry", errors="ignore"))
    r["dwelling_key"] = r["dwelling"].where(r["dwelling"].notna(), "F" + r["floor"].astype(str))
    by_dw = (
        r.groupby(["building_id", "dwelling_key"], dropna=False)
        .agg(windows=("window_id", "size"), hours_before_best=("hours_before", "max"),
             hours_after_best=("hours_after", "max"), failing_windows=("verdict", lambda v: int((v == "FAIL").sum())))
        .reset_index()
        .rename(columns={"dwelling_key": "dwelling"})
    )
    counts = pd.crosstab(r["building_id"], r["verdict"])
    by_b = (
        r.groupby("building_id")
        .agg(phase=("phase", "first"), windows=("window_id", "size"), hours_before_min=("hours_before", "min"),
             hours_after_min=("hours_after", "min"))
        .join(counts)
        .reset_index()
    )
    return by_dw, by_b


# ---------------------------------------------------------------------- 推算限高
def height_limit(
    model: SunlightModel,
    *,
    building_ids: list | None = None,
    footprint: shapely.Geometry | None = None,
    base_elev_m: float = 0.0,
    h_search: float = 150.0,
) -> dict:
    """Greatest height at which no window fails (推算限高).

    Either one or more ``proposed`` buildings (``building_ids``; they share one height
    above their own bases, the others keep theirs) or a new ``footprint`` (uniform height
    over that polygon, added to the proposed massing).  Windows judged: context/kept
    windows must keep ``min(standard, before)`` (or the standard, if the pack does not
    allow "not worse"); other proposed windows must keep ``old_district_new_min_hours``.
    Windows that fail even without the tested massing cannot be helped and are reported.

    Returns
    -------
    dict
        ``height_m`` (limit above base, m; ``h_search`` if never binding), ``binding_windows``
        (ids failing just above the limit), ``already_failing`` (ids), ``evaluations``.
    """
    p = model.params
    if footprint is not None:
        target = prisms_from_buildings(gpd.GeoDataFrame(
            {"building_id": ["__limit__"], "height_m": [h_search], "base_elev_m": [base_elev_m]},
            geometry=[footprint]))
        others = model.proposed
        target_ids: set = set()
    else:
        ids = list(model.proposed.building_ids) if building_ids is None else list(building_ids)
        sel = np.isin(model.proposed.building_ids, ids)
        target = model.proposed.subset(sel)
        others = model.proposed.subset(~sel)
        target_ids = set(ids)
    phase = model.windows["phase"].to_numpy()
    bid = model.windows["building_id"].to_numpy()
    judged = np.isin(phase, FIXED_PHASES) | ((phase == "proposed") & ~np.isin(bid, list(target_ids)))
    s = model.samples
    xyz = s.xyz
    cand_pts = candidate_points(xyz, target, model.sun, h_search=h_search)
    win_aff = np.zeros(len(model.windows), bool)
    np.logical_or.at(win_aff, s.window[cand_pts], True)
    win_idx = np.flatnonzero(win_aff & judged)
    if len(win_idx) == 0:
        return {"height_m": h_search, "binding_windows": [], "already_failing": [], "evaluations": 0}
    # targets in minutes
    need = np.where(np.isin(phase[win_idx], FIXED_PHASES), p.min_hours, p.old_district_new_min_hours) * 60.0
    if p.allow_not_worse:
        mb = model.minutes("before")[win_idx]
        fixed_w = np.isin(phase[win_idx], FIXED_PHASES)
        need = np.where(fixed_w, np.minimum(need, mb), need)
    pidx = np.concatenate([np.arange(s.start[w], s.start[w + 1]) for w in win_idx])
    sub_start = np.r_[0, np.cumsum(np.diff(s.start)[win_idx])].astype(np.int64)
    sub_centre = (s.centre[win_idx] - s.start[win_idx] + sub_start[:-1]).astype(np.int64)
    sxyz = xyz[pidx]
    h_other = model.h_fixed[pidx].copy()
    if others.n_buildings:
        c = candidate_points(sxyz, others, model.sun)
        if c.any():
            h_other[c] = np.maximum(h_other[c], horizon(sxyz[c], others, model.sun))
    g = critical_height(sxyz, target, model.sun, h_search=h_search)
    tan_alt = model.sun.tan_alt
    sweep = model.sweep[win_idx] if model.sweep is not None else None

    def minutes_at(h: float) -> np.ndarray:
        # blocked by the target at height h iff h > g  ⇔  encode as an extra horizon
        extra = np.where(h > g, np.inf, 0.0)
        lit = window_lit(h_other, tan_alt, sub_start, sub_centre, whole_window=p.whole_window,
                         h_extra=extra, extra_row=np.arange(len(sxyz)), sweep=sweep)
        return segment_minutes(lit, **p.segment_kw())

    ok0 = minutes_at(0.0) >= need - 1e-9
    already = model.windows["window_id"].to_numpy()[win_idx[~ok0]].tolist()
    ok_top = minutes_at(h_search) >= need - 1e-9
    n_eval = 2
    if (ok_top | ~ok0).all():
        return {"height_m": h_search, "binding_windows": [], "already_failing": already, "evaluations": n_eval}
    # only windows that pass at 0 m and fail at h_search can bind: restrict every array to them
    keep_w = np.flatnonzero(ok0 & ~ok_top)
    keep_p = np.concatenate([np.arange(sub_start[k], sub_start[k + 1]) for k in keep_w])
    sub_start = np.r_[0, np.cumsum(np.diff(sub_start)[keep_w])].astype(np.int64)
    sub_centre = np.searchsorted(keep_p, sub_centre[keep_w]).astype(np.int64)
    h_other, g, sxyz = h_other[keep_p], g[keep_p], sxyz[keep_p]
    sweep = sweep[keep_w] if sweep is not None else None
    need, win_idx = need[keep_w], win_idx[keep_w]
    act = np.ones(len(keep_w), dtype=bool)

    def passes(h: float) -> bool:
        return bool((minutes_at(h) >= need - 1e-9).all())

    cands = np.unique(g[np.isfinite(g) & (g >= 0)])
    lo, hi = -1, len(cands) - 1  # invariant: passes(cands[lo]) (or lo = -1 → 0 m), fails at cands[hi]
    while hi - lo > 1:
        mid = (lo + hi) // 2
        n_eval += 1
        if passes(float(cands[mid])):
            lo = mid
        else:
            hi = mid
    limit = float(cands[lo]) if lo >= 0 else 0.0
    above = float(cands[hi])
    m_above = minutes_at(above + 1e-9)
    binding = model.windows["window_id"].to_numpy()[win_idx[act & (m_above < need - 1e-9)]].tolist()
    return {"height_m": limit, "binding_windows": binding, "already_failing": already, "evaluations": n_eval + 2}
