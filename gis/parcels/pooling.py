"""Cross-parcel floor-area pooling (建筑量跨宗地统筹, RULES.md §4.4).

Seed policy 六(二)2: "依据详细规划对同一详细规划单元的建筑量进行跨宗地统筹".  Within one detailed-planning
unit (详细规划单元) counted floor area (计容建筑面积) may move between parcels:

* each parcel starts from its base entitlement ``base`` (m²): its existing counted area plus the allowance the
  rules give it, or ``far_max × area``;
* transfers ``in`` / ``out`` (m²) sum to zero inside a unit (``pooling.zero_sum``) and never cross units
  (``pooling.same_unit_only``);
* a receiving parcel stays within its own cap (m²): ``far_max × area`` and the envelope
  ``density_max × area × ⌊height_max_m / storey height⌋``;
* the counted floor area built in a unit stays within the unit's ``floor_area_cap_m2``.

The allocation is a linear programme solved with SciPy's HiGHS, lexicographically: first meet the required
floor area of the resettlement parcels (回迁安置优先), then of the others, then move the least floor area.
When a requirement cannot be met, an elastic programme names the constraints that stand in the way and by
how many m² each is short (e.g. "the unit cap is 3,200 m² short").

Units: m² of counted floor area; parcel areas in m²; heights in m.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.optimize import linprog
from scipy.sparse import coo_matrix

from gis.parcels._params import pooling_param

if TYPE_CHECKING:
    from gis.rules import RulePack

__all__ = [
    "LEDGER_COLUMNS",
    "PoolingError",
    "Shortage",
    "PoolingResult",
    "parcel_caps",
    "pool_floor_area",
    "check_transfers",
    "assign_to_parcels",
]

LEDGER_COLUMNS = [
    "parcel_id", "unit_id", "resettlement", "area_m2", "required_m2", "base_m2", "in_m2", "out_m2",
    "result_m2", "shortfall_m2", "cap_m2", "cap_source", "binding",
]

#: Numerical slack (m²) when fixing one stage's optimum as a constraint of the next.  Not a rule number.
_EPS = 1e-7
#: Amounts below this (m²) count as zero in the ledger (the solver output is rounded to 0.001 m²).
_TOL = 0.01


class PoolingError(ValueError):
    """Pooling input that cannot be used; ``problems`` holds one line per problem."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True)
class Shortage:
    """One constraint that makes a request infeasible, and by how much (m²)."""

    constraint: str  # "unit_cap", "parcel_cap", "entitlement"
    subject: str  # unit id or parcel id
    short_m2: float
    message_zh: str
    message_en: str


