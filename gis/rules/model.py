"""Pydantic model of a rule pack (规则包).

Every number is a :class:`Param`: value, source clause, status tag ([V]/[P]/[R]/[S]/[D] as in
``RULES.md`` §0, plus ``L`` for a user's local value), strictness (hard = 应, soft = 宜) and unit.
Sections mirror the rule catalogue: ``building``, ``validation``, ``planning``, ``far``,
``massing``, ``fire_lane``, ``rescue_site``, ``fire_separation``, ``spacing``, ``setback``,
``sunlight``, ``land``, ``pooling``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator

T = TypeVar("T")

Status = Literal["V", "P", "R", "S", "D", "L"]

STATUS_MEANING = {
    "V": ("已核对原文", "checked against a quoting text"),
    "P": ("部分核对", "partly checked"),
    "R": ("凭记忆，待核对", "from recollection, verify before relying on it"),
    "S": ("来自指导方案", "from the seed policy"),
    "D": ("推导/合理性界限", "derived or plausibility bound"),
    "L": ("用户本地取值", "user's local value"),
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Param(_Strict, Generic[T]):
    """One rule number with its provenance."""

    value: T
    source: str = Field(min_length=1)
    status: Status
    strictness: Literal["hard", "soft"] = "hard"
    unit: str = ""
    note: str = ""

    @property
    def soft(self) -> bool:
        return self.strictness == "soft"


class Meta(_Strict):
    name: str
    title_zh: str
    title_en: str
    version: str = ""
    city: str = ""
    climate_zone: str = ""
    notes: str = ""


class Seed(_Strict):
    not_worse_principle: Param[bool]
    fire_not_below_original: Param[bool]


class CrsRules(_Strict):
    project_epsg: Param[int]
    zone_prefixed_epsg: Param[int]
    transform_residual_max_m: Param[float]
    china_lon_range_deg: Param[tuple[float, float]]
    china_lat_range_deg: Param[tuple[float, float]]


class HeightClassRules(_Strict):
    residential_multi_max_m: Param[float]
    residential_class2_max_m: Param[float]
    super_high_rise_min_m: Param[float]
    public_multi_max_m: Param[float]
    public_class1_min_m: Param[float]


class HeightThreshold(_Strict):
    height_m: Param[float]
    triggers_zh: str
    triggers_en: str


class BuildingRules(_Strict):
    storey_height_existing_m: Param[float]
    storey_height_new_min_m: Param[float]
    roof_buildup_m: Param[float]
    default_fire_grade: Param[int]
    default_base_elev_m: Param[float]
    default_lowest_residential_floor: Param[int]
    height_class: HeightClassRules
    height_thresholds: list[HeightThreshold]

    @field_validator("height_thresholds")
    @classmethod
    def _sorted(cls, v: list[HeightThreshold]) -> list[HeightThreshold]:
        return sorted(v, key=lambda t: t.height_m.value)


class ValidationRules(_Strict):
    max_floors: Param[int]
    storey_height_range_m: Param[tuple[float, float]]
    max_height_m: Param[float]
    min_footprint_m2: Param[float]
    max_households_per_floor_per_100m2: Param[float]
    height_floor_consistency_tol: Param[float]
    year_built_range: Param[tuple[int, int]]
    base_elev_range_m: Param[tuple[float, float]]


class PlanningRules(_Strict):
    density_not_worse: Param[bool]
    green_not_worse: Param[bool]
    far_not_worse: Param[bool]
    height_not_worse: Param[bool]
    persons_per_household: Param[float]


class FarItem(_Strict):
    counts_in_far: Param[float]
    land_premium: Param[bool]


class FarRules(_Strict):
    items: dict[str, FarItem]


class Tier(_Strict):
    upper_m2: float
    ratio: float = Field(ge=0)
    public_share_min: float = Field(ge=0)
    public_share_max: float = Field(ge=0)


class MassingRules(_Strict):
    tiers: Param[list[Tier]]
    edge_rule: Param[Literal["upper_inclusive", "lower_inclusive"]]
    warn_at_area_m2: Param[list[float]]
    public_share_within_cap: Param[bool]
    households_max_increase: Param[int]


class FireLaneRules(_Strict):
    min_width_m: Param[float]
    min_clear_height_m: Param[float]
    min_turn_radius_m: Param[float]
    min_turn_radius_aerial_m: Param[float]
    min_lane_to_wall_m: Param[float]
    max_offset_to_long_side_m: Param[float]
    residential_lane_sides: Param[int]
    deadend_max_len_m: Param[float]
    turnaround_m: Param[float]
    turnaround_high_rise_m: Param[float]
    turnaround_heavy_m: Param[float]
    max_grade_soft: Param[float]
    max_grade_hard: Param[float]
    allow_not_worse: Param[bool]
    long_side_coverage_min: Param[float]
    road_connect_tol_m: Param[float]
    bend_min_angle_deg: Param[float]
    connect_to_road: Param[bool]
    bend_split_edge_m: Param[float]


class RescueSiteRules(_Strict):
    applies_above_height_m: Param[float]
    min_length_m: Param[float]
    min_width_m: Param[float]
    min_length_tall_m: Param[float]
    tall_above_m: Param[float]
    wall_distance_min_m: Param[float]
    wall_distance_max_m: Param[float]
    max_gap_m: Param[float]
    podium_max_depth_m: Param[float]
    max_slope: Param[float]


class FireSeparationRules(_Strict):
    classes: Param[list[str]]
    table_m: Param[list[list[float]]]
    reduction_n1: Param[float]
    n1_max_opening_ratio: Param[float]
    n2_firewall_band_m: Param[float]
    n4_min_m: Param[float]
    n4_min_high_rise_m: Param[float]
    no_reduction_super_high_rise: Param[bool]
    allow_not_worse: Param[bool]


class SpacingRules(_Strict):
    profile: str
    parallel_max_angle_deg: Param[float]
    coef_parallel_old_district: Param[float]
    coef_parallel_new: Param[float]
    orientation_factors: Param[list[tuple[float, float]]]
    coef_perpendicular_main: Param[float]
    coef_perpendicular_back: Param[float]
    min_perpendicular_m: Param[float]
    gable_min_m: Param[float]
    gable_min_windows_m: Param[float]
    gable_min_high_rise_m: Param[float]
    reference_coef_2h: Param[float]
    allow_not_worse: Param[bool]
    use_old_district_coef: Param[bool]
    min_parallel_m: Param[float]


class SetbackRules(_Strict):
    road_width_bins_m: Param[list[float]]
    road_residential_low_m: Param[list[float]]
    road_residential_high_m: Param[list[float]]
    boundary_main_m: Param[list[float]]
    boundary_gable_m: Param[list[float]]
    half_spacing: Param[bool]
    allow_not_worse: Param[bool]
    boundary_low_max_floors: Param[int]
    no_projection_beyond_red_lines: Param[bool]


class SunlightRules(_Strict):
    standard_day: Param[Literal["dahan", "dongzhi"]]
    year: Param[int]
    band_start_h: Param[float]
    band_end_h: Param[float]
    step_min: Param[float]
    min_hours: Param[float]
    old_district_new_min_hours: Param[float]
    accumulation: Param[Literal["cumulative", "longest", "n_longest"]]
    n_segments: Param[int]
    min_segment_min: Param[float]
    min_sweep_deg: Param[float]
    min_altitude_deg: Param[float]
    whole_window: Param[bool]
    sill_height_m: Param[float]
    sample: Param[Literal["ends_centre", "every_n"]]
    sample_spacing_m: Param[float]
    window_bay_m: Param[float]
    refraction: Param[bool]
    ground_grid_m: Param[float]
    green_outside_shadow_min: Param[float]
    allow_not_worse: Param[bool]


class LandRules(_Strict):
    scrap_max_area_m2: Param[float]
    scrap_share_max: Param[float]
    snap_tol_m: Param[float]
    sliver_thinness: Param[float]
    sliver_min_width_m: Param[float]
    overlap_tol_m2: Param[float]
    max_parts: Param[int]
    area_tol_m2: Param[float]
    area_tol_ratio: Param[float]
    interlock_shared_ratio: Param[float]
    enclosed_shared_ratio: Param[float]
    min_footprint_width_m: Param[float]
    min_footprint_length_m: Param[float]
    own_setback_m: Param[float]
    excluded_control_lines: Param[list[str]]


class PoolingRules(_Strict):
    same_unit_only: Param[bool]
    zero_sum: Param[bool]


class RulePack(_Strict):
    """A complete, validated rule pack.  Load one with :func:`gis.rules.load_rules`."""

    meta: Meta
    seed: Seed
    crs: CrsRules
    building: BuildingRules
    validation: ValidationRules
    planning: PlanningRules
    far: FarRules
    massing: MassingRules
    fire_lane: FireLaneRules
    rescue_site: RescueSiteRules
    fire_separation: FireSeparationRules
    spacing: SpacingRules
    setback: SetbackRules
    sunlight: SunlightRules
    land: LandRules
    pooling: PoolingRules
    origin: list[str] = Field(default_factory=list, description="Files merged into this pack, in order")

    def params(self) -> Iterator[tuple[str, Param[Any]]]:
        """Every parameter with its dotted path, in declaration order (for ``renewal rules show``)."""
        yield from _walk(self, "")


def _walk(model: BaseModel, prefix: str) -> Iterator[tuple[str, Param[Any]]]:
    for name in type(model).model_fields:
        value = getattr(model, name)
        path = f"{prefix}{name}"
        if isinstance(value, Param):
            yield path, value
        elif isinstance(value, BaseModel):
            yield from _walk(value, path + ".")
        elif isinstance(value, dict):
            for key, item in value.items():
                if isinstance(item, BaseModel):
                    yield from _walk(item, f"{path}.{key}.")
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, BaseModel):
                    yield from _walk(item, f"{path}[{i}].")
