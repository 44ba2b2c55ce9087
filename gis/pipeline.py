"""The review pipeline: site + rule pack → findings, indicators and output layers.

:func:`run_review` does the analysis and touches no file; :func:`gis.io.package.write_review_package`
writes the review package.  ``renewal check`` is the two in sequence.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from gis.findings import Finding, Verdict, verdict_counts
from gis.indicators import Indicator, indicator_table
from gis.registry import DISCOVERY_ERRORS, Check, CheckContext, discover_checks, run_checks
from gis.rules import RulePack
from gis.site import Site

__all__ = ["ReviewResult", "run_review", "EXIT_OK", "EXIT_FAIL", "EXIT_INPUT"]

EXIT_OK, EXIT_FAIL, EXIT_INPUT = 0, 1, 2


@dataclass
class ReviewResult:
    """Everything a review produced (in memory)."""

    site: Site
    rules: RulePack
    findings: list[Finding]
    indicators: list[Indicator]
    context: CheckContext
    checks: list[Check]
    created: datetime = field(default_factory=datetime.now)

    @property
    def counts(self) -> dict[Verdict, int]:
        return verdict_counts(self.findings)

    @property
    def exit_code(self) -> int:
        """0 when nothing fails, 1 when any check fails or a check stopped on an error."""
        return EXIT_FAIL if self.counts[Verdict.FAIL] or self.context.errors else EXIT_OK


def run_review(
    site: Site,
    rules: RulePack,
    *,
    lang: str = "zh",
    options: dict[str, Any] | None = None,
    on_check: Callable[[Check], None] | None = None,
    strict: bool = False,
    only: list[str] | None = None,
) -> ReviewResult:
    """Run every registered check on a site and compute the indicator table.

    Parameters
    ----------
    site : Site
        A validated site (:func:`gis.site.load_site`).
    rules : RulePack
        The rule pack in effect.
    lang : {"zh", "en"}
        Language for messages built at run time.
    options : dict, optional
        Run options passed to checks through ``ctx.options`` (e.g. ``out_dir``, ``force_scrap``).
    on_check : callable, optional
        Progress callback, called with each check before it runs.
    strict : bool
        Re-raise exceptions from checks (tests).
    only : list of str, optional
        Glob patterns of check names to run (e.g. ``["planning.*"]``); default all.
    """
    ctx = CheckContext(site=site, rules=rules, lang=lang, options=dict(options or {}))
    checks = discover_checks()
    if only:
        checks = [c for c in checks if any(fnmatch.fnmatch(c.name, pat) for pat in only)]
    if not only:
        ctx.errors.extend(DISCOVERY_ERRORS)
    if strict and DISCOVERY_ERRORS and not only:
        raise RuntimeError("; ".join(DISCOVERY_ERRORS))
    findings = run_checks(ctx, checks=checks, on_start=on_check, strict=strict)
    indicators = indicator_table(site, rules, products=ctx.products)
    return ReviewResult(site, rules, findings, indicators, ctx, checks)
