"""Generate the bundled synthetic sample site ``data/sample/site.gpkg``.

Usage::

    python data/sample/make_sample.py [OUTPUT]

``OUTPUT`` defaults to ``site.gpkg`` next to this script. The file is written to a temporary
name in the same folder and moved into place, so a failed run never leaves half a file behind.
The script is fully deterministic (no randomness; GeoPackage timestamps are pinned), so running
it twice gives the same layers, features and values.

What the site is
----------------
A fictitious old residential community in Urumqi (1985-1998 brick-concrete slab blocks) that is
demolished and rebuilt on the same site (原拆原建). Everything is designed in *local metres*
(x east, y north, origin at the south-west corner of the project land) and shifted to
CGCS2000 / 3-degree Gauss-Kruger CM 87E (EPSG:4538) by E0 = 548200, N0 = 4851700, which is
close to 87.6 E, 43.8 N. Layer names and fields follow shared/domain/SITE_SCHEMA.md.

Layout in local metres (not to scale)::

    y=222 ── north branch road R3 (centreline y=216, red line 12 m: y 210..222) ─────────────
    y=228..240  X01 context 6-storey slab (18 m north of the land)
    y=210 ┌──────────────────────────── C (U2) ───────────────────┬── S-L (too large) ─┐ x=240
          │ B11 ▭   B12 ▭    (existing row, y 182..194)           │ 50 x 52 m          │
          │ P02 ▭▭▭▭▭▭ 9F (proposed, y 186..200)   yellow line ▒▒ │   (spine lane)     │
          │ RS2 ▫  lane + 15x15 turnaround (proposed)             │                    │
          │ B09 ▭ 5m B10 ▭  (kept tight pair, y 146..158)         └────────────────────┤
    y=140 ├────────────── A (U1) ─────────┬┬───────────── B (U1) ──────────────────────┤
          │ B04 ▭            ┃ green      ││ B08 ▭ / P04 + concentrated green   ┃      │
          │ B03 ▭   ┃  ┌S-J┐ ┃            ││ B07 ▭ / P03 6F                     ┃ ═══╡ S-K (comb
          │ B02 ▭   ┃  └───┘ ┃            ││ B06 ▭ / RS1 + lane                 ┃ ═══╡  on R2)
    N-W   ├──S-D─┐  ┃   B01 ▭ (kept) 8 m  ││ P01 11F (proposed) / B05 ▭         ┃   S-E│
    y=0 ──┴──────┴──┸─── 5 m green line ──┴┴────────────────────────────────────┸──────┘
          x=0   43 46-50             115 120|120.03 (3 cm gap)              198-202  228 240
    y=-12 ─ south arterial R1 (red line 24 m: y -24..0) ──── X02 18-storey tower south of it
                                                             east road R2: centreline x=248

* Parcels: A (P-A), B (P-B) and C (P-C) are the project parcels; A and B are in detailed-planning
  unit U1, C in U2. B's west edge is 3 cm east of A's east edge (a digitising gap). Scrap
  candidates (role=scrap, 国有未出让): S-J 夹心地 (a hole inside A), S-K 插花地 (comb interlocking
  with B's east edge), S-E 边角地 (strip between B and the east road red line), S-L too large
  (2,600 m^2 > 2,000 m^2), S-D developable alone (43 x 44 m, on the south road). N-W is a
  neighbour parcel to the west. C's registered area is 2 % off its GIS area.
* Buildings: B01..B12 are 60 x 12 m slabs (1985-1998); B05-B08, B11, B12 are ``existing``
  (demolished), B01-B04, B09, B10 are ``kept``. P01 (11 F, 33.3 m), P02 (9 F at 3.0 m = 27.3 m),
  P03 (6 F at 2.9 m) and P04 (2 F community service) are ``proposed``. X01-X03 are ``context``.
* Dwellings: one row per household of every existing building, covering all four area tiers and
  exactly 50 / 70 / 90 m^2.
* Fire lanes, rescue sites, green, roads, planning units and control lines as described in
  data/sample/README.md, which also lists the verdict each feature is meant to produce.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from decimal import ROUND_DOWN, Decimal
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
from shapely import affinity
from shapely.geometry import LineString, Polygon, box
from shapely.geometry.polygon import orient
from shapely.ops import unary_union

CRS = "EPSG:4538"  # CGCS2000 / 3-degree Gauss-Kruger CM 87E
E0, N0 = 548200.0, 4851700.0  # local origin (south-west corner of the project land)
DEFAULT_OUTPUT = Path(__file__).resolve().parent / "site.gpkg"

# Pin GeoPackage timestamps so the file content does not depend on the run date.
GPKG_DATE = "2025-01-01T00:00:00Z"

# Roof build-up added to floors x storey height: old flat roofs with parapet / new roof layers.
OLD_ROOF_M = 0.6
NEW_ROOF_M = 0.3


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------
def rect(x0: float, y0: float, x1: float, y1: float) -> Polygon:
    """Axis-parallel rectangle in local metres (counter-clockwise exterior)."""
    return orient(box(x0, y0, x1, y1))


def clean(geom) -> Polygon:
    """Normalise a polygon built by boolean operations: CCW exterior, holes CW, no slivers."""
    geom = geom.buffer(0)
    if geom.geom_type != "Polygon":
        raise ValueError(f"expected one polygon, got {geom.geom_type}")
    return orient(geom)


def to_world(geom):
    """Local metres -> EPSG:4538 (pure translation; the local grid is parallel to grid north)."""
    return affinity.translate(geom, xoff=E0, yoff=N0)


def frame(rows: list[dict], geometry: list) -> gpd.GeoDataFrame:
    """GeoDataFrame in EPSG:4538 from attribute rows and local-metre geometries."""
    return gpd.GeoDataFrame(pd.DataFrame(rows), geometry=[to_world(g) for g in geometry], crs=CRS)


# --------------------------------------------------------------------------------------------
# roads
# --------------------------------------------------------------------------------------------
def make_roads() -> gpd.GeoDataFrame:
    """Three road centrelines that run well past the site.

    R1 south arterial: centreline y=-12, red line 24 m -> north red line at y=0 (the land edge).
    R2 east road:      centreline x=248, red line 16 m -> west red line at x=240.
    R3 north branch:   centreline y=216, red line 12 m -> south red line at y=210.
    """
    rows = [
        dict(road_id="R1", name="友好南路", red_line_width_m=24.0, road_class="arterial"),
        dict(road_id="R2", name="东侧次干路", red_line_width_m=16.0, road_class="sub-arterial"),
        dict(road_id="R3", name="北侧支路", red_line_width_m=12.0, road_class="branch"),
    ]
    geoms = [
        LineString([(-150, -12), (400, -12)]),
        LineString([(248, -150), (248, 400)]),
        LineString([(-150, 216), (400, 216)]),
    ]
    return frame(rows, geoms)


# --------------------------------------------------------------------------------------------
# parcels, planning units, control lines
# --------------------------------------------------------------------------------------------
# Scrap plots (local metres)
SCRAP_J = rect(88, 74, 108, 92)  # 夹心地: a hole in parcel A, 20 x 18 = 360 m^2
# 插花地: a comb interlocking with B's east edge: a 7 m base on the R2 red line with two 16 m teeth
# reaching west into B. 536 m^2; about 3/4 of its boundary is shared with B.
SCRAP_K = unary_union([rect(233, 60, 240, 100), rect(217, 66, 233, 74), rect(217, 86, 233, 94)])
# 边角地: a wedge-shaped strip cut off between B and the east road red line (R2 was widened
# at an angle to the old parcel line), 12 m wide at the south road tapering to 0 over 50 m: 300 m^2
SCRAP_E = orient(Polygon([(228, 0), (240, 0), (240, 50)]))
SCRAP_L = rect(190, 158, 240, 210)  # too large: 50 x 52 = 2,600 m^2 (> 2,000 m^2)
SCRAP_D = rect(0, 0, 43, 44)  # developable alone: 43 x 44 = 1,892 m^2, fronts the south road

GAP_M = 0.03  # digitising gap between parcels A and B


def parcel_geometries() -> dict[str, Polygon]:
    """All parcel polygons in local metres, keyed by parcel_id."""
    a_outer = rect(0, 0, 120, 140).difference(SCRAP_D)
    a = Polygon(orient(a_outer).exterior.coords, [list(SCRAP_J.exterior.coords)[::-1]])
    b = rect(120 + GAP_M, 0, 240, 140).difference(SCRAP_E).difference(SCRAP_K)
    c = rect(0, 140, 240, 210).difference(SCRAP_L)
    return {
        "P-A": clean(a),
        "P-B": clean(b),
        "P-C": clean(c),
        "S-J": clean(SCRAP_J),
        "S-K": clean(SCRAP_K),
        "S-E": clean(SCRAP_E),
        "S-L": clean(SCRAP_L),
        "S-D": clean(SCRAP_D),
        "N-W": rect(-60, 0, 0, 140),
    }


def make_parcels() -> gpd.GeoDataFrame:
    """Project parcels A, B, C; five scrap candidates; one neighbour parcel.

    area_registered_m2 is the GIS area rounded to 0.01 m^2, except P-C whose registered area is
    2 % larger (an area-reconciliation failure). Planning conditions vary a little by parcel.
    """
    geoms = parcel_geometries()
    r2 = "二类居住用地"
    cond_u1 = dict(far_max=1.8, height_max_m=36.0, density_max=0.28, green_min=0.30)
    cond_b = dict(far_max=2.0, height_max_m=36.0, density_max=0.28, green_min=0.30)
    cond_u2 = dict(far_max=1.9, height_max_m=36.0, density_max=0.25, green_min=0.30)
    spec = [
        # parcel_id, unit, role, right_type, conditions, note
        ("P-A", "U1", "project", "划拨", cond_u1, "project parcel A; surrounds scrap S-J"),
        ("P-B", "U1", "project", "出让", cond_b, "project parcel B; 3 cm gap to A along x=120"),
        ("P-C", "U2", "project", "划拨", cond_u2, "project parcel C; registered area 2 % off"),
        ("S-J", "U1", "scrap", "国有未出让", cond_u1, "夹心地: fills an interior hole of A"),
        ("S-K", "U1", "scrap", "国有未出让", cond_b, "插花地: comb interlocking with B's east edge"),
        ("S-E", "U1", "scrap", "国有未出让", cond_b, "边角地: wedge between B and R2 red line"),
        ("S-L", "U2", "scrap", "国有未出让", cond_u2, "too large for a scrap plot (2,600 m2)"),
        ("S-D", "U1", "scrap", "国有未出让", cond_u1, "developable alone: 43 x 44 m on R1"),
        ("N-W", "U1", "neighbour", "出让", cond_u1, "neighbour parcel west of the site"),
    ]
    rows = []
    for pid, unit, role, right, cond, note in spec:
        area = round(geoms[pid].area, 2)
        if pid == "P-C":
            area = round(area * 1.02, 2)
        rows.append(
            dict(
                parcel_id=pid,
                unit_id=unit,
                role=role,
                right_type=right,
                land_use=r2,
                area_registered_m2=area,
                **cond,
                note=note,
            )
        )
    return frame(rows, [geoms[r["parcel_id"]] for r in rows])


def counted_area(b: pd.Series) -> float:
    """Floor area counted in FAR: gfa (default footprint x floors) + lift/public additions."""
    gfa = b["gfa_m2"] if pd.notna(b["gfa_m2"]) else b["_footprint"].area * b["floors"]
    lift = b["lift_public_area_m2"] if pd.notna(b["lift_public_area_m2"]) else 0.0
    return float(gfa + lift)


def make_planning_units(buildings: pd.DataFrame) -> gpd.GeoDataFrame:
    """Detailed-planning units U1 (A, B, scraps, neighbour) and U2 (C, S-L).

    U1's cap is 2 % above its proposed counted floor area (including the neighbour's building,
    so it passes whether or not a check counts neighbours). U2's cap lies between the existing
    and the proposed counted area of U2, below the proposed area even without the lift/public
    additions: the proposal overshoots U2 (a pooling failure).
    """
    u1, u2 = rect(-60, 0, 240, 140), rect(0, 140, 240, 210)
    after = buildings[buildings.phase.isin(["kept", "proposed", "context"])]
    before = buildings[buildings.phase.isin(["kept", "existing", "context"])]

    def total(df: pd.DataFrame, unit: Polygon, lift: bool = True) -> float:
        inside = df[[unit.contains(g.representative_point()) for g in df["_footprint"]]]
        out = 0.0
        for _, b in inside.iterrows():
            area = counted_area(b)
            if not lift and pd.notna(b["lift_public_area_m2"]):
                area -= b["lift_public_area_m2"]
            out += area
        return out

    cap_u1 = round(total(after, u1) * 1.02, -1)
    existing_u2 = total(before, u2)
    proposed_u2_bare = total(after, u2, lift=False)
    cap_u2 = round(existing_u2 + 0.75 * (proposed_u2_bare - existing_u2), -1)
    rows = [
        dict(unit_id="U1", name="更新单元一", floor_area_cap_m2=cap_u1),
        dict(unit_id="U2", name="更新单元二", floor_area_cap_m2=cap_u2),
    ]
    return frame(rows, [u1, u2])


def make_control_lines() -> gpd.GeoDataFrame:
    """A 5 m green line along the south edge of the land and a small yellow-line strip."""
    rows = [
        dict(line_id="CL-G1", kind="green", note="5 m green line along the south arterial"),
        dict(line_id="CL-Y1", kind="yellow", note="district-heating pipe corridor, 60 x 8 m"),
    ]
    return frame(rows, [rect(0, 0, 240, 5), rect(130, 202, 190, 210)])


# --------------------------------------------------------------------------------------------
# buildings
# --------------------------------------------------------------------------------------------
# (id, name, phase, footprint, floors, storey_h, give_height, year, use, households,
#  gfa_m2, lift_public_area_m2, fire_grade, lowest_residential_floor)
# Old slabs: 60 x 12 m, 4 entrances, 2 dwellings per landing -> households = floors x 8.
SLABS = [
    # kept, parcel A
    ("B01", "1号楼", "kept", rect(55, 14, 115, 26), 6, 1986, True),
    ("B02", "2号楼", "kept", rect(10, 46, 70, 58), 5, 1986, False),
    ("B03", "3号楼", "kept", rect(10, 78, 70, 90), 6, 1988, False),
    ("B04", "4号楼", "kept", rect(10, 110, 70, 122), 7, 1990, True),
    # existing (demolished), parcel B
    ("B05", "5号楼", "existing", rect(130, 14, 190, 26), 6, 1987, True),
    ("B06", "6号楼", "existing", rect(130, 46, 190, 58), 5, 1987, False),
    ("B07", "7号楼", "existing", rect(130, 78, 190, 90), 6, 1989, True),
    ("B08", "8号楼", "existing", rect(130, 110, 190, 122), 6, 1992, False),
    # kept tight pair (5 m gable gap), parcel C
    ("B09", "9号楼", "kept", rect(10, 146, 70, 158), 5, 1994, True),
    ("B10", "10号楼", "kept", rect(75, 146, 135, 158), 6, 1994, False),
    # existing (demolished), parcel C
    ("B11", "11号楼", "existing", rect(10, 182, 70, 194), 5, 1997, True),
    ("B12", "12号楼", "existing", rect(85, 182, 145, 194), 5, 1998, False),
]

# Surveyed gross floor areas for some old slabs (balconies etc. make them differ from
# footprint x floors); the others use the default.
SURVEYED_GFA = {"B01": 4386.6, "B05": 4375.2, "B08": 4368.0, "B11": 3652.5}

PROPOSED = [
    # id, name, footprint, floors, storey_h, use, households, lift/public m^2, note
    ("P01", "新1号楼", rect(123, 12, 183, 26), 11, 3.0, "residential", 88, 520.0),
    ("P02", "新2号楼", rect(20, 186, 118, 200), 9, 3.0, "residential", 126, 610.0),
    ("P03", "新3号楼", rect(130, 54, 190, 68), 6, 2.9, "residential", 48, 260.0),
    ("P04", "社区服务中心", rect(128, 108, 158, 123), 2, 4.2, "public", 0, 36.0),
]

CONTEXT = [
    # id, name, footprint, floors, height_m, year, households, fire_grade, lowest_res_floor
    ("X01", "北侧住宅楼", rect(30, 228, 90, 240), 6, 18.0, 1996, 48, 2, 1),
    ("X02", "南侧商住塔楼", rect(100, -62, 130, -40), 18, 55.2, 2012, 64, 1, 3),
    ("X03", "西侧邻地住宅楼", rect(-50, 60, -10, 72), 5, None, 1992, 30, 2, 1),
]


def base_elevation(footprint: Polygon) -> float:
    """Ground level relative to the site datum: Urumqi falls gently to the north (0.4 %)."""
    return round(0.5 - 0.004 * footprint.centroid.y, 2)


def building_table() -> pd.DataFrame:
    """All buildings with local-metre footprints in column ``_footprint``."""
    rows = []
    for bid, name, phase, fp, floors, year, give_h in SLABS:
        storey = 2.8 if year <= 1990 else 2.9
        rows.append(
            dict(
                building_id=bid,
                name=name,
                phase=phase,
                floors=floors,
                height_m=round(floors * storey + OLD_ROOF_M, 2) if give_h else None,
                storey_height_m=storey,
                base_elev_m=base_elevation(fp),
                use="residential",
                households=floors * 4 * 2,
                fire_grade=2,
                year_built=year,
                gfa_m2=SURVEYED_GFA.get(bid),
                lift_public_area_m2=0.0,
                lowest_residential_floor=1,
                _footprint=fp,
            )
        )
    for bid, name, fp, floors, storey, use, hh, lift in PROPOSED:
        rows.append(
            dict(
                building_id=bid,
                name=name,
                phase="proposed",
                floors=floors,
                height_m=round(floors * storey + (0.6 if use == "public" else NEW_ROOF_M), 2),
                storey_height_m=storey,
                base_elev_m=base_elevation(fp),
                use=use,
                households=hh,
                fire_grade=2,
                year_built=None,
                gfa_m2=round(fp.area * floors, 2),
                lift_public_area_m2=lift,
                lowest_residential_floor=1 if use == "residential" else None,
                _footprint=fp,
            )
        )
    for bid, name, fp, floors, height, year, hh, grade, lowest in CONTEXT:
        rows.append(
            dict(
                building_id=bid,
                name=name,
                phase="context",
                floors=floors,
                height_m=height,
                storey_height_m=3.0 if bid == "X02" else 2.9,
                base_elev_m=base_elevation(fp),
                use="residential",
                households=hh,
                fire_grade=grade,
                year_built=year,
                gfa_m2=None,
                lift_public_area_m2=None,
                lowest_residential_floor=lowest,
                _footprint=fp,
            )
        )
    df = pd.DataFrame(rows)
    for col in ("floors", "households", "fire_grade", "year_built", "lowest_residential_floor"):
        df[col] = df[col].astype("Int64")
    for col in ("height_m", "gfa_m2", "lift_public_area_m2"):
        df[col] = df[col].astype("float64")
    return df


def make_buildings(table: pd.DataFrame) -> gpd.GeoDataFrame:
    cols = [
        "building_id", "name", "phase", "floors", "height_m", "storey_height_m", "base_elev_m",
        "use", "households", "fire_grade", "year_built", "gfa_m2", "lift_public_area_m2",
        "lowest_residential_floor",
    ]  # fmt: skip
    return gpd.GeoDataFrame(table[cols].copy(), geometry=[to_world(g) for g in table["_footprint"]], crs=CRS)


# --------------------------------------------------------------------------------------------
# dwellings
# --------------------------------------------------------------------------------------------
# Property areas (m^2) of door 01 / door 02 on each of the four entrances (same plan on every
# floor). Includes exactly 50, 70 and 90 m^2 and all four tiers.
DWELLING_PLANS = {
    "B05": [(46.80, 96.40), (50.00, 90.00), (50.00, 90.00), (46.80, 96.40)],
    "B06": [(58.60, 83.90), (64.20, 76.50), (64.20, 76.50), (58.60, 83.90)],
    "B07": [(70.00, 70.00), (62.35, 78.10), (62.35, 78.10), (70.00, 70.00)],
    "B08": [(48.90, 108.70), (55.20, 90.00), (55.20, 90.00), (48.90, 108.70)],
    "B11": [(52.70, 86.40), (66.80, 72.60), (66.80, 72.60), (52.70, 86.40)],
    "B12": [(44.50, 92.30), (70.00, 81.25), (70.00, 81.25), (44.50, 92.30)],
}
# Which proposed building the households of each demolished building move into.
REHOUSING = {"B05": "P01", "B06": "P01", "B07": "P03", "B08": "P02", "B11": "P02", "B12": "P02"}
# Households that took cash compensation: no new dwelling (new_building_id empty).
CASH_OUT = {("B08", "1-1-01"), ("B08", "1-1-02"), ("B08", "4-6-01"), ("B08", "4-6-02")}
# Dwellings whose new area exceeds the tier allowance (by the given m^2).
OVER_ALLOWANCE = {
    ("B05", "1-6-01"): 3.5,
    ("B06", "3-5-02"): 2.2,
    ("B07", "2-4-01"): 4.0,
    ("B08", "4-3-02"): 1.3,
    ("B11", "1-2-01"): 6.0,
    ("B12", "2-5-02"): 0.8,
}
# Share of the allowance used, cycled over the dwellings (all <= 1, i.e. within the cap).
USE_CYCLE = [Decimal("1.00"), Decimal("0.90"), Decimal("0.75"), Decimal("0.95"), Decimal("0.60")]


def allowance_rate(area: Decimal) -> Decimal:
    """Seed tiers (RULES.md 4.3): <=50 +30 %, 50-70 +30 %, 70-90 +20 %, >=90 +10 %.

    90 m^2 exactly takes the 70-90 tier (the default edge rule, flagged by the toolkit).
    """
    if area <= 70:
        return Decimal("0.30")
    if area <= 90:
        return Decimal("0.20")
    return Decimal("0.10")


def make_dwellings(table: pd.DataFrame) -> pd.DataFrame:
    """One row per household of every existing (demolished) building.

    unit_no is entrance-floor-door ("2-3-01"). Exactly-90 m^2 dwellings on entrance 2 get
    103.50 m^2 (within +20 %, above +10 %) and exactly-70 m^2 dwellings on floor 3 get 88.00 m^2
    (within +30 %, above +20 %), so only these change verdict if the tier edge rule changes; all
    other 70 / 90 m^2 dwellings stay within the stricter reading. Six dwellings (OVER_ALLOWANCE)
    exceed their allowance under any reading; four (CASH_OUT) get no new dwelling.
    """
    floors = table.set_index("building_id")["floors"]
    rows, i = [], 0
    for bid, plan in DWELLING_PLANS.items():
        for entrance, pair in enumerate(plan, start=1):
            for floor in range(1, int(floors[bid]) + 1):
                for door, area in enumerate(pair, start=1):
                    unit_no = f"{entrance}-{floor}-{door:02d}"
                    a = Decimal(f"{area:.2f}")
                    cap = a * (1 + allowance_rate(a))
                    if (bid, unit_no) in CASH_OUT:
                        new_area, new_bid = None, None
                    else:
                        new_bid = REHOUSING[bid]
                        if (bid, unit_no) in OVER_ALLOWANCE:
                            new = cap + Decimal(str(OVER_ALLOWANCE[(bid, unit_no)]))
                        elif a == 90 and entrance == 2:
                            new = Decimal("103.50")  # within +20 %, above +10 %
                        elif a == 70 and floor == 3:
                            new = Decimal("88.00")  # within +30 %, above +20 %
                        else:
                            share = USE_CYCLE[i % len(USE_CYCLE)]
                            # other 70 / 90 m^2 dwellings stay within either tier reading
                            rate = Decimal("0.20") if a == 70 else allowance_rate(a)
                            rate = Decimal("0.10") if a == 90 else rate
                            new = a * (1 + rate * share)
                        new_area = float(new.quantize(Decimal("0.01"), rounding=ROUND_DOWN))
                    rows.append(
                        dict(
                            building_id=bid,
                            unit_no=unit_no,
                            property_area_m2=float(a),
                            new_area_m2=new_area,
                            new_building_id=new_bid,
                        )
                    )
                    i += 1
    df = pd.DataFrame(rows)
    df["new_area_m2"] = df["new_area_m2"].astype("float64")
    return df


# --------------------------------------------------------------------------------------------
# fire lanes, rescue sites
# --------------------------------------------------------------------------------------------
def make_fire_lanes() -> gpd.GeoDataFrame:
    """Clear paved lanes (polygons). Entrances reach 2 m into the road red-line area.

    clear_height_m is empty for lanes open to the sky; width_m is the nominal clear width.
    """
    spec = [
        # lane_id, phase, polygon, width, clear height, note
        ("F01", "both", rect(198, -2, 202, 203), 4.0, None, "N-S spine from R1 to the north gate"),
        ("F02", "both", rect(46, -2, 50, 14), 4.0, None, "south entrance of A from R1"),
        ("F03", "both", rect(46.25, 14, 49.75, 24), 3.5, None, "narrow section, 3.5 m over 10 m"),
        (
            "F04", "both", unary_union([rect(46, 24, 50, 38), rect(46, 34, 122, 38)]), 4.0, None,
            "A: lane between row 1 and row 2",
        ),
        ("F05", "existing", rect(122, 34, 198, 38), 4.0, None, "B: old lane between rows 1 and 2"),
        (
            "F06", "proposed", unary_union([rect(118, 38, 122, 43), rect(118, 43, 198, 47)]),
            4.0, None, "B: new lane north of RS1",
        ),
        ("F07", "both", rect(76, 38, 80, 134), 4.0, None, "A: east rail"),
        ("F08", "both", rect(2, 66, 6, 134), 4.0, None, "A: west rail"),
        ("F09", "both", rect(6, 66, 76, 70), 4.0, None, "A: rung y=68"),
        ("F10", "both", rect(6, 98, 76, 102), 4.0, None, "A: rung y=100"),
        ("F11", "both", rect(6, 130, 198, 134), 4.0, None, "rung y=132 from A to the spine"),
        ("F12", "existing", rect(80, 66, 198, 70), 4.0, None, "B: old rung y=68"),
        ("F13", "existing", rect(80, 98, 198, 102), 4.0, None, "B: old rung y=100"),
        ("F14", "existing", rect(138, 166, 198, 170), 4.0, None, "C: 60 m dead end, no turnaround"),
        (
            "F15", "proposed", unary_union([rect(35, 166, 198, 170), rect(20, 164, 35, 179)]),
            4.0, None, "C: dead end ending in a 15 x 15 m turnaround",
        ),
        ("F16", "both", rect(198, 203, 202, 207), 4.0, 3.8, "north gateway, clear height 3.8 m"),
        ("F17", "both", rect(198, 207, 202, 212), 4.0, None, "north entrance onto R3"),
    ]  # fmt: skip
    rows = [
        dict(lane_id=lid, phase=ph, width_m=w, clear_height_m=h, note=note) for lid, ph, _, w, h, note in spec
    ]
    df = frame(rows, [clean(g) for _, _, g, _, _, _ in spec])
    df["clear_height_m"] = df["clear_height_m"].astype("float64")
    return df


RESCUE_SITES = [
    # site_id, building served, polygon, note
    ("RS1", "P01", rect(123, 33, 183, 43), "60 x 10 m along P01's north side, 7 m from the wall"),
    ("RS2", "P02", rect(60, 170, 72, 178), "undersized 12 x 8 m, 8 m south of P02"),
]


def make_rescue_sites() -> gpd.GeoDataFrame:
    rows = [
        dict(site_id=sid, building_id=bid, phase="proposed", note=note) for sid, bid, _, note in RESCUE_SITES
    ]
    return frame(rows, [g for _, _, g, _ in RESCUE_SITES])


# --------------------------------------------------------------------------------------------
# green
# --------------------------------------------------------------------------------------------
GREEN_SPEC = [
    # green_id, kind, phase, candidate zone (clipped to the land, minus obstacles)
    # parcel A (kept rows): strips between rows, a garden east of the rows
    ("G01", "other", "both", rect(56, 6, 114, 12.5)),
    ("G02", "other", "both", rect(56, 27.5, 114, 32.5)),
    ("G03", "other", "both", rect(12, 59.5, 68, 64.5)),
    ("G04", "other", "both", rect(12, 71.5, 68, 76.5)),
    ("G05", "other", "both", rect(12, 91.5, 68, 96.5)),
    ("G06", "other", "both", rect(12, 103.5, 68, 108.5)),
    ("G07", "other", "both", rect(12, 123.5, 68, 128.5)),
    ("G08", "other", "both", rect(82, 40, 117, 64)),
    ("G09", "concentrated", "both", rect(82, 104, 117, 128)),
    ("G10", "other", "proposed", rect(82, 64, 117, 104)),  # where B's old rungs ran
    # parcel B: strips between the old rows (demolished with them), an open block east
    ("G11", "other", "existing", rect(132, 6, 188, 12.5)),
    ("G12", "other", "existing", rect(132, 27.5, 188, 32.5)),
    ("G13", "other", "existing", rect(132, 39.5, 188, 44.5)),
    ("G14", "other", "existing", rect(132, 59.5, 188, 64.5)),
    ("G15", "other", "existing", rect(132, 71.5, 188, 76.5)),
    ("G16", "other", "existing", rect(132, 91.5, 188, 96.5)),
    ("G17", "other", "existing", rect(132, 103.5, 188, 108.5)),
    ("G18", "other", "existing", rect(132, 123.5, 188, 128.5)),
    ("G19", "other", "both", rect(205, 8, 231, 44)),
    # parcel B, proposed
    ("G20", "other", "proposed", rect(124, 5, 182, 12)),
    ("G21", "other", "proposed", rect(131, 47, 189, 54)),
    ("G22", "concentrated", "proposed", rect(160, 80, 190, 105)),  # 30 x 25 m, 12 m north of P03
    ("G23", "other", "proposed", rect(121, 69.5, 158, 106)),
    ("G24", "other", "proposed", rect(121, 123, 196, 130)),
    # parcel C
    ("G25", "other", "both", rect(12, 140, 133, 146)),
    ("G26", "other", "both", rect(12, 158, 133, 166)),
    ("G27", "other", "existing", rect(12, 167, 136, 182)),
    ("G28", "other", "existing", rect(12, 194, 70, 208)),
    ("G29", "other", "proposed", rect(72, 170, 136, 186)),
    ("G30", "other", "proposed", rect(20, 200, 118, 209)),
]


def make_green(buildings: pd.DataFrame, lanes: gpd.GeoDataFrame, sites: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Green polygons: candidate zones clipped to parcels A, B, C, minus control lines and minus
    whatever stands in the scenes the green belongs to (buildings + 1.5 m, lanes and rescue
    sites + 0.5 m). Proposed green is also cut back from green that stays (phase both)."""
    land = parcel_geometries()
    project = unary_union([land["P-A"], land["P-B"], land["P-C"]])
    controls = unary_union([rect(0, 0, 240, 5), rect(130, 202, 190, 210)])
    local_lanes = [affinity.translate(g, -E0, -N0) for g in lanes.geometry]
    local_sites = [affinity.translate(g, -E0, -N0) for g in sites.geometry]

    def obstacles(scene: str):
        phases = {"before": ["existing", "kept", "context"], "after": ["kept", "proposed", "context"]}[scene]
        lane_phases = {"before": ["existing", "both"], "after": ["proposed", "both"]}[scene]
        parts = [
            g.buffer(1.5, join_style="mitre")
            for g in buildings.loc[buildings.phase.isin(phases), "_footprint"]
        ]
        parts += [
            g.buffer(0.5, join_style="mitre")
            for g, ph in zip(local_lanes, lanes.phase, strict=True)
            if ph in lane_phases
        ]
        if scene == "after":
            parts += [g.buffer(0.5, join_style="mitre") for g in local_sites]
        return unary_union(parts)

    blocked = {
        "existing": obstacles("before"),
        "proposed": obstacles("after"),
        "both": unary_union([obstacles("before"), obstacles("after")]),
    }
    kept_green = None
    rows, geoms = [], []
    for gid, kind, phase, zone in GREEN_SPEC:
        g = zone.intersection(project).difference(controls).difference(blocked[phase])
        if phase == "proposed" and kept_green is not None:
            g = g.difference(kept_green)
        g = g.buffer(0)
        if g.geom_type == "MultiPolygon":  # keep the main piece; only crumbs may be dropped
            main = max(g.geoms, key=lambda p: p.area)
            if g.area - main.area > 1.0:
                raise ValueError(f"green {gid} falls apart into several pieces")
            g = main
        rows.append(dict(green_id=gid, kind=kind, phase=phase))
        geoms.append(orient(g))
        if phase == "both":
            kept_green = g if kept_green is None else kept_green.union(g)
    return frame(rows, geoms)


