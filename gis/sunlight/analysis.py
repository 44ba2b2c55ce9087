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
from gis.sunlight.hours import segment_minutes, sweep_mask, window_height_limits, window_lit, window_lit_banks
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
    min, angles in degrees, lengths in m, ``band_*`` in hours of true solar time.  No value
    is written here: build it with :meth:`from_rules` (or :meth:`default`, the default pack).
    """

    standard_day: str
    year: int
    band_start_h: float
    band_end_h: float
    step_min: float
    min_hours: float
    old_district_new_min_hours: float
    accumulation: str
    n_segments: int
    min_segment_min: float
    min_sweep_deg: float
    min_altitude_deg: float
    whole_window: bool
    sill_height_m: float
    sample: str
    sample_spacing_m: float
    refraction: bool
    ground_grid_m: float
    green_outside_shadow_min: float
    allow_not_worse: bool
    window_bay_m: float

    @classmethod
    def from_rules(cls, sunlight_rules: Any) -> SunlightParams:
        """Values of a rule pack's ``sunlight`` section (``ctx.rules.sunlight``)."""
        kw = {}
        for name in cls.__dataclass_fields__:
            p = getattr(sunlight_rules, name, None)
            if p is not None:
                kw[name] = p.value
        return cls(**kw)

    @classmethod
    def default(cls) -> SunlightParams:
        """The parameters of the default rule pack (Urumqi)."""
        from gis.rules import default_rules

        return cls.from_rules(default_rules().sunlight)

    def segment_kw(self) -> dict:
        return dict(step_min=self.step_min, accumulation=self.accumulation, n_segments=self.n_segments,
                    min_segment_min=self.min_segment_min)


