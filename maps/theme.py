"""Colours, line styles and the bilingual labels of the review map (审查图).

Everything a reviewer reads on the map comes from here, in Chinese (default) and English.
"""

from __future__ import annotations

__all__ = ["VERDICT_COLOR", "HEIGHT_CLASS_COLOR", "PHASE_STYLE", "SCRAP_COLOR", "LANE_COLOR", "label", "CATEGORIES",
           "category_of",
           "category_title"]

# Verdict colours (colour-blind safe-ish: green / amber / red / orange / grey).
VERDICT_COLOR = {
    "PASS": "#1a9850",
    "PASS_NOT_WORSE": "#e6b000",
    "FAIL": "#d73027",
    "WARN": "#f46d43",
    "NOT_CHECKED": "#8c8c8c",
}

# Building fill by height class (多层 / 二类高层 / 一类高层 / 超高层).
HEIGHT_CLASS_COLOR = {
    "multi": "#c6dbef",
    "high2": "#6baed6",
    "high1": "#2171b5",
    "super": "#08306b",
}
HEIGHT_CLASS_DEFAULT = "#bdbdbd"

# Outline style by phase: existing (demolished) dashed, kept solid, proposed heavy, context pale.
PHASE_STYLE = {
    "existing": {"color": "#7f2704", "weight": 1.5, "dashArray": "5 4", "fillOpacity": 0.35},
    "kept": {"color": "#252525", "weight": 1.5, "dashArray": None, "fillOpacity": 0.6},
    "proposed": {"color": "#000000", "weight": 2.5, "dashArray": None, "fillOpacity": 0.75},
    "context": {"color": "#737373", "weight": 1.0, "dashArray": "2 3", "fillOpacity": 0.25},
}

SCRAP_COLOR = {"bianjiao": "#fdae61", "jiaxin": "#abd9e9", "chahua": "#d7191c"}
LANE_COLOR = {"existing": "#969696", "proposed": "#e31a1c", "both": "#fd8d3c"}