@dataclass
class PoolingResult:
    """Result of :func:`pool_floor_area`.

    Attributes
    ----------
    ledger : DataFrame
        One row per parcel (columns :data:`LEDGER_COLUMNS`): ``base_m2`` + ``in_m2`` − ``out_m2`` =
        ``result_m2`` (entitlement after pooling), ``required_m2`` (proposed counted floor area),
        ``shortfall_m2`` (requirement not met), ``cap_m2`` and what sets it (``cap_source``), and the
        ``binding`` constraint (``cap``, ``unit_cap``, ``entitlement`` or empty).
    transfers : DataFrame
        ``from_parcel``, ``to_parcel``, ``unit_id``, ``area_m2``: one way of realising the ledger.
    units : DataFrame
        Per unit: ``unit_id``, ``cap_m2`` (NaN when unknown), ``base_m2``, ``required_m2``, ``built_m2``
        (required − shortfall), ``transferred_m2``.
    feasible : bool
        Every requirement is met.
    shortages : list of Shortage
        When infeasible: the constraints to relax and by how much (elastic LP, least total relaxation).
    notes : list of str
        Messages for the user (e.g. cross-unit surpluses that may not be used).
    """

    ledger: pd.DataFrame
    transfers: pd.DataFrame
    units: pd.DataFrame
    feasible: bool
    shortages: list[Shortage] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def parcel_caps(
    parcels: pd.DataFrame,
    *,
    storey_height_m: float | np.ndarray,
) -> pd.DataFrame:
    """Floor-area caps (m²) of each parcel from its planning conditions (规划条件).

    ``cap_far_m2 = far_max × area_m2``; ``cap_envelope_m2 = density_max × area_m2 × ⌊height_max_m /
    storey_height_m⌋`` (the footprint allowed by the density cap, stacked to the height cap).  ``cap_m2`` is
    the smaller known one (``inf`` when neither is known) and ``cap_source`` names it
    (``far_max`` / ``height×density``).

    Parameters
    ----------
    parcels : DataFrame
        ``area_m2`` and any of ``far_max``, ``height_max_m`` (m), ``density_max`` (fraction).
    storey_height_m : float or array
        Storey height (m) used to turn the height cap into floors.
    """
    area = pd.to_numeric(parcels["area_m2"], errors="coerce").to_numpy(dtype=float)

    def col(name: str) -> np.ndarray:
        if name not in parcels.columns:
            return np.full(len(parcels), np.nan)
        return pd.to_numeric(parcels[name], errors="coerce").to_numpy(dtype=float)

    far = col("far_max")
    hmax = col("height_max_m")
    dens = col("density_max")
    storey = np.broadcast_to(np.asarray(storey_height_m, dtype=float), area.shape)
    cap_far = far * area
    with np.errstate(invalid="ignore", divide="ignore"):
        floors = np.floor(hmax / storey + 1e-9)
    cap_env = dens * area * floors
    a = np.where(np.isfinite(cap_far), cap_far, np.inf)
    b = np.where(np.isfinite(cap_env), cap_env, np.inf)
    cap = np.minimum(a, b)
    source = np.where(~np.isfinite(cap), "", np.where(a <= b, "far_max", "height×density"))
    return pd.DataFrame(
        {"cap_far_m2": cap_far, "cap_envelope_m2": cap_env, "cap_m2": cap, "cap_source": source}, index=parcels.index
    )


def check_transfers(
    transfers: pd.DataFrame,
    parcels: pd.DataFrame,
    *,
    same_unit_only: bool | None = None,
    rules: RulePack | None = None,
) -> list[Shortage | str]:
    """Refusals for explicitly requested transfers (``from_parcel``, ``to_parcel``, ``area_m2``).

    A transfer between parcels of different planning units is refused when ``pooling.same_unit_only``
    holds; a transfer naming an unknown parcel or a non-positive area is refused too.  Returns one message
    (str) per refused transfer, ``[]`` when all are acceptable.
    """
    same = bool(pooling_param(same_unit_only, "same_unit_only", rules))
    unit_of = dict(zip(parcels["parcel_id"].astype(str), parcels["unit_id"].astype(str), strict=True))
    out: list[Shortage | str] = []
    for row in transfers.itertuples(index=False):
        a, b, m2 = str(row.from_parcel), str(row.to_parcel), float(row.area_m2)
        if a not in unit_of or b not in unit_of:
            missing = a if a not in unit_of else b
            out.append(f"transfer {a}→{b}: parcel {missing} is not in the parcels layer; fix: use an existing parcel_id")
        elif not m2 > 0:
            out.append(f"transfer {a}→{b}: area_m2={m2!r} is not positive; fix: give the transferred floor area in m²")
        elif same and unit_of[a] != unit_of[b]:
            out.append(
                f"transfer {a}→{b} of {m2:,.0f} m² refused: {a} is in planning unit {unit_of[a]} and {b} in "
                f"{unit_of[b]}; floor area may only be pooled within one detailed-planning unit "
                "(同一详细规划单元内跨宗地统筹, 指导方案 六(二)2)"
            )
    return out


def assign_to_parcels(features: gpd.GeoDataFrame, parcels: gpd.GeoDataFrame, *, id_field: str = "parcel_id") -> pd.Series:
    """The parcel each feature (e.g. a building footprint) lies on: the one it overlaps most.

    Returns a Series aligned with ``features`` holding the parcel id, or None for a feature on no parcel.
    """
    out = pd.Series([None] * len(features), index=features.index, dtype=object)
    if not len(features) or not len(parcels):
        return out
    fg = features.geometry.to_numpy()
    pg = parcels.geometry.to_numpy()
    fi, pi = shapely.STRtree(pg).query(fg, predicate="intersects")
    if not len(fi):
        return out
    area = shapely.area(shapely.intersection(fg[fi], pg[pi]))
    frame = pd.DataFrame({"f": fi, "p": pi, "a": area})
    frame = frame[frame["a"] > 0].sort_values("a", ascending=False).drop_duplicates("f")
    ids = parcels[id_field].astype(str).to_numpy()
    out.iloc[frame["f"].to_numpy()] = ids[frame["p"].to_numpy()]
    return out


