"""City-wide batch (全市批量审查): the full review of every community, in parallel on Dask.

One community is one task: :func:`run_community` reads its rows from the city GeoPackage,
writes them as the community's ``site.gpkg``, runs :func:`gis.site.load_site`,
:func:`gis.pipeline.run_review` and :func:`gis.io.package.write_review_package` into the
community's own folder, and ends with a completion marker ``DONE.json`` holding the
community's summary row.  It never raises: a community with unusable data is recorded
with its problems (``status = "input"``), a crash with its error (``status = "error"``, in
``ERROR.json``), and the others go on.

:func:`run_batch` skips communities whose folder already holds ``DONE.json`` (resumable),
sends the others to a ``dask.distributed`` cluster (a ``LocalCluster`` by default, or an
existing scheduler by address; each worker writes its own files, never a shared
GeoPackage), reports each finished community to a callback, and writes the city summary
(:mod:`gis.batch.summary`).

Output folder::

    OUT/summary.gpkg  OUT/summary.csv  OUT/overview.html
    OUT/communities/<id>/site.gpkg, results.gpkg, report.html …, DONE.json | ERROR.json
"""

from __future__ import annotations

import json
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd
import shapely

from gis.batch.split import community_ids, read_community, safe_dirname
from gis.io.package import atomic_write
from gis.problems import SiteError

__all__ = ["run_community", "run_batch", "BatchResult", "DONE", "ERROR", "STATUSES", "community_dir"]

DONE, ERROR = "DONE.json", "ERROR.json"
#: Outcome of a community: "pass" (nothing fails), "fail" (some check fails), "input"
#: (unusable data), "error" (the toolkit or the worker crashed).
STATUSES = ("pass", "fail", "input", "error")


def community_dir(out_dir: str | Path, community_id: str) -> Path:
    """The output folder of one community."""
    return Path(out_dir) / "communities" / safe_dirname(community_id)


@lru_cache(maxsize=4)
def _rules(path: str | None):
    from gis.rules import load_rules

    return load_rules(path)


def _write_site(layers: dict[str, pd.DataFrame], target: Path) -> Path:
    import geopandas as gpd
    import pyogrio

    def write(tmp: Path) -> None:
        for name, frame in layers.items():
            kwargs = {"promote_to_multi": False}
            if isinstance(frame, gpd.GeoDataFrame) and frame.geom_type.nunique() > 1:
                kwargs = {"geometry_type": "Unknown"}
            pyogrio.write_dataframe(frame, tmp, layer=name, driver="GPKG", **(kwargs if isinstance(frame, gpd.GeoDataFrame) else {}))

    return atomic_write(target, write)


def _outline(layers: dict[str, pd.DataFrame]) -> str | None:
    """WKT of the union of a community's parcels (or of everything with geometry), site CRS."""
    import geopandas as gpd

    for name in ("parcels", "buildings"):
        frame = layers.get(name)
        if isinstance(frame, gpd.GeoDataFrame) and len(frame):
            geoms = shapely.make_valid(frame.geometry.to_numpy())
            return shapely.union_all(geoms).wkt
    return None


def _write_json(target: Path, row: dict[str, Any]) -> None:
    atomic_write(target, lambda p: p.write_text(json.dumps(row, ensure_ascii=False, indent=1, default=str), encoding="utf-8"))


def _summary_of(result) -> dict[str, Any]:
    counts = {str(v).lower(): int(n) for v, n in result.counts.items()}
    ind = {r.key: r for r in result.indicators}
    windows_failing = None
    for out in result.context.outputs.values():
        cols = set(out.data.columns)
        if {"verdict", "hours_after"} <= cols:
            windows_failing = int((out.data["verdict"].astype(str) == "FAIL").sum())
            break

    def val(key: str, which: str):
        row = ind.get(key)
        v = None if row is None else getattr(row, which)
        return None if v is None else float(v)

    return {
        **counts,
        "far_before": val("far", "existing"),
        "far_after": val("far", "proposed"),
        "far_max": val("far", "condition"),
        "households_before": val("households", "existing"),
        "households_after": val("households", "proposed"),
        "windows_failing": windows_failing,
        "check_errors": len(result.context.errors),
        "buildings": int(len(result.site.buildings)),
    }


