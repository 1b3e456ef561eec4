"""Statistical disclosure control, applied once to everything published.

Register data may leave a research environment only as aggregates that reveal
no person (methods.md §6, domain.md "Disclosure control defaults"):

* a count, share, mean or sum must rest on at least ``min_persons`` persons;
* an amount must pass the dominance rule: no single contributor holds more
  than ``dominance_share`` of the sum behind it;
* where a table has margins, complementary cells are suppressed so that a
  hidden cell cannot be recovered from a row or column total;
* a regression estimate is published only when every department-year cell
  behind it passes;
* minima, maxima, top-contributor shares and single records are never
  exported, and person or household ids never appear in an output.

``protect_results`` walks every record, sets ``suppressed: true`` and nulls
the values that fail, and returns :class:`Published` results with a log of
what it did (rules and counts only, never a value or an id). Only
``protect_results`` can make a :class:`Published` object, and every writer
refuses anything else (:func:`require_published`).
"""

from __future__ import annotations

import copy
import math
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from boligeval.errors import ConfigError, ReportError
from boligeval.records import (
    ACCOUNTING,
    AREAS,
    BALANCE,
    CELLS,
    ESTIMATES,
    SECTIONS,
    SURVEY,
    Record,
    Results,
)
from boligeval.vocabulary import dominance_applies

__all__ = [
    "DEFAULT_RULES",
    "PROFILES",
    "SUPPRESSED_MARK",
    "DisclosureRules",
    "IdentifierHit",
    "Published",
    "SuppressionEntry",
    "cell_fails",
    "find_identifiers",
    "primary_mask",
    "protect_results",
    "regression_publishable",
    "require_published",
    "secondary_mask",
    "suppress_table",
]

SUPPRESSED_MARK = "·"
"""How a suppressed cell is shown in every table and figure note."""

_ESTIMATE_VALUE_KEYS = ("estimate", "std_error", "p_value", "ci_low", "ci_high", "statistic",
                        "p_value_romano_wolf", "p_value_holm", "set_low", "set_high")
_CELL_VALUE_KEYS = ("mean", "ci_low", "ci_high")
_FORBIDDEN_KEY = re.compile(
    r"(^|_)(min|max|minimum|maximum|median|top_share|top2_share|top_value)($|_)"
)
_INTERNAL_KEYS = ("top_share", "top2_share")


#: The disclosure profiles: named sets of thresholds (``[disclosure] profile``).
#: ``strict`` is boligeval's default; ``dst`` follows Statistics Denmark's published
#: output rules for its research environment (no cell under 3 observations; for
#: magnitudes the two largest contributors together at most 85 % of the cell).
PROFILES: dict[str, dict[str, Any]] = {
    "strict": {"min_persons": 5, "dominance_share": 0.5, "dominance_pair_share": 1.0,
               "secondary": True, "survey_min_count": 5},
    "dst": {"min_persons": 3, "dominance_share": 1.0, "dominance_pair_share": 0.85,
            "secondary": True, "survey_min_count": 3},
}