@dataclass
class SunlightModel:
    """State of one sunlight analysis: sun, windows, sample points and cached horizons.

    Build it with :func:`build_model`; derive scenarios with :meth:`with_proposed`.

    The horizon of the fixed scene (context + kept) is held in two banks that are never
    copied: ``h_fixed`` (traced once by :func:`build_model`, shared by every derived model)
    with ``fixed_row[p]`` the row of sample point ``p`` (``-1``: none), and ``h_fixed_new``
    / ``fixed_row_new`` for the points of windows added by :meth:`with_proposed`.
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
    fixed_row: np.ndarray | None = None
    h_fixed_new: np.ndarray | None = None
    fixed_row_new: np.ndarray | None = None
    _lit_cache: dict = field(default_factory=dict)

    # ------------------------------------------------------------------ horizons
    def fixed_banks(self) -> list[tuple[np.ndarray, np.ndarray | None]]:
        """The fixed-scene horizon banks for :func:`~gis.sunlight.hours.window_lit_banks`."""
        banks = [(self.h_fixed, self.fixed_row)]
        if self.h_fixed_new is not None:
            banks.append((self.h_fixed_new, self.fixed_row_new))
        return banks

    def fixed_horizon(self, points: np.ndarray) -> np.ndarray:
        """Fixed-scene horizon ``(len(points), T)`` of some sample points (a copy of those rows only)."""
        points = np.asarray(points, dtype=np.int64)
        out = np.zeros((len(points), len(self.sun)))
        for h, row in self.fixed_banks():
            r = points if row is None else row[points]
            ok = r >= 0
            out[ok] = np.maximum(out[ok], h[r[ok]])
        return out

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

    # ------------------------------------------------------------------ lit steps
    # Caches (``_lit_cache``): "fixed" = list of row blocks of the fixed-scene lit matrix (W × T
    # in window order; blocks are shared with the model this one was derived from); "before" /
    # "after" = (windows reached by that site massing, their lit rows); "minutes_*" = (W,).
    def _fixed_blocks(self) -> list[np.ndarray]:
        if "fixed" not in self._lit_cache:
            s = self.samples
            self._lit_cache["fixed"] = [window_lit_banks(self.fixed_banks(), self.sun.tan_alt, s.start, s.centre,
                                                         whole_window=self.params.whole_window, sweep=self.sweep)]
        return self._lit_cache["fixed"]

    def _fixed_rows(self, wins: np.ndarray) -> np.ndarray:
        blocks = self._fixed_blocks()
        if len(blocks) == 1:
            return blocks[0][wins]
        out = np.empty((len(wins), len(self.sun)), dtype=bool)
        off = 0
        for blk in blocks:
            sel = (wins >= off) & (wins < off + len(blk))
            out[sel] = blk[wins[sel] - off]
            off += len(blk)
        return out

    def _scenario(self, scenario: str) -> tuple[np.ndarray, np.ndarray]:
        """(reached windows, their lit rows) for "before" / "after" (cached)."""
        if scenario not in ("before", "after"):
            raise ValueError(f"scenario must be 'before' or 'after' (got {scenario!r})")
        if scenario not in self._lit_cache:
            prisms = self.existing if scenario == "before" else self.proposed
            row, h = self._cached(scenario, prisms, self._phase_points(scenario))
            wins = np.unique(self.samples.window[row >= 0])
            s = self.samples
            rows = window_lit_banks(self.fixed_banks() + [(h, row)], self.sun.tan_alt, s.start, s.centre,
                                    whole_window=self.params.whole_window, sweep=self.sweep, windows=wins)
            self._lit_cache[scenario] = (wins, rows)
        return self._lit_cache[scenario]

    def lit_rows(self, scenario: str, windows: np.ndarray) -> np.ndarray:
        """Lit steps ``(len(windows), T)`` bool of some windows for "before", "after" or "fixed"."""
        wins = np.asarray(windows, dtype=np.int64)
        out = self._fixed_rows(wins)
        if scenario != "fixed":
            reached, rows = self._scenario(scenario)
            if len(reached):
                pos = np.searchsorted(reached, wins)
                hit = (pos < len(reached)) & (reached[np.minimum(pos, len(reached) - 1)] == wins)
                out[hit] = rows[pos[hit]]
        return out

    def fixed_lit(self) -> np.ndarray:
        """Lit steps per window against the fixed scene alone, ``(W, T)`` bool."""
        return self.lit("fixed")

    def lit(self, scenario: str) -> np.ndarray:
        """Lit steps per window, ``(W, T)`` bool, for ``"before"``, ``"after"`` or ``"fixed"``.

        Only the windows that the scenario's site massing can reach are traced against it; the
        others keep their fixed-scene result.  (A new array; the model caches the parts.)
        """
        return self.lit_rows(scenario, np.arange(len(self.windows)))

    def _phase_points(self, scenario: str) -> np.ndarray:
        ph = self.windows["phase"].to_numpy()
        keep = np.isin(ph, FIXED_PHASES + (("existing",) if scenario == "before" else ("proposed",)))
        return keep[self.samples.window]

    def minutes(self, scenario: str) -> np.ndarray:
        """Counted sunlit minutes per window under the segment rules (cached).

        ``scenario``: ``"before"``, ``"after"`` or ``"fixed"`` (the fixed scene alone).  Only
        windows that the scenario's site massing reaches are counted again.
        """
        key = f"minutes_{scenario}"
        if key not in self._lit_cache:
            kw = self.params.segment_kw()
            if scenario == "fixed":
                self._lit_cache[key] = np.concatenate([segment_minutes(b, **kw) for b in self._fixed_blocks()])
            else:
                wins, rows = self._scenario(scenario)
                out = self.minutes("fixed").copy()
                if len(wins):
                    out[wins] = segment_minutes(rows, **kw)
                self._lit_cache[key] = out
        return self._lit_cache[key]

    def _reached(self, scenario: str) -> np.ndarray:
        """Windows with a point that the scenario's site massing can reach."""
        return self._scenario(scenario)[0]

    def with_heights(self, heights: dict[object, float] | pd.Series) -> SunlightModel:
        """The same model with new heights (m above their bases) for some proposed buildings.

        Windows stay as they are (no windows are added or removed); the fixed scene and the
        "before" scenario are reused.
        """
        keep = ("fixed", "before", "minutes_fixed", "minutes_before")
        return replace(self, proposed=self.proposed.with_heights(heights),
                       _site_cache={k: v for k, v in self._site_cache.items() if k == "before"},
                       _lit_cache={k: v for k, v in self._lit_cache.items() if k in keep})

    def with_proposed(self, proposed_buildings: gpd.GeoDataFrame) -> SunlightModel:
        """The same model with another proposed massing (windows of fixed/existing buildings kept).

        Windows of proposed buildings are always last in the window table, so the kept windows
        and their sample points are a prefix: the fixed horizon, the fixed-scene lit steps and
        the "before" scenario are shared (views, nothing large is copied).  Windows of the new
        proposed residential buildings are generated as in :func:`build_model` and only their
        points are traced against the fixed scene.
        """
        prop = prisms_from_buildings(proposed_buildings)
        phase = self.windows["phase"].to_numpy()
        n_kept = int((phase != "proposed").sum())
        if (phase[:n_kept] == "proposed").any():
            raise AssertionError("SunlightModel: proposed windows must come last")
        n_old = int(self.samples.start[n_kept])
        new_w = _generate(proposed_buildings.assign(phase="proposed"), self.path, self.sun, self.params,
                          self.grid_north_azimuth_deg, self.max_floor)
        fps = dict(self.footprints)
        fps.update(dict(zip(proposed_buildings["building_id"], proposed_buildings.geometry, strict=True)))
        new_s = sample_windows(new_w, fps, grid_north_azimuth_deg=self.grid_north_azimuth_deg,
                               sample=self.params.sample, sample_spacing_m=self.params.sample_spacing_m)
        windows = pd.concat([self.windows.iloc[:n_kept], new_w], ignore_index=True)
        windows = gpd.GeoDataFrame(windows, geometry="geometry", crs=self.windows.crs)
        old = self.samples
        n_new = len(new_s)
        samples = WindowSamples(
            xyz=np.vstack([old.xyz[:n_old], new_s.xyz]),
            window=np.r_[old.window[:n_old], new_s.window + n_kept].astype(np.int64),
            start=np.r_[old.start[: n_kept + 1], new_s.start[1:] + n_old].astype(np.int64),
            centre=np.r_[old.centre[:n_kept], new_s.centre + n_old].astype(np.int64),
            normal_grid=np.r_[old.normal_grid[:n_kept], new_s.normal_grid],
        )
        # fixed horizon banks: the shared array for the kept points, a new one for the new points
        # (kept points never use the old "new" bank: it belonged to proposed windows, all replaced)
        old_row = np.arange(n_old, dtype=np.int64) if self.fixed_row is None else self.fixed_row[:n_old]
        fixed_row = np.r_[old_row, np.full(n_new, -1)].astype(np.int64)
        fixed_row_new = np.r_[np.full(n_old, -1), np.arange(n_new)].astype(np.int64)
        h_new = horizon(new_s.xyz, self.fixed, self.sun)
        sweep = None
        if self.sweep is not None:
            sweep = np.vstack([self.sweep[:n_kept], sweep_mask(new_s.normal_grid, self.sun.ux, self.sun.uy,
                                                               min_sweep_deg=self.params.min_sweep_deg)])
        site_cache = {}
        if "before" in self._site_cache:  # the existing massing is unchanged; proposed windows have no "before"
            row, h = self._site_cache["before"]
            site_cache["before"] = (np.r_[row[:n_old], np.full(n_new, -1)].astype(np.int64), h)
        model = replace(self, windows=windows, samples=samples, proposed=prop, h_fixed=self.h_fixed,
                        fixed_row=fixed_row, h_fixed_new=h_new, fixed_row_new=fixed_row_new, sweep=sweep,
                        footprints=fps, _site_cache=site_cache, _lit_cache={})
        kw = self.params.segment_kw()
        lc = self._lit_cache
        if "fixed" in lc:
            kept_blocks, off = [], 0
            for blk in lc["fixed"]:
                if off < n_kept:
                    kept_blocks.append(blk[: n_kept - off])
                off += len(blk)
            new_lit = window_lit_banks([(h_new, None)], self.sun.tan_alt, new_s.start, new_s.centre,
                                       whole_window=self.params.whole_window,
                                       sweep=None if sweep is None else sweep[n_kept:])
            model._lit_cache["fixed"] = kept_blocks + [new_lit]
            if "minutes_fixed" in lc:
                m_new = segment_minutes(new_lit, **kw)
                model._lit_cache["minutes_fixed"] = np.r_[lc["minutes_fixed"][:n_kept], m_new]
                if "minutes_before" in lc and "before" in site_cache:
                    # proposed windows are not traced against the existing massing: "before" = fixed
                    model._lit_cache["minutes_before"] = np.r_[lc["minutes_before"][:n_kept], m_new]
        if "before" in lc and "before" in site_cache:
            wins, rows = lc["before"]
            k = int(np.searchsorted(wins, n_kept))
            model._lit_cache["before"] = (wins[:k], rows[:k])
        return model


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
    p = replace(params or SunlightParams.default(), **kw)
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
    # proposed windows last (so that with_proposed keeps the others as a prefix)
    win = win.iloc[np.argsort(win["phase"].to_numpy() == "proposed", kind="stable")].reset_index(drop=True)
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
    mb = model.minutes("before")
    ma = model.minutes("after")
    has_b = np.isin(phase, FIXED_PHASES + ("existing",))
    has_a = np.isin(phase, FIXED_PHASES + ("proposed",))
    w["minutes_before"] = np.where(has_b, mb, np.nan)
    w["minutes_after"] = np.where(has_a, ma, np.nan)
    w["hours_before"] = w["minutes_before"] / 60.0
    w["hours_after"] = w["minutes_after"] / 60.0
    # lost minutes only where the site massing reaches the window (elsewhere before = after)
    lost = np.zeros(len(w))
    reach = np.union1d(model._reached("before"), model._reached("after"))
    if len(reach):
        lost[reach] = (model.lit_rows("before", reach) & ~model.lit_rows("after", reach)).sum(axis=1) * p.step_min
    w["lost_min"] = np.where(has_b & has_a, lost, np.nan)
    fixed = np.isin(phase, FIXED_PHASES)
    prop = phase == "proposed"
    w["threshold_h"] = np.where(prop, p.old_district_new_min_hours, p.min_hours)
    w["rule_id"] = np.where(fixed, "SUN-04", np.where(prop, "SUN-03", ""))
    # verdicts from gis.findings.judge, once per distinct (rule, before, after) triple
    hb = w["hours_before"].to_numpy()
    ha = w["hours_after"].to_numpy()
    kind = np.where(fixed, 0, np.where(prop, 1, 2))
    # minutes are whole numbers of steps: an exact integer key per triple
    steps_b = np.where(has_b, np.round(np.nan_to_num(mb) / p.step_min), -1).astype(np.int64) + 1
    steps_a = np.where(has_a, np.round(np.nan_to_num(ma) / p.step_min), -1).astype(np.int64) + 1
    n_t = len(model.sun) + 2
    key = (kind.astype(np.int64) * n_t + steps_b) * n_t + steps_a
    _, first, codes = np.unique(key, return_index=True, return_inverse=True)
    verdicts = []
    for i in first:
        k = kind[i]
        if k == 0:
            v = judge(hb[i], ha[i], p.min_hours, sense="min", allow_not_worse=p.allow_not_worse)
        elif k == 1:
            v = judge(None, ha[i], p.old_district_new_min_hours, sense="min")
        else:
            v = Verdict.NOT_CHECKED
        verdicts.append(str(v))
    w["verdict"] = np.asarray(verdicts, dtype=object)[codes]
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
    lit_b = model.lit_rows("before", lost_w)
    lit_a = model.lit_rows("after", lost_w)
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
    h_start: float | None = None,
) -> dict:
    """Greatest height at which no window fails (推算限高).

    Either one or more ``proposed`` buildings (``building_ids``; they share one height
    above their own bases, the others keep theirs) or a new ``footprint`` (uniform height
    over that polygon, added to the proposed massing).  Windows judged: context/kept
    windows must keep ``min(standard, before)`` (or the standard, if the pack does not
    allow "not worse"); other proposed windows must keep ``old_district_new_min_hours``.
    Windows that fail even without the tested massing cannot be helped and are reported.

    Method (SUNLIGHT.md §5 note 4): the fixed-scene horizon already traced is reused; the
    tested massing is traced once as critical heights ``G`` (it blocks a step iff its
    height exceeds ``G``), so each window's minutes are a monotone step function of the
    height and its own limit is a bisection over its sorted critical heights.  The site
    limit is the least window limit.  The search starts at ``h_start`` (default 1.5 × the
    tallest tested building, at least 30 m) and doubles up to ``h_search`` while nothing binds.

    Returns
    -------
    dict
        ``height_m`` (limit above base, m; ``h_search`` if never binding), ``binding_windows``
        (ids failing just above the limit), ``already_failing`` (ids), ``evaluations``
        (windows searched).
    """
    if footprint is not None:
        target = prisms_from_buildings(gpd.GeoDataFrame(
            {"building_id": ["__limit__"], "height_m": [h_search], "base_elev_m": [base_elev_m]},
            geometry=[footprint]))
        others = model.proposed
        target_ids: set = set()
        current = 0.0
    else:
        ids = list(model.proposed.building_ids) if building_ids is None else list(building_ids)
        unknown = sorted(set(map(str, ids)) - set(map(str, model.proposed.building_ids)))
        if unknown:
            raise ValueError(f"推算限高: building(s) {unknown} are not proposed buildings of layer 'buildings' "
                             "(phase = proposed)")
        sel = np.isin(model.proposed.building_ids, ids)
        target = model.proposed.subset(sel)
        others = model.proposed.subset(~sel)
        target_ids = set(ids)
        current = float(np.max(target.top - target.base)) if target.n_buildings else 0.0
    phase = model.windows["phase"].to_numpy()
    bid = model.windows["building_id"].to_numpy()
    judged = np.isin(phase, FIXED_PHASES) | ((phase == "proposed") & ~np.isin(bid, list(target_ids)))
    h_try = min(h_search, max(30.0, 1.5 * current) if h_start is None else h_start)
    others_cache: dict = {}
    while True:
        res = _height_limit_at(model, target, others, judged, h_try, others_cache)
        if res["height_m"] < h_try or h_try >= h_search:
            return res
        h_try = min(h_search, 2.0 * h_try)


