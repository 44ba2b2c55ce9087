"""Fire checks (消防): fire separation (防火间距), fire lanes (消防车道), rescue sites (消防车登高操作场地).

GB 50016-2014 (2018 ed.) and GB 55037-2022 via the rule pack sections ``fire_separation``,
``fire_lane`` and ``rescue_site`` (RULES.md §1).  For 原拆原建 the seed (指导方案 六(一)4) allows a
proposal that misses a current number when its performance is not below the standard at original
construction; with no attribute for that standard, the existing state stands in for it and the
finding says so.
"""

from gis.fire.lanes import lane_checks, lane_network
from gis.fire.rescue import rescue_site_checks
from gis.fire.separation import fire_separations, required_separation, separation_findings

__all__ = [
    "fire_separations",
    "lane_checks",
    "lane_network",
    "required_separation",
    "rescue_site_checks",
    "separation_findings",
]
