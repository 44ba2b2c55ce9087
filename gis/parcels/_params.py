"""Resolve keyword options against the rule pack (every number comes from ``gis.rules``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gis.rules import RulePack

__all__ = ["land_param", "pooling_param", "default_rules"]

from gis.rules.loader import default_rules


def _section_param(section: str, value: Any, name: str, rules: RulePack | None) -> Any:
    if value is not None:
        return value
    pack = rules if rules is not None else default_rules()
    return getattr(getattr(pack, section), name).value


def land_param(value: Any, name: str, rules: RulePack | None) -> Any:
    """``value`` if given, else ``rules.land.<name>.value`` (default pack when ``rules`` is None)."""
    return _section_param("land", value, name, rules)


def pooling_param(value: Any, name: str, rules: RulePack | None) -> Any:
    """``value`` if given, else ``rules.pooling.<name>.value``."""
    return _section_param("pooling", value, name, rules)