def run_community(
    city: str | Path,
    community_id: str,
    *,
    by: str = "community_id",
    out_dir: str | Path,
    rules_path: str | None = None,
    only: list[str] | None = None,
    lang: str = "zh",
    numba_threads: int | None = None,
) -> dict[str, Any]:
    """Review one community of a city GeoPackage into ``out_dir/communities/<id>/``.

    ``numba_threads`` caps the threads of the parallel numba kernels (sunlight) in this
    worker, so that N workers on C cores do not run N × C threads.

    Never raises.  Returns the community's summary row: ``community_id``, ``status`` (one of
    :data:`STATUSES`), verdict counts (``pass``, ``pass_not_worse``, ``fail``, ``warn``,
    ``not_checked``), ``far_before``/``far_after``/``far_max``, ``households_before``/
    ``households_after``, ``windows_failing`` (windows whose sunlight verdict is FAIL; None
    when sunlight was not computed), ``check_errors``, ``seconds``, ``folder`` (relative to
    ``out_dir``), ``report``, ``error`` (text; problems one per line), ``wkt`` (outline in the
    site CRS) and ``crs``.
    """
    t0 = time.perf_counter()
    if numba_threads:
        try:
            import numba

            numba.set_num_threads(max(1, min(numba_threads, numba.config.NUMBA_NUM_THREADS)))
        except ImportError:  # pragma: no cover
            pass
    folder = community_dir(out_dir, community_id)
    folder.mkdir(parents=True, exist_ok=True)
    row: dict[str, Any] = {"community_id": community_id, "status": "error", "folder": str(folder.relative_to(out_dir)),
                           "report": None, "error": None, "wkt": None, "crs": None}
    layers: dict[str, pd.DataFrame] = {}
    try:
        from gis.io.package import write_review_package
        from gis.pipeline import run_review
        from gis.site import load_site

        layers = read_community(city, community_id, by=by)
        row["wkt"] = _outline(layers)
        crs = next((f.crs for f in layers.values() if getattr(f, "crs", None) is not None), None)
        row["crs"] = crs.to_wkt() if crs is not None else None
        site_path = _write_site(layers, folder / "site.gpkg")
        rules = _rules(rules_path)
        site = load_site(site_path, rules=rules)
        result = run_review(site, rules, lang=lang, options={"out_dir": folder}, only=only)
        files = write_review_package(result, folder, lang=lang)
        row.update(_summary_of(result))
        row["status"] = "fail" if result.exit_code else "pass"
        row["report"] = str((folder / "report.html").relative_to(out_dir))
        if "review.html" in files or (folder / "review.html").exists():
            row["review_map"] = str((folder / "review.html").relative_to(out_dir))
        if result.context.errors:
            row["error"] = "\n".join(e.splitlines()[0] for e in result.context.errors)
    except SiteError as exc:
        row["status"] = "input"
        row["error"] = "\n".join(p.line() for p in exc.problems)
    except Exception as exc:  # recorded, never propagated: one community must not stop the city
        row["status"] = "error"
        row["error"] = f"{type(exc).__name__}: {exc}"
        row["traceback"] = traceback.format_exc()
    row["seconds"] = round(time.perf_counter() - t0, 3)
    if row["status"] in ("pass", "fail"):
        _write_json(folder / DONE, row)
        (folder / ERROR).unlink(missing_ok=True)
    else:
        _write_json(folder / ERROR, row)
    return row


@dataclass
class BatchResult:
    """What a batch did: one row per community, the files written, and what was skipped."""

    rows: pd.DataFrame
    files: dict[str, Path] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def counts(self) -> dict[str, int]:
        """Communities by status (pass / fail / input / error)."""
        vc = self.rows["status"].value_counts() if len(self.rows) else pd.Series(dtype=int)
        return {s: int(vc.get(s, 0)) for s in STATUSES}

    @property
    def exit_code(self) -> int:
        """0 when every community passes, 1 when any fails, has unusable data or crashed."""
        c = self.counts()
        return 1 if c["fail"] or c["input"] or c["error"] else 0


