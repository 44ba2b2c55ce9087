"""Access to the rule pack for the massing and fire modules (every number comes from ``gis.rules``)."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gis.rules import RulePack

__all__ = ["pack"]


@lru_cache(maxsize=1)
def _default() -> RulePack:
    from gis.rules import load_rules

    return load_rules()


def pack(rules: RulePack | None) -> RulePack:
    """``rules`` or, when ``None``, the default (Urumqi) rule pack loaded once."""
    return rules if rules is not None else _default()
