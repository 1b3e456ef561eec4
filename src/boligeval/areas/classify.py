"""The classification itself: criteria, two-year averages and statuses per area and year.

Works on area-year aggregates only (counts and sums, never persons), which
:meth:`boligeval.panel.Panel.area_counts` builds, so the rules can be checked
by hand on small tables. Comparisons follow the law's wording: "more than"
(``>``) is not met exactly at the threshold, "at least" (``>=``) is.
Values are rounded to 12 decimals before comparing, so that 400 of 1,000
is exactly 40 %.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from boligeval.areas.rulesets import CRITERIA, Ruleset
from boligeval.errors import ConfigError, ContractError

__all__ = ["COUNT_COLUMNS", "STATUS_ORDER", "AreaClassification", "classify"]

#: Columns of the area-year aggregates :func:`classify` takes.
COUNT_COLUMNS: tuple[str, ...] = (
    "area_id", "year", "region", "residents",
    "outside_n", "outside_k", "convictions_n", "convictions_k",
    "basic_education_n", "basic_education_k", "income_n", "income_sum",
    "non_western_n", "non_western_k",
)

#: Statuses from the strongest to none; an area has the first that applies.
STATUS_ORDER: tuple[str, ...] = (
    "transformation", "parallel_society", "vulnerable", "prevention", "none",
)

_OPS = {">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le}


def _rows(frame: pd.DataFrame) -> list[Any]:
    """Rows as named tuples (typed loosely: their fields are the frame's columns)."""
    return list(frame.itertuples())


def _met(value: float | None, op: str, threshold: float) -> bool | None:
    if value is None or not np.isfinite(value):
        return None
    return bool(_OPS[op](round(float(value), 12), round(threshold, 12)))


def _at_least(flags: list[bool | None], k: int) -> bool | None:
    """True when at least ``k`` flags are true, False when that is impossible, else None."""
    yes = sum(1 for f in flags if f is True)
    unknown = sum(1 for f in flags if f is None)
    if yes >= k:
        return True
    if yes + unknown < k:
        return False
    return None


def _and(*flags: bool | None) -> bool | None:
    if any(f is False for f in flags):
        return False
    if any(f is None for f in flags):
        return None
    return True


@dataclass(frozen=True)
class AreaClassification:
    """Every area-year's criteria and status under one ruleset.

    Attributes
    ----------
    ruleset : Ruleset
    criteria : pandas.DataFrame
        One row per area, year, threshold set and criterion: ``value`` (this
        year), ``average`` (what is compared: the two-year mean where the
        criterion says so), ``reference`` (national share or regional mean,
        averaged the same way), ``compared`` (``average`` or its ratio to the
        reference), ``threshold``, ``op``, ``met`` and ``n`` (the base).
    status : pandas.DataFrame
        One row per area and year: residents, non-western share, criteria met
        per threshold set, one column per status (True, False or None when the
        data cannot decide) and ``status``.
    """

    ruleset: Ruleset
    criteria: pd.DataFrame
    status: pd.DataFrame

    def tidy(self) -> pd.DataFrame:
        """The status table (one row per area and year)."""
        return self.status.copy()

    def transitions(self) -> pd.DataFrame:
        """Area-years whose status differs from the year before: area, year, from, to."""
        s = self.status.sort_values(["area_id", "year"])
        prev = s.groupby("area_id")["status"].shift()
        prev_year = s.groupby("area_id")["year"].shift()
        moved = s[(prev.notna()) & (prev_year == s["year"] - 1) & (prev != s["status"])]
        return pd.DataFrame({"area_id": moved["area_id"].to_numpy(),
                             "year": moved["year"].to_numpy(),
                             "from_status": prev[moved.index].to_numpy(),
                             "to_status": moved["status"].to_numpy()})

    def reconcile(self, official: pd.DataFrame) -> pd.DataFrame:
        """Compare with the official published list (area_id, year, status).

        Returns one row per area-year on either side: both statuses,
        ``agree`` and, for a disagreement, ``deciding``: the criteria (and
        the non-western share) nearest their thresholds whose result would
        have to differ for the two to agree, nearest first.
        """
        ours = self.status[["area_id", "year", "status"]]
        off = official[["area_id", "year", "status"]].rename(columns={"status": "official"})
        both = ours.merge(off, on=["area_id", "year"], how="outer")
        both["status"] = both["status"].fillna("not_classified")
        both["official"] = both["official"].fillna("none")
        both["agree"] = both["status"] == both["official"]
        both["deciding"] = [
            "" if row.agree else self._deciding(row.area_id, int(row.year), row.status,
                                                row.official)
            for row in _rows(both)
        ]
        return both.sort_values(["area_id", "year"]).reset_index(drop=True)

    def _deciding(self, area: Any, year: int, ours: str, official: str) -> str:
        rank = {s: i for i, s in enumerate(STATUS_ORDER)}
        if ours not in rank or official not in rank:
            return "residents" if ours == "not_classified" or official == "not_classified" \
                else ""
        higher = rank[ours] < rank[official]
        rule_name = ours if higher else official
        if rule_name == "transformation":
            return "parallel_society_years"
        rule = self.ruleset.status.get(rule_name) or self.ruleset.status["vulnerable"]
        crit = self.criteria[(self.criteria["area_id"] == area) & (self.criteria["year"] == year)
                             & (self.criteria["thresholds"] == rule.thresholds)]
        rows = []
        for r in _rows(crit):
            if r.met is None or pd.isna(r.compared) or bool(r.met) != higher:
                continue
            rows.append((abs(float(r.compared) - float(r.threshold)) / float(r.threshold),
                         str(r.criterion)))
        rows.sort()
        met = int(crit["met"].eq(True).sum())
        need = met - rule.min_met + 1 if higher else rule.min_met - met
        names = [name for _, name in rows[:max(need, 0)]]
        st = self.status[(self.status["area_id"] == area) & (self.status["year"] == year)]
        if rule.non_western is not None and not st.empty:
            share = st["non_western_share"].iloc[0]
            if pd.notna(share) and (share > rule.non_western) == higher:
                names.append("non_western")
        return ";".join(names)

    def summary(self) -> str:
        """Area-years per status."""
        counts = self.status["status"].value_counts()
        lines = [f"Area classification under ruleset {self.ruleset.name}: "
                 f"{self.status['area_id'].nunique()} areas, {len(self.status)} area-years"]
        lines += [f"  {s:<18}{int(counts.get(s, 0)):>6}" for s in (*STATUS_ORDER, "undetermined",
                                                                      "below_min_residents")
                  if counts.get(s, 0)]
        return "\n".join(lines)


def _reference_lookup(reference: pd.DataFrame) -> dict[tuple[str, int, str | None], float]:
    """(criterion, year, region or None for national) -> value."""
    out: dict[tuple[str, int, str | None], float] = {}
    for c, y, r, v in zip(reference["criterion"], reference["year"], reference["region"],
                          reference["value"], strict=True):
        if pd.notna(v):
            out[(str(c), int(y), None if pd.isna(r) else str(r))] = float(v)
    return out


def _reference(lookup: dict[tuple[str, int, str | None], float], criterion: str, year: int,
               region: str | None) -> float | None:
    return lookup.get((criterion, int(year), region))


_Key = tuple[str, int, str | None]


def _check_reference(reference: dict[_Key, float], needed: set[_Key]) -> None:
    missing = sorted({(c, y, r or "") for c, y, r in needed
                      if _reference(reference, c, y, r) is None})
    if missing:
        shown = ", ".join(f"{c} {y}" + (f" region {r}" if r else "") for c, y, r in missing[:6])
        raise ContractError(
            f"The area classification needs reference figures that are missing: {shown}"
            + (f" and {len(missing) - 6} more" if len(missing) > 6 else "")
            + ". How to fix: add them to the reference table (year, criterion, region, value) "
            "from the official publications, or supply residents for the whole country.",
            file="reference", rule="reference_coverage")


def classify(counts: pd.DataFrame, reference: pd.DataFrame, ruleset: Ruleset) -> AreaClassification:
    """Classify every area-year of ``counts`` (columns :data:`COUNT_COLUMNS`).

    Parameters
    ----------
    counts : pandas.DataFrame
        Area-year aggregates: per criterion the base ``<c>_n`` and the count
        ``<c>_k`` (income: the sum of gross incomes ``income_sum``).
    reference : pandas.DataFrame
        Columns year, criterion (``convictions`` or ``income``), region (null
        for national figures), value: the national conviction share and the
        regional mean gross income.
    ruleset : Ruleset

    Raises
    ------
    ContractError
        When a reference figure the classification needs is missing.
    """
    missing = [c for c in COUNT_COLUMNS if c not in counts.columns]
    if missing:
        raise ConfigError(f"Area counts lack the columns {', '.join(missing)}.")
    data = counts.sort_values(["area_id", "year"]).reset_index(drop=True)
    reference = reference.copy()
    reference["year"] = reference["year"].astype("int64")
    reference["region"] = reference["region"].astype("string")
    needed: set[tuple[str, int, str | None]] = set()
    present = set(zip(data["area_id"], data["year"].astype(int), strict=True))
    for row in _rows(data):
        for c in CRITERIA:
            crit = ruleset.criteria[c]
            if crit.relative_to is None:
                continue
            ref_years = (row.year, row.year - 1) if crit.two_year else (row.year,)
            for y in ref_years:
                if crit.two_year and y != row.year and (row.area_id, int(y)) not in present:
                    continue
                needed.add((c, int(y), None if crit.relative_to == "national"
                            else str(row.region)))
    lookup = _reference_lookup(reference)
    _check_reference(lookup, needed)

    values: dict[tuple[Any, int, str], tuple[float | None, int]] = {}
    for row in _rows(data):
        for c in CRITERIA:
            n = int(getattr(row, f"{c}_n"))
            num = float(row.income_sum) if c == "income" else float(getattr(row, f"{c}_k"))
            values[(row.area_id, int(row.year), c)] = (num / n if n > 0 else None, n)

    crit_rows: list[dict[str, Any]] = []
    status_rows: list[dict[str, Any]] = []
    for row in _rows(data):
        area, year = row.area_id, int(row.year)
        region = None if pd.isna(row.region) else str(row.region)
        compared: dict[str, float | None] = {}
        info: dict[str, dict[str, Any]] = {}
        for c in CRITERIA:
            crit = ruleset.criteria[c]
            value, n = values[(area, year, c)]
            years = [year, year - 1] if crit.two_year else [year]
            got = [values.get((area, y, c), (None, 0))[0] for y in years]
            known = [float(v) for v in got if v is not None]
            average = None if len(known) < len(got) else float(np.mean(known))
            ref = None
            if crit.relative_to is not None:
                region_key = None if crit.relative_to == "national" else region
                refs = [_reference(lookup, c, y, region_key) for y in years]
                ref = None if any(r is None for r in refs) else float(
                    np.mean([float(r) for r in refs if r is not None]))
            comp = average if crit.relative_to is None else (
                None if average is None or not ref else average / ref)
            compared[c] = comp
            info[c] = {"value": value, "average": average, "reference": ref, "n": n}
        flags: dict[str, list[bool | None]] = {}
        for set_name, thresholds in ruleset.thresholds.items():
            flags[set_name] = []
            for c in CRITERIA:
                op = ruleset.criteria[c].op
                met = _met(compared[c], op, thresholds[c])
                flags[set_name].append(met)
                crit_rows.append({"area_id": area, "year": year, "thresholds": set_name,
                                  "criterion": c, **info[c], "compared": compared[c],
                                  "op": op, "threshold": thresholds[c], "met": met})
        nw_n = int(row.non_western_n)
        nw_share = float(row.non_western_k) / nw_n if nw_n > 0 else None
        eligible = int(row.residents) >= ruleset.min_residents
        out: dict[str, Any] = {"area_id": area, "year": year, "region": region,
                               "residents": int(row.residents), "non_western_share": nw_share}
        for set_name in ruleset.thresholds:
            out[f"met_{set_name}"] = sum(1 for f in flags[set_name] if f is True)
        for name in ("vulnerable", "parallel_society", "prevention"):
            rule = ruleset.status.get(name)
            if rule is None:
                continue
            flag = _at_least(flags[str(rule.thresholds)], rule.min_met)
            if rule.non_western is not None:
                flag = _and(flag, _met(nw_share, ruleset.origin.op, rule.non_western))
            out[name] = flag if eligible else False
        if "prevention" in out and ruleset.status["prevention"].not_vulnerable:
            out["prevention"] = _and(out["prevention"], None if out["vulnerable"] is None
                                     else not out["vulnerable"])
        out["eligible"] = eligible
        status_rows.append(out)

    status = pd.DataFrame(status_rows)
    rule_t = ruleset.status.get("transformation")
    if rule_t is not None and "parallel_society" in status:
        parallel: dict[tuple[Any, int], bool | None] = {
            (r.area_id, int(r.year)): r.parallel_society for r in _rows(status)}
        status["transformation"] = [
            _and(*(parallel.get((r.area_id, int(r.year) - k)) for k in
                   range(rule_t.parallel_society_years)))
            for r in _rows(status)
        ]
    status["status"] = [_status(r._asdict(), eligible=bool(r.eligible))
                        for r in _rows(status)]
    return AreaClassification(ruleset, pd.DataFrame(crit_rows), status)


def _status(row: dict[str, Any], *, eligible: bool) -> str:
    if not eligible:
        return "below_min_residents"
    for name in STATUS_ORDER[:-1]:
        flag = row.get(name, False)
        if flag is True:
            return name
        if flag is None:
            # A weaker status may apply, but the stronger one cannot be ruled out:
            # only a parallel society with too few years of data stays decided.
            if name == "transformation":
                continue
            return "undetermined"
    return "none"