def _read_marker(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def run_batch(
    city: str | Path,
    *,
    by: str = "community_id",
    out_dir: str | Path,
    workers: int | None = None,
    scheduler: str | None = None,
    processes: bool = True,
    rules_path: str | None = None,
    only: list[str] | None = None,
    lang: str = "zh",
    communities: list[str] | None = None,
    on_start: Callable[[int, int], None] | None = None,
    on_done: Callable[[dict[str, Any]], None] | None = None,
    write_summary: bool = True,
) -> BatchResult:
    """Review every community of a city GeoPackage.

    Parameters
    ----------
    city : str or Path
        City GeoPackage: site layers (``parcels``, ``buildings``, ``dwellings`` …) each
        carrying the ``by`` field.
    by : str
        Community id field.
    out_dir : str or Path
        Output folder (see module doc).
    workers : int, optional
        Workers of the local cluster (default: the number of cores).  ``0`` runs the
        communities one after another in this process, without Dask.
    scheduler : str, optional
        Address of an existing ``dask.distributed`` scheduler (``tcp://host:8786``); its
        workers need this package installed and must see ``city`` and ``out_dir`` at the
        same paths.
    processes : bool
        Local cluster with worker processes (default) or threads (tests).
    rules_path : str, optional
        Rule pack (as ``renewal check --rules``).
    only : list of str, optional
        Glob patterns of check names to run.
    communities : list of str, optional
        Review only these communities.
    on_start : callable, optional
        Called once with (communities to run, communities skipped as already done).
    on_done : callable, optional
        Called with each community's summary row as it finishes (progress display).
    write_summary : bool
        Write ``summary.gpkg``, ``summary.csv`` and ``overview.html``.

    Returns
    -------
    BatchResult
    """
    from gis.batch.summary import write_city_summary

    t0 = time.perf_counter()
    out_dir = Path(out_dir).resolve()  # workers may not share our working directory
    city = Path(city).resolve()
    ids = community_ids(city, by=by)
    out_dir.mkdir(parents=True, exist_ok=True)
    if communities is not None:
        wanted = set(map(str, communities))
        ids = [i for i in ids if i in wanted]
    done_rows: dict[str, dict[str, Any]] = {}
    for cid in ids:
        marker = _read_marker(community_dir(out_dir, cid) / DONE)
        if marker is not None:
            done_rows[cid] = marker
    todo = [cid for cid in ids if cid not in done_rows]
    if on_start:
        on_start(len(todo), len(done_rows))
    kw = {"by": by, "out_dir": str(out_dir), "rules_path": rules_path, "only": only, "lang": lang}
    rows: dict[str, dict[str, Any]] = {}
    if todo and workers == 0 and scheduler is None:
        for cid in todo:
            rows[cid] = run_community(str(city), cid, **kw)
            if on_done:
                on_done(rows[cid])
    elif todo:
        rows = _run_dask(str(city), todo, kw, workers=workers, scheduler=scheduler, processes=processes, on_done=on_done)
    all_rows = [done_rows.get(cid) or rows[cid] for cid in ids]
    frame = pd.DataFrame(all_rows)
    result = BatchResult(rows=frame, skipped=sorted(done_rows), seconds=time.perf_counter() - t0)
    if write_summary and len(frame):
        result.files = write_city_summary(frame, out_dir, lang=lang)
    return result


def _run_dask(city: str, todo: list[str], kw: dict[str, Any], *, workers: int | None, scheduler: str | None,
              processes: bool, on_done: Callable[[dict[str, Any]], None] | None) -> dict[str, dict[str, Any]]:
    import os

    from distributed import Client, LocalCluster, as_completed

    cluster = None
    if scheduler is None:
        n = workers or os.cpu_count() or 1
        import logging

        # Dashboard on a free port (":0"), never colliding with another cluster; workers quiet.
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=processes, dashboard_address=":0",
                               silence_logs=logging.WARNING)
        client = Client(cluster)
    else:
        client = Client(scheduler)
    if cluster is not None:  # share the cores between the workers' numba kernels
        kw = {**kw, "numba_threads": max(1, (os.cpu_count() or 1) // len(cluster.workers))}
    rows: dict[str, dict[str, Any]] = {}
    try:
        futures = {client.submit(run_community, city, cid, key=f"community-{cid}", pure=False, **kw): cid for cid in todo}
        for fut in as_completed(futures):
            cid = futures[fut]
            if fut.status == "finished":
                row = fut.result()
            else:  # the worker died (memory, segfault): record it, go on
                exc = fut.exception()
                row = {"community_id": cid, "status": "error", "error": f"worker lost: {type(exc).__name__}: {exc}",
                       "folder": str(community_dir(kw["out_dir"], cid).relative_to(kw["out_dir"]))}
                _write_json(community_dir(kw["out_dir"], cid) / ERROR, row)
            rows[cid] = row
            if on_done:
                on_done(row)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return rows