# ---------------------------------------------------------------------------------------------
# the linear programme


def _validate(parcels: pd.DataFrame) -> list[str]:
    problems = []
    for name in ("parcel_id", "unit_id", "base_m2", "required_m2"):
        if name not in parcels.columns:
            problems.append(f"pooling: field {name} is missing; fix: supply it for every parcel")
    if problems:
        return problems
    for name in ("base_m2", "required_m2"):
        v = pd.to_numeric(parcels[name], errors="coerce")
        for i in np.flatnonzero((v.isna() | (v < 0)).to_numpy()):
            problems.append(
                f"parcels parcel_id={parcels['parcel_id'].iloc[i]}: {name}={parcels[name].iloc[i]!r} is not a "
                f"non-negative number of m²; fix: enter it"
            )
    for i in np.flatnonzero(parcels["unit_id"].isna().to_numpy()):
        problems.append(
            f"parcels parcel_id={parcels['parcel_id'].iloc[i]}: unit_id is empty; fix: enter the detailed-planning unit (详细规划单元)"
        )
    return problems


def _solve(c: np.ndarray, A_ub, b_ub, A_eq, b_eq, bounds) -> Any:
    res = linprog(c, A_ub=A_ub, b_ub=b_ub, A_eq=A_eq, b_eq=b_eq, bounds=bounds, method="highs")
    if res.status != 0:
        raise RuntimeError(f"pooling LP failed: {res.message}")
    return res


def _stack(rows: list[tuple[list[int], list[float]]], ncols: int):
    if not rows:
        return None
    r, cidx, v = [], [], []
    for k, (cols, vals) in enumerate(rows):
        r.extend([k] * len(cols))
        cidx.extend(cols)
        v.extend(vals)
    return coo_matrix((v, (r, cidx)), shape=(len(rows), ncols)).tocsr()


