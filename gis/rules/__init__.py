"""Rule packs (规则包): the numbers every check uses, each with its source and status.

>>> from gis.rules import load_rules
>>> rules = load_rules()
>>> rules.fire_lane.min_width_m.value
4.0
>>> rules.fire_lane.min_width_m.source
'GB 50016-2014(2018) 7.1.8-1; GB 55037-2022 3.4.5-1'
"""

from gis.rules.loader import DEFAULT_PACK, RulePackError, available_packs, default_rules, load_rules
from gis.rules.model import STATUS_MEANING, Param, RulePack

__all__ = ["DEFAULT_PACK", "default_rules", "Param", "RulePack", "RulePackError", "STATUS_MEANING", "available_packs", "load_rules"]
