"""The site contract in code: layers, fields, aliases and value vocabularies.

This mirrors ``shared/domain/SITE_SCHEMA.md``.  A site is a set of layers; two are
required (``parcels`` 宗地, ``buildings`` 建筑).  Chinese layer names are accepted as
aliases, and the enumerated fields (``phase``, ``role``, ``use``, ``kind``) accept the
Chinese words planners write in attribute tables (e.g. ``新建`` for ``proposed``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

__all__ = ["FieldSpec", "LayerSpec", "LAYERS", "LAYER_ALIASES", "canonical_layer_name", "PHASES"]

Kind = Literal["str", "int", "float"]

PHASES = ("existing", "kept", "proposed", "context")


@dataclass(frozen=True)
class FieldSpec:
    """One attribute of a layer.

    ``low``/``high`` are bounds every valid value must respect (schema bounds, not rule
    numbers: e.g. a ratio lies in [0, 1]); ``low_open`` makes the lower bound exclusive.
    """

    name: str
    kind: Kind
    required: bool = False
    unique: bool = False
    choices: tuple[str, ...] | None = None
    value_aliases: dict[str, str] = field(default_factory=dict)
    default: str | float | int | None = None
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    description: str = ""


@dataclass(frozen=True)
class LayerSpec:
    """One layer of the site contract."""

    name: str
    alias_zh: str
    required: bool
    geometry: tuple[str, ...] | None  # allowed base geometry types; None = attribute table
    id_field: str | None
    fields: tuple[FieldSpec, ...]
    title_en: str = ""

    def field(self, name: str) -> FieldSpec | None:
        for f in self.fields:
            if f.name == name:
                return f
        return None


_PHASE_ALIASES = {"现状": "existing", "拆除": "existing", "保留": "kept", "新建": "proposed", "方案": "proposed", "周边": "context", "周边建筑": "context"}
_ROLE_ALIASES = {"项目": "project", "项目用地": "project", "边角地": "scrap", "夹心地": "scrap", "插花地": "scrap", "零星地块": "scrap", "相邻": "neighbour", "neighbor": "neighbour"}
_USE_ALIASES = {"住宅": "residential", "居住": "residential", "公建": "public", "公共": "public", "配套": "public", "商业": "commercial", "其他": "other"}
_GREEN_ALIASES = {"集中绿地": "concentrated", "集中": "concentrated", "其他": "other", "其他绿地": "other"}
_CONTROL_ALIASES = {"红线": "red", "道路红线": "red", "绿线": "green", "蓝线": "blue", "紫线": "purple", "黄线": "yellow"}
_LANE_PHASE_ALIASES = {"现状": "existing", "新建": "proposed", "方案": "proposed", "保留": "both", "现状及方案": "both"}

_RATIO = {"low": 0.0, "high": 1.0}

LAYERS: dict[str, LayerSpec] = {
    spec.name: spec
    for spec in [
        LayerSpec(
            "parcels", "宗地", True, ("Polygon",), "parcel_id",
            (
                FieldSpec("parcel_id", "str", required=True, unique=True, description="不动产单元号 where known"),
                FieldSpec("unit_id", "str", required=True, description="详细规划单元"),
                FieldSpec("role", "str", choices=("project", "scrap", "neighbour"), value_aliases=_ROLE_ALIASES, default="project"),
                FieldSpec("right_type", "str"),
                FieldSpec("land_use", "str"),
                FieldSpec("area_registered_m2", "float", low=0.0, low_open=True),
                FieldSpec("far_max", "float", low=0.0, low_open=True, high=20.0),
                FieldSpec("height_max_m", "float", low=0.0, low_open=True, high=1000.0),
                FieldSpec("density_max", "float", **_RATIO),
                FieldSpec("green_min", "float", **_RATIO),
            ),
            "parcels",
        ),
        LayerSpec(
            "buildings", "建筑", True, ("Polygon",), "building_id",
            (
                FieldSpec("building_id", "str", required=True, unique=True),
                FieldSpec("phase", "str", required=True, choices=PHASES, value_aliases=_PHASE_ALIASES),
                FieldSpec("floors", "int", low=1.0),
                FieldSpec("height_m", "float", low=0.0, low_open=True),
                FieldSpec("storey_height_m", "float", low=0.0, low_open=True),
                FieldSpec("base_elev_m", "float"),
                FieldSpec("use", "str", choices=("residential", "public", "commercial", "other"), value_aliases=_USE_ALIASES, default="residential"),
                FieldSpec("households", "int", low=0.0),
                FieldSpec("fire_grade", "int", low=1.0, high=4.0),
                FieldSpec("year_built", "int"),
                FieldSpec("gfa_m2", "float", low=0.0, low_open=True),
                FieldSpec("lift_public_area_m2", "float", low=0.0),
                FieldSpec("lowest_residential_floor", "int", low=1.0),
            ),
            "buildings",
        ),
        LayerSpec(
            "dwellings", "户", False, None, None,
            (
                FieldSpec("building_id", "str", required=True),
                FieldSpec("unit_no", "str", required=True),
                FieldSpec("property_area_m2", "float", required=True, low=0.0, low_open=True, high=2000.0),
                FieldSpec("new_area_m2", "float", low=0.0, low_open=True, high=2000.0),
                FieldSpec("new_building_id", "str"),
            ),
            "dwellings",
        ),
        LayerSpec(
            "roads", "道路", False, ("LineString", "Polygon"), "road_id",
            (
                FieldSpec("road_id", "str", unique=True),
                FieldSpec("red_line_width_m", "float", low=0.0, low_open=True, high=200.0),
                FieldSpec("road_class", "str"),
            ),
            "roads",
        ),
        LayerSpec(
            "fire_lanes", "消防车道", False, ("Polygon", "LineString"), "lane_id",
            (
                FieldSpec("lane_id", "str", unique=True),
                FieldSpec("phase", "str", choices=("existing", "proposed", "both"), value_aliases=_LANE_PHASE_ALIASES, default="both"),
                FieldSpec("clear_height_m", "float", low=0.0, low_open=True),
                FieldSpec("width_m", "float", low=0.0, low_open=True, high=100.0),
            ),
            "fire lanes",
        ),
        LayerSpec(
            "rescue_sites", "消防登高场地", False, ("Polygon",), "site_id",
            (
                FieldSpec("site_id", "str", unique=True),
                FieldSpec("building_id", "str"),
                FieldSpec("phase", "str", choices=("existing", "proposed", "both"), value_aliases=_LANE_PHASE_ALIASES, default="both"),
            ),
            "rescue sites",
        ),
        LayerSpec(
            "green", "绿地", False, ("Polygon",), "green_id",
            (
                FieldSpec("green_id", "str", unique=True),
                FieldSpec("kind", "str", choices=("concentrated", "other"), value_aliases=_GREEN_ALIASES, default="other"),
                FieldSpec("phase", "str", choices=("existing", "proposed", "both"), value_aliases=_LANE_PHASE_ALIASES, default="both"),
            ),
            "green spaces",
        ),
        LayerSpec(
            "windows", "窗", False, ("LineString", "Point"), "window_id",
            (
                FieldSpec("window_id", "str", unique=True),
                FieldSpec("building_id", "str", required=True),
                FieldSpec("floor", "int", low=-5.0, high=200.0),
                FieldSpec("dwelling", "str"),
                FieldSpec("room", "str"),
            ),
            "windows",
        ),
        LayerSpec(
            "planning_units", "详细规划单元", False, ("Polygon",), "unit_id",
            (
                FieldSpec("unit_id", "str", required=True, unique=True),
                FieldSpec("floor_area_cap_m2", "float", low=0.0, low_open=True),
            ),
            "planning units",
        ),
        LayerSpec(
            "control_lines", "控制线", False, ("Polygon",), "line_id",
            (
                FieldSpec("line_id", "str", unique=True),
                FieldSpec("kind", "str", required=True, choices=("red", "green", "blue", "purple", "yellow"), value_aliases=_CONTROL_ALIASES),
            ),
            "control lines",
        ),
    ]
}

LAYER_ALIASES: dict[str, str] = {}
for _spec in LAYERS.values():
    LAYER_ALIASES[_spec.name.lower()] = _spec.name
    LAYER_ALIASES[_spec.alias_zh] = _spec.name


def canonical_layer_name(name: str) -> str | None:
    """The contract's layer name for a layer or file name, or None if it is not a site layer.

    >>> canonical_layer_name("建筑")
    'buildings'
    >>> canonical_layer_name("Buildings") is None
    False
    """
    key = name.strip()
    return LAYER_ALIASES.get(key) or LAYER_ALIASES.get(key.lower())
