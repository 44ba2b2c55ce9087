"""The HTML report (审查报告): summary, 主要技术经济指标表, every finding, tables, notes, rule pack.

:func:`render_report` returns the HTML text; writing it is the package writer's job.  The
page is self-contained (inline CSS, no external resources, the site plan embedded as a PNG
data URI) so it opens offline.

:func:`report_tables` is the one table model behind both the HTML report and ``report.xlsx``
(:func:`gis.io.xlsx.write_report_xlsx`): project summary, verdict counts, the indicator table,
every finding, the per-window sunlight table grouped by building and dwelling, the per-dwelling
added-area table, net land and the pooling ledger, every other table the checks added, and the
rule parameters in effect.  Values stay raw (numbers as numbers); headers are in the report
language.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from jinja2 import Environment, FileSystemLoader, select_autoescape

from gis.findings import Verdict, worst_verdict
from gis.i18n import t
from gis.pipeline import ReviewResult
from gis.rules import STATUS_MEANING

__all__ = ["render_report", "fmt_value", "report_tables", "ReportTable", "COLUMN_LABELS", "column_label"]

_TEMPLATES = Path(__file__).with_name("templates")
_VERDICT_CLASS = {
    Verdict.PASS: "pass", Verdict.PASS_NOT_WORSE: "notworse", Verdict.FAIL: "fail",
    Verdict.WARN: "warn", Verdict.NOT_CHECKED: "nc",
}
_MAX_TABLE_ROWS = 500


def fmt_value(value: object, unit: str = "") -> str:
    """A number for the report: ratios as %, areas with thousands separators, '—' for missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if unit in ("%", "ratio"):
            return f"{value * 100:.2f}%"
        if abs(value) >= 1000:
            return f"{value:,.1f}"
        if float(value).is_integer():
            return f"{value:.0f}"
        return f"{value:.2f}"
    return str(value)