def pool_floor_area(
    parcels: pd.DataFrame,
    *,
    unit_caps: dict[str, float] | None = None,
    same_unit_only: bool | None = None,
    zero_sum: bool | None = None,
    rules: RulePack | None = None,
) -> PoolingResult:
    """Allocate counted floor area across parcels (跨宗地统筹) with the least transferred area.

    Parameters
    ----------
    parcels : DataFrame
        One row per parcel: ``parcel_id``, ``unit_id`` (详细规划单元), ``base_m2`` (base entitlement, m²),
        ``required_m2`` (counted floor area the proposal needs on it, m²), optional ``resettlement`` (bool,
        回迁安置 parcels are served first), ``area_m2`` and ``cap_m2`` / ``cap_source`` (see
        :func:`parcel_caps`; no cap when absent).
    unit_caps : dict, optional
        ``unit_id → floor_area_cap_m2`` (m²); a unit without a cap is not capped.
    same_unit_only, zero_sum : bool, optional
        ``pooling.same_unit_only`` (transfers only inside a unit) and ``pooling.zero_sum`` (transfers
        balance; when false, a group may also give up entitlement).

    Returns
    -------
    PoolingResult

    Raises
    ------
    PoolingError
        Input that cannot be used, one line per problem.

    Notes
    -----
    Variables per parcel ``i``: ``in_i, out_i, s_i ≥ 0`` (m²); ``result_i = base_i + in_i − out_i``.
    Constraints: ``Σ_group (in − out) = 0``; ``out_i ≤ base_i``; ``result_i ≤ max(cap_i, base_i)`` (a parcel
    already above its cap keeps its base but receives nothing); ``result_i + s_i ≥ required_i``;
    ``s_i ≤ required_i``; per unit ``Σ (required_i − s_i) ≤ unit cap``.  Objectives in order:
    ``min Σ_resettlement s``, ``min Σ_other s``, ``min Σ (in + out)``.
    """
    problems = _validate(parcels)
    if problems:
        raise PoolingError(problems)
    same = bool(pooling_param(same_unit_only, "same_unit_only", rules))
    balanced = bool(pooling_param(zero_sum, "zero_sum", rules))
    unit_caps = {str(k): float(v) for k, v in (unit_caps or {}).items() if v is not None and np.isfinite(v)}

    p = parcels.reset_index(drop=True)
    n = len(p)
    pid = p["parcel_id"].astype(str).to_numpy()
    unit = p["unit_id"].astype(str).to_numpy()
    base = pd.to_numeric(p["base_m2"]).to_numpy(dtype=float)
    req = pd.to_numeric(p["required_m2"]).to_numpy(dtype=float)
    res_flag = p["resettlement"].fillna(False).astype(bool).to_numpy() if "resettlement" in p.columns else np.zeros(n, bool)
    cap = pd.to_numeric(p["cap_m2"], errors="coerce").to_numpy(dtype=float) if "cap_m2" in p.columns else np.full(n, np.inf)
    cap = np.where(np.isnan(cap), np.inf, cap)
    cap_src = p["cap_source"].fillna("").astype(str).to_numpy() if "cap_source" in p.columns else np.full(n, "", dtype=object)
    area = pd.to_numeric(p["area_m2"], errors="coerce").to_numpy(dtype=float) if "area_m2" in p.columns else np.full(n, np.nan)
    upper = np.maximum(cap, base)

    units = list(dict.fromkeys(unit))
    groups = units if same else ["*"]
    group_of = unit if same else np.full(n, "*", dtype=object)

    # variable layout: in 0..n-1, out n..2n-1, s 2n..3n-1
    IN, OUT, S = 0, n, 2 * n
    nv = 3 * n
    ub_rows: list[tuple[list[int], list[float]]] = []
    ub_b: list[float] = []
    for i in range(n):
        if np.isfinite(upper[i]):
            ub_rows.append(([IN + i, OUT + i], [1.0, -1.0]))  # base + in − out ≤ upper
            ub_b.append(upper[i] - base[i])
        ub_rows.append(([IN + i, OUT + i, S + i], [-1.0, 1.0, -1.0]))  # base + in − out + s ≥ req
        ub_b.append(base[i] - req[i])
    for u in units:
        if u in unit_caps:
            members = np.flatnonzero(unit == u)
            ub_rows.append(([S + i for i in members], [-1.0] * len(members)))  # Σ(req − s) ≤ cap
            ub_b.append(unit_caps[u] - req[members].sum())
    eq_rows: list[tuple[list[int], list[float]]] = []
    eq_b: list[float] = []
    for g in groups:
        members = np.flatnonzero(group_of == g)
        row = ([IN + i for i in members] + [OUT + i for i in members], [1.0] * len(members) + [-1.0] * len(members))
        if balanced:
            eq_rows.append(row)
            eq_b.append(0.0)
        else:
            ub_rows.append(row)
            ub_b.append(0.0)
    bounds = [(0, None)] * n + [(0, b) for b in base] + [(0, r) for r in req]

    def run(objectives: list[np.ndarray]) -> np.ndarray:
        rows, b = list(ub_rows), list(ub_b)
        x = None
        for c in objectives:
            A = _stack(rows, nv)
            Aeq = _stack(eq_rows, nv)
            res = _solve(c, A, np.asarray(b) if rows else None, Aeq, np.asarray(eq_b) if eq_rows else None, bounds)
            x = res.x
            nz = np.flatnonzero(c)
            rows.append((list(nz), list(c[nz])))
            b.append(float(res.fun) + _EPS + 1e-9 * abs(res.fun))
        return x

    c1 = np.zeros(nv)
    c1[S + np.flatnonzero(res_flag)] = 1.0
    c2 = np.zeros(nv)
    c2[S + np.flatnonzero(~res_flag)] = 1.0
    c3 = np.zeros(nv)
    c3[IN : IN + n] = 1.0
    c3[OUT : OUT + n] = 1.0
    objectives = [c for c in (c1, c2) if c.any()] + [c3]
    x = run(objectives) if n else np.zeros(0)
    t_in = _clean(x[IN : IN + n])
    t_out = _clean(x[OUT : OUT + n])
    short = _clean(x[S : S + n])
    result = base + t_in - t_out
    feasible = bool((short <= _TOL).all())

    # binding constraint per parcel
    unit_tight = {}
    for u in units:
        members = np.flatnonzero(unit == u)
        built = (req[members] - short[members]).sum()
        unit_tight[u] = u in unit_caps and built >= unit_caps[u] - _TOL
    binding = []
    for i in range(n):
        if np.isfinite(cap[i]) and result[i] >= cap[i] - _TOL and (t_in[i] > _TOL or short[i] > _TOL or req[i] >= cap[i] - _TOL):
            binding.append("cap")
        elif short[i] > _TOL and unit_tight[unit[i]]:
            binding.append("unit_cap")
        elif short[i] > _TOL:
            binding.append("entitlement")
        else:
            binding.append("")
    ledger = pd.DataFrame(
        {
            "parcel_id": pid,
            "unit_id": unit,
            "resettlement": res_flag,
            "area_m2": area,
            "required_m2": req,
            "base_m2": base,
            "in_m2": t_in,
            "out_m2": t_out,
            "result_m2": result,
            "shortfall_m2": short,
            "cap_m2": cap,
            "cap_source": cap_src,
            "binding": binding,
        },
        columns=LEDGER_COLUMNS,
    )
    transfers = _match_transfers(pid, group_of, unit, t_in, t_out)
    unit_rows = []
    for u in units:
        m = unit == u
        unit_rows.append(
            {
                "unit_id": u,
                "cap_m2": unit_caps.get(u, math.nan),
                "base_m2": base[m].sum(),
                "required_m2": req[m].sum(),
                "built_m2": (req[m] - short[m]).sum(),
                "transferred_m2": t_in[m].sum(),
            }
        )
    units_frame = pd.DataFrame(unit_rows, columns=["unit_id", "cap_m2", "base_m2", "required_m2", "built_m2", "transferred_m2"])
    out = PoolingResult(ledger=ledger, transfers=transfers, units=units_frame, feasible=feasible)
    if not feasible:
        out.shortages = _diagnose(pid, unit, base, req, cap, cap_src, upper, unit_caps, groups, group_of, balanced)
        if same and len(units) > 1:
            for u in units:
                m = unit == u
                surplus = float(np.clip(np.minimum(base[m], upper[m]) - req[m], 0, None).sum())
                if surplus > _TOL and not (short[m] > _TOL).any():
                    out.notes.append(
                        f"Unit {u} has {surplus:,.0f} m² of unused entitlement, but transfers across planning units are "
                        "refused (pooling.same_unit_only): it cannot cover the shortfall of another unit."
                    )
    return out


