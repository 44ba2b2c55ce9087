"""The ``renewal`` command line.

Exit status of ``check`` (and of ``validate``): 0 when nothing fails, 1 when any check fails,
2 when the input (site or rule pack) is unusable — with every problem printed, one line
each, and never a traceback.  3 is reserved for an internal error of the toolkit itself.
"""

from __future__ import annotations

import fnmatch
import os
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn
from rich.table import Table

from gis.i18n import t
from gis.io.package import OutputError
from gis.problems import SiteError
from gis.rules import RulePackError

EXIT_INTERNAL = 3

app = typer.Typer(
    name="renewal",
    help="renewal-gis: planning-condition checks for old residential communities rebuilt on the same site (老旧小区自主更新，原拆原建).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
rules_app = typer.Typer(help="Rule packs (规则包): show the pack in effect with sources.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")

out_console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)


class Lang(StrEnum):
    zh = "zh"
    en = "en"


SiteArg = Annotated[Path, typer.Argument(help="Site GeoPackage (.gpkg) or folder of GeoJSON/Shapefiles named by layer.")]
RulesOpt = Annotated[str | None, typer.Option("--rules", "-r", help="Rule pack: a bundled name or a TOML file merged over the default (Urumqi).")]
LangOpt = Annotated[Lang, typer.Option("--lang", help="Language of the report and messages.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress display.")]
BasemapOpt = Annotated[str | None, typer.Option(
    "--basemap", help="Tile basemap for review.html (needs network): 'osm', 'tianditu' (TIANDITU_KEY) or a URL template; default none.")]


def _guard(lang: str, body: Callable[[], int]) -> None:
    """Run a command body; turn input problems into lines + exit 2, never a traceback."""
    try:
        code = body()
    except SiteError as exc:
        err_console.print(f"[bold red]{t('input_unusable', lang, n=len(exc.problems))}[/]", highlight=False)
        for p in exc.problems:
            err_console.print(p.line(), markup=False, highlight=False)
        raise typer.Exit(2) from None
    except RulePackError as exc:
        err_console.print(f"[bold red]{t('rules_unusable', lang)}[/]", highlight=False)
        for line in exc.problems:
            err_console.print(line, markup=False, highlight=False)
        raise typer.Exit(2) from None
    except (typer.Exit, typer.Abort):
        raise
    except OutputError as exc:
        err_console.print(f"[bold red]{exc}[/]", highlight=False)
        raise typer.Exit(2) from None
    except OSError as exc:  # permissions, full disk, a file where a folder should be
        err_console.print(f"[bold red]cannot read or write {exc.filename or ''}: {exc.strerror or exc}[/] — "
                          "fix: check the path and its permissions (or free disk space)", highlight=False)
        raise typer.Exit(2) from None
    except Exception as exc:  # a bug of ours: one clear line, traceback only on request
        if os.environ.get("RENEWAL_DEBUG"):
            raise
        err_console.print(f"[bold red]{t('internal_error', lang)}[/] {type(exc).__name__}: {exc}", highlight=False)
        err_console.print("(set RENEWAL_DEBUG=1 to see the traceback)", highlight=False)
        raise typer.Exit(EXIT_INTERNAL) from None
    raise typer.Exit(code)


def _progress(quiet: bool) -> Progress:
    return Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    console=err_console, disable=quiet, transient=True)


def run_check(site_path: Path, *, rules_path: str | None, out_dir: Path, lang: str, quiet: bool,
              only: list[str] | None = None, basemap: str | None = None, options: dict | None = None) -> int:
    """Load, validate, run every check and write the review package; returns the exit status."""
    from gis.io.package import write_review_package
    from gis.pipeline import run_review
    from gis.registry import discover_checks
    from gis.rules import load_rules
    from gis.site import load_site

    rules = load_rules(rules_path)
    with _progress(quiet) as progress:
        task = progress.add_task(t("loading", lang), total=None)
        site = load_site(site_path, rules=rules)
        checks = [c for c in discover_checks() if not only or any(fnmatch.fnmatch(c.name, p) for p in only)]
        progress.update(task, description=t("running", lang), total=len(checks), completed=0)

        def on_check(check) -> None:
            progress.update(task, description=f"{t('running', lang)}: {check.title(lang)}", advance=1)

        result = run_review(site, rules, lang=lang, options={**(options or {}), "out_dir": out_dir}, on_check=on_check, only=only)
        progress.update(task, description=t("writing", lang), total=None)
        files = write_review_package(result, out_dir, lang=lang, basemap=basemap)
    counts = result.counts
    table = Table(title=t("verdict_counts", lang))
    for v in counts:
        table.add_column(v.label(lang), justify="right")
    table.add_row(*(str(n) for n in counts.values()))
    out_console.print(table)
    for err in result.context.errors:
        err_console.print(f"[red]{t('internal_error', lang)}[/] {err.splitlines()[0]}", highlight=False)
    out_console.print(t("written", lang), highlight=False)
    for name, path in files.items():
        out_console.print(f"  {name}: {path}", markup=False, highlight=False)
    out_console.print(t("exit_fail" if result.exit_code else "exit_pass", lang), highlight=False)
    return result.exit_code