# Column headers of the report tables (zh, en); an unknown column keeps its name.
COLUMN_LABELS: dict[str, tuple[str, str]] = {
    "item": ("项目", "Item"), "value": ("内容", "Value"), "unit": ("单位", "Unit"),
    "existing": ("现状", "Existing"), "proposed": ("方案", "Proposed"), "condition": ("规划条件", "Planning condition"),
    "threshold": ("标准/限值", "Threshold"), "verdict": ("结论", "Verdict"), "count": ("数量", "Count"),
    "rule_id": ("规则编号", "Rule"), "title": ("检查项", "Check"), "subject": ("对象", "Subject"),
    "message": ("说明", "Message"), "source": ("依据条文", "Source clause"),
    "building_id": ("建筑编号", "Building"), "dwelling": ("户号", "Dwelling"), "floor": ("楼层", "Floor"),
    "window_id": ("窗编号", "Window"), "room": ("房间", "Room"), "phase": ("状态", "Phase"),
    "hours_before": ("现状日照(h)", "Hours before (h)"), "hours_after": ("方案日照(h)", "Hours after (h)"),
    "threshold_h": ("日照标准(h)", "Standard (h)"), "obstructors": ("遮挡建筑:分钟", "Obstructors:min"),
    "lost_min": ("减少(分钟)", "Lost (min)"),
    "unit_no": ("户号", "Dwelling"), "property_area_m2": ("产权面积(m²)", "Property area (m²)"),
    "new_area_m2": ("新户面积(m²)", "New area (m²)"), "new_building_id": ("新楼编号", "New building"),
    "tier": ("档位", "Tier"), "tier_label": ("面积档", "Area tier"), "ratio": ("增加比例", "Added ratio allowed"),
    "allowance_m2": ("允许增加(m²)", "Allowance (m²)"), "dwelling_cap_m2": ("户面积上限(m²)", "Dwelling cap (m²)"),
    "added_m2": ("增加面积(m²)", "Added (m²)"), "added_ratio": ("实际增加比例", "Added ratio"),
    "public_min_m2": ("公摊下限(m²)", "Public share min (m²)"), "public_max_m2": ("公摊上限(m²)", "Public share max (m²)"),
    "net_of_public_cap_m2": ("扣除公摊上限(m²)", "Cap net of public (m²)"), "at_tier_edge": ("档位边界", "At tier edge"),
    "parcel_id": ("宗地编号", "Parcel"), "unit_id": ("规划单元", "Planning unit"), "area_m2": ("面积(m²)", "Area (m²)"),
    "source_ids": ("来源宗地", "Source parcels"), "kind": ("类型", "Kind"), "part_no": ("地块序号", "Part"),
    "resettlement": ("安置地块", "Resettlement"), "required_m2": ("需要面积(m²)", "Required (m²)"),
    "base_m2": ("基础面积(m²)", "Base (m²)"), "in_m2": ("转入(m²)", "In (m²)"), "out_m2": ("转出(m²)", "Out (m²)"),
    "result_m2": ("统筹后(m²)", "After pooling (m²)"), "shortfall_m2": ("缺口(m²)", "Shortfall (m²)"),
    "cap_m2": ("上限(m²)", "Cap (m²)"), "cap_source": ("上限依据", "Cap source"), "binding": ("约束", "Binding"),
    "base_source": ("基础依据", "Base source"), "existing_m2": ("现状面积(m²)", "Existing (m²)"),
    "windows": ("窗数", "Windows"), "failing_windows": ("不满足窗数", "Failing windows"),
    "hours_before_best": ("现状最好窗(h)", "Best window before (h)"),
    "hours_after_best": ("方案最好窗(h)", "Best window after (h)"),
    "a_id": ("建筑A", "Building A"), "b_id": ("建筑B", "Building B"), "gap_m": ("间距(m)", "Gap (m)"),
    "required_m": ("要求(m)", "Required (m)"), "existing_gap_m": ("现状间距(m)", "Existing gap (m)"),
    "height_m": ("高度(m)", "Height (m)"), "floors": ("层数", "Floors"), "households": ("户数", "Households"),
    "height_class": ("高度分类", "Height class"), "name": ("名称", "Name"), "use": ("用途", "Use"),
    "message_zh": ("说明", "Message (zh)"), "message_en": ("说明(英文)", "Message"), "check": ("检查", "Check"),
    "parameter": ("参数", "Parameter"), "status": ("核实状态", "Status"), "soft": ("宜（软性）", "Soft (宜)"),
}


def column_label(col: str, lang: str = "zh") -> str:
    """Report header of a column name (the name itself when unknown)."""
    zh_en = COLUMN_LABELS.get(col)
    return col if zh_en is None else zh_en[0 if lang == "zh" else 1]


