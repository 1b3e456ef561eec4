"""The mover-aware department-year panel (docs/methods.md §2-3), the only door to person data.

:func:`build_panel` derives the person-level quantities in DuckDB, aggregates
them to department-year cells per population and outcome, applies the
minimum-count rule so each panel is balanced, joins the design indicators,
and accounts for every department and resident row. The resulting
:class:`Panel` is all an analysis sees of the register: the balanced panels,
and person- or household-level frames and mover terms built on request. No
analysis holds a database connection or writes SQL.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from boligeval.config import EvaluationConfig
from boligeval.design import DesignTable
from boligeval.disclosure import DisclosureRules
from boligeval.errors import PanelError
from boligeval.panel.aggregate import (
    PERSON_FILTERS,
    aggregate_cells,
    household_outcomes,
    outcomes_for,
    stream_cells,
)
from boligeval.panel.decomposition import decomposition_terms
from boligeval.panel.derive import (
    BUILTIN_OUTCOMES,
    derive_persons,
    extra_columns,
    has_price_index,
)
from boligeval.vocabulary import AMOUNT_OUTCOMES, POPULATIONS, YOUTH_OUTCOMES, YOUTH_POPULATIONS

__all__ = ["PANEL_COLUMNS", "PUBLIC_COLUMNS", "Panel", "build_panel", "requested_columns",
           "youth_requested"]

#: Columns of panel.parquet, in order.
PANEL_COLUMNS = [
    "department_id", "plan_id", "year", "population", "outcome", "n", "value", "top_share",
    "top2_share", "cohort", "active_plan", "rent_support", "rent_support_cohort", "capital_area",
]

#: Columns of the published panel.parquet: top_share and top2_share (the dominance rules'
#: inputs) stay inside the program, since with n and value they give the largest
#: contributions; ``suppressed`` says which values disclosure control nulled.
PUBLIC_COLUMNS = [c for c in PANEL_COLUMNS if c not in ("top_share", "top2_share")] + [
    "suppressed"]

_UNIT_NAMES = {"person": "person_years", "household": "household_years"}


@dataclass(frozen=True)
class Panel:
    """Balanced department-year panels and their row accounting.

    Attributes
    ----------
    frame : pandas.DataFrame
        Long format, columns :data:`PANEL_COLUMNS`: one row per department,
        year, population and outcome that passed the minimum-count rule.
    accounting : pandas.DataFrame
        Columns table, population, outcome, reason, unit, count: where every
        department and every resident row (or household, for household
        populations) ended up.
    cells : pandas.DataFrame
        All department-year cells before the minimum-count rule (with
        ``size``, the number of units in the population), for diagnostics.
    min_count : int
        The minimum count applied.
    years : tuple of int
        Measurement years.
    has_prices : bool
        Whether amounts are in base-year prices (a ``prices`` table was
        given); without it, income outcomes are left out.
    linked : frozenset of str
        Departments found in the register in every measurement year (with
        ``panel.balanced = false``: in two or more): the only departments any
        analysis uses.
    design : DesignTable
        Department-year design indicators.
    """

    frame: pd.DataFrame
    accounting: pd.DataFrame
    cells: pd.DataFrame
    min_count: int
    years: tuple[int, ...]
    has_prices: bool = True
    linked: frozenset[str] = frozenset()
    design: DesignTable | None = None
    _con: duckdb.DuckDBPyConnection | None = field(default=None, repr=False, compare=False)

    def _connection(self) -> duckdb.DuckDBPyConnection:
        if self._con is None:
            raise PanelError("This panel was read from a file: it has no person-level data.")
        return self._con

    def _design(self) -> DesignTable:
        if self.design is None:
            raise PanelError("This panel has no design table.")
        return self.design

    def first_treated(self, population: str, outcome: str) -> pd.DataFrame:
        """The balanced panel with ``first_treated``: a department's first active year (0 = never).

        The shape the staggered-adoption estimators take.
        """
        data = self.for_analysis(population, outcome).copy()
        treated = data[data["active_plan"] == 1]
        first = treated.groupby("department_id")["year"].min()
        data["first_treated"] = data["department_id"].map(first).fillna(0).astype("int64")
        return data

    def departments(self) -> pd.DataFrame:
        """Linked departments with their characteristics and cohort (baseline balance)."""
        attributes = self._connection().execute(
            "SELECT department_id, capital_area, built_1955_1975_share, one_two_room_share, "
            "long_vacancy FROM departments"
        ).df()
        groups = self._design().departments()[["department_id", "cohort"]]
        data = attributes.merge(groups, on="department_id")
        return data[data["department_id"].isin(self.linked)].reset_index(drop=True)

    def department_units(self) -> pd.DataFrame:
        """Every department with its plan, area, municipality and region (docs/areas.md).

        The region is the department's ``region``, else its plan's, else the
        region of its municipality (the department's, else the plan's) in the
        shipped list of municipalities.
        """
        from boligeval.areas import region_of

        data = self._connection().execute(
            "SELECT d.department_id, d.plan_id, d.area_id, "
            "coalesce(d.municipality, p.municipality) AS municipality, "
            "coalesce(d.region, p.region) AS region FROM departments AS d "
            "JOIN plans AS p USING (plan_id) ORDER BY d.department_id"
        ).df()
        guessed = data["municipality"].map(region_of)
        data["region"] = data["region"].where(data["region"].notna(), guessed)
        return data

    def area_departments(self) -> pd.DataFrame:
        """:meth:`department_units` of the departments with an ``area_id``."""
        data = self.department_units()
        return data[data["area_id"].notna()].reset_index(drop=True)

    def unit_indicators(self, cfg: EvaluationConfig, units: pd.DataFrame) -> pd.DataFrame:
        """Yearly indicators of groups of departments (areas, plans, municipalities).

        Parameters
        ----------
        cfg : EvaluationConfig
            Derivation settings (ages, deprivation weights, price base year).
        units : pandas.DataFrame
            Columns department_id, unit_kind, unit_id: which departments form
            each unit (a department may be in several units).

        Returns
        -------
        pandas.DataFrame
            One row per unit and year of ``residents`` (every year, not only
            the measurement years): counts, bases (``n_*``), means, and the
            largest contributors' shares of disposable income (dominance rule).
            In- and out-movers are persons who were not, or are no longer, in
            the unit in the previous year of the data.
        """
        from dataclasses import replace

        from boligeval.panel.derive import person_rows_sql

        con = self._connection()
        years = tuple(int(r[0]) for r in con.execute(
            "SELECT DISTINCT year FROM residents ORDER BY year").fetchall())
        every = replace(cfg, design=replace(cfg.design, years=years))
        base = person_rows_sql(con, every, ())
        con.register("_monitor_units", units[["department_id", "unit_kind", "unit_id"]])
        prev = {y: p for p, y in itertools.pairwise(years)}
        prev_sql = " ".join(f"WHEN {y} THEN {p}" for y, p in prev.items()) or "WHEN 0 THEN 0"
        has_prev = (f"agg.year IN ({', '.join(str(y) for y in prev)})" if prev else "FALSE")
        try:
            frame = con.execute(f"""
                WITH b AS ({base}),
                p AS (SELECT b.*, u.unit_kind, u.unit_id,
                             CASE b.year {prev_sql} ELSE NULL END AS prev_year
                      FROM b JOIN _monitor_units AS u USING (department_id)),
                moves AS (
                    SELECT p.unit_kind, p.unit_id, p.year,
                        count(*) FILTER (WHERE p.prev_year IS NOT NULL AND NOT EXISTS (
                            SELECT 1 FROM p AS q WHERE q.person_id = p.person_id
                              AND q.year = p.prev_year AND q.unit_kind = p.unit_kind
                              AND q.unit_id = p.unit_id)) AS in_movers
                    FROM p GROUP BY ALL),
                outs AS (
                    SELECT q.unit_kind, q.unit_id, n.year, count(*) AS out_movers
                    FROM p AS q JOIN (SELECT DISTINCT year, prev_year FROM p
                                      WHERE prev_year IS NOT NULL) AS n
                      ON n.prev_year = q.year
                    WHERE NOT EXISTS (SELECT 1 FROM p AS r WHERE r.person_id = q.person_id
                        AND r.year = n.year AND r.unit_kind = q.unit_kind
                        AND r.unit_id = q.unit_id)
                    GROUP BY ALL),
                agg AS (
                    SELECT unit_kind, unit_id, year, count(*) AS residents,
                        count(*) FILTER (WHERE age < 18) AS age_0_17,
                        count(*) FILTER (WHERE age BETWEEN 18 AND 29) AS age_18_29,
                        count(*) FILTER (WHERE age BETWEEN 30 AND 64) AS age_30_64,
                        count(*) FILTER (WHERE age >= 65) AS age_65_plus,
                        count(*) FILTER (WHERE working_age) AS n_employed,
                        avg(employed) FILTER (WHERE working_age) AS employed,
                        count(disposable_income) AS n_disposable_income,
                        avg(disposable_income) AS disposable_income,
                        max(abs(disposable_income)) / nullif(sum(abs(disposable_income)), 0)
                            AS top_share,
                        list_sum(max(abs(disposable_income), 2))
                            / nullif(sum(abs(disposable_income)), 0) AS top2_share,
                        count(competence_education) AS n_competence_education,
                        avg(competence_education) AS competence_education,
                        count(deprivation) AS n_deprivation,
                        avg(deprivation) AS deprivation
                    FROM p GROUP BY ALL)
                SELECT agg.*, m.in_movers, coalesce(o.out_movers, 0) AS out_movers,
                       {has_prev} AS has_previous
                FROM agg JOIN moves AS m USING (unit_kind, unit_id, year)
                LEFT JOIN outs AS o USING (unit_kind, unit_id, year)
                ORDER BY unit_kind, unit_id, year
            """).df()
        finally:
            con.unregister("_monitor_units")
        return frame

    def area_counts(self, ruleset: Any) -> pd.DataFrame:
        """Area-year counts and sums behind the classification's criteria.

        One row per area and year (columns
        :data:`boligeval.areas.COUNT_COLUMNS` plus ``income_top_share`` and
        ``income_top2_share``, the dominance rules' inputs); every resident
        row of a department with an ``area_id`` counts, in every year of
        ``residents``. Ages are ``year - birth_year``.
        """
        depts = self.area_departments()
        if depts.empty:
            raise PanelError("No department has an area_id: the departments form no area "
                             "(docs/areas.md).")
        regions: dict[Any, Any] = {
            area: (s.mode().iloc[0] if s.notna().any() else None)
            for area, s in depts.groupby("area_id")["region"]}
        con = self._connection()
        con.register("_area_departments", depts[["department_id", "area_id"]])
        try:
            frame = con.execute(_area_sql(ruleset)).df()
        finally:
            con.unregister("_area_departments")
        frame["region"] = frame["area_id"].map(regions)
        return frame

    def national_reference(self, ruleset: Any) -> pd.DataFrame:
        """The reference figures computed from all residents (when they cover the country).

        Columns year, criterion, region, value: the conviction share of all
        residents of the criterion's ages (national) and the mean gross income
        of the income criterion's group per region.
        """
        from boligeval.areas import region_of

        conv, inc = ruleset.criteria["convictions"], ruleset.criteria["income"]
        edu = ", ".join(f"'{c}'" for c in ruleset.education_codes)
        con = self._connection()
        national = con.execute(
            f"SELECT year, avg(CASE WHEN convicted THEN 1.0 ELSE 0.0 END) AS value "
            f"FROM residents WHERE year - birth_year BETWEEN {conv.ages[0]} AND {conv.ages[1]} "
            "GROUP BY year ORDER BY year").df()
        national["criterion"], national["region"] = "convictions", None
        per_muni = con.execute(
            "SELECT r.year, coalesce(d.region, p.region) AS region, "
            "coalesce(d.municipality, p.municipality) AS municipality, "
            "sum(r.gross_income) AS total, count(r.gross_income) AS n "
            "FROM residents AS r JOIN departments AS d USING (department_id) "
            "JOIN plans AS p ON p.plan_id = d.plan_id "
            f"WHERE r.year - r.birth_year BETWEEN {inc.ages[0]} AND {inc.ages[1]} "
            f"AND r.income_source NOT IN ({edu}) GROUP BY ALL").df()
        per_muni["region"] = per_muni["region"].where(
            per_muni["region"].notna(), per_muni["municipality"].map(region_of))
        sums = per_muni.groupby(["year", "region"], as_index=False)[["total", "n"]].sum()
        sums = sums[sums["n"] > 0]
        regional = pd.DataFrame({"year": sums["year"], "criterion": "income",
                                 "region": sums["region"], "value": sums["total"] / sums["n"]})
        return pd.concat([national[["year", "criterion", "region", "value"]], regional],
                         ignore_index=True)

    def table(self, name: str) -> pd.DataFrame | None:
        """A non-person contract table, or None when the data have none.

        ``plans``, ``plan_costs``, ``departments``, ``prices``, ``reference``
        and ``official_list``: tables without persons.
        """
        allowed = ("reference", "official_list", "plans", "plan_costs", "departments", "prices")
        if name not in allowed:
            raise PanelError(f"Panel.table gives {', '.join(allowed)} only, not {name}.")
        con = self._connection()
        exists = con.execute(
            "SELECT count(*) FROM duckdb_views() WHERE view_name = ?", [name]).fetchone()
        exists_t = con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [name]).fetchone()
        if not ((exists and exists[0]) or (exists_t and exists_t[0])):
            return None
        return con.execute(f'SELECT * FROM "{name}"').df()

    def units(self, population: str, outcome: str, *, unit: str = "person",
              covariates: Sequence[str] = ()) -> pd.DataFrame:
        """Person- or household-level rows for the individual-level DiD.

        Units are those of the population in linked departments, with the
        design indicators and the in-mover flag (a household is an in-mover
        household when any member moved in).

        Parameters
        ----------
        population : str
            A person population, or a household population with ``unit =
            "household"``.
        outcome : str
            The outcome column (households: ``equivalised_income``).
        unit : {"person", "household"}
        covariates : sequence of str
            Extra residents columns to carry (persons only).
        """
        con = self._connection()
        years = ", ".join(str(y) for y in self.years)
        cov = "".join(f', p."{c}"' for c in covariates if c != outcome)
        if unit == "household" or POPULATIONS[population] == "household":
            if outcome not in household_outcomes():
                raise PanelError(
                    f"The household-level model supports the outcome "
                    f"{', '.join(household_outcomes())}, not '{outcome}'."
                )
            if covariates:
                raise PanelError("The household-level model takes no individual covariates.")
            source = (
                "SELECT household_id AS unit_id, department_id, year, "
                "avg(CAST(equivalised_income AS DECIMAL(38, 8))) AS equivalised_income, "
                "max(CASE WHEN in_mover THEN 1 ELSE 0 END) AS in_mover FROM persons "
                "GROUP BY household_id, department_id, year"
            )
            cov, where, mover = "", "TRUE", "p.in_mover"
        else:
            if population not in PERSON_FILTERS:
                raise PanelError(
                    f"The individual-level model needs a person population, not '{population}'."
                )
            source = (
                "SELECT *, person_id AS unit_id, "
                "CASE WHEN in_mover THEN 1 ELSE 0 END AS in_mover_flag FROM persons"
            )
            where, mover = PERSON_FILTERS[population], "p.in_mover_flag"
        linked = pd.DataFrame({"department_id": sorted(self.linked)}, dtype="string")
        con.register("_linked_departments", linked)
        try:
            frame = con.execute(
                f"""
                WITH p AS ({source})
                SELECT p.department_id, p.year, d.plan_id, d.active_plan,
                       {mover} AS in_mover, p."{outcome}" AS "{outcome}" {cov}
                FROM p JOIN design d USING (department_id, year)
                WHERE p.year IN ({years}) AND ({where})
                  AND p.department_id IN (SELECT department_id FROM _linked_departments)
                  AND p."{outcome}" IS NOT NULL
                ORDER BY p.department_id, p.year, p.unit_id
                """
            ).df()
        finally:
            con.unregister("_linked_departments")
        frame["active_plan"] = frame["active_plan"].astype("float64")
        frame["in_mover"] = frame["in_mover"].astype("float64")
        return frame

    def mover_terms(self, population: str, outcome: str) -> pd.DataFrame:
        """Per department and interval, the stayer, in-mover and out-mover terms.

        Restricted to the departments of the balanced panel of the population
        and outcome; see :func:`boligeval.panel.decomposition.decomposition_terms`.
        """
        departments = set(self.for_analysis(population, outcome)["department_id"])
        terms = decomposition_terms(self._connection(), population, outcome, self.years)
        return terms[terms["department_id"].isin(departments)].reset_index(drop=True)

    def for_analysis(self, population: str, outcome: str) -> pd.DataFrame:
        """The balanced panel of one population and outcome.

        Raises
        ------
        PanelError
            When the population/outcome was not built or no department passes.
        """
        sub = self.frame[(self.frame["population"] == population)
                         & (self.frame["outcome"] == outcome)]
        if sub.empty and outcome in AMOUNT_OUTCOMES and not self.has_prices:
            raise PanelError(
                f"'{outcome}' needs a prices table (consumer price index) to put amounts in "
                "base-year prices; add prices to the data folder."
            )
        if sub.empty:
            acc = self.accounting
            built = acc[(acc["population"] == population) & (acc["outcome"] == outcome)]
            if built.empty:
                raise PanelError(
                    f"The panel has no outcome '{outcome}' for population '{population}'."
                )
            raise PanelError(
                f"No department has at least {self.min_count} units of population "
                f"'{population}' with '{outcome}' in every measurement year; lower "
                "panel.min_count or choose another population."
            )
        return sub.reset_index(drop=True)

    def write(self, out_dir: Path, rules: DisclosureRules | None = None) -> tuple[Path, Path]:
        """Write ``panel.parquet`` and ``accounting.csv`` into ``out_dir``.

        Both pass disclosure control first (:func:`boligeval.disclosure.protect_panel`,
        :func:`~boligeval.disclosure.protect_accounting`): a value or count that
        fails a rule is empty, with ``suppressed`` true.
        """
        from boligeval.disclosure import DEFAULT_RULES, protect_accounting, protect_panel

        rules = rules or DEFAULT_RULES
        out_dir.mkdir(parents=True, exist_ok=True)
        panel_path = out_dir / "panel.parquet"
        accounting_path = out_dir / "accounting.csv"
        protect_panel(self.frame, rules)[PUBLIC_COLUMNS].to_parquet(panel_path, index=False)
        protect_accounting(self.accounting, rules).to_csv(accounting_path, index=False)
        return panel_path, accounting_path


def _codes(codes: Sequence[str]) -> str:
    return ", ".join(f"'{c}'" for c in codes)


def _area_sql(ruleset: Any) -> str:
    """The area-year aggregation of :meth:`Panel.area_counts` (codes from the ruleset)."""
    c = ruleset.criteria

    def ages(name: str) -> str:
        low, high = (ruleset.origin if name == "origin" else c[name]).ages
        return f"age BETWEEN {low} AND {high}"

    income = (f"{ages('income')} AND income_source NOT IN ({_codes(ruleset.education_codes)}) "
              "AND gross_income IS NOT NULL")
    return f"""
        WITH r AS (
            SELECT r.year, r.year - r.birth_year AS age, r.income_source, r.education,
                   r.origin, r.convicted, r.gross_income, a.area_id
            FROM residents AS r JOIN _area_departments AS a USING (department_id))
        SELECT area_id, year, count(*) AS residents,
            count(*) FILTER (WHERE {ages('outside')}) AS outside_n,
            count(*) FILTER (WHERE {ages('outside')}
                AND income_source IN ({_codes(ruleset.outside_codes)})) AS outside_k,
            count(*) FILTER (WHERE {ages('convictions')}) AS convictions_n,
            count(*) FILTER (WHERE {ages('convictions')} AND convicted) AS convictions_k,
            count(*) FILTER (WHERE {ages('basic_education')}) AS basic_education_n,
            count(*) FILTER (WHERE {ages('basic_education')}
                AND education IN ({_codes(ruleset.basic_codes)})) AS basic_education_k,
            count(*) FILTER (WHERE {income}) AS income_n,
            coalesce(sum(gross_income) FILTER (WHERE {income}), 0) AS income_sum,
            max(abs(gross_income)) FILTER (WHERE {income})
                / nullif(sum(abs(gross_income)) FILTER (WHERE {income}), 0) AS income_top_share,
            list_sum(max(abs(gross_income), 2) FILTER (WHERE {income}))
                / nullif(sum(abs(gross_income)) FILTER (WHERE {income}), 0) AS income_top2_share,
            count(*) FILTER (WHERE {ages('origin')}) AS non_western_n,
            count(*) FILTER (WHERE {ages('origin')}
                AND origin IN ({_codes(ruleset.non_western_codes)})) AS non_western_k
        FROM r GROUP BY area_id, year ORDER BY area_id, year
    """


def requested_columns(cfg: EvaluationConfig) -> tuple[str, ...]:
    """Extra residents columns the config's analyses need (outcomes and covariates)."""
    names: list[str] = []
    for a in cfg.analysis:
        for name in (*a.outcomes, *a.covariates):
            if name not in BUILTIN_OUTCOMES and name not in YOUTH_OUTCOMES and name not in names:
                names.append(name)
    return tuple(names)


def youth_requested(cfg: EvaluationConfig) -> bool:
    """Whether an analysis of the config asks for a youth population (only then are they built)."""
    return any(a.population in YOUTH_POPULATIONS for a in cfg.analysis)


def _years_for(population: str, years: tuple[int, ...]) -> tuple[int, ...]:
    # Out-movers are measured between two measurement years: none at the baseline.
    return years[1:] if population == "out_movers" else years


@dataclass(frozen=True)
class _Rule:
    """Outcome of the minimum-count rule (see :func:`_min_count_rule`)."""

    kept: pd.DataFrame
    totals: dict[tuple[str, str], tuple[int, int, int, int]]


def _min_count_rule(cells: pd.DataFrame, every_year: set[str], years: tuple[int, ...], *,
                    balanced: bool, min_count: int) -> _Rule:
    """Apply the minimum-count rule to the cells of linked departments.

    A department passes for a population and outcome when every one of the
    population's years has at least ``min_count`` units (unbalanced: two or
    more such years). Works on integer codes of population, outcome and
    department (string columns make pandas group and compare slowly).

    Returns
    -------
    _Rule
        ``kept``: the passing cells, sorted by population, outcome,
        department_id and year; ``totals``: per (population, outcome) the
        units in the population, with the outcome and used, and the number
        of passing departments (the cells of linked departments in the
        population's measurement years only).
    """
    pop_code, pops = pd.factorize(cells["population"], sort=True, use_na_sentinel=False)
    out_code, outs = pd.factorize(cells["outcome"], sort=True, use_na_sentinel=False)
    dept_code, depts = pd.factorize(cells["department_id"], sort=True, use_na_sentinel=False)
    year = cells["year"].to_numpy(dtype="int64")
    is_out = np.asarray(pops == "out_movers")[pop_code]
    in_years = np.where(is_out, np.isin(year, _years_for("out_movers", years)),
                        np.isin(year, years))
    linked = np.asarray(pd.Index(depts).isin(every_year))[dept_code] & in_years
    rows = np.flatnonzero(linked)
    # One group per population, outcome and department; one total per population and outcome.
    total = pop_code[rows].astype("int64") * len(outs) + out_code[rows]
    group, groups = pd.factorize(total * len(depts) + dept_code[rows])
    year_code, year_values = pd.factorize(year[rows])
    pairs = pd.unique(group * len(year_values) + year_code)  # (group, year) pairs present
    n_years = np.bincount(pairs // max(len(year_values), 1), minlength=len(groups))
    n = cells["n"].to_numpy(dtype="int64")[rows]
    min_n = np.full(len(groups), np.iinfo("int64").max)
    np.minimum.at(min_n, group, n)
    needed = np.array([len(_years_for(p, years)) for p in pops], dtype="int64")[
        groups // (len(outs) * len(depts))]
    enough = (n_years == needed) if balanced else (n_years >= 2)
    passing = enough & (min_n >= min_count)
    passes = passing[group]
    n_totals = len(pops) * len(outs)
    size = cells["size"].to_numpy(dtype="int64")[rows]
    sums = np.zeros((4, n_totals), dtype="int64")
    np.add.at(sums[0], total, size)
    np.add.at(sums[1], total, n)
    np.add.at(sums[2], total, np.where(passes, n, 0))
    sums[3] = np.bincount(groups[passing] // len(depts), minlength=n_totals)
    totals = {(str(pops[i // len(outs)]), str(outs[i % len(outs)])): (
        int(sums[0, i]), int(sums[1, i]), int(sums[2, i]), int(sums[3, i]))
        for i in range(n_totals)}
    kept = rows[passes]
    order = np.lexsort((year[kept], dept_code[kept], out_code[kept], pop_code[kept]))
    return _Rule(kept=cells.iloc[kept[order]].reset_index(drop=True), totals=totals)


def build_panel(
    con: duckdb.DuckDBPyConnection,
    cfg: EvaluationConfig,
    design: DesignTable,
    *,
    extra_outcomes: Iterable[str] = (),
    keep_persons: bool = True,
) -> Panel:
    """Build the department-year panel of every population and outcome.

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
        Connection with validated contract tables and the ``design`` table.
    cfg : EvaluationConfig
        Derivation settings and the minimum count.
    design : DesignTable
        Department-year design indicators.
    extra_outcomes : iterable of str
        Extra numeric residents columns to aggregate as outcomes, besides
        those the config's analyses name.
    keep_persons : bool
        Store the person rows as the table ``persons`` for the person-level
        analyses that follow (individual-level DiD, mover decomposition) and
        aggregate from it. False aggregates straight from ``residents``,
        which is faster when only the panel is wanted, and leaves
        ``persons`` as a view. The panel is the same either way.

    Returns
    -------
    Panel
    """
    extras = extra_columns(con, [*requested_columns(cfg), *extra_outcomes])
    person_outcomes = (*BUILTIN_OUTCOMES, *extras)
    youth = youth_requested(cfg)
    cells = (None if keep_persons
             else stream_cells(con, cfg, person_outcomes, extras, youth=youth))
    if cells is None:
        derive_persons(con, cfg, extras)
        cells = aggregate_cells(con, cfg, person_outcomes, youth=youth)
    else:
        derive_persons(con, cfg, extras, view=True)
    years = cfg.measurement_years
    min_count = cfg.panel.min_count

    # Units per department and year, from the cells of the whole populations.
    persons = cells[(cells["population"] == "all") & (cells["outcome"] == person_outcomes[0])]
    households = cells[(cells["population"] == "households")
                       & (cells["outcome"] == household_outcomes()[0])]
    # The rule "found in the register in every measurement year", the only place it is
    # written: every analysis uses Panel.linked.
    n_years = persons.groupby("department_id")["year"].nunique()
    balanced = cfg.panel.balanced
    # Unbalanced: a department counts for the years it is found, from two years on.
    every_year = set(n_years.index[(n_years == len(years)) if balanced else (n_years >= 2)])
    all_departments = design.frame["department_id"].drop_duplicates()
    missing_depts = sorted(set(all_departments) - every_year)

    has_prices = has_price_index(con)
    if not has_prices:
        cells = cells[~cells["outcome"].isin(AMOUNT_OUTCOMES)].reset_index(drop=True)

    rows_total, rows_in_years = con.execute(
        f"SELECT count(*), count(*) FILTER (WHERE year IN ({', '.join(map(str, years))})) "
        "FROM residents"
    ).fetchone()  # type: ignore[misc]
    rows_missing_depts = int(persons.loc[~persons["department_id"].isin(every_year),
                                         "size"].sum())
    rows_kept = int(rows_in_years) - rows_missing_depts
    households_kept = int(households.loc[households["department_id"].isin(every_year),
                                         "size"].sum())
    households_missing = int(households["size"].sum()) - households_kept

    accounting: list[dict[str, object]] = [
        {"table": "departments", "population": None, "outcome": None,
         "reason": "in_records", "unit": "departments", "count": len(all_departments)},
        {"table": "departments", "population": None, "outcome": None,
         "reason": "not_in_register_every_year", "unit": "departments",
         "count": len(missing_depts)},
        {"table": "residents", "population": None, "outcome": None,
         "reason": "in_file", "unit": "person_years", "count": int(rows_total)},
        {"table": "residents", "population": None, "outcome": None,
         "reason": "outside_measurement_years", "unit": "person_years",
         "count": int(rows_total) - int(rows_in_years)},
        {"table": "residents", "population": None, "outcome": None,
         "reason": "not_in_register_every_year", "unit": "person_years",
         "count": rows_missing_depts},
        {"table": "households", "population": None, "outcome": None,
         "reason": "not_in_register_every_year", "unit": "household_years",
         "count": households_missing},
    ]

    rule = _min_count_rule(cells, every_year, years, balanced=balanced, min_count=min_count)

    for population in POPULATIONS:
        if population in YOUTH_POPULATIONS and not youth:
            continue
        unit = POPULATIONS[population]
        for outcome in outcomes_for(population, person_outcomes):
            if not has_prices and outcome in AMOUNT_OUTCOMES:
                continue
            in_population, with_outcome, used, n_passing = rule.totals.get(
                (population, outcome), (0, 0, 0, 0))
            if population == "out_movers":
                unit_name, total = "out_mover_person_years", in_population
            elif unit == "household":
                unit_name, total = _UNIT_NAMES[unit], households_kept
            else:
                unit_name, total = _UNIT_NAMES[unit], rows_kept
            reasons = {
                "outside_population": total - in_population,
                "missing_outcome": in_population - with_outcome,
                "below_min_count": with_outcome - used,
                "used": used,
            }
            for reason, count in reasons.items():
                accounting.append({"table": "units", "population": population,
                                   "outcome": outcome, "reason": reason,
                                   "unit": unit_name, "count": count})
            accounting.append({"table": "departments", "population": population,
                               "outcome": outcome, "reason": "below_min_count",
                               "unit": "departments", "count": len(every_year) - n_passing})
            accounting.append({"table": "departments", "population": population,
                               "outcome": outcome, "reason": "used",
                               "unit": "departments", "count": n_passing})

    design_cols = ["department_id", "year", "plan_id", "cohort", "active_plan", "rent_support",
                   "rent_support_cohort", "capital_area"]
    # The kept cells come sorted; a left merge keeps the order of its left rows.
    frame = rule.kept.merge(design.frame[design_cols], on=["department_id", "year"], how="left")
    if frame["plan_id"].isna().any():
        raise PanelError("Some panel cells have no design row; the design table is incomplete.")
    frame = frame[PANEL_COLUMNS]
    frame["active_plan"] = frame["active_plan"].astype("int64")
    frame["rent_support"] = frame["rent_support"].astype("int64")
    frame["capital_area"] = frame["capital_area"].astype(bool)
    return Panel(
        frame=frame,
        accounting=pd.DataFrame(accounting),
        cells=cells,
        min_count=min_count,
        years=years,
        has_prices=has_prices,
        linked=frozenset(str(d) for d in every_year),
        design=design,
        _con=con,
    )
