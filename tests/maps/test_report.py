"""The review package's report: report.html sections and report.xlsx read back against results.gpkg."""

from __future__ import annotations

import base64
import re

import pyogrio
import pytest
from maps_fixture import EVIL, make_result
from openpyxl import load_workbook

from gis.io.package import OUTPUT_FILES, write_review_package
from gis.io.xlsx import sheet_name
from gis.report import render_report, report_tables
from maps.offline import external_refs


@pytest.fixture
def package(tmp_path):
    result = make_result(tmp_path)
    files = write_review_package(result, tmp_path / "out", lang="zh")
    return result, files


def _sheets(path):
    wb = load_workbook(path, read_only=True)
    contents = list(wb[wb.sheetnames[0]].iter_rows(values_only=True))
    by_key = {row[1]: row[0] for row in contents[1:]}
    return wb, contents, by_key


def _rows(ws):
    rows = list(ws.iter_rows(values_only=True))
    return rows[0], rows[1:]


def test_package_has_every_file(package):
    _, files = package
    assert set(OUTPUT_FILES) <= set(files)
    for name in OUTPUT_FILES:
        assert files[name].is_file() and files[name].stat().st_size > 0, name
    assert not [p for p in files["review.html"].parent.iterdir() if p.name.startswith(".")]
    for name in ("review.html", "review_compare.html", "report.html"):
        assert external_refs(files[name].read_text(encoding="utf-8")) == [], name


def test_xlsx_contents_and_chinese_headers(package):
    _, files = package
    wb, contents, by_key = _sheets(files["report.xlsx"])
    assert contents[0] == ("工作表", "表键", "表名", "行数")
    for key in ["summary", "verdict_counts", "indicators", "findings", "windows", "net_land", "rule_params"]:
        assert key in by_key, key
    head, rows = _rows(wb[by_key["windows"]])
    assert list(head) == ["建筑编号", "户号", "楼层", "窗编号", "状态", "现状日照(h)", "方案日照(h)", "日照标准(h)",
                          "规则编号", "结论", "遮挡建筑:分钟"]
    # grouped by building then dwelling then floor
    assert [(r[0], r[1], r[2]) for r in rows] == [("K1", "101", 1), ("K1", "201", 2), ("N1", None, 1)]
    assert [r[9] for r in rows] == ["不满足", "满足", "满足"]
    counts = dict(_rows(wb[by_key["verdict_counts"]])[1])
    assert counts == {"满足": 2, "不恶化": 0, "不满足": 1, "提示": 0, "未检查": 0}


def test_xlsx_tables_match_results_gpkg(package):
    _, files = package
    wb, _, by_key = _sheets(files["report.xlsx"])
    gpkg = files["results.gpkg"]
    # windows: hours before/after and verdict per window
    head, rows = _rows(wb[by_key["windows"]])
    i_id, i_b, i_a = head.index("窗编号"), head.index("现状日照(h)"), head.index("方案日照(h)")
    w = pyogrio.read_dataframe(gpkg, layer="windows").set_index("window_id")
    assert len(rows) == len(w)
    for r in rows:
        g = w.loc[r[i_id]]
        assert r[i_a] == pytest.approx(g["hours_after"])
        assert (r[i_b] is None and g["hours_before"] != g["hours_before"]) or r[i_b] == pytest.approx(g["hours_before"])
    # findings: rule, proposed, threshold in the same order
    head, rows = _rows(wb[by_key["findings"]])
    f = pyogrio.read_dataframe(gpkg, layer="findings")
    assert [r[head.index("规则编号")] for r in rows] == list(f["rule_id"])
    assert [r[head.index("方案")] for r in rows] == pytest.approx(list(f["proposed"]))
    assert [r[head.index("标准/限值")] for r in rows] == pytest.approx(list(f["threshold"]))
    # net land area (m²)
    head, rows = _rows(wb[by_key["net_land"]])
    net = pyogrio.read_dataframe(gpkg, layer="net_land")
    assert [r[head.index("面积(m²)")] for r in rows] == pytest.approx(list(net["area_m2"])) == [12000.0]


def test_english_workbook_headers(tmp_path):
    result = make_result(tmp_path)
    files = write_review_package(result, tmp_path / "en", lang="en")
    wb, contents, by_key = _sheets(files["report.xlsx"])
    assert contents[0][0] == "Sheet"
    head, _ = _rows(wb[by_key["windows"]])
    assert head[:3] == ("Building", "Dwelling", "Floor")


def test_report_html_sections(tmp_path):
    result = make_result(tmp_path)
    page = render_report(result, lang="zh")
    for text in ["总平面示意图", "主要技术经济指标表", "核查结论", "逐窗日照分析表（按建筑、户分组）", "净用地与面积统筹台账",
                 "本次采用的规则参数及依据", "GB 50180-2018 4.0.9"]:
        assert text in page, text
    # the per-window table: one block per building, the failing one open with its count
    blocks = re.findall(r"<details( open)?>\s*<summary>(\w+) · (\d+) 窗(.*?)</summary>", page)
    assert [(b[1], b[2], bool(b[0])) for b in blocks] == [("K1", "2", True), ("N1", "1", False)]
    assert "不满足 1" in blocks[0][3]
    # the site plan is an embedded PNG
    uri = re.search(r'<img src="data:image/png;base64,([^"]+)"', page).group(1)
    assert base64.b64decode(uri)[:8] == b"\x89PNG\r\n\x1a\n"
    assert "http://" not in page.split("<body>")[0] and 'src="http' not in page
    assert EVIL not in page  # names appear escaped, if at all


def test_report_tables_in_english(tmp_path):
    tables = {t.key: t for t in report_tables(make_result(tmp_path), lang="en")}
    assert tables["windows"].headers[:4] == ["Building", "Dwelling", "Floor", "Window"]
    assert list(tables["windows"].frame["verdict"]) == ["fail", "pass", "pass"]


def test_report_without_outputs(tmp_path):
    result = make_result(tmp_path, empty=True)
    files = write_review_package(result, tmp_path / "o")
    wb, _, by_key = _sheets(files["report.xlsx"])
    assert "windows" not in by_key and "findings" in by_key
    assert "逐窗日照分析表" not in files["report.html"].read_text(encoding="utf-8")


def test_site_plan_without_cjk_font_falls_back_to_english(tmp_path, monkeypatch):
    import maps.siteplan as sp

    monkeypatch.setattr(sp, "cjk_font", lambda: None)
    png = sp.site_plan_png(make_result(tmp_path), lang="zh", dpi=40)
    assert png[:4] == b"\x89PNG"


def test_sheet_names_are_valid_and_unique():
    used: set[str] = set()
    a = sheet_name("住宅间距（方案/现状/要求）", used)
    b = sheet_name("住宅间距（方案/现状/要求）", used)
    c = sheet_name("x" * 40, used)
    assert "/" not in a and a != b and b.endswith("(2)") and len(c) == 31