@dataclass(frozen=True)
class DisclosureRules:
    """Thresholds of disclosure control.

    Parameters
    ----------
    min_persons : int
        Smallest number of persons a published number may rest on.
    dominance_share : float
        Largest share of a sum (0-1) that one contributor may hold (1 = no rule).
    secondary : bool
        Whether complementary cells are suppressed in tables with margins.
    profile : {"strict", "dst"}
        The profile the thresholds are judged against: a setting weaker than
        the profile's makes the outputs unfit to leave the research
        environment (:meth:`weaker_than_profile`).
    dominance_pair_share : float
        Largest share of a sum (0-1) that the two largest contributors may
        hold together (the (2, k) rule; 1 = no rule).
    survey_min_count : int
        Smallest number of survey answers a published answer-category count
        (and its share) may show; 0 counts always pass (they describe nobody).
    round_counts, round_amounts : int
        Base to which published person counts and amounts (means and
        estimates of amount outcomes) are rounded; 0 = no rounding. Rounding
        blunts differencing between runs (docs/disclosure.md).
    """

    min_persons: int = 5
    dominance_share: float = 0.5
    secondary: bool = True
    profile: str = "strict"
    dominance_pair_share: float = 1.0
    survey_min_count: int = 5
    round_counts: int = 0
    round_amounts: int = 0

    def __post_init__(self) -> None:
        if self.profile not in PROFILES:
            raise ConfigError(
                f"disclosure.profile must be one of {', '.join(PROFILES)}, got {self.profile!r}"
            )
        if not isinstance(self.min_persons, int) or self.min_persons < 1:
            raise ConfigError(
                f"disclosure.min_persons must be an integer >= 1, got {self.min_persons!r}"
            )
        for name in ("dominance_share", "dominance_pair_share"):
            value = getattr(self, name)
            if isinstance(value, bool) or not 0 < float(value) <= 1:
                raise ConfigError(f"disclosure.{name} must be in (0, 1], got {value!r}")
        for name in ("survey_min_count", "round_counts", "round_amounts"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ConfigError(f"disclosure.{name} must be a whole number >= 0, got {value!r}")

    @classmethod
    def from_profile(cls, profile: str = "strict", **settings: Any) -> DisclosureRules:
        """The profile's thresholds, with individual settings on top."""
        if profile not in PROFILES:
            raise ConfigError(
                f"disclosure.profile must be one of {', '.join(PROFILES)}, got {profile!r}"
            )
        return cls(**{**PROFILES[profile], **settings, "profile": profile})

    def weaker_than_profile(self) -> list[str]:
        """The settings weaker than the profile's, as sentences (empty: fit to leave)."""
        ref = PROFILES[self.profile]
        out = []
        if self.min_persons < ref["min_persons"]:
            out.append(f"min_persons = {self.min_persons} is below the {self.profile} "
                       f"profile's {ref['min_persons']}")
        for name, what in (("dominance_share", "the largest contributor's share"),
                           ("dominance_pair_share", "the two largest contributors' share")):
            if getattr(self, name) > ref[name]:
                out.append(f"{name} = {getattr(self, name):g} allows more of a sum to "
                           f"{what} than the {self.profile} profile's {ref[name]:g}")
        if ref["secondary"] and not self.secondary:
            out.append("secondary = false: a suppressed cell can be recovered from totals")
        if self.survey_min_count < ref["survey_min_count"]:
            out.append(f"survey_min_count = {self.survey_min_count} is below the "
                       f"{self.profile} profile's {ref['survey_min_count']}")
        return out

    @property
    def fit_to_leave(self) -> bool:
        """Whether outputs protected with these rules may leave the research environment."""
        return not self.weaker_than_profile()


DEFAULT_RULES = DisclosureRules()


@dataclass(frozen=True)
class SuppressionEntry:
    """One line of the suppression log: where, which rule, how many values."""

    section: str
    rule: str
    count: int
    detail: str = ""

    def as_dict(self) -> dict[str, Any]:
        """Return the entry as a JSON-ready dict."""
        return {
            "section": self.section,
            "rule": self.rule,
            "count": self.count,
            "detail": self.detail,
        }


@dataclass(frozen=True)
class IdentifierHit:
    """An identifier found in an output file (path and the member inside archives)."""

    path: Path
    member: str
    identifier: str


# --------------------------------------------------------------------------- cells


def _is_missing(x: Any) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def cell_fails(
    n: float | None,
    top_share: float | None = None,
    rules: DisclosureRules = DEFAULT_RULES,
    *,
    amount: bool = True,
    top2_share: float | None = None,
) -> str | None:
    """Say which rule a single cell fails, or None when it may be published.

    Parameters
    ----------
    n : float or None
        Number of persons behind the cell; a missing n fails (unknown basis).
    top_share : float or None
        Share of the cell's sum held by its largest contributor.
    rules : DisclosureRules
    amount : bool
        Whether the cell is an amount (the dominance rule applies).
    top2_share : float or None
        Share held by the two largest contributors together (the (2, k) rule).
    """
    if _is_missing(n) or float(n) < rules.min_persons:  # type: ignore[arg-type]
        return "min_persons"
    if amount and not _is_missing(top_share) and float(top_share) > rules.dominance_share:  # type: ignore[arg-type]
        return "dominance"
    # Without the second largest, the largest alone above the pair's limit fails it too.
    pair = top_share if _is_missing(top2_share) else top2_share
    if amount and not _is_missing(pair) and float(pair) > rules.dominance_pair_share:  # type: ignore[arg-type]
        return "dominance"
    return None


def primary_mask(
    counts: np.ndarray | pd.DataFrame,
    top_share: np.ndarray | pd.DataFrame | None = None,
    rules: DisclosureRules = DEFAULT_RULES,
    *,
    allow_zero: bool = False,
    top2_share: np.ndarray | pd.DataFrame | None = None,
) -> np.ndarray:
    """Mark the cells that fail the minimum-count or the dominance rule.

    Parameters
    ----------
    counts : array or DataFrame
        Number of persons behind each cell.
    top_share : array or DataFrame, optional
        Largest contributor's share of each cell's sum (amount tables only).
    rules : DisclosureRules
    allow_zero : bool
        Let empty cells (count 0) of a frequency table pass: they describe
        nobody.
    top2_share : array or DataFrame, optional
        The two largest contributors' share of each cell's sum.

    Returns
    -------
    numpy.ndarray of bool, same shape as ``counts``; True = suppress.
    """
    c = np.asarray(counts, dtype=float)
    mask = np.isnan(c) | (c < rules.min_persons)
    if allow_zero:
        mask &= ~(c == 0)
    if top_share is not None:
        s = np.asarray(top_share, dtype=float)
        if s.shape != c.shape:
            raise ReportError(f"top_share has shape {s.shape}, counts have {c.shape}")
        mask |= np.nan_to_num(s, nan=0.0) > rules.dominance_share
    if top2_share is not None:
        s2 = np.asarray(top2_share, dtype=float)
        if s2.shape != c.shape:
            raise ReportError(f"top2_share has shape {s2.shape}, counts have {c.shape}")
        mask |= np.nan_to_num(s2, nan=0.0) > rules.dominance_pair_share
    return mask


def secondary_mask(
    primary: np.ndarray,
    counts: np.ndarray | pd.DataFrame,
    *,
    row_totals: bool = True,
    col_totals: bool = True,
) -> np.ndarray:
    """Add complementary suppressions so no suppressed cell can be recovered.

    The table includes its margins: with ``row_totals`` the last column holds
    each row's total, with ``col_totals`` the last row holds each column's
    total. Every row and every column (margins included) is an additive
    relation. While some relation holds exactly one suppressed cell, the
    unsuppressed cell of that relation with the smallest count is suppressed
    too (ties: the first in reading order); relations are scanned rows first,
    top to bottom, then columns, left to right. A one-way table is a single
    row (``col_totals=False``) or a single column (``row_totals=False``).

    Parameters
    ----------
    primary : numpy.ndarray of bool
        Primary suppression pattern (2-D, margins included).
    counts : array or DataFrame
        Counts of the cells, used to choose the complementary cell.
    row_totals, col_totals : bool
        Which margins the table has.

    Returns
    -------
    numpy.ndarray of bool, the primary pattern plus complementary cells.
    """
    mask = np.array(primary, dtype=bool, copy=True)
    c = np.asarray(counts, dtype=float)
    if mask.ndim != 2 or c.shape != mask.shape:
        raise ReportError(
            f"secondary suppression needs 2-D arrays of one shape, got {mask.shape} and {c.shape}"
        )
    n_rows, n_cols = mask.shape
    relations: list[list[tuple[int, int]]] = []
    if row_totals and n_cols >= 2:
        relations += [[(i, j) for j in range(n_cols)] for i in range(n_rows)]
    if col_totals and n_rows >= 2:
        relations += [[(i, j) for i in range(n_rows)] for j in range(n_cols)]
    order = np.where(np.isnan(c), np.inf, c)
    changed = True
    while changed:
        changed = False
        for rel in relations:
            hidden = [cell for cell in rel if mask[cell]]
            if len(hidden) != 1:
                continue
            open_cells = [cell for cell in rel if not mask[cell]]
            pick = min(open_cells, key=lambda cell: (order[cell], cell))
            mask[pick] = True
            changed = True
            break
    return mask


def suppress_table(
    values: pd.DataFrame,
    counts: pd.DataFrame,
    top_share: pd.DataFrame | None = None,
    rules: DisclosureRules = DEFAULT_RULES,
    *,
    row_totals: bool = False,
    col_totals: bool = False,
    allow_zero: bool = False,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Suppress the cells of a table: primary rules, then secondary ones.

    Parameters
    ----------
    values : DataFrame
        The numbers to publish (counts, shares, means or sums), margins
        included as the last column / last row when the flags say so.
    counts : DataFrame
        Persons behind each cell, same shape and labels as ``values``.
    top_share : DataFrame, optional
        Largest contributor's share per cell (amount tables).
    rules : DisclosureRules
    row_totals, col_totals : bool
        Which margins the table has; secondary suppression only runs when
        there is at least one margin and ``rules.secondary`` is on.
    allow_zero : bool
        Let empty cells of a frequency table pass.

    Returns
    -------
    (values, mask) : the values with suppressed cells set to NaN, and the
    boolean suppression mask as a DataFrame with the same labels.
    """
    if values.shape != counts.shape:
        raise ReportError(f"values have shape {values.shape}, counts have {counts.shape}")
    mask = primary_mask(counts, top_share, rules, allow_zero=allow_zero)
    if rules.secondary and (row_totals or col_totals) and mask.any():
        mask = secondary_mask(mask, counts, row_totals=row_totals, col_totals=col_totals)
    out = values.astype(float).mask(mask)
    return out, pd.DataFrame(mask, index=values.index, columns=values.columns)


def regression_publishable(
    cells: pd.DataFrame | Iterable[Mapping[str, Any]],
    rules: DisclosureRules = DEFAULT_RULES,
    *,
    amount: bool = True,
) -> bool:
    """Decide whether a regression may be published.

    Every department-year cell behind it must pass: at least ``min_persons``
    persons and, for amounts, a top contributor share at most
    ``dominance_share``.

    Parameters
    ----------
    cells : DataFrame or iterable of mappings
        The cells behind the estimate, with ``n`` and optionally ``top_share``.
    rules : DisclosureRules
    amount : bool
        Whether the outcome is an amount (the dominance rule applies).
    """
    frame = cells if isinstance(cells, pd.DataFrame) else pd.DataFrame(list(cells))
    if frame.empty or "n" not in frame.columns:
        return False
    n = pd.to_numeric(frame["n"], errors="coerce")
    if n.isna().any() or (n < rules.min_persons).any():
        return False
    if amount and "top_share" in frame.columns:
        share = pd.to_numeric(frame["top_share"], errors="coerce").fillna(0.0)
        if (share > rules.dominance_share).any():
            return False
    if amount and "top2_share" in frame.columns:
        pair = pd.to_numeric(frame["top2_share"], errors="coerce").fillna(0.0)
        if (pair > rules.dominance_pair_share).any():
            return False
    return True


# --------------------------------------------------------------------------- results


def _is_amount(outcome: Any) -> bool:
    return dominance_applies(outcome)


def _strip_forbidden(record: dict[str, Any]) -> int:
    """Drop keys holding minima, maxima or top-contributor shares; return how many."""
    drop = [k for k in record if _FORBIDDEN_KEY.search(str(k))]
    for k in drop:
        del record[k]
    return len(drop)


def _null(record: dict[str, Any], keys: Sequence[str]) -> None:
    record["suppressed"] = True
    for k in keys:
        if k in record:
            record[k] = None


class _Log:
    def __init__(self) -> None:
        self.counts: dict[tuple[str, str], int] = {}

    def add(self, section: str, rule: str, k: int = 1) -> None:
        if k:
            self.counts[(section, rule)] = self.counts.get((section, rule), 0) + k

    def entries(self) -> list[dict[str, Any]]:
        return [
            SuppressionEntry(section=s, rule=r, count=c).as_dict()
            for (s, r), c in sorted(self.counts.items())
        ]


def _panel_verdicts(panel: pd.DataFrame, rules: DisclosureRules) -> dict[tuple[str, str], bool]:
    need = {"population", "outcome", "n"}
    if not need <= set(panel.columns):
        raise ReportError(f"panel for disclosure control needs columns {sorted(need)}")
    verdict: dict[tuple[str, str], bool] = {}
    for (pop, out), grp in panel.groupby(["population", "outcome"], sort=True):
        verdict[(str(pop), str(out))] = regression_publishable(grp, rules, amount=_is_amount(out))
    return verdict


def _protect_estimates(
    records: list[dict[str, Any]],
    rules: DisclosureRules,
    verdicts: dict[tuple[str, str], bool] | None,
    log: _Log,
) -> None:
    for rec in records:
        log.add(ESTIMATES, "forbidden_key_removed", _strip_forbidden(rec))
        if rec.get("suppressed"):
            _null(rec, _ESTIMATE_VALUE_KEYS)
            log.add(ESTIMATES, "suppressed_upstream")
            continue
        rec["suppressed"] = False
        n_obs = rec.get("n_obs")
        if n_obs is not None and n_obs < rules.min_persons:
            _null(rec, _ESTIMATE_VALUE_KEYS)
            log.add(ESTIMATES, "min_persons")
            continue
        if verdicts is not None:
            key = (str(rec.get("population")), str(rec.get("outcome")))
            if key in verdicts and not verdicts[key]:
                _null(rec, _ESTIMATE_VALUE_KEYS)
                log.add(ESTIMATES, "cell_behind_regression")


def _protect_cells(records: list[dict[str, Any]], rules: DisclosureRules, log: _Log) -> None:
    for rec in records:
        share, pair = rec.get("top_share"), rec.get("top2_share")
        n = rec.get("n_persons", rec.get("n"))
        rule = cell_fails(n, share, rules, amount=_is_amount(rec.get("outcome")),
                          top2_share=pair)
        # top_share is the dominance rule's input, consumed here: dropping it is no
        # suppression of a published value, so only other forbidden keys are logged
        rec.pop("top_share", None)
        rec.pop("top2_share", None)
        log.add(CELLS, "forbidden_key_removed", _strip_forbidden(rec))
        if rule or rec.get("suppressed"):
            _null(rec, _CELL_VALUE_KEYS)
            log.add(CELLS, rule or "suppressed_upstream")
        else:
            rec["suppressed"] = False


def _protect_simple(
    records: list[dict[str, Any]],
    section: str,
    value_keys: Sequence[str],
    rules: DisclosureRules,
    log: _Log,
) -> None:
    for rec in records:
        log.add(section, "forbidden_key_removed", _strip_forbidden(rec))
        n = rec.get("n")
        if rec.get("suppressed"):
            _null(rec, value_keys)
            log.add(section, "suppressed_upstream")
        elif n is not None and not _is_missing(n) and n < rules.min_persons:
            _null(rec, value_keys)
            log.add(section, "min_persons")
        else:
            rec["suppressed"] = False


#: Values of an area-year record (docs/areas.md) nulled when its base fails a rule; the
#: base itself goes too, since for a count it is the value.
_AREA_VALUE_KEYS = ("value", "average", "compared", "non_western_share", "share", "met",
                    "n", "n_origin", "met_main", "met_prevention")


def _protect_areas(records: list[dict[str, Any]], rules: DisclosureRules, log: _Log) -> None:
    """Area-year criteria and shares: the minimum count on the base, dominance on amounts.

    ``n`` is the base behind the value (for a two-year average, the smaller
    of the two years' bases); gross incomes also carry the largest
    contributors' shares, consumed here like the cells'.
    """
    for rec in records:
        share, pair = rec.pop("top_share", None), rec.pop("top2_share", None)
        log.add(AREAS, "forbidden_key_removed", _strip_forbidden(rec))
        base = rec.get("n")
        rule = cell_fails(base, share, rules, amount=rec.get("kind") == "amount",
                          top2_share=pair)
        if rule or rec.get("suppressed"):
            _null(rec, _AREA_VALUE_KEYS)
            log.add(AREAS, rule or "suppressed_upstream")
        else:
            rec["suppressed"] = False
    # Cells that add up to a published total (age groups of the residents, ``margin``):
    # one hidden cell could be recovered from the total, so the smallest other goes too.
    groups: dict[Any, list[dict[str, Any]]] = {}
    for rec in records:
        if rec.get("margin") is not None:
            groups.setdefault(rec["margin"], []).append(rec)
    for cells in groups.values():
        hidden = [r for r in cells if r.get("suppressed")]
        shown = sorted((r for r in cells if not r.get("suppressed")),
                       key=lambda r: float(r.get("n") or 0))
        if len(hidden) == 1 and shown:
            shown[0]["suppressed"] = True
            _null(shown[0], _AREA_VALUE_KEYS)
            log.add(AREAS, "secondary")
    for rec in records:
        rec.pop("margin", None)


_SURVEY_VALUE_KEYS = ("value", "count", "mean")
_NOT_PERSONS = ("plan", "plans", "department", "departments")
"""Survey units that are not respondents: their counts describe plans, not people."""


def _protect_survey_counts(records: list[dict[str, Any]], rules: DisclosureRules,
                           log: _Log) -> None:
    """Suppress answer counts from 1 to ``survey_min_count - 1`` and the share beside them.

    A category count of 1 among the answers of an actor group can identify
    one respondent's answer even when the item's base ``n`` is large; the
    share next to it gives the count back (share x n), so both go.
    """
    if rules.survey_min_count <= 1:
        return
    for rec in records:
        count = rec.get("count")
        if rec.get("suppressed") or _is_missing(count) or str(rec.get("unit")) in _NOT_PERSONS:
            continue
        if 0 < float(count) < rules.survey_min_count:  # type: ignore[arg-type]
            _null(rec, _SURVEY_VALUE_KEYS)
            log.add(SURVEY, "survey_min_count")


def _protect_crosstabs(records: list[dict[str, Any]], rules: DisclosureRules, log: _Log,
                       margins: frozenset[str]) -> None:
    """Secondary suppression of survey cross-tabs (the analyses named in ``margins``).

    A cross-tab is one item by one organisation variable: its rows are the
    variable's levels (``level``; older records name the level in ``group``),
    its columns the answer categories. Row totals (the ``n`` of each level)
    and column totals (the item's distribution over all levels) can both be
    derived from what is published, so the table is protected with both
    margins; the complementary cell is always a published cell, never a
    margin.
    """
    tables: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for rec in records:
        if rec.get("analysis") not in margins or rec.get("category") is None:
            continue
        has_level = rec.get("level") is not None
        key = (
            rec.get("actor"),
            rec.get("wave"),
            rec.get("subset"),
            rec.get("item_id"),
            rec.get("statistic"),
            rec.get("group") if has_level else None,
        )
        tables.setdefault(key, []).append(rec)
    for recs in tables.values():

        def row_of(r: dict[str, Any]) -> str:
            return str(r.get("level") if r.get("level") is not None else r.get("group"))

        levels = sorted({row_of(r) for r in recs})
        cats = sorted({str(r["category"]) for r in recs})
        n_rows, n_cols = len(levels) + 1, len(cats) + 1
        order = np.full((n_rows, n_cols), np.inf)  # margins are never picked
        mask = np.zeros((n_rows, n_cols), dtype=bool)
        where: dict[tuple[int, int], dict[str, Any]] = {}
        for r in recs:
            pos = (levels.index(row_of(r)), cats.index(str(r["category"])))
            size = r.get("count") if r.get("count") is not None else r.get("n")
            order[pos] = np.nan if size is None else float(size)
            mask[pos] = bool(r.get("suppressed"))
            where[pos] = r
        if not mask.any():
            continue
        new = secondary_mask(mask, np.where(np.isnan(order), np.inf, order))
        for pos, r in where.items():
            if new[pos] and not r.get("suppressed"):
                _null(r, _SURVEY_VALUE_KEYS)
                log.add(SURVEY, "secondary")


_PERSON_TABLES = ("residents", "households", "units")
"""Accounting tables that count persons or households (departments are not persons)."""


def _protect_accounting(
    records: list[dict[str, Any]], rules: DisclosureRules, log: _Log
) -> list[dict[str, Any]]:
    """Suppress small resident counts and their complements; add explicit totals.

    Department counts describe departments, not persons, and are published as
    they are. Resident counts per (population, outcome) form a one-way table
    whose total (all resident rows) is published, so a suppressed count gets a
    complementary suppression.
    """
    out: list[dict[str, Any]] = []
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for rec in records:
        log.add(ACCOUNTING, "forbidden_key_removed", _strip_forbidden(rec))
        rec.setdefault("suppressed", False)
        if rec.get("table") in _PERSON_TABLES and rec.get("reason") != "total":
            key = (rec.get("table"), rec.get("population"), rec.get("outcome"))
            groups.setdefault(key, []).append(rec)
        out.append(rec)
    for (table, pop, outcome), recs in groups.items():
        counts = np.array([[np.nan if r.get("count") is None else float(r["count"]) for r in recs]])
        total = float(np.nansum(counts))
        prim = primary_mask(counts, rules=rules, allow_zero=True)
        prim |= np.array([[bool(r.get("suppressed")) for r in recs]])
        full = np.column_stack([counts, [[total]]])
        full_mask = np.column_stack([prim, [[False]]])
        mask = (
            secondary_mask(full_mask, full, row_totals=True, col_totals=False)
            if rules.secondary and prim.any()
            else full_mask
        )
        for j, r in enumerate(recs):
            if mask[0, j]:
                log.add(ACCOUNTING, "min_persons" if prim[0, j] else "secondary")
                _null(r, ("count",))
        has_total = any(
            r.get("table") == table
            and r.get("reason") == "total"
            and r.get("population") == pop
            and r.get("outcome") == outcome
            for r in records
        )
        if not has_total:
            tot_rec: dict[str, Any] = {
                "table": table,
                "reason": "total",
                "population": pop,
                "outcome": outcome,
                "count": int(total),
                "suppressed": bool(mask[0, -1]),
            }
            if mask[0, -1] or total < rules.min_persons:
                _null(tot_rec, ("count",))
            out.append(tot_rec)
    return out


_SEAL = object()


class Published:
    """Results that have passed disclosure control: the only thing writers accept.

    Made by :func:`protect_results` alone. Every record carries its
    ``suppressed`` flag; values that failed a rule are null.

    Attributes
    ----------
    rules : DisclosureRules
        The rules applied.
    log : tuple of dict
        Section, rule and number of values affected (never a value or an id).
    notes : tuple of str
        What the evaluation did not estimate and why.
    """

    __slots__ = ("_sections", "log", "notes", "rules")
    _sections: dict[str, tuple[dict[str, Any], ...]]
    rules: DisclosureRules
    log: tuple[dict[str, Any], ...]
    notes: tuple[str, ...]

    def __init__(self, seal: object, sections: dict[str, list[dict[str, Any]]],
                 rules: DisclosureRules, log: list[dict[str, Any]],
                 notes: Sequence[str]) -> None:
        if seal is not _SEAL:
            raise ReportError(
                "Published results are made by boligeval.disclosure.protect_results only."
            )
        frozen = {k: tuple(dict(r) for r in v) for k, v in sections.items()}
        object.__setattr__(self, "_sections", frozen)
        object.__setattr__(self, "rules", rules)
        object.__setattr__(self, "log", tuple(dict(e) for e in log))
        object.__setattr__(self, "notes", tuple(notes))

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Published results are immutable.")

    def section(self, name: str) -> list[dict[str, Any]]:
        """Copies of one section's records."""
        return [dict(r) for r in self._sections.get(name, ())]

    def records(self, *analyses: str) -> list[dict[str, Any]]:
        """Copies of the records of the given analysis ids, from every section."""
        wanted = set(analyses)
        return [dict(r) for name in SECTIONS for r in self._sections.get(name, ())
                if r.get("analysis") in wanted]

    def sections(self) -> tuple[str, ...]:
        """The sections that hold records."""
        return tuple(k for k in SECTIONS if self._sections.get(k))

    def as_json(self) -> dict[str, Any]:
        """What results.json holds: every section, and the notes."""
        out: dict[str, Any] = {k: self.section(k) for k in SECTIONS}
        out["notes"] = list(self.notes)
        return out

    def summary(self) -> str:
        """Records per section and what disclosure control suppressed."""
        lines = ["Published results"]
        for name in self.sections():
            recs = self._sections[name]
            hidden = sum(1 for r in recs if r.get("suppressed"))
            lines.append(f"  {name:<12}{len(recs):>7} records, {hidden} suppressed")
        return "\n".join(lines)


def require_published(results: Any) -> Published:
    """Refuse anything that has not passed disclosure control.

    Raises
    ------
    ReportError
        When ``results`` is not a :class:`Published` object made by
        :func:`protect_results`.
    """
    if not isinstance(results, Published):
        raise ReportError(
            "These results have not passed disclosure control; call "
            "boligeval.disclosure.protect_results before writing them."
        )
    for name in results.sections():
        for rec in results._sections[name]:
            if not isinstance(rec.get("suppressed"), bool) or any(
                    k in rec for k in _INTERNAL_KEYS):
                raise ReportError(
                    f"A record in {name} has not passed disclosure control; call "
                    "boligeval.disclosure.protect_results before writing it."
                )
    return results


def _as_sections(results: Results | Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    if isinstance(results, Results):
        out: dict[str, Any] = {}
        for rec in results.records:
            out.setdefault(rec.section, []).append(rec.as_dict())
        return out, list(results.notes)
    if isinstance(results, Published):
        return {k: results.section(k) for k in results.sections()}, list(results.notes)
    if not isinstance(results, Mapping):
        raise ReportError(f"results must be Results or a mapping, got {type(results).__name__}")
    out = copy.deepcopy(dict(results))
    notes = list(out.pop("notes", []) or [])
    for key, section in out.items():
        if not isinstance(section, list):
            raise ReportError(f"results[{key!r}] must be a list of records")
        out[key] = [r.as_dict() if isinstance(r, Record) else dict(r) for r in section]
    return out, notes


def protect_results(
    results: Results | Mapping[str, Any],
    rules: DisclosureRules = DEFAULT_RULES,
    *,
    panel: pd.DataFrame | None = None,
    margins: Iterable[str] | None = None,
) -> Published:
    """Apply disclosure control to everything an evaluation publishes.

    Walks ``estimates``, ``cells``, ``balance``, ``survey`` and
    ``accounting``; a record that fails a rule gets ``suppressed: true`` and
    its values nulled. Keys holding minima, maxima or top-contributor shares
    are removed everywhere (they would reveal single persons). The input is
    not changed.

    Parameters
    ----------
    results : Results or mapping
        The records of an evaluation (or a results.json-shaped mapping of
        section -> list of records).
    rules : DisclosureRules
    panel : DataFrame, optional
        The department-year panel (``population, outcome, n, top_share``);
        when given, an estimate is published only if every cell of its
        population and outcome passes.
    margins : iterable of str, optional
        Analysis ids whose records form two-way tables with derivable margins
        (secondary suppression); default: those the analysis registry marks.

    Returns
    -------
    Published
    """
    out, notes = _as_sections(results)
    if margins is None:
        from boligeval.analyses import with_margins

        margins = with_margins()
    log = _Log()
    verdicts = _panel_verdicts(panel, rules) if panel is not None else None
    _protect_estimates(out.get(ESTIMATES, []), rules, verdicts, log)
    _protect_cells(out.get(CELLS, []), rules, log)
    _protect_simple(
        out.get(BALANCE, []),
        BALANCE,
        ("value", "estimate", "p_value", "stars", "test_statistic"),
        rules,
        log,
    )
    survey = out.get(SURVEY, [])
    _protect_simple(survey, SURVEY, _SURVEY_VALUE_KEYS, rules, log)
    _protect_survey_counts(survey, rules, log)
    if rules.secondary:
        # A category distribution is a one-way table whose total (n) is published.
        _protect_crosstabs(survey, rules, log, frozenset(margins) | {"distribution"})
    if ACCOUNTING in out:
        out[ACCOUNTING] = _protect_accounting(out[ACCOUNTING], rules, log)
    _protect_areas(out.get(AREAS, []), rules, log)
    for key, section in out.items():
        if key not in SECTIONS:
            for rec in section:
                if isinstance(rec, dict):
                    log.add(key, "forbidden_key_removed", _strip_forbidden(rec))
                    rec["suppressed"] = bool(rec.get("suppressed", False))
    if rules.round_counts or rules.round_amounts:
        for section in out.values():
            for rec in section:
                if isinstance(rec, dict):
                    _round_record(rec, rules)
        log.add("all", "rounded", 1)
    return Published(_SEAL, out, rules, log.entries(), notes)


_COUNT_KEYS = ("n", "count", "n_obs", "n_persons")
_AMOUNT_KEYS = ("estimate", "ci_low", "ci_high", "mean", "value")


def round_to(value: Any, base: int) -> Any:
    """Round a number to the nearest multiple of ``base`` (0 = as it is; None stays None)."""
    if not base or _is_missing(value) or isinstance(value, bool):
        return value
    rounded = base * round(float(value) / base)
    return int(rounded) if isinstance(value, int) or float(base).is_integer() else rounded


def _round_record(rec: dict[str, Any], rules: DisclosureRules) -> None:
    """Round a published record's person counts and, for amount outcomes, its amounts."""
    if rules.round_counts and rec.get("table") not in ("departments",) and str(
            rec.get("unit")) not in _NOT_PERSONS:
        for k in _COUNT_KEYS:
            if k in rec:
                rec[k] = round_to(rec[k], rules.round_counts)
    if rules.round_amounts and rec.get("outcome") is not None and _is_amount(rec["outcome"]):
        for k in _AMOUNT_KEYS:
            if k in rec and not isinstance(rec[k], str):
                rec[k] = round_to(rec[k], rules.round_amounts)


# --------------------------------------------------------------------------- scanning


def _iter_files(paths: Iterable[str | Path]) -> Iterable[Path]:
    for p in paths:
        path = Path(p)
        if path.is_dir():
            yield from sorted(q for q in path.rglob("*") if q.is_file())
        elif path.is_file():
            yield path
        else:
            raise ReportError(f"cannot scan {path}: no such file or folder")


def find_identifiers(paths: Iterable[str | Path], ids: Iterable[Any]) -> list[IdentifierHit]:
    """Find person or household ids in output files.

    Files are searched as bytes; zip archives (xlsx) are searched member by
    member after decompression. An id matches only as a whole token (not as
    part of a longer number or word).

    Parameters
    ----------
    paths : iterable of paths
        Files or folders (searched recursively).
    ids : iterable
        The identifiers to look for (converted to strings).

    Returns
    -------
    list of IdentifierHit, empty when no id appears.
    """
    tokens = sorted({str(i) for i in ids if str(i)})
    if not tokens:
        return []
    # Plain ids (letters, digits, underscore) are found by splitting the text into such
    # words and looking each up in a set: linear in the output size, whatever the
    # number of ids. Ids with other characters go through one regular expression.
    word = re.compile(rb"[0-9A-Za-z_]+")
    plain = {t.encode() for t in tokens if word.fullmatch(t.encode())}
    other = [t for t in tokens if t.encode() not in plain]
    pattern = (
        re.compile(
            rb"(?<![0-9A-Za-z_])("
            + b"|".join(re.escape(t.encode()) for t in other)
            + rb")(?![0-9A-Za-z_])"
        )
        if other
        else None
    )
    hits: list[IdentifierHit] = []
    for path in _iter_files(paths):
        blobs: list[tuple[str, bytes]] = []
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as zf:
                blobs = [(name, zf.read(name)) for name in sorted(zf.namelist())]
        else:
            blobs = [("", path.read_bytes())]
        for member, data in blobs:
            found = {m.group(0).decode() for m in word.finditer(data) if m.group(0) in plain}
            if pattern is not None:
                found |= {m.group(1).decode() for m in pattern.finditer(data)}
            hits += [IdentifierHit(path=path, member=member, identifier=t) for t in sorted(found)]
    return hits


# --------------------------------------------------------------------------- panel files

#: Populations nested in another of the same unit, for the within-file differencing
#: check: a child's mean and n with its parent's give the mean of the rest.
NESTED_POPULATIONS: dict[str, str] = {
    "working_age": "all",
    "in_movers": "all",
    "in_movers_working_age": "in_movers",
    "in_mover_households": "households",
    "all_in_mover_households": "in_mover_households",
    "vulnerable_youth": "youth",
}


def protect_panel(frame: pd.DataFrame, rules: DisclosureRules = DEFAULT_RULES) -> pd.DataFrame:
    """The department-year panel as it may be written to ``panel.parquet``.

    A cell's ``value`` is nulled (``suppressed`` true) when it rests on fewer
    than ``min_persons`` units, fails a dominance rule (amounts), or when the
    cell of a population nested in it (or it in another) differs from it by
    fewer than ``min_persons`` units, so that the mean of the few units
    between the two could be computed from the two cells. The dominance
    inputs (``top_share``, ``top2_share``) are dropped.

    Parameters
    ----------
    frame : DataFrame
        Panel cells: ``department_id, year, population, outcome, n, value``
        and optionally ``top_share`` and ``top2_share``.
    rules : DisclosureRules
    """
    out = frame.copy()
    kinds = {o: _is_amount(o) for o in out["outcome"].unique()}
    amount = out["outcome"].map(kinds).astype(bool)
    n = pd.to_numeric(out["n"], errors="coerce")
    fails = n.isna() | (n < rules.min_persons)
    for col, limit in (("top_share", rules.dominance_share),
                       ("top2_share", rules.dominance_pair_share)):
        if col in out.columns:
            fails |= amount & (pd.to_numeric(out[col], errors="coerce").fillna(0.0) > limit)
    keys = ["department_id", "year", "outcome"]
    indexed = out.assign(_n=n).set_index([*keys, "population"])["_n"]
    for child, parent in NESTED_POPULATIONS.items():
        rows = out["population"] == child
        if not rows.any():
            continue
        parent_n = pd.MultiIndex.from_frame(out.loc[rows, keys].assign(population=parent))
        gap = indexed.reindex(parent_n).to_numpy() - n[rows].to_numpy()
        close = (gap > 0) & (gap < rules.min_persons)
        child_rows = out.index[rows][close]
        fails.loc[child_rows] = True
    out["value"] = out["value"].astype(float).mask(fails)
    out["suppressed"] = fails.to_numpy()
    if rules.round_counts:
        out["n"] = out["n"].map(lambda v: round_to(int(v), rules.round_counts))
    if rules.round_amounts:
        out.loc[amount, "value"] = out.loc[amount, "value"].map(
            lambda v: round_to(v, rules.round_amounts))
    return out.drop(columns=[c for c in _INTERNAL_KEYS if c in out.columns])


def protect_accounting(frame: pd.DataFrame,
                       rules: DisclosureRules = DEFAULT_RULES) -> pd.DataFrame:
    """The row accounting as it may be written to ``accounting.csv``.

    The same rules as the accounting section of results.json: resident and
    household counts from 1 to ``min_persons - 1`` are nulled with a
    complementary suppression in their one-way table; department counts are
    published as they are.
    """
    records = [{k: (None if _is_missing(v) else v) for k, v in r.items()}
               for r in frame.to_dict("records")]
    published = protect_results({ACCOUNTING: records}, rules, margins=())
    return pd.DataFrame(published.section(ACCOUNTING))