_LABELS: dict[str, tuple[str, str]] = {
    # layer names
    "parcels_before": ("现状宗地", "Parcels (before)"),
    "net_land_after": ("方案净用地", "Net land (after)"),
    "scrap_plots": ("零星地块分类", "Scrap-plot classes"),
    "parcel_issues": ("宗地缝隙与重叠", "Parcel gaps and overlaps"),
    "control_lines": ("控制线", "Control lines"),
    "roads": ("道路", "Roads"),
    "green": ("绿地", "Green space"),
    "b_existing": ("建筑·现状（拆除）", "Buildings · existing (demolished)"),
    "b_kept": ("建筑·保留", "Buildings · kept"),
    "b_proposed": ("建筑·新建", "Buildings · proposed"),
    "b_context": ("建筑·周边", "Buildings · context"),
    "fire_lanes": ("消防车道", "Fire lanes"),
    "rescue_sites": ("消防登高场地", "Rescue sites"),
    "windows_layer": ("窗日照结论", "Window sunlight verdicts"),
    "raster_after": ("地面日照时数·方案", "Ground sunlight hours · after"),
    "raster_before": ("地面日照时数·现状", "Ground sunlight hours · before"),
    "shadows_before": ("阴影·现状（大寒日）", "Shadows · before (standard day)"),
    "shadows_after": ("阴影·方案（大寒日）", "Shadows · after (standard day)"),
    "basemap": ("底图", "Basemap"),
    "raster_unreadable": ("地面日照栅格无法读取，未显示：", "Ground-hours raster unreadable, not shown:"),
    # fields
    "building_id": ("建筑编号", "Building"),
    "name": ("名称", "Name"),
    "phase": ("状态", "Phase"),
    "floors": ("层数", "Floors"),
    "height_m": ("高度 (m)", "Height (m)"),
    "households": ("户数", "Households"),
    "height_class": ("高度分类", "Height class"),
    "use": ("用途", "Use"),
    "parcel_id": ("宗地编号", "Parcel"),
    "role": ("角色", "Role"),
    "right_type": ("权利类型", "Right type"),
    "area_m2": ("面积 (m²)", "Area (m²)"),
    "kind": ("类型", "Kind"),
    "source_ids": ("来源宗地", "Source parcels"),
    "relation": ("分类", "Class"),
    "eligible": ("可纳入", "Eligible"),
    "reasons": ("理由", "Reasons"),
    "lane_id": ("车道编号", "Lane"),
    "width_m": ("宽度 (m)", "Width (m)"),
    "site_id": ("场地编号", "Site"),
    "rule_id": ("规则", "Rule"),
    "subject": ("对象", "Subject"),
    "verdict": ("结论", "Verdict"),
    "existing": ("现状", "Existing"),
    "proposed": ("方案", "Proposed"),
    "threshold": ("标准/限值", "Threshold"),
    "message": ("说明", "Message"),
    "source": ("依据", "Source"),
    "length_m": ("长度 (m)", "Length (m)"),
    "window_id": ("窗编号", "Window"),
    "floor": ("楼层", "Floor"),
    "dwelling": ("户号", "Dwelling"),
    "hours_before": ("现状日照 (h)", "Hours before (h)"),
    "hours_after": ("方案日照 (h)", "Hours after (h)"),
    "threshold_h": ("标准 (h)", "Standard (h)"),
    "obstructors": ("遮挡建筑:分钟", "Obstructing buildings:min"),
    "windows": ("窗数", "Windows"),
    "failing": ("不满足窗数", "Failing windows"),
    # legend and title
    "legend": ("图例", "Legend"),
    "height_classes": ("建筑高度分类", "Building height class"),
    "verdicts": ("结论", "Verdicts"),
    "hours_legend": ("地面日照时数 (h)", "Ground sunlight hours (h)"),
    "project": ("项目", "Project"),
    "rule_pack": ("规则包", "Rule pack"),
    "date": ("日期", "Date"),
    "title": ("规划条件核查审查图", "Planning-condition review map"),
    "tst": ("真太阳时", "True solar time"),
    "no_network": ("离线文件，无底图", "Offline file, no basemap"),
    "gcj_warning": ("注意：该底图为GCJ-02坐标，与CGCS2000数据偏移数百米",
                    "Warning: this basemap uses GCJ-02; CGCS2000 data is offset by hundreds of metres"),
    "multi": ("多层", "multi-storey"),
    "high2": ("二类高层", "high-rise class 2"),
    "high1": ("一类高层", "high-rise class 1"),
    "super": ("超高层", "super high-rise"),
    "bianjiao": ("边角地", "corner plot"),
    "jiaxin": ("夹心地", "sandwiched plot"),
    "chahua": ("插花地", "interspersed plot"),
    "ph_existing": ("现状（拆除）", "existing (demolished)"),
    "ph_kept": ("保留", "kept"),
    "ph_proposed": ("新建", "proposed"),
    "ph_context": ("周边", "context"),
    "ph_both": ("现状及方案", "existing and proposed"),
    "site_plan": ("总平面示意（左：现状，右：方案）", "Site plan (left: before, right: after)"),
    "before": ("现状", "Before"),
    "after": ("方案", "After"),
}

# Finding layers by rule-id prefix (a finding shows on the layer of its topic).
CATEGORIES: dict[str, tuple[tuple[str, ...], str, str]] = {
    "land": (("LC", "TDR"), "核查·用地与零星地块", "Checks · land and scrap plots"),
    "planning": (("FAR", "DEN", "GRN", "HGT", "CL", "ST", "BD"), "核查·规划指标与高度", "Checks · planning indicators and heights"),
    "massing": (("MS",), "核查·面积与户数", "Checks · added area and households"),
    "spacing": (("SP", "SB"), "核查·间距与退界（尺寸线）", "Checks · spacing and setbacks (dimension lines)"),
    "separation": (("SEP",), "核查·防火间距（尺寸线）", "Checks · fire separation (dimension lines)"),
    "fire_lanes": (("FL",), "核查·消防车道（宽度、尽端、回车场）", "Checks · fire lanes (width, dead ends, turnarounds)"),
    "rescue": (("RS",), "核查·消防登高场地", "Checks · rescue sites"),
    "sunlight": (("SUN",), "核查·日照", "Checks · sunlight"),
    "other": ((), "核查·其他", "Checks · other"),
}


def category_of(rule_id: str) -> str:
    """The map layer (category key of :data:`CATEGORIES`) a rule id belongs to."""
    head = rule_id.split("-")[0].upper()
    for key, (prefixes, _, _) in CATEGORIES.items():
        if head in prefixes:
            return key
    return "other"


def category_title(key: str, lang: str = "zh") -> str:
    """Layer name of a finding category (key of :data:`CATEGORIES`)."""
    return CATEGORIES[key][1] if lang == "zh" else CATEGORIES[key][2]


def label(key: str, lang: str = "zh") -> str:
    """The map label ``key`` in ``lang``; the key itself when unknown."""
    if key in _LABELS:
        zh, en = _LABELS[key]
        return zh if lang == "zh" else en
    return key
