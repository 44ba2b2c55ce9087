"""Check registry: how analysis modules plug into ``renewal check`` without touching the pipeline.

A module registers a check with :func:`register_check`.  The pipeline discovers every
module named ``checks`` under the :mod:`gis` package (``gis/parcels/checks.py``,
``gis/massing/checks.py``, ``gis/checks/*.py`` …) and every entry point in the
``renewal_gis.checks`` group, then runs the checks in ``order``.

A check is a plain function of a :class:`CheckContext` that returns (or yields)
:class:`~gis.findings.Finding` objects.  It may also add output layers and tables
(``ctx.add_layer``, ``ctx.add_table``) and share computed products with other checks
(``ctx.product``), so that e.g. the net land computed by the parcel module is reused by
the indicator table.

Examples
--------
>>> from gis.registry import register_check
>>> @register_check("demo-height", rule_ids=("CL-01",), order=900, title_zh="示例", title_en="demo")
... def _demo(ctx):
...     return []
>>> unregister_check("demo-height")
"""

from __future__ import annotations

import importlib
import pkgutil
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd

from gis.findings import Finding, Verdict

if TYPE_CHECKING:
    from gis.rules import RulePack
    from gis.site import Site

__all__ = [
    "Check",
    "CheckContext",
    "OutputTable",
    "register_check",
    "unregister_check",
    "registered_checks",
    "discover_checks",
    "run_checks",
]

CheckFunc = Callable[["CheckContext"], Iterable[Finding] | None]


@dataclass(frozen=True)
class Check:
    """A registered check."""

    name: str
    func: CheckFunc
    rule_ids: tuple[str, ...]
    order: int
    title_zh: str
    title_en: str

    def title(self, lang: str = "zh") -> str:
        return self.title_zh if lang == "zh" else self.title_en


@dataclass
class OutputTable:
    """A layer or table a check adds to the review package.

    ``data`` is a GeoDataFrame (written as a spatial layer of ``results.gpkg``) or a
    DataFrame (written as an attribute table and shown in the report).
    """

    name: str
    data: pd.DataFrame
    title_zh: str
    title_en: str
    in_report: bool = True

    def title(self, lang: str = "zh") -> str:
        return self.title_zh if lang == "zh" else self.title_en


_REGISTRY: dict[str, Check] = {}


def register_check(
    name: str,
    *,
    rule_ids: tuple[str, ...],
    order: int = 500,
    title_zh: str = "",
    title_en: str = "",
) -> Callable[[CheckFunc], CheckFunc]:
    """Decorator registering ``func(ctx) -> Iterable[Finding]`` as a check.

    Parameters
    ----------
    name : str
        Unique name of the check (e.g. ``"fire.lane_width"``).  Registering the same
        name again replaces the earlier check (module reloads stay idempotent).
    rule_ids : tuple of str
        Rule ids the check can emit (documentation and the report's index).
    order : int
        Run order; lower first.  Conventions: 100 site/buildings, 200 parcels,
        300 massing, 400 fire, 500 sunlight, 900 summaries.
    title_zh, title_en : str
        Heading of the check in the report.
    """

    def decorate(func: CheckFunc) -> CheckFunc:
        _REGISTRY[name] = Check(name, func, tuple(rule_ids), order, title_zh or name, title_en or name)
        return func

    return decorate


def unregister_check(name: str) -> None:
    """Remove a check (tests use this to register throw-away checks)."""
    _REGISTRY.pop(name, None)


def registered_checks() -> list[Check]:
    """All registered checks in run order."""
    return sorted(_REGISTRY.values(), key=lambda c: (c.order, c.name))


_DISCOVERED = False
DISCOVERY_ERRORS: list[str] = []


def discover_checks() -> list[Check]:
    """Import every ``checks`` module under :mod:`gis` and every ``renewal_gis.checks`` entry point."""
    global _DISCOVERED
    if not _DISCOVERED:
        import gis

        def onerror(name: str) -> None:
            DISCOVERY_ERRORS.append(f"{name}: cannot be imported")

        for info in pkgutil.walk_packages(gis.__path__, prefix="gis.", onerror=onerror):
            parts = info.name.split(".")
            if parts[-1] == "checks" or (len(parts) > 2 and parts[-2] == "checks"):
                try:
                    importlib.import_module(info.name)
                except Exception as exc:  # a broken plug-in must not hide the other checks
                    DISCOVERY_ERRORS.append(f"{info.name}: {exc!r}")
        for ep in entry_points(group="renewal_gis.checks"):
            try:
                ep.load()
            except Exception as exc:
                DISCOVERY_ERRORS.append(f"entry point {ep.name}: {exc!r}")
        _DISCOVERED = True
    return registered_checks()


@dataclass
class CheckContext:
    """State shared by the checks of one run.

    Attributes
    ----------
    site : Site
        The validated site.
    rules : RulePack
        The rule pack in effect.
    lang : str
        ``"zh"`` or ``"en"``, for messages built at run time.
    outputs : dict
        Layers and tables added by checks, by name (see :meth:`add_layer`).
    products : dict
        Values computed once and shared between checks (see :meth:`product`).
    """

    site: Site
    rules: RulePack
    lang: str = "zh"
    outputs: dict[str, OutputTable] = field(default_factory=dict)
    products: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    options: dict[str, Any] = field(default_factory=dict)

    def add_layer(
        self, name: str, data: pd.DataFrame, *, title_zh: str, title_en: str, in_report: bool = True
    ) -> None:
        """Add a layer (GeoDataFrame) or attribute table (DataFrame) to ``results.gpkg``."""
        if isinstance(data, gpd.GeoDataFrame) and data.crs is None and len(data):
            data = data.set_crs(self.site.crs)
        self.outputs[name] = OutputTable(name, data, title_zh, title_en, in_report)

    add_table = add_layer

    def product(self, key: str, compute: Callable[[], Any]) -> Any:
        """Return the shared product ``key``, computing it with ``compute()`` the first time."""
        if key not in self.products:
            self.products[key] = compute()
        return self.products[key]


def run_checks(
    ctx: CheckContext,
    *,
    checks: list[Check] | None = None,
    on_start: Callable[[Check], None] | None = None,
    strict: bool = False,
) -> list[Finding]:
    """Run checks and collect their findings.

    Parameters
    ----------
    ctx : CheckContext
        Shared state; outputs and products accumulate in it.
    checks : list of Check, optional
        Defaults to every discovered check.
    on_start : callable, optional
        Called with each check before it runs (the CLI uses it for progress).
    strict : bool
        Re-raise a check's exception instead of turning it into a ``NOT_CHECKED`` finding
        (tests use this so that a bug cannot hide).
    """
    findings: list[Finding] = []
    for check in checks if checks is not None else discover_checks():
        if on_start is not None:
            on_start(check)
        try:
            produced = check.func(ctx)
            findings.extend(produced or [])
        except Exception as exc:
            if strict:
                raise
            ctx.errors.append(f"{check.name}: {exc!r}\n{traceback.format_exc()}")
            findings.append(
                Finding(
                    rule_id=check.rule_ids[0] if check.rule_ids else check.name,
                    subject_ids=("project",),
                    verdict=Verdict.NOT_CHECKED,
                    message_zh=f"检查“{check.title_zh}”内部错误，未能完成：{exc}",
                    message_en=f"Check '{check.title_en}' stopped on an internal error: {exc}",
                )
            )
    return findings
