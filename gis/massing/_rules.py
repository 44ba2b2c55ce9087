"""Access to the rule pack for the massing and fire modules (every number comes from ``gis.rules``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gis.rules.loader import default_rules

if TYPE_CHECKING:
    from gis.rules import RulePack

__all__ = ["pack"]


def pack(rules: RulePack | None) -> RulePack:
    """``rules`` or, when ``None``, the default (Urumqi) rule pack loaded once."""
    return rules if rules is not None else default_rules()