@dataclass
class ReportTable:
    """One table of the report and of one ``report.xlsx`` sheet.

    ``frame`` keeps the raw values under the internal column names (numbers as numbers, m,
    m², h); ``headers`` are the display headers in the report language.
    """

    key: str
    title: str
    frame: pd.DataFrame
    headers: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.headers:
            self.headers = [str(c) for c in self.frame.columns]


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Drop geometry; nested values to text."""
    df = pd.DataFrame(frame.drop(columns=[c for c in frame.columns if c == "geometry"], errors="ignore")).copy()
    for c in df.columns:
        if df[c].dtype == object:
            df[c] = df[c].map(lambda v: ", ".join(map(str, v)) if isinstance(v, (list, tuple, set)) else v)
    return df.reset_index(drop=True)


def _verdict_label(v: object, lang: str) -> object:
    return Verdict(v).label(lang) if isinstance(v, str) and v in Verdict.__members__ else v


_SPECIAL_TABLES = ("windows", "dwelling_area", "net_land", "pooling_ledger")


def report_tables(result: ReviewResult, *, lang: str = "zh") -> list[ReportTable]:
    """Every table of the report, in report order (see the module docstring)."""
    site, rules = result.site, result.rules
    L = (lambda c: column_label(c, lang))  # noqa: E731
    tables: list[ReportTable] = []
    summary = pd.DataFrame({
        "item": [t("site", lang), t("rule_pack", lang), t("crs", lang), t("location", lang), t("generated", lang),
                 t("overall", lang)],
        "value": [site.name or Path(site.source).stem,
                  f"{rules.meta.title_zh if lang == 'zh' else rules.meta.title_en} ({rules.meta.name} {rules.meta.version})",
                  f"EPSG:{site.crs.to_epsg()} {site.crs.name}", f"{site.lon:.5f}°E, {site.lat:.5f}°N",
                  result.created.strftime("%Y-%m-%d %H:%M"), t("exit_fail" if result.exit_code else "exit_pass", lang)],
    })
    tables.append(ReportTable("summary", t("summary", lang), summary, [L("item"), L("value")]))
    counts = result.counts
    tables.append(ReportTable("verdict_counts", t("verdict_counts", lang),
                              pd.DataFrame({"verdict": [v.label(lang) for v in counts], "count": list(counts.values())}),
                              [L("verdict"), L("count")]))
    ind = pd.DataFrame([{
        "item": r.label_zh if lang == "zh" else r.label_en, "unit": r.unit, "existing": r.existing,
        "proposed": r.proposed,
        "condition": None if r.condition is None else f"{r.condition_text} {fmt_value(r.condition, r.unit)}".strip(),
    } for r in result.indicators], columns=["item", "unit", "existing", "proposed", "condition"])
    tables.append(ReportTable("indicators", t("indicators", lang), ind, [L(c) for c in ind.columns]))
    titles = {rid: c.title(lang) for c in result.checks for rid in c.rule_ids}
    fr = pd.DataFrame([{
        "rule_id": f.rule_id, "title": titles.get(f.rule_id, ""), "subject": ", ".join(f.subject_ids),
        "existing": f.existing, "proposed": f.proposed, "threshold": f.threshold, "unit": f.unit,
        "verdict": f.verdict.label(lang), "message": f.message(lang), "source": f.source,
    } for f in result.findings], columns=["rule_id", "title", "subject", "existing", "proposed", "threshold", "unit",
                                          "verdict", "message", "source"])
    tables.append(ReportTable("findings", t("findings", lang), fr, [L(c) for c in fr.columns]))
    outs = {o.name: o for o in result.context.outputs.values()}
    if "windows" in outs and len(outs["windows"].data):
        w = _plain(outs["windows"].data)
        cols = [c for c in ["building_id", "dwelling", "floor", "window_id", "room", "phase", "hours_before",
                            "hours_after", "threshold_h", "rule_id", "verdict", "obstructors"] if c in w.columns]
        cols = [c for c in cols if c not in ("room", "dwelling") or w[c].notna().any()]  # drop empty optional
        w = w[cols].sort_values([c for c in ["building_id", "dwelling", "floor", "window_id"] if c in cols],
                                na_position="last", kind="stable").reset_index(drop=True)
        if "verdict" in w.columns:
            w["verdict"] = w["verdict"].map(lambda v: _verdict_label(v, lang))
        if "phase" in w.columns:
            w["phase"] = w["phase"].map(lambda v: _rt(f"phase_{v}", lang) if f"phase_{v}" in _RT else v)
        tables.append(ReportTable("windows", _rt("window_table", lang), w, [L(c) for c in w.columns]))
    if "dwelling_area" in outs and len(outs["dwelling_area"].data):
        d = _plain(outs["dwelling_area"].data)
        if "verdict" in d.columns:
            d["verdict"] = d["verdict"].map(lambda v: _verdict_label(v, lang))
        tables.append(ReportTable("dwelling_area", _rt("dwelling_table", lang), d, [L(c) for c in d.columns]))
    for key in ("net_land", "pooling_ledger"):
        if key in outs and len(outs[key].data):
            d = _plain(outs[key].data)
            tables.append(ReportTable(key, outs[key].title(lang), d, [L(c) for c in d.columns]))
    for o in result.context.outputs.values():
        if o.name in _SPECIAL_TABLES or not o.in_report or not len(o.data):
            continue
        d = _plain(o.data)
        if "verdict" in d.columns:
            d["verdict"] = d["verdict"].map(lambda v: _verdict_label(v, lang))
        tables.append(ReportTable(o.name, o.title(lang), d, [L(c) for c in d.columns]))
    params = pd.DataFrame([{
        "parameter": path, "value": p.value if not isinstance(p.value, (list, dict)) else str(p.value), "unit": p.unit,
        "status": p.status, "soft": bool(p.soft), "source": p.source,
    } for path, p in rules.params()], columns=["parameter", "value", "unit", "status", "soft", "source"])
    tables.append(ReportTable("rule_params", t("rules_in_effect", lang), params, [L(c) for c in params.columns]))
    return tables


# Strings of the report sections this module adds (the shared ones live in gis.i18n).
_RT: dict[str, tuple[str, str]] = {
    "window_table": ("逐窗日照分析表（按建筑、户分组）", "Sunlight per window (by building and dwelling)"),
    "dwelling_table": ("逐户增加面积表", "Added area per dwelling"),
    "land_section": ("净用地与面积统筹台账", "Net land and floor-area pooling ledger"),
    "site_plan": ("总平面示意图", "Site plan"),
    "site_plan_note": ("左：现状；右：方案。填色为建筑高度分类，红色/橙色线为不满足/提示的间距类尺寸线。交互式审查图见 review.html。",
                       "Left: before; right: after. Fill: building height class; red/orange lines: failing/warning "
                       "distances. The interactive map is review.html."),
    "windows_of": ("窗", "windows"),
    "failing": ("不满足", "failing"),
    "other_tables": ("其他附表", "Other tables"),
    "phase_existing": ("现状（拆除）", "existing (demolished)"), "phase_kept": ("保留", "kept"),
    "phase_proposed": ("新建", "proposed"), "phase_context": ("周边", "context"),
}


def _rt(key: str, lang: str) -> str:
    zh, en = _RT[key]
    return zh if lang == "zh" else en


def _windows_by_building(table: ReportTable, lang: str) -> list[dict]:
    """The per-window table split by building, rows grouped by dwelling (for the HTML report)."""
    out = []
    w = table.frame
    for bid, g in w.groupby("building_id", sort=True):
        body = g.drop(columns=["building_id"])
        heads = [h for c, h in zip(table.frame.columns, table.headers, strict=True) if c != "building_id"]
        verdicts = g["verdict"].astype(str).tolist() if "verdict" in g.columns else []
        n_fail = sum(v == Verdict.FAIL.label(lang) for v in verdicts)
        out.append({"building_id": bid, "n": len(g), "fail": n_fail,
                    "html": _frame_html(body, heads, max_rows=None)})
    return out


def _frame_html(frame: pd.DataFrame, headers: list[str], *, max_rows: int | None = _MAX_TABLE_ROWS) -> str:
    df = frame.copy()
    for c in df.columns:
        if df[c].dtype == object:
            df[c] = df[c].map(lambda v: "—" if v is None or (isinstance(v, float) and math.isnan(v)) else v)
    df.columns = headers
    more = len(df) - max_rows if max_rows else 0
    if max_rows:
        df = df.head(max_rows)
    html = df.to_html(index=False, na_rep="—", float_format=lambda v: f"{v:,.2f}", classes="data", border=0,
                      escape=True)
    if more > 0:
        html += f"<p class='more'>… {more} more rows in results.gpkg / report.xlsx</p>"
    return html


def render_report(result: ReviewResult, *, lang: str = "zh") -> str:
    """Render the review report as a self-contained HTML page in ``lang`` (``"zh"``/``"en"``)."""
    env = Environment(loader=FileSystemLoader(_TEMPLATES), autoescape=select_autoescape(["html", "j2"]))
    site, rules = result.site, result.rules
    indicators = []
    for row in result.indicators:
        cond = "—" if row.condition is None else f"{row.condition_text} {fmt_value(row.condition, row.unit)}".strip()
        indicators.append({
            "label": row.label_zh if lang == "zh" else row.label_en,
            "unit": "" if row.unit == "%" else row.unit,
            "existing": fmt_value(row.existing, row.unit),
            "proposed": fmt_value(row.proposed, row.unit),
            "condition": cond,
        })
    titles = {c.name: c for c in result.checks}
    by_rule: dict[str, list] = {}
    for f in result.findings:
        by_rule.setdefault(f.rule_id, []).append(f)
    findings = []
    for rule_id in sorted(by_rule):
        rows = by_rule[rule_id]
        title = next((c.title(lang) for c in titles.values() if rule_id in c.rule_ids), rule_id)
        findings.append({
            "rule_id": rule_id,
            "title": title,
            "worst": worst_verdict(f.verdict for f in rows),
            "rows": [{
                "subject": ", ".join(f.subject_ids),
                "existing": fmt_value(f.existing, f.unit),
                "proposed": fmt_value(f.proposed, f.unit),
                "threshold": fmt_value(f.threshold, f.unit),
                "unit": "" if f.unit in ("ratio", "%") else f.unit,
                "verdict": f.verdict,
                "vclass": _VERDICT_CLASS[f.verdict],
                "vlabel": f.verdict.label(lang),
                "message": f.message(lang),
                "source": f.source,
            } for f in rows],
        })
    model = {tb.key: tb for tb in report_tables(result, lang=lang)}
    builtin = {"summary", "verdict_counts", "indicators", "findings", "rule_params", *_SPECIAL_TABLES}
    tables = [
        {"name": tb.key, "title": tb.title, "html": _frame_html(tb.frame, tb.headers), "n": len(tb.frame)}
        for tb in model.values() if tb.key not in builtin
    ]
    windows = _windows_by_building(model["windows"], lang) if "windows" in model else []
    special = {k: {"title": model[k].title, "n": len(model[k].frame),
                   "html": _frame_html(model[k].frame, model[k].headers, max_rows=None)}
               for k in ("dwelling_area", "net_land", "pooling_ledger") if k in model}
    try:
        from maps.siteplan import site_plan_data_uri

        site_plan = site_plan_data_uri(result, lang=lang)
    except Exception as exc:  # the figure is an aid: a drawing problem must not cost the report
        site_plan = None
        result.context.errors.append(f"site plan figure: {type(exc).__name__}: {exc}")
    params = [
        {"path": path, "value": p.value if not isinstance(p.value, list) or len(str(p.value)) < 120 else str(p.value)[:117] + "…",
         "unit": p.unit, "source": p.source, "status": p.status,
         "status_text": STATUS_MEANING[p.status][0 if lang == "zh" else 1], "soft": p.soft}
        for path, p in rules.params()
    ]
    counts = result.counts
    return env.get_template("report.html.j2").render(
        t=lambda key, **kw: t(key, lang, **kw),
        lang=lang,
        site=site,
        site_name=site.name or Path(site.source).stem,
        rules=rules,
        rules_title=rules.meta.title_zh if lang == "zh" else rules.meta.title_en,
        created=result.created.strftime("%Y-%m-%d %H:%M"),
        epsg=site.crs.to_epsg(),
        crs_name=site.crs.name,
        counts=[(v, v.label(lang), _VERDICT_CLASS[v], counts[v]) for v in Verdict],
        overall=t("exit_fail" if result.exit_code else "exit_pass", lang),
        overall_class="fail" if result.exit_code else "pass",
        indicators=indicators,
        findings=findings,
        tables=tables,
        windows=windows,
        special=special,
        site_plan=site_plan,
        rt=lambda key: _rt(key, lang),
        notes=[n.message(lang) for n in site.notes],
        params=params,
        errors=result.context.errors,
    )
