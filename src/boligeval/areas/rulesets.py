"""Rulesets of the official area classification, read from TOML data files.

A ruleset is one version of the criteria in almenboligloven § 61 a / § 61 b:
its legal source, the years it applied, which codes count as "outside work
and education", the four criteria with their age groups and comparison
operators, and the thresholds of each status. Rules change over time, so a
ruleset is data (``boligeval/areas/rulesets/<name>.toml``) and a run names
the one it uses; a user can give the path of their own file.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

from boligeval.errors import ConfigError
from boligeval.vocabulary import EDUCATION, INCOME_SOURCES, ORIGINS

__all__ = ["CRITERIA", "OPS", "Criterion", "Ruleset", "StatusRule", "available", "load_ruleset"]

#: The four criteria of § 61 a, in the law's order.
CRITERIA: tuple[str, ...] = ("outside", "convictions", "basic_education", "income")

#: Comparison operators a criterion may use ("more than", "at least", "below").
OPS: tuple[str, ...] = (">", ">=", "<", "<=")


@dataclass(frozen=True)
class Criterion:
    """One criterion: who it counts, how it compares, whether it is a two-year average.

    Attributes
    ----------
    name : str
        One of :data:`CRITERIA`.
    ages : tuple of int
        Lowest and highest age (inclusive) of the residents it counts.
    op : str
        Comparison of the value with the threshold (one of :data:`OPS`).
    relative_to : str or None
        ``"national"`` or ``"region"``: the value is compared as a ratio to
        that reference figure; None: the value itself is compared.
    two_year : bool
        Whether the value is the mean of this year's and last year's values.
    """

    name: str
    ages: tuple[int, int]
    op: str
    relative_to: str | None = None
    two_year: bool = False


@dataclass(frozen=True)
class StatusRule:
    """How one status is decided.

    Attributes
    ----------
    name : str
        ``vulnerable``, ``parallel_society``, ``transformation`` or ``prevention``.
    thresholds : str or None
        Which threshold set its criteria use.
    min_met : int
        Criteria that must be met.
    non_western : float or None
        Share of non-western immigrants and descendants it must exceed.
    parallel_society_years : int
        For transformation areas: consecutive years as a parallel society.
    not_vulnerable : bool
        Only areas that are not vulnerable can have it (prevention areas).
    """

    name: str
    thresholds: str | None = None
    min_met: int = 0
    non_western: float | None = None
    parallel_society_years: int = 0
    not_vulnerable: bool = False


@dataclass(frozen=True)
class Ruleset:
    """One version of the classification rules (see module docstring)."""

    name: str
    title_da: str
    title_en: str
    legal_source: str
    first_year: int
    last_year: int
    verified: str
    min_residents: int
    outside_codes: tuple[str, ...]
    education_codes: tuple[str, ...]
    basic_codes: tuple[str, ...]
    non_western_codes: tuple[str, ...]
    criteria: MappingProxyType[str, Criterion]
    origin: Criterion
    thresholds: MappingProxyType[str, MappingProxyType[str, float]]
    status: MappingProxyType[str, StatusRule]
    path: str = ""

    def summary(self) -> str:
        """The ruleset in a few lines."""
        lines = [f"Ruleset {self.name}: {self.title_en}", f"  source: {self.legal_source}",
                 f"  years: {self.first_year}-{self.last_year}",
                 f"  at least {self.min_residents} residents"]
        for set_name, values in self.thresholds.items():
            parts = [f"{c} {self.criteria[c].op} {v:g}" for c, v in values.items()]
            lines.append(f"  {set_name}: {', '.join(parts)}")
        return "\n".join(lines)


_STATUS_NAMES = ("vulnerable", "parallel_society", "transformation", "prevention")


def available() -> tuple[str, ...]:
    """Names of the rulesets shipped with boligeval."""
    folder = resources.files("boligeval.areas") / "rulesets"
    return tuple(sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml")))


def _codes(raw: dict[str, Any], key: str, allowed: tuple[str, ...], where: str) -> tuple[str, ...]:
    value = raw.get(key)
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: '{key}' must be a non-empty list of codes.")
    bad = [v for v in value if v not in allowed]
    if bad:
        raise ConfigError(f"{where}: '{key}' has unknown codes {', '.join(bad)}; "
                          f"use codes among {', '.join(allowed)}.")
    return tuple(value)


def _criterion(name: str, raw: Any, where: str) -> Criterion:
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: criterion '{name}' must be a table.")
    ages = raw.get("ages")
    if (not isinstance(ages, list) or len(ages) != 2 or not all(isinstance(a, int) for a in ages)
            or ages[0] > ages[1]):
        raise ConfigError(f"{where}: criterion '{name}' needs ages = [lowest, highest].")
    op = raw.get("op")
    if op not in OPS:
        raise ConfigError(f"{where}: criterion '{name}' has op {op!r}; use one of "
                          f"{', '.join(OPS)}.")
    relative = raw.get("relative_to")
    if relative not in (None, "national", "region"):
        raise ConfigError(f"{where}: criterion '{name}': relative_to must be 'national' or "
                          "'region'.")
    return Criterion(name, (int(ages[0]), int(ages[1])), str(op), relative,
                     bool(raw.get("two_year", False)))


def load_ruleset(name_or_path: str | Path) -> Ruleset:
    """Read a ruleset by its shipped name (``current``) or from a TOML file.

    Raises
    ------
    ConfigError
        When the name is unknown or the file breaks a rule; the message
        names the file and the key.
    """
    text_path = str(name_or_path)
    if text_path.endswith(".toml") or "/" in text_path or "\\" in text_path:
        path = Path(text_path)
        if not path.is_file():
            raise ConfigError(f"Ruleset file {path} does not exist.")
        text, where = path.read_text(encoding="utf-8"), str(path)
    else:
        if text_path not in available():
            raise ConfigError(f"Unknown ruleset '{text_path}'; shipped rulesets: "
                              f"{', '.join(available())}, or give the path of a .toml file.")
        resource = resources.files("boligeval.areas") / "rulesets" / f"{text_path}.toml"
        text, where = resource.read_text(encoding="utf-8"), f"ruleset {text_path}"
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where} is not valid TOML: {exc}") from None
    for key in ("name", "legal_source", "first_year", "last_year", "min_residents"):
        if key not in raw:
            raise ConfigError(f"{where}: '{key}' is missing.")
    crit_raw = raw.get("criteria", {})
    if not isinstance(crit_raw, dict) or set(crit_raw) != set(CRITERIA):
        raise ConfigError(f"{where}: [criteria] must define exactly {', '.join(CRITERIA)}.")
    criteria = {c: _criterion(c, crit_raw[c], where) for c in CRITERIA}
    origin = _criterion("origin", raw.get("origin"), where)
    thresholds: dict[str, MappingProxyType[str, float]] = {}
    for set_name, values in dict(raw.get("thresholds", {})).items():
        if not isinstance(values, dict) or set(values) != set(CRITERIA) or not all(
                isinstance(v, int | float) for v in values.values()):
            raise ConfigError(f"{where}: [thresholds.{set_name}] must give a number for each "
                              f"of {', '.join(CRITERIA)}.")
        thresholds[set_name] = MappingProxyType({c: float(values[c]) for c in CRITERIA})
    status: dict[str, StatusRule] = {}
    for name, rule in dict(raw.get("status", {})).items():
        if name not in _STATUS_NAMES or not isinstance(rule, dict):
            raise ConfigError(f"{where}: unknown status '{name}'; use {', '.join(_STATUS_NAMES)}.")
        if rule.get("thresholds") is not None and rule["thresholds"] not in thresholds:
            raise ConfigError(f"{where}: status '{name}' names unknown thresholds "
                              f"'{rule['thresholds']}'.")
        status[name] = StatusRule(
            name, rule.get("thresholds"), int(rule.get("min_met", 0)),
            None if rule.get("non_western") is None else float(rule["non_western"]),
            int(rule.get("parallel_society_years", 0)), bool(rule.get("not_vulnerable", False)))
    if "vulnerable" not in status:
        raise ConfigError(f"{where}: [status.vulnerable] is missing.")
    return Ruleset(
        name=str(raw["name"]), title_da=str(raw.get("title_da", raw["name"])),
        title_en=str(raw.get("title_en", raw["name"])), legal_source=str(raw["legal_source"]),
        first_year=int(raw["first_year"]), last_year=int(raw["last_year"]),
        verified=str(raw.get("verified", "")), min_residents=int(raw["min_residents"]),
        outside_codes=_codes(raw, "outside_codes", INCOME_SOURCES, where),
        education_codes=_codes(raw, "education_codes", INCOME_SOURCES, where),
        basic_codes=_codes(raw, "basic_codes", EDUCATION, where),
        non_western_codes=_codes(raw, "non_western_codes", ORIGINS, where),
        criteria=MappingProxyType(criteria), origin=origin,
        thresholds=MappingProxyType(thresholds), status=MappingProxyType(status),
        path=where,
    )