@app.command()
def check(
    site: SiteArg,
    rules: RulesOpt = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder of the review package.")] = Path("out"),
    lang: LangOpt = Lang.zh,
    quiet: QuietOpt = False,
    only: Annotated[list[str] | None, typer.Option("--only", help="Run only checks whose name matches this glob (repeatable), e.g. 'fire.*'.")] = None,
    basemap: BasemapOpt = None,
    force_scrap: Annotated[list[str] | None, typer.Option(
        "--force-scrap", help="Merge this scrap plot (parcel_id) into the net land even if it fails a test (repeatable); reported as FAIL.")] = None,
) -> None:
    """Check a site against its planning conditions and write the review package.

    Exit 0 when nothing fails, 1 when any check fails, 2 when the input is unusable.
    """
    _guard(lang.value, lambda: run_check(site, rules_path=rules, out_dir=out, lang=lang.value, quiet=quiet, only=only,
                                         basemap=basemap, options={"force_scrap": tuple(force_scrap or ())}))


@app.command()
def sunlight(
    site: SiteArg,
    rules: RulesOpt = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder (windows/shadows in results.gpkg, sunlight.tif).")] = Path("out"),
    lang: LangOpt = Lang.zh,
    quiet: QuietOpt = False,
) -> None:
    """Run only the sunlight checks (日照): window hours before/after, verdicts, ground raster."""
    _guard(lang.value, lambda: run_check(site, rules_path=rules, out_dir=out, lang=lang.value, quiet=quiet,
                                         only=["sunlight.*"]))


@app.command()
def demo(
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")] = Path("out/demo"),
    lang: LangOpt = Lang.zh,
    quiet: QuietOpt = False,
    basemap: BasemapOpt = None,
) -> None:
    """Run ``check`` on the bundled synthetic Urumqi sample site into out/demo/."""
    from gis.datasets import get_path

    _guard(lang.value, lambda: run_check(get_path("sample"), rules_path=None, out_dir=out, lang=lang.value, quiet=quiet,
                                         basemap=basemap))


@app.command()
def validate(site: SiteArg, rules: RulesOpt = None, lang: LangOpt = Lang.zh) -> None:
    """Only read and validate a site: print every problem (exit 2) or the notes (exit 0)."""
    from gis.rules import load_rules
    from gis.site import load_site

    def body() -> int:
        s = load_site(site, rules=load_rules(rules))
        out_console.print(f"[green]{t('valid', lang.value)}[/]: EPSG:{s.crs.to_epsg()}, "
                          f"{s.lon:.5f}°E {s.lat:.5f}°N, {len(s.buildings)} buildings", highlight=False)
        for n in s.notes:
            out_console.print(f"  {n.message(lang.value)}", markup=False, highlight=False)
        return 0

    _guard(lang.value, body)


@app.command()
def pool(site: SiteArg, rules: RulesOpt = None, lang: LangOpt = Lang.zh) -> None:
    """Print the cross-parcel floor-area pooling ledger (跨宗地统筹); exit 1 when a requirement cannot be met."""
    from gis.parcels.cli import pool_command

    _guard(lang.value, lambda: pool_command(site, rules_path=rules, lang=lang.value, console=out_console, err_console=err_console))


class FitMethod(StrEnum):
    similarity = "similarity"
    affine = "affine"


@app.command("import-dxf")
def import_dxf_cmd(
    plan: Annotated[Path, typer.Argument(help="DXF site plan (总平面图). DWG is not readable: 另存为 DXF first.")],
    mapping: Annotated[Path, typer.Option("--map", "-m", help="Mapping file (TOML): CAD layers/blocks → site layers and fields.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Site GeoPackage to write.")],
    control: Annotated[Path | None, typer.Option("--control", "-c", help="Control points CSV: name,cad_x,cad_y,east,north.")] = None,
    fit: Annotated[FitMethod, typer.Option("--fit", help="Control-point fit: similarity (≥2 points) or affine (≥3).")] = FitMethod.similarity,
    crs: Annotated[str | None, typer.Option("--crs", help="Site CRS, e.g. EPSG:4538 (default: mapping file, then the rule pack).")] = None,
    rules: RulesOpt = None,
    lang: LangOpt = Lang.zh,
) -> None:
    """Turn a DXF site plan into a site GeoPackage, placed by control points; exit 2 on unusable input."""
    from gis.io.dxf import import_dxf
    from gis.rules import load_rules

    def body() -> int:
        pack = load_rules(rules)
        path, result = import_dxf(plan, mapping, out, rules=pack, control=control, fit_method=fit.value, crs=crs)
        if result.fit is not None:
            table = Table(title="控制点残差 / control point residuals")
            table.add_column("name")
            table.add_column("residual (mm)", justify="right")
            for name, r in zip(result.fit.names, result.fit.residuals_m, strict=True):
                table.add_row(name, f"{r * 1000:.1f}")
            out_console.print(table)
        for n in result.notes:
            out_console.print(f"  {n.message(lang.value)}", markup=False, highlight=False)
        counts = ", ".join(f"{k} {len(v)}" for k, v in result.layers.items())
        word = "场地已写出：" if lang == Lang.zh else "Site written to:"
        out_console.print(f"{word} {path} ({counts})", markup=False, highlight=False)
        return 0

    _guard(lang.value, body)