def _clean(v: np.ndarray) -> np.ndarray:
    """Solver output rounded to 0.001 m² (far below any meaningful floor area), negatives of noise to 0."""
    return np.maximum(np.round(v, 3), 0.0)


def _match_transfers(pid, group_of, unit, t_in, t_out) -> pd.DataFrame:
    rows = []
    for g in dict.fromkeys(group_of):
        m = np.flatnonzero(group_of == g)
        give = [[i, t_out[i]] for i in m if t_out[i] > _TOL]
        take = [[i, t_in[i]] for i in m if t_in[i] > _TOL]
        a = b = 0
        while a < len(give) and b < len(take):
            q = min(give[a][1], take[b][1])
            rows.append({"from_parcel": pid[give[a][0]], "to_parcel": pid[take[b][0]], "unit_id": unit[take[b][0]], "area_m2": q})
            give[a][1] -= q
            take[b][1] -= q
            if give[a][1] <= _TOL:
                a += 1
            if take[b][1] <= _TOL:
                b += 1
    return pd.DataFrame(rows, columns=["from_parcel", "to_parcel", "unit_id", "area_m2"])


def _diagnose(pid, unit, base, req, cap, cap_src, upper, unit_caps, groups, group_of, balanced) -> list[Shortage]:
    """Elastic LP: meet every requirement with the least relaxation of unit caps, parcel caps and entitlements."""
    n = len(pid)
    units = list(dict.fromkeys(unit))
    capped_units = [u for u in units if u in unit_caps]
    capped = np.flatnonzero(np.isfinite(upper))
    # variables: in (n), out (n), v (relax parcel caps, len capped), u (relax unit caps), e (extra entitlement per group)
    IN, OUT = 0, n
    V = 2 * n
    U = V + len(capped)
    E = U + len(capped_units)
    nv = E + len(groups)
    rows: list[tuple[list[int], list[float]]] = []
    b: list[float] = []
    for k, i in enumerate(capped):
        rows.append(([IN + i, OUT + i, V + k], [1.0, -1.0, -1.0]))
        b.append(upper[i] - base[i])
    for i in range(n):
        rows.append(([IN + i, OUT + i], [-1.0, 1.0]))  # base + in − out ≥ req
        b.append(base[i] - req[i])
    for k, u in enumerate(capped_units):
        members = np.flatnonzero(unit == u)
        rows.append(([U + k], [-1.0]))  # Σ req ≤ cap + u
        b.append(unit_caps[u] - req[members].sum())
    eq_rows, eq_b = [], []
    for k, g in enumerate(groups):
        members = np.flatnonzero(group_of == g)
        row = ([IN + i for i in members] + [OUT + i for i in members] + [E + k], [1.0] * len(members) + [-1.0] * len(members) + [-1.0])
        if balanced:
            eq_rows.append(row)
            eq_b.append(0.0)
        else:
            rows.append(row)
            b.append(0.0)
    c = np.zeros(nv)
    c[V:] = 1.0
    c[IN:V] = 1e-6  # prefer the relaxation with the least transfer among equals
    bounds = [(0, None)] * n + [(0, bb) for bb in base] + [(0, None)] * (nv - 2 * n)
    res = _solve(c, _stack(rows, nv), np.asarray(b), _stack(eq_rows, nv), np.asarray(eq_b) if eq_rows else None, bounds)
    x = res.x
    out: list[Shortage] = []
    for k, u in enumerate(capped_units):
        s = x[U + k]
        if s > _TOL:
            members = unit == u
            out.append(
                Shortage(
                    "unit_cap", u, float(s),
                    f"规划单元{u}建筑量上限{unit_caps[u]:,.0f} m²不足{s:,.0f} m²（需求合计{req[members].sum():,.0f} m²）",
                    f"the floor-area cap of planning unit {u} ({unit_caps[u]:,.0f} m²) is {s:,.0f} m² short "
                    f"(required in total {req[members].sum():,.0f} m²)",
                )
            )
    for k, i in enumerate(capped):
        s = x[V + k]
        if s > _TOL:
            src = {"far_max": "容积率上限", "height×density": "限高×密度"}.get(cap_src[i], "上限")
            out.append(
                Shortage(
                    "parcel_cap", pid[i], float(s),
                    f"宗地{pid[i]}的{src}允许{upper[i]:,.0f} m²，不足{s:,.0f} m²（需求{req[i]:,.0f} m²）",
                    f"the cap of parcel {pid[i]} ({cap_src[i] or 'cap'}: {upper[i]:,.0f} m²) is {s:,.0f} m² short "
                    f"(required {req[i]:,.0f} m²)",
                )
            )
    for k, g in enumerate(groups):
        s = x[E + k]
        if s > _TOL:
            label = g if g != "*" else "all units"
            out.append(
                Shortage(
                    "entitlement", g, float(s),
                    f"{'规划单元' + g if g != '*' else '全部宗地'}的基础建筑量合计不足{s:,.0f} m²：统筹转移为零和，不能新增建筑量",
                    f"the base entitlements of {'unit ' + label if g != '*' else label} are {s:,.0f} m² short: "
                    "transfers are zero-sum and cannot create floor area",
                )
            )
    return out


def shortages_text(shortages: Iterable[Shortage], lang: str = "en") -> str:
    """The shortages as one sentence."""
    return ("；" if lang == "zh" else "; ").join(s.message_zh if lang == "zh" else s.message_en for s in shortages)
