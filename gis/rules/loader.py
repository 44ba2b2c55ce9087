"""Reading rule packs from TOML and merging overrides (file I/O lives here, not in the model)."""

from __future__ import annotations

import copy
import functools
import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from gis.rules.model import RulePack

__all__ = ["DATA_DIR", "DEFAULT_PACK", "RulePackError", "available_packs", "default_rules", "load_rules", "merge_packs"]

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
RULES_DIR = DATA_DIR / "rules"
DEFAULT_PACK = "urumqi"


class RulePackError(ValueError):
    """A rule pack that cannot be used; ``problems`` holds one line per problem."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


def available_packs() -> list[str]:
    """Names of the bundled rule packs (files in ``data/rules/``)."""
    return sorted(p.stem for p in RULES_DIR.glob("*.toml"))


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise RulePackError([f"rules {path}: file not found; fix: give the path of a TOML rule pack or one of {available_packs()}"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise RulePackError([f"rules {path}: not valid TOML ({exc}); fix: correct the syntax at that line"]) from None
    except UnicodeDecodeError:
        raise RulePackError([f"rules {path}: not UTF-8 text; fix: save the file as UTF-8"]) from None


def _is_param(node: Any) -> bool:
    return isinstance(node, dict) and "value" in node


def merge_packs(base: dict[str, Any], override: dict[str, Any], *, origin: str) -> dict[str, Any]:
    """Deep-merge ``override`` into ``base`` (neither is modified).

    A parameter given in the override with a new ``value`` but no ``source`` gets
    ``source = "override: <origin>"`` and status ``L``, so no number is ever without a source.
    A bare value (``min_width_m = 4.5``) is read as ``{ value = 4.5 }``.  Lists replace lists.
    """
    merged = copy.deepcopy(base)

    def visit(dst: dict[str, Any], src: dict[str, Any]) -> None:
        for key, value in src.items():
            current = dst.get(key)
            if _is_param(current) and not isinstance(value, dict):
                value = {"value": value}
            if _is_param(current) and isinstance(value, dict):
                new = {**current, **value}
                if "value" in value and value["value"] != current["value"] and "source" not in value:
                    new["source"] = f"override: {origin}"
                    new["status"] = value.get("status", "L")
                dst[key] = new
            elif isinstance(current, dict) and isinstance(value, dict):
                visit(current, value)
            else:
                dst[key] = copy.deepcopy(value)

    visit(merged, override)
    return merged


def _format_errors(exc: ValidationError, origin: str) -> list[str]:
    lines = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"])
        if err["type"] == "extra_forbidden":
            lines.append(f"rules {origin}: {loc}: unknown rule parameter; fix: check the spelling against `renewal rules show`")
        elif err["type"] == "missing":
            lines.append(f"rules {origin}: {loc}: missing; fix: add it (every number needs value, source and status)")
        else:
            lines.append(f"rules {origin}: {loc}: {err['msg']}; fix: correct the value")
    return lines


def load_rules(path: str | Path | None = None) -> RulePack:
    """Load the rule pack in effect.

    Parameters
    ----------
    path : str or Path, optional
        ``None`` for the default pack (Urumqi); the name of a bundled pack; or a TOML file,
        merged over the bundled pack named by its ``[meta] base`` (default ``"urumqi"``), so a
        file may hold a complete pack or just the values to change.

    Raises
    ------
    RulePackError
        With one line per problem (unknown parameter, wrong type, missing source …).
    """
    default_path = RULES_DIR / f"{DEFAULT_PACK}.toml"
    if path is None or (isinstance(path, str) and path in available_packs()):
        chosen = RULES_DIR / f"{path or DEFAULT_PACK}.toml"
        raw, origin = _read_toml(chosen), [str(chosen)]
    else:
        path = Path(path)
        override = _read_toml(path)
        base_name = override.get("meta", {}).get("base", DEFAULT_PACK)
        if base_name not in available_packs():
            raise RulePackError([f"rules {path}: meta.base = {base_name!r} is not a bundled pack; fix: use one of {available_packs()}"])
        base_path = RULES_DIR / f"{base_name}.toml" if base_name else default_path
        override = copy.deepcopy(override)
        override.get("meta", {}).pop("base", None)
        raw = merge_packs(_read_toml(base_path), override, origin=path.name)
        origin = [str(base_path), str(path)]
    try:
        return RulePack.model_validate({**raw, "origin": origin})
    except ValidationError as exc:
        raise RulePackError(_format_errors(exc, origin[-1])) from None


@functools.lru_cache(maxsize=1)
def default_rules() -> RulePack:
    """The default (Urumqi) rule pack, loaded once; used when a function is called without ``rules``."""
    return load_rules()