# --------------------------------------------------------------------------------------------
# writing
# --------------------------------------------------------------------------------------------
def build_layers() -> dict[str, pd.DataFrame]:
    table = building_table()
    lanes = make_fire_lanes()
    sites = make_rescue_sites()
    return {
        "parcels": make_parcels(),
        "planning_units": make_planning_units(table),
        "control_lines": make_control_lines(),
        "roads": make_roads(),
        "buildings": make_buildings(table),
        "dwellings": make_dwellings(table),
        "fire_lanes": lanes,
        "rescue_sites": sites,
        "green": make_green(table, lanes, sites),
    }


def write_site(layers: dict[str, pd.DataFrame], output: Path) -> None:
    """Write all layers to a temporary GeoPackage next to ``output`` and move it into place."""
    output = Path(output).resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": GPKG_DATE})
    tmp_dir = Path(tempfile.mkdtemp(prefix=".site-", dir=output.parent))
    try:
        tmp = tmp_dir / "site.gpkg"
        for name, df in layers.items():
            if isinstance(df, gpd.GeoDataFrame):
                df.to_file(tmp, layer=name, driver="GPKG", engine="pyogrio")
            else:  # attribute-only table (no geometry column)
                pyogrio.write_dataframe(df, tmp, layer=name, driver="GPKG")
        os.replace(tmp, output)
    finally:
        shutil.rmtree(tmp_dir, ignore_errors=True)
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": None})


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in ("-h", "--help"):
        print("usage: python data/sample/make_sample.py [OUTPUT]")
        return 0
    if len(argv) > 1:
        print("usage: python data/sample/make_sample.py [OUTPUT]", file=sys.stderr)
        return 2
    output = Path(argv[0]) if argv else DEFAULT_OUTPUT
    layers = build_layers()
    write_site(layers, output)
    counts = ", ".join(f"{name} {len(df)}" for name, df in layers.items())
    print(f"wrote {output}: {counts}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
