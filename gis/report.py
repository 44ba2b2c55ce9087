"""The HTML report (审查报告): summary, 主要技术经济指标表, every finding, tables, notes, rule pack.

:func:`render_report` returns the HTML text; writing it is the package writer's job.  The
page is self-contained (inline CSS, no external resources) so it opens offline.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
from jinja2 import Environment, FileSystemLoader, select_autoescape

from gis.findings import Verdict, worst_verdict
from gis.i18n import t
from gis.pipeline import ReviewResult
from gis.rules import STATUS_MEANING

__all__ = ["render_report", "fmt_value"]

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


def _table_html(frame: pd.DataFrame) -> str:
    df = pd.DataFrame(frame.drop(columns=[c for c in frame.columns if c == "geometry"], errors="ignore"))
    more = len(df) - _MAX_TABLE_ROWS
    df = df.head(_MAX_TABLE_ROWS)
    html = df.to_html(index=False, na_rep="—", float_format=lambda v: f"{v:,.2f}", classes="data", border=0, escape=True)
    if more > 0:
        html += f"<p class='more'>… {more} more rows in results.gpkg</p>"
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
    tables = [
        {"name": o.name, "title": o.title(lang), "html": _table_html(o.data), "n": len(o.data)}
        for o in result.context.outputs.values() if o.in_report
    ]
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
        notes=[n.message(lang) for n in site.notes],
        params=params,
        errors=result.context.errors,
    )