def _height_limit_at(model: SunlightModel, target: Prisms, others: Prisms, judged: np.ndarray, h_search: float,
                     others_cache: dict) -> dict:
    p = model.params
    s = model.samples
    wid = model.windows["window_id"].to_numpy()
    cand_pts = candidate_points(s.xyz, target, model.sun, h_search=h_search)
    win_aff = np.zeros(len(model.windows), bool)
    win_aff[s.window[cand_pts]] = True
    win_idx = np.flatnonzero(win_aff & judged)
    if len(win_idx) == 0:
        return {"height_m": h_search, "binding_windows": [], "already_failing": [], "evaluations": 0}
    phase = model.windows["phase"].to_numpy()
    fixed_w = np.isin(phase[win_idx], FIXED_PHASES)
    need = np.where(fixed_w, p.min_hours, p.old_district_new_min_hours) * 60.0
    if p.allow_not_worse:
        need = np.where(fixed_w, np.minimum(need, model.minutes("before")[win_idx]), need)
    counts = np.diff(s.start)[win_idx]
    pidx = np.repeat(s.start[win_idx], counts) + (np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts,
                                                                                     counts))
    # everything but the target: the fixed horizon banks (not copied) + the other proposed buildings
    banks = model.fixed_banks()
    if others.n_buildings:
        if "row" not in others_cache:
            c = candidate_points(s.xyz, others, model.sun)
            idx = np.flatnonzero(c)
            row = np.full(len(s), -1, dtype=np.int64)
            row[idx] = np.arange(len(idx))
            others_cache["row"], others_cache["h"] = row, horizon(s.xyz[idx], others, model.sun)
        banks = banks + [(others_cache["h"], others_cache["row"])]
    base_lit = window_lit_banks(banks, model.sun.tan_alt, s.start, s.centre, whole_window=p.whole_window,
                                sweep=model.sweep, windows=win_idx)
    g = critical_height(s.xyz[pidx], target, model.sun, h_search=h_search)
    sub_start = np.r_[0, np.cumsum(counts)]
    if p.whole_window:  # least critical height over each window's points (满窗)
        gw = g[sub_start[:-1]].copy()
        for k in range(1, int(counts.max())):
            sel = np.flatnonzero(counts > k)
            gw[sel] = np.minimum(gw[sel], g[sub_start[sel] + k])
    else:
        gw = g[s.centre[win_idx] - s.start[win_idx] + sub_start[:-1]]
    lim = window_height_limits(base_lit, gw, need, h_search=h_search, **p.segment_kw())
    already = wid[win_idx[lim < 0]].tolist()
    finite = (lim >= 0) & np.isfinite(lim)
    n_eval = int(finite.sum())
    if not finite.any():
        return {"height_m": h_search, "binding_windows": [], "already_failing": already, "evaluations": n_eval}
    limit = float(lim[finite].min())
    binding = wid[win_idx[finite & (lim <= limit)]].tolist()
    return {"height_m": limit, "binding_windows": binding, "already_failing": already, "evaluations": n_eval}
