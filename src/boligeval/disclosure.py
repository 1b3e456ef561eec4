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

_ESTIMATE_VALUE_KEYS = ("estimate", "std_error", "p_value", "ci_low", "ci_high", "statistic")
_CELL_VALUE_KEYS = ("mean", "ci_low", "ci_high")
_FORBIDDEN_KEY = re.compile(r"(^|_)(min|max|minimum|maximum|top_share|top_value)($|_)")


@dataclass(frozen=True)
class DisclosureRules:
    """Thresholds of disclosure control.

    Parameters
    ----------
    min_persons : int
        Smallest number of persons a published number may rest on.
    dominance_share : float
        Largest share of a sum (0-1) that one contributor may hold.
    secondary : bool
        Whether complementary cells are suppressed in tables with margins.
    """

    min_persons: int = 5
    dominance_share: float = 0.5
    secondary: bool = True

    def __post_init__(self) -> None:
        if not isinstance(self.min_persons, int) or self.min_persons < 1:
            raise ConfigError(
                f"disclosure.min_persons must be an integer >= 1, got {self.min_persons!r}"
            )
        if not 0 < float(self.dominance_share) <= 1:
            raise ConfigError(
                f"disclosure.dominance_share must be in (0, 1], got {self.dominance_share!r}"
            )


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
    """
    if _is_missing(n) or float(n) < rules.min_persons:  # type: ignore[arg-type]
        return "min_persons"
    if amount and not _is_missing(top_share) and float(top_share) > rules.dominance_share:  # type: ignore[arg-type]
        return "dominance"
    return None


def primary_mask(
    counts: np.ndarray | pd.DataFrame,
    top_share: np.ndarray | pd.DataFrame | None = None,
    rules: DisclosureRules = DEFAULT_RULES,
    *,
    allow_zero: bool = False,
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
        share = rec.get("top_share")
        n = rec.get("n_persons", rec.get("n"))
        rule = cell_fails(n, share, rules, amount=_is_amount(rec.get("outcome")))
        # top_share is the dominance rule's input, consumed here: dropping it is no
        # suppression of a published value, so only other forbidden keys are logged
        rec.pop("top_share", None)
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


_SURVEY_VALUE_KEYS = ("value", "count", "mean")


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
            if not isinstance(rec.get("suppressed"), bool) or "top_share" in rec:
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
    if rules.secondary:
        _protect_crosstabs(survey, rules, log, frozenset(margins))
    if ACCOUNTING in out:
        out[ACCOUNTING] = _protect_accounting(out[ACCOUNTING], rules, log)
    for key, section in out.items():
        if key not in SECTIONS:
            for rec in section:
                if isinstance(rec, dict):
                    log.add(key, "forbidden_key_removed", _strip_forbidden(rec))
                    rec["suppressed"] = bool(rec.get("suppressed", False))
    return Published(_SEAL, out, rules, log.entries(), notes)


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