@app.command()
def batch(
    city: Annotated[Path, typer.Argument(help="City GeoPackage: site layers of many communities, each with the --by field.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder: summary.gpkg/csv, overview.html, communities/<id>/.")],
    by: Annotated[str, typer.Option("--by", help="Community id field present in every layer.")] = "community_id",
    workers: Annotated[int | None, typer.Option("--workers", "-w", help="Local Dask workers (default: cores); 0 = no Dask, one by one.")] = None,
    scheduler: Annotated[str | None, typer.Option("--scheduler", help="Address of an existing Dask scheduler, e.g. tcp://host:8786.")] = None,
    rules: RulesOpt = None,
    lang: LangOpt = Lang.zh,
    quiet: QuietOpt = False,
    only: Annotated[list[str] | None, typer.Option("--only", help="Run only checks whose name matches this glob (repeatable).")] = None,
) -> None:
    """Review every community of a city in parallel; resumable (finished communities are skipped).

    Exit 0 when every community passes, 1 when any fails, has unusable data or crashed, 2 when
    the city file itself is unusable.
    """
    from gis.batch import run_batch

    def body() -> int:
        if workers != 0 or scheduler:
            try:
                import distributed  # noqa: F401
            except ImportError:
                err_console.print("dask.distributed is not installed: pip install 'renewal-gis[batch]', or use --workers 0",
                                  markup=False, highlight=False)
                return 2
        with _progress(quiet) as progress:
            task = progress.add_task(t("running", lang.value), total=None)

            def on_start(n: int, skipped: int) -> None:
                progress.update(task, total=n)
                if skipped:
                    progress.console.print(f"{skipped} communities already done, skipped (resume)", highlight=False)

            def on_done(row: dict) -> None:
                progress.update(task, advance=1, description=f"{row['community_id']}: {row['status']}")
                if row["status"] in ("input", "error"):
                    first = (row.get("error") or "").splitlines()[:1]
                    progress.console.print(f"[red]{row['community_id']}[/] {row['status']}: {first[0] if first else ''}",
                                           highlight=False)

            result = run_batch(city, by=by, out_dir=out, workers=workers, scheduler=scheduler, rules_path=rules,
                               only=only, lang=lang.value, on_start=on_start, on_done=on_done)
        table = Table(title="communities")
        for status in result.counts():
            table.add_column(status, justify="right")
        table.add_row(*(str(n) for n in result.counts().values()))
        out_console.print(table)
        for name, path in result.files.items():
            out_console.print(f"  {name}: {path}", markup=False, highlight=False)
        return result.exit_code

    _guard(lang.value, body)


@rules_app.command("show")
def rules_show(rules: RulesOpt = None, lang: LangOpt = Lang.zh) -> None:
    """Print the rule pack in effect, every number with its unit, status tag and source."""
    from gis.rules import STATUS_MEANING, load_rules

    def body() -> int:
        pack = load_rules(rules)
        title = pack.meta.title_zh if lang == Lang.zh else pack.meta.title_en
        out_console.print(f"[bold]{title}[/] ({pack.meta.name} {pack.meta.version})", highlight=False)
        out_console.print("files: " + " + ".join(pack.origin), markup=False, highlight=False)
        section = None
        for path, p in pack.params():
            head = path.split(".")[0]
            if head != section:
                section = head
                out_console.print(f"\n[bold]\\[{section}][/]", highlight=False)
            strict = " 宜/soft" if p.soft else ""
            out_console.print(f"  {path} = {p.value} {p.unit}  [{p.status}{strict}]  — {p.source}", markup=False, highlight=False)
        idx = 0 if lang == Lang.zh else 1
        out_console.print("; ".join(f"{k} = {v[idx]}" for k, v in STATUS_MEANING.items()), highlight=False)
        return 0

    _guard(lang.value, body)


@rules_app.command("list")
def rules_list() -> None:
    """List the bundled rule packs."""
    from gis.rules import available_packs

    for name in available_packs():
        out_console.print(name)


def main() -> None:
    """Console entry point (``renewal``)."""
    app(prog_name="renewal")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
