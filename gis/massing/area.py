"""Added floor area per dwelling (增加建筑面积), households (户数) and counted floor area (计容建筑面积).

Seed policy 指导方案 六(一)1–2 and RULES.md §4.2–4.3 (rule ids MS-01, MS-02, MS-03, FAR-01/02).
All areas in m², ratios as fractions (0.30 = 30 %).

Tiers (MS-01)
    A property area (产权建筑面积) *A* falls in a tier of the rule pack's ``massing.tiers``; the tier
    gives the cap ratio *r* of added area and the share of the original area reserved for added
    lifts and public facilities (加装电梯和公共服务配套设施).  With ``edge_rule = "upper_inclusive"``
    (the seed as written) tier *i* holds ``upper[i-1] < A <= upper[i]``; with
    ``"lower_inclusive"`` it holds ``upper[i-1] <= A < upper[i]``.  Areas listed in
    ``massing.warn_at_area_m2`` (90 m², which the seed puts in two tiers) are flagged WARN.

Allowance (MS-03)
    ``allowance = A × r`` is the added area the dwelling brings to the project.  Per dwelling
    (RULES.md MS-03) the new area must not exceed ``A × (1 + r)``.  When
    ``massing.public_share_within_cap`` is true the reserved public share ``A × share_min`` comes
    out of the same allowance, so per building and for the project the dwellings' added area plus
    the added lift/public area must stay within ``Σ A × r``, and the lift/public area is compared
    with ``Σ A × share_min … Σ A × share_max``.  The table also gives ``net_of_public_cap_m2`` =
    ``A × (1 + r − share_min)``, the dwelling's size if it kept its own share of the reservation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from gis.findings import Finding, Verdict, judge
from gis.massing._rules import pack

if TYPE_CHECKING:
    from gis.rules import RulePack

__all__ = [
    "tier_index",
    "dwelling_allowance",
    "allowance_summary",
    "dwelling_findings",
    "allowance_findings",
    "household_counts",
    "household_findings",
    "counted_area",
    "counted_area_totals",
]

_TIER_LABELS = ["≤50", "50–70", "70–90", "≥90"]


def tier_index(area_m2: Any, *, rules: RulePack | None = None) -> np.ndarray:
    """Index (0-based) of the added-area tier (增加面积档位) of each property area.

    Parameters
    ----------
    area_m2 : array-like of float
        Property areas 产权建筑面积, m².
    rules : RulePack, optional
        Rule pack; default Urumqi.

    Returns
    -------
    numpy.ndarray of int
        Tier index into ``rules.massing.tiers``; ``-1`` for a missing or non-positive area.
    """
    m = pack(rules).massing
    uppers = np.array([t.upper_m2 for t in m.tiers.value], dtype=float)
    a = np.asarray(area_m2, dtype=float)
    side = "left" if m.edge_rule.value == "upper_inclusive" else "right"
    idx = np.searchsorted(uppers, a, side=side)
    idx = np.minimum(idx, len(uppers) - 1)
    return np.where(np.isfinite(a) & (a > 0), idx, -1)


def _tier_label(rules: RulePack, i: int) -> str:
    tiers = rules.massing.tiers.value
    if i < 0:
        return ""
    lo = tiers[i - 1].upper_m2 if i > 0 else 0.0
    hi = tiers[i].upper_m2
    if hi >= 1e8:
        return f">{lo:g}" if rules.massing.edge_rule.value == "upper_inclusive" else f"≥{lo:g}"
    if rules.massing.edge_rule.value == "upper_inclusive":
        return f"{lo:g}<A≤{hi:g}" if i > 0 else f"A≤{hi:g}"
    return f"{lo:g}≤A<{hi:g}" if i > 0 else f"A<{hi:g}"


def dwelling_allowance(dwellings: pd.DataFrame, *, rules: RulePack | None = None) -> pd.DataFrame:
    """Per-dwelling added-area allowance (每户可增加面积), MS-01 / MS-03.

    Parameters
    ----------
    dwellings : DataFrame
        The ``dwellings`` (户) table: ``building_id``, ``unit_no``, ``property_area_m2`` (m²) and,
        where known, ``new_area_m2`` (m²) and ``new_building_id``.
    rules : RulePack, optional

    Returns
    -------
    DataFrame
        The input columns plus ``tier`` (1-based, 0 if the area is unusable), ``tier_label``,
        ``ratio``, ``allowance_m2`` (A × r), ``public_min_m2`` / ``public_max_m2`` (reserved share
        for lifts and public facilities), ``dwelling_cap_m2`` (largest permitted new area of the
        dwelling, A × (1 + r)), ``net_of_public_cap_m2`` (A × (1 + r − share_min)), ``added_m2`` (new − A), ``added_ratio``, ``at_tier_edge`` (area listed in
        ``warn_at_area_m2``) and ``verdict`` (PASS / FAIL / WARN / NOT_CHECKED).
    """
    rp = pack(rules)
    m = rp.massing
    tiers = m.tiers.value
    out = dwellings.copy()
    a = pd.to_numeric(out.get("property_area_m2"), errors="coerce").to_numpy(dtype=float)
    new = (
        pd.to_numeric(out["new_area_m2"], errors="coerce").to_numpy(dtype=float)
        if "new_area_m2" in out
        else np.full(len(out), np.nan)
    )
    idx = tier_index(a, rules=rp)
    ok = idx >= 0
    safe = np.where(ok, idx, 0)
    ratio = np.array([t.ratio for t in tiers])[safe]
    smin = np.array([t.public_share_min for t in tiers])[safe]
    smax = np.array([t.public_share_max for t in tiers])[safe]
    nan = np.nan
    out["tier"] = np.where(ok, idx + 1, 0)
    out["tier_label"] = [_tier_label(rp, int(i)) for i in idx]
    out["ratio"] = np.where(ok, ratio, nan)
    out["allowance_m2"] = np.where(ok, a * ratio, nan)
    out["public_min_m2"] = np.where(ok, a * smin, nan)
    out["public_max_m2"] = np.where(ok, a * smax, nan)
    out["dwelling_cap_m2"] = np.where(ok, a * (1.0 + ratio), nan)
    own_ratio = ratio - smin if m.public_share_within_cap.value else ratio
    out["net_of_public_cap_m2"] = np.where(ok, a * (1.0 + own_ratio), nan)
    out["added_m2"] = new - a
    out["added_ratio"] = np.where(ok, (new - a) / np.where(ok, a, 1.0), nan)
    edges = np.array(m.warn_at_area_m2.value, dtype=float)
    at_edge = np.isclose(a[:, None], edges[None, :], atol=1e-6).any(axis=1) if len(edges) else np.zeros(len(a), bool)
    out["at_tier_edge"] = at_edge
    verdicts = []
    for i in range(len(out)):
        if not ok[i]:
            verdicts.append(Verdict.NOT_CHECKED)
            continue
        v = judge(None, new[i], out["dwelling_cap_m2"].iat[i], sense="max")
        if v is Verdict.PASS and at_edge[i]:
            v = Verdict.WARN
        verdicts.append(v)
    out["verdict"] = [str(v) for v in verdicts]
    return out


def allowance_summary(table: pd.DataFrame, *, by: str | None = "building_id") -> pd.DataFrame:
    """Sum a :func:`dwelling_allowance` table per building (``by``) or for the project (``by=None``).

    Dwellings without ``new_area_m2`` are not re-housed in the project (e.g. cash compensation,
    货币补偿): they keep their allowance in ``allowance_m2`` but add nothing to ``added_m2``.

    Returns
    -------
    DataFrame
        ``dwellings``, ``rehoused`` (with a new area), ``property_m2`` (Σ A), ``allowance_m2``
        (Σ A × r), ``public_min_m2``, ``public_max_m2``, ``new_m2`` (Σ new areas) and
        ``added_m2`` (Σ new − A over the re-housed dwellings).
    """
    t = table.assign(_all="project")
    if "new_area_m2" not in t:
        t["new_area_m2"] = np.nan
    t["_rehoused"] = t["new_area_m2"].notna()
    t["_added"] = (t["new_area_m2"] - t["property_area_m2"]).where(t["_rehoused"])
    key = by or "_all"
    g = t.groupby(key, sort=True)
    res = pd.DataFrame(
        {
            "dwellings": g.size(),
            "rehoused": g["_rehoused"].sum(),
            "property_m2": g["property_area_m2"].sum(min_count=1),
            "allowance_m2": g["allowance_m2"].sum(min_count=1),
            "public_min_m2": g["public_min_m2"].sum(min_count=1),
            "public_max_m2": g["public_max_m2"].sum(min_count=1),
            "new_m2": g["new_area_m2"].sum(min_count=1),
            "added_m2": g["_added"].sum(min_count=1),
        }
    )
    res.index.name = by or "scope"
    return res.reset_index()


def dwelling_findings(table: pd.DataFrame, *, rules: RulePack | None = None) -> list[Finding]:
    """Findings MS-01 (tier edge, unusable area) and MS-03 (dwellings above their cap), per original building.

    One finding per building and kind, naming the dwellings, so that hundreds of dwellings do
    not flood the report; the full table is the ``dwelling_area`` layer.
    """
    rp = pack(rules)
    src = rp.massing.tiers.source
    found: list[Finding] = []
    t = table.assign(_b=table["building_id"].astype(str), _u=table["unit_no"].astype(str))
    for bid, g in t.groupby("_b", sort=True):
        bad = g[g["tier"] == 0]
        if len(bad):
            units = "、".join(bad["_u"])
            found.append(Finding(
                "MS-01", (bid, *bad["_u"]), Verdict.NOT_CHECKED,
                f"户表 dwellings 楼栋 {bid} 户 {units}：产权建筑面积 property_area_m2 缺失或不大于0，无法确定增加面积档位；请填写产权证面积。",
                f"dwellings: building {bid} units {', '.join(bad['_u'])}: property_area_m2 is missing or not positive, "
                "so the added-area tier is unknown; fix: enter the area on the property certificate.",
                unit="m²", source=src, layer="dwellings",
            ))
        edge = g[g["at_tier_edge"].astype(bool)]
        if len(edge):
            r0 = edge.iloc[0]
            found.append(Finding(
                "MS-01", (bid, *edge["_u"]), Verdict.WARN,
                f"楼栋 {bid} 有 {len(edge)} 户产权面积恰为 {r0['property_area_m2']:g} m²（{'、'.join(edge['_u'])}），"
                f"指导方案第(3)(4)项同时包含该面积；按规则包取 {r0['tier_label']} 档（增加 ≤{r0['ratio']:.0%}），请人工确认。",
                f"Building {bid}: {len(edge)} dwelling(s) of exactly {r0['property_area_m2']:g} m² ({', '.join(edge['_u'])}) "
                f"lie on a tier edge that the seed text puts in two tiers; the rule pack takes tier {r0['tier_label']} "
                f"(≤ {r0['ratio']:.0%} added); confirm with the review office.",
                existing=float(r0["property_area_m2"]), threshold=float(r0["dwelling_cap_m2"]), unit="m²",
                source=rp.massing.edge_rule.source, layer="dwellings", details={"units": list(edge["_u"])},
            ))
        over = g[g["verdict"] == str(Verdict.FAIL)]
        checked = g[g["verdict"] != str(Verdict.NOT_CHECKED)]
        if not len(checked):
            continue
        if len(over):
            excess = over["new_area_m2"] - over["dwelling_cap_m2"]
            w = over.loc[excess.idxmax()]
            found.append(Finding(
                "MS-03", (bid, *over["_u"]), Verdict.FAIL,
                f"楼栋 {bid}：{len(over)}/{len(checked)} 户新面积超过上限 A×(1+r)，最大超出为户 {w['_u']}："
                f"{w['new_area_m2']:.2f} m² > {w['dwelling_cap_m2']:.2f} m²（原 {w['property_area_m2']:.2f} m²，{w['tier_label']} 档）。",
                f"Building {bid}: {len(over)} of {len(checked)} dwellings exceed their cap A × (1 + r); worst unit "
                f"{w['_u']}: {w['new_area_m2']:.2f} m² > {w['dwelling_cap_m2']:.2f} m² (original "
                f"{w['property_area_m2']:.2f} m², tier {w['tier_label']}).",
                existing=float(w["property_area_m2"]), proposed=float(w["new_area_m2"]),
                threshold=float(w["dwelling_cap_m2"]), unit="m²", source=src, layer="dwellings",
                details={"units": list(over["_u"])},
            ))
        else:
            found.append(Finding(
                "MS-03", (bid,), Verdict.PASS,
                f"楼栋 {bid}：{len(checked)} 户新面积均未超过上限 A×(1+r)。",
                f"Building {bid}: none of {len(checked)} dwellings exceeds its cap A × (1 + r).",
                unit="m²", source=src, layer="dwellings",
            ))
    return found


def _f(x: Any) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return None if np.isnan(v) else v


def allowance_findings(
    table: pd.DataFrame,
    *,
    lift_public_m2: dict[str, float] | None = None,
    proposed_gfa_m2: float | None = None,
    existing_gfa_m2: float | None = None,
    rules: RulePack | None = None,
) -> list[Finding]:
    """MS-03 per original building and for the project: added area within Σ A × r.

    Parameters
    ----------
    table : DataFrame
        Output of :func:`dwelling_allowance`.
    lift_public_m2 : dict, optional
        Added lift / stair / corridor / public-facility area (m²) per original building id
        (the ``"project"`` key for the whole site).  Counted inside the cap when
        ``massing.public_share_within_cap`` is true.
    proposed_gfa_m2 : float, optional
        Gross floor area of the proposed residential buildings (m²).
    existing_gfa_m2 : float, optional
        Gross floor area of the demolished buildings whose dwellings are listed (m²).  With both,
        the project check compares the gross areas on one basis (gross floor area includes
        stairs and walls that property areas leave out): ``proposed_gfa ≤ existing_gfa × (1 +
        Σ A × r / Σ A)``.
    """
    rp = pack(rules)
    m = rp.massing
    src = m.tiers.source
    lp = lift_public_m2 or {}
    found: list[Finding] = []
    per_b = allowance_summary(table, by="building_id")
    proj = allowance_summary(table, by=None).iloc[0]
    rows = [(str(r.building_id), r) for r in per_b.itertuples(index=False)] + [("project", proj)]
    for sid, r in rows:
        extra = float(lp.get(sid, 0.0)) if m.public_share_within_cap.value else 0.0
        added = r.added_m2 + extra if not pd.isna(r.added_m2) else None
        gone = int(r.dwellings - r.rehoused)
        if gone and added is not None:
            found.append(Finding(
                "MS-02", (sid,), Verdict.WARN,
                f"{_scope_zh(sid)}：{gone} 户无新面积/新楼栋（未回迁，如货币补偿），请确认。",
                f"{_scope_en(sid)}: {gone} dwelling(s) have no new area (not re-housed, e.g. cash compensation); confirm.",
                existing=float(r.dwellings), proposed=float(r.rehoused), unit="户", source=m.households_max_increase.source,
                layer="dwellings",
            ))
        v = judge(None, added, r.allowance_m2, sense="max")
        if v is Verdict.NOT_CHECKED:
            msg_zh = f"{_scope_zh(sid)}：户表缺少新面积 new_area_m2，按户增加面积合计未核对（可增加 {r.allowance_m2:.1f} m²）。"
            msg_en = (f"{_scope_en(sid)}: new_area_m2 is missing in dwellings, so the added area was not summed "
                      f"(allowance {r.allowance_m2:.1f} m²); fix: fill new_area_m2.")
        else:
            msg_zh = (f"{_scope_zh(sid)}：增加面积 {added:.1f} m²（含电梯及公共配套 {extra:.1f} m²），"
                      f"可增加上限 {r.allowance_m2:.1f} m²（{int(r.dwellings)} 户，原产权面积 {r.property_m2:.1f} m²）。")
            msg_en = (f"{_scope_en(sid)}: added area {added:.1f} m² (incl. lifts/public {extra:.1f} m²) against "
                      f"an allowance of {r.allowance_m2:.1f} m² ({int(r.dwellings)} dwellings, {r.property_m2:.1f} m² original).")
        found.append(
            Finding(
                "MS-03", (sid,), v, msg_zh, msg_en,
                existing=float(r.property_m2), proposed=added, threshold=float(r.allowance_m2), unit="m²",
                source=src, layer="dwellings",
                details={"public_min_m2": float(r.public_min_m2), "public_max_m2": float(r.public_max_m2),
                         "lift_public_m2": float(lp.get(sid, 0.0))},
            )
        )
        if sid in lp and m.public_share_within_cap.value:
            share = float(lp[sid])
            if share + 1e-6 < r.public_min_m2:
                found.append(
                    Finding(
                        "MS-01", (sid,), Verdict.WARN,
                        f"{_scope_zh(sid)}：电梯及公共配套面积 {share:.1f} m² 低于应留份额 {r.public_min_m2:.1f}–{r.public_max_m2:.1f} m²。",
                        f"{_scope_en(sid)}: lift/public-facility area {share:.1f} m² is below the reserved share "
                        f"{r.public_min_m2:.1f}–{r.public_max_m2:.1f} m².",
                        proposed=share, threshold=float(r.public_min_m2), unit="m²", source=src, layer="dwellings",
                    )
                )
    if proposed_gfa_m2 is not None and existing_gfa_m2 is not None and proj.property_m2 > 0:
        rate = float(proj.allowance_m2) / float(proj.property_m2)
        cap = float(existing_gfa_m2) * (1.0 + rate)
        v = judge(None, float(proposed_gfa_m2), cap, sense="max")
        found.append(
            Finding(
                "MS-03", ("project",), v,
                f"项目：方案住宅总建筑面积 {proposed_gfa_m2:.1f} m²，原拆除住宅建筑面积 {existing_gfa_m2:.1f} m² × (1 + 加权增加比例 "
                f"{rate:.1%}) = 上限 {cap:.1f} m²（超出部分仅在满足安置后经居民同意可用于保障房及配套）。",
                f"Project: proposed residential floor area {proposed_gfa_m2:.1f} m² against the demolished "
                f"{existing_gfa_m2:.1f} m² × (1 + weighted allowance {rate:.1%}) = {cap:.1f} m² (any surplus only for "
                "affordable housing and facilities with residents' consent).",
                existing=float(existing_gfa_m2), proposed=float(proposed_gfa_m2), threshold=cap, unit="m²",
                source=src, layer="buildings", details={"proposed_gfa_m2": float(proposed_gfa_m2), "rate": rate},
            )
        )
    return found


def _scope_zh(sid: str) -> str:
    return "项目合计" if sid == "project" else f"原楼栋 {sid}"


def _scope_en(sid: str) -> str:
    return "Project" if sid == "project" else f"Original building {sid}"


def household_counts(buildings: pd.DataFrame, dwellings: pd.DataFrame | None = None) -> pd.Series:
    """Households (户数) per building.

    The ``households`` field where it is positive (0 for a non-residential building); otherwise,
    for an ``existing`` building the
    number of rows of the ``dwellings`` table with that ``building_id``, for a ``proposed``
    building the rows whose ``new_building_id`` names it; NaN where neither is known.
    """
    hh = pd.to_numeric(buildings.get("households", pd.Series(np.nan, index=buildings.index)), errors="coerce")
    hh = hh.where(hh > 0)
    if "use" in buildings:
        hh = hh.where(buildings["use"].fillna("residential").astype(str) == "residential", 0.0)
    if dwellings is not None and len(dwellings):
        by_old = dwellings.groupby(dwellings["building_id"].astype(str)).size()
        by_new = (
            dwellings.dropna(subset=["new_building_id"]).groupby(dwellings["new_building_id"].dropna().astype(str)).size()
            if "new_building_id" in dwellings
            else pd.Series(dtype=float)
        )
        ids = buildings["building_id"].astype(str)
        phase = buildings["phase"].astype(str)
        from_old = ids.map(by_old).where(phase.isin(["existing", "kept"]))
        from_new = ids.map(by_new).where(phase == "proposed")
        hh = hh.fillna(from_old).fillna(from_new)
    return hh.rename("households")


def household_findings(
    buildings: pd.DataFrame,
    *,
    dwellings: pd.DataFrame | None = None,
    counterparts: dict[str, list[str]] | None = None,
    rehoused: dict[str, int] | None = None,
    rules: RulePack | None = None,
) -> list[Finding]:
    """MS-02: households must not increase (不增加原有户数), per proposed building and for the project.

    Parameters
    ----------
    buildings : DataFrame
        Site buildings with ``building_id``, ``phase`` and ``households``.
    dwellings : DataFrame, optional
        The ``dwellings`` table (fills unknown household counts, see :func:`household_counts`).
    counterparts : dict, optional
        For each proposed building id, the ids of the existing buildings it replaces
        (from ``dwellings.new_building_id`` or footprint overlap).  Without it only the project
        total is checked.
    rehoused : dict, optional
        For each proposed building id, the number of original dwellings re-housed in it
        (``dwellings.new_building_id``); when given it is the building's existing count instead
        of the households of its ``counterparts`` (one-to-one mapping of old to new dwellings).
    """
    rp = pack(rules)
    inc = float(rp.massing.households_max_increase.value)
    src = rp.massing.households_max_increase.source
    b = buildings.copy()
    b["hh"] = household_counts(b, dwellings).to_numpy()
    hh = dict(zip(b["building_id"].astype(str), b["hh"], strict=False))
    phase = b["phase"].astype(str)
    site = b[phase.isin(["existing", "kept", "proposed"])]
    found: list[Finding] = []
    per_building = dict(counterparts or {})
    for pid in rehoused or {}:
        per_building.setdefault(pid, [])
    for pid, olds in per_building.items():
        if rehoused is not None and pid in rehoused:
            ex_sum = float(rehoused[pid])
        elif olds:
            ex = [hh.get(o) for o in olds]
            ex_sum = None if any(pd.isna(x) for x in ex) else float(sum(ex))
        else:
            continue
        pr = hh.get(pid)
        pr = None if pr is None or pd.isna(pr) else float(pr)
        thr = None if ex_sum is None else ex_sum + inc
        v = judge(ex_sum, pr, thr, sense="max")
        if rehoused is not None and pid in rehoused:
            was_zh, was_en = "回迁原住户", "original households re-housed here"
        else:
            was_zh, was_en = f"原 {'、'.join(olds)}", f"replacing {', '.join(olds)}"
        found.append(
            Finding(
                "MS-02", (pid, *olds), v,
                f"楼栋 {pid}（{was_zh}）：户数 现状 {_n(ex_sum)} → 方案 {_n(pr)}，不得增加。",
                f"Building {pid} ({was_en}): households {_n(ex_sum)} existing → {_n(pr)} proposed; "
                "must not increase.",
                existing=ex_sum, proposed=pr, threshold=thr, unit="户", source=src, layer="buildings",
            )
        )
    before = site[phase.loc[site.index].isin(["existing", "kept"])]["hh"]
    after = site[phase.loc[site.index].isin(["kept", "proposed"])]["hh"]
    ex = None if before.isna().any() or not len(before) else float(before.sum())
    pr = None if after.isna().any() or not len(after) else float(after.sum())
    thr = None if ex is None else ex + inc
    v = judge(ex, pr, thr, sense="max")
    missing = list(site.loc[site["hh"].isna(), "building_id"].astype(str))
    extra_zh = f"；缺户数的楼栋：{'、'.join(missing)}（填写 buildings.households 或 dwellings 表）" if missing else ""
    extra_en = f"; households unknown for {', '.join(missing)} (fill buildings.households or the dwellings table)" if missing else ""
    found.append(
        Finding(
            "MS-02", ("project",), v,
            f"项目户数：现状 {_n(ex)} → 方案 {_n(pr)}，不得增加{extra_zh}。",
            f"Project households: {_n(ex)} existing → {_n(pr)} proposed; must not increase{extra_en}.",
            existing=ex, proposed=pr, threshold=thr, unit="户", source=src, layer="buildings",
        )
    )
    return found


def _n(x: float | None) -> str:
    return "?" if x is None else f"{x:.0f}"


def counted_area(buildings: pd.DataFrame, *, rules: RulePack | None = None) -> pd.DataFrame:
    """Floor area by 计容 item (FAR-02, seed 六(一)2) for the existing and the proposed state.

    Parameters
    ----------
    buildings : DataFrame
        Site buildings with ``phase``, ``gfa_m2`` (m², above ground) and ``lift_public_area_m2``;
        optional per-item columns ``<item>_m2`` for any other item of ``far.items``
        (``public_facility_m2``, ``balcony_outside_structure_m2``, ``underground_m2`` …).
        ``residential`` is the rest of ``gfa_m2`` after the other above-ground items.
        Context buildings are ignored; ``existing`` + ``kept`` make the existing state,
        ``kept`` + ``proposed`` the proposed one.

    Returns
    -------
    DataFrame
        One row per item: ``item``, ``counts_in_far`` (ratio), ``land_premium`` (bool),
        ``existing_m2``, ``proposed_m2`` (floor area), ``existing_counted_m2``,
        ``proposed_counted_m2`` (floor area × ratio), ``source``.
    """
    rp = pack(rules)
    items = rp.far.items
    phase = buildings["phase"].astype(str)
    states = {"existing": phase.isin(["existing", "kept"]), "proposed": phase.isin(["kept", "proposed"])}

    def col(name: str) -> pd.Series:
        if name in buildings:
            return pd.to_numeric(buildings[name], errors="coerce").fillna(0.0)
        return pd.Series(0.0, index=buildings.index)

    gfa = col("gfa_m2")
    per_item: dict[str, pd.Series] = {}
    for key in items:
        if key == "residential":
            continue
        per_item[key] = col("lift_public_area_m2") if key == "lift_public" else col(f"{key}_m2")
    above = sum((s for k, s in per_item.items() if k != "underground"), pd.Series(0.0, index=buildings.index))
    per_item["residential"] = (gfa - above).clip(lower=0.0)
    rows = []
    for key, item in items.items():
        s = per_item[key]
        ratio = float(item.counts_in_far.value)
        ex = float(s[states["existing"]].sum())
        pr = float(s[states["proposed"]].sum())
        rows.append(
            {
                "item": key,
                "counts_in_far": ratio,
                "land_premium": bool(item.land_premium.value),
                "existing_m2": ex,
                "proposed_m2": pr,
                "existing_counted_m2": ex * ratio,
                "proposed_counted_m2": pr * ratio,
                "source": item.counts_in_far.source,
            }
        )
    return pd.DataFrame(rows)


def counted_area_totals(items: pd.DataFrame) -> dict[str, float]:
    """Totals of a :func:`counted_area` table.

    Returns
    -------
    dict
        ``existing`` and ``proposed`` counted floor area (计容建筑面积, m²) and
        ``premium_free_proposed``: the counted area of items with no land premium
        (不补缴土地出让金) in the proposed state; also ``premium_free_existing``.
    """
    free = ~items["land_premium"].astype(bool)
    return {
        "existing": float(items["existing_counted_m2"].sum()),
        "proposed": float(items["proposed_counted_m2"].sum()),
        "premium_free_existing": float(items.loc[free, "existing_counted_m2"].sum()),
        "premium_free_proposed": float(items.loc[free, "proposed_counted_m2"].sum()),
    }
