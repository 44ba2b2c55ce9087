"""Body of ``renewal pool SITE``: print the floor-area pooling ledger (跨宗地统筹台账) with rich."""

from __future__ import annotations

import math
from pathlib import Path

from rich.console import Console
from rich.table import Table

from gis.parcels.checks import run_pooling

__all__ = ["pool_command"]

_HEAD = {
    "zh": ["宗地", "单元", "回迁", "需求", "基础", "转入", "转出", "统筹后", "缺口", "上限", "约束"],
    "en": ["parcel", "unit", "resettle", "required", "base", "in", "out", "result", "short", "cap", "binding"],
}


def _m2(v: float) -> str:
    return "—" if v is None or (isinstance(v, float) and (math.isnan(v) or math.isinf(v))) else f"{v:,.0f}"


def pool_command(site_path: Path, *, rules_path: str | None, lang: str, console: Console, err_console: Console) -> int:
    """Load a site, pool its floor area and print the ledger; returns 0 (all met), 1 (shortfall) or 2 (input)."""
    from gis.rules import load_rules
    from gis.site import load_site

    rules = load_rules(rules_path)
    site = load_site(site_path, rules=rules)
    result, table, notes = run_pooling(site, rules)
    if result is None:
        for n in notes:
            err_console.print(n, markup=False, highlight=False)
        return 2
    t = Table(title="跨宗地建筑量统筹台账 (m²)" if lang == "zh" else "Floor-area pooling ledger (m²)")
    for i, h in enumerate(_HEAD[lang]):
        t.add_column(h, justify="left" if i < 3 or i == 10 else "right")
    for r in result.ledger.itertuples():
        t.add_row(
            r.parcel_id, str(r.unit_id), "✓" if r.resettlement else "", _m2(r.required_m2), _m2(r.base_m2), _m2(r.in_m2),
            _m2(r.out_m2), _m2(r.result_m2), _m2(r.shortfall_m2) if r.shortfall_m2 > 0 else "",
            f"{_m2(r.cap_m2)} {r.cap_source}".strip(), r.binding,
        )
    console.print(t)
    base_src = dict(zip(table["parcel_id"], table["base_source"], strict=True))
    if any(v != "existing+allowance" for v in base_src.values()):
        console.print(("基础建筑量：无户数据的宗地按 far_max × 面积" if lang == "zh"
                       else "base: far_max × area for parcels without dwellings"), highlight=False)
    for tr in result.transfers.itertuples():
        console.print(f"  {tr.from_parcel} → {tr.to_parcel}: {tr.area_m2:,.0f} m² ({tr.unit_id})", markup=False, highlight=False)
    for s in result.shortages:
        err_console.print(s.message_zh if lang == "zh" else s.message_en, markup=False, highlight=False)
    for n in notes:
        console.print(n, markup=False, highlight=False)
    return 0 if result.feasible else 1
