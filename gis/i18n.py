"""User-facing strings of the report and the CLI, in Chinese (default) and English."""

from __future__ import annotations

__all__ = ["t", "LANGS"]

LANGS = ("zh", "en")

_STRINGS: dict[str, tuple[str, str]] = {
    "report_title": ("老旧小区自主更新（原拆原建）规划条件核查报告", "Planning-condition review: self-renewal by rebuilding on the same site"),
    "summary": ("概要", "Summary"),
    "site": ("场地", "Site"),
    "rule_pack": ("规则包", "Rule pack"),
    "generated": ("生成时间", "Generated"),
    "crs": ("坐标系", "Coordinate system"),
    "location": ("场地中心（经纬度）", "Site centre (lon, lat)"),
    "verdict_counts": ("结论统计", "Verdicts"),
    "overall": ("总体结论", "Overall"),
    "indicators": ("主要技术经济指标表", "Technical-economic indicators (主要技术经济指标表)"),
    "item": ("项目", "Item"),
    "unit": ("单位", "Unit"),
    "existing": ("现状", "Existing"),
    "proposed": ("方案", "Proposed"),
    "condition": ("规划条件", "Planning condition"),
    "threshold": ("标准/限值", "Threshold"),
    "verdict": ("结论", "Verdict"),
    "rule": ("规则", "Rule"),
    "subject": ("对象", "Subject"),
    "source": ("依据", "Source"),
    "message": ("说明", "Message"),
    "findings": ("核查结论", "Findings"),
    "tables": ("附表", "Tables"),
    "notes": ("数据处理说明", "Notes on the data"),
    "no_notes": ("无", "None"),
    "rules_in_effect": ("本次采用的规则参数及依据", "Rule parameters in effect, with sources"),
    "parameter": ("参数", "Parameter"),
    "value": ("取值", "Value"),
    "status": ("核实状态", "Status"),
    "errors": ("内部错误", "Internal errors"),
    "status_legend": ("V 已核对原文；P 部分核对；R 凭记忆待核对；S 来自指导方案；D 推导/合理性界限；L 用户本地取值",
                      "V checked against a quoting text; P partly checked; R recollection, verify; S seed policy; D derived or plausibility bound; L user's local value"),
    "exit_pass": ("无不满足项", "nothing fails"),
    "exit_fail": ("存在不满足项", "some checks fail"),
    "input_unusable": ("输入数据无法使用，共 {n} 个问题：", "The input cannot be used; {n} problems:"),
    "rules_unusable": ("规则包无法使用：", "The rule pack cannot be used:"),
    "loading": ("读取并校验场地", "Loading and validating the site"),
    "running": ("执行核查", "Running checks"),
    "writing": ("写出审查成果", "Writing the review package"),
    "written": ("审查成果已写出：", "Review package written to:"),
    "internal_error": ("程序内部错误（请将此信息反馈给开发者）：", "Internal error (please report it):"),
    "valid": ("场地数据有效", "The site is valid"),
}


def t(key: str, lang: str = "zh", **kwargs: object) -> str:
    """The string ``key`` in ``lang`` (``"zh"`` or ``"en"``), formatted with ``kwargs``."""
    zh, en = _STRINGS[key]
    text = zh if lang == "zh" else en
    return text.format(**kwargs) if kwargs else text
