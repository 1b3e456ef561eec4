"""From persons to the department-year panel (docs/methods.md §3).

For every department, measurement year, population and outcome the panel
holds the number of units with a non-missing outcome (``n``), their mean
(``value``) and, for amounts, the largest unit's share of the absolute sum
(``top_share``, for the dominance rule of disclosure control; with the (2, k)
rule also the two largest units' share, ``top2_share``). A department
enters the panel of a population and outcome only with at least
``panel.min_count`` units in every measurement year, so each panel is
balanced. Every department and every resident row is accounted for: used,
or excluded with a reason.

:func:`aggregate_cells` reads the ``persons`` table; :func:`stream_cells`
gives the same cells straight from ``residents``, for runs that need no
person table. Both add strata up in exact decimals, so the cells do not
depend on the order in which DuckDB's threads deliver rows.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import duckdb
import pandas as pd

from boligeval.config import EvaluationConfig
from boligeval.panel.derive import (
    drop_relation,
    equivalised_sql,
    exact,
    exact_column,
    person_rows_sql,
    unit_totals_sql,
    youth_rows_sql,
)
from boligeval.vocabulary import (
    HOUSEHOLD_OUTCOMES,
    OUTCOMES,
    POPULATIONS,
    YOUTH_OUTCOMES,
    YOUTH_POPULATIONS,
    dominance_applies,
)

__all__ = [
    "PERSON_FILTERS",
    "aggregate_cells",
    "household_outcomes",
    "needs_pair_share",
    "outcomes_for",
    "stream_cells",
    "youth_cells",
]

#: Row filters of the person populations measured at t.
PERSON_FILTERS: dict[str, str] = {
    "all": "TRUE",
    "working_age": "working_age",
    "in_movers": "in_mover",
    "in_movers_working_age": "in_mover AND working_age",
}

#: Row filters of the household populations (on the ``households`` table).
HOUSEHOLD_FILTERS: dict[str, str] = {
    "households": "TRUE",
    "in_mover_households": "any_in_mover",
    "all_in_mover_households": "all_in_movers",
}


#: Row filters of the youth populations (on the rows of ``youth_rows_sql``).
YOUTH_FILTERS: dict[str, str] = {"youth": "TRUE", "vulnerable_youth": "vulnerable"}


def household_outcomes() -> tuple[str, ...]:
    """Outcomes defined for household populations."""
    return HOUSEHOLD_OUTCOMES


def outcomes_for(population: str, person_outcomes: Sequence[str]) -> tuple[str, ...]:
    """Outcomes the panel holds for a population."""
    if POPULATIONS[population] == "household":
        return household_outcomes()
    if population in YOUTH_POPULATIONS:
        return YOUTH_OUTCOMES
    return tuple(person_outcomes)


#: Strata columns: populations are unions of strata (PERSON_FILTERS, HOUSEHOLD_FILTERS).
_PERSON_STRATA = ("working_age", "in_mover")
_HOUSEHOLD_STRATA = ("any_in_mover", "all_in_movers")
#: Outcomes without a dominance rule (bounded per person): no top share is computed.
_SHARE_OUTCOMES = tuple(o for o in OUTCOMES if not dominance_applies(o))


def _strata_sql(source: str, strata: Sequence[str], outcomes: Sequence[str],
                skip: Sequence[str] = (), pair: bool = False,
                department: str = "department_id") -> str:
    """One GROUP BY over department, year and a few 0/1 strata, with exact sums.

    Populations are unions of strata, so one pass serves all of them; their
    cells are added up afterwards (sums and counts add, maxima take the max).
    Outcomes in ``skip`` keep their position (column names) but are left out.
    With ``pair`` the two largest absolute values of each amount are kept too
    (``t_i``, a list), for the (2, k) dominance rule. ``department`` names the
    column that identifies the department (a 64-bit key groups faster).
    """
    parts = ["count(*) AS size"]
    for i, outcome in enumerate(outcomes):
        if outcome in skip:
            continue
        col, exact = f'"{outcome}"', exact_column(outcome)
        parts.append(f"count({col}) AS n_{i}")
        parts.append(f"sum({exact}) AS s_{i}")
        if outcome not in _SHARE_OUTCOMES:
            parts.append(f"max(abs({col})) AS m_{i}")
            parts.append(f"sum(abs({exact})) AS a_{i}")
            if pair:
                parts.append(f"max(abs({col}), 2) AS t_{i}")
    keys = ", ".join([department, "year", *strata])
    return f"SELECT {keys}, {', '.join(parts)} FROM ({source}) GROUP BY {keys}"


def _combine(con: duckdb.DuckDBPyConnection, strata: str, members: dict[str, str],
             outcomes: Sequence[str], pair: bool = False) -> pd.DataFrame:
    """Cells of each population: the rows of ``strata`` it is made of, added up.

    The sums stay exact decimals until the population's total, so every cell
    is the same whatever order the strata rows come in.
    """
    parts = ["CAST(sum(size) AS BIGINT) AS size"]
    for i, outcome in enumerate(outcomes):
        parts.append(f"CAST(sum(n_{i}) AS BIGINT) AS n_{i}")
        parts.append(f"CAST(sum(s_{i}) AS DOUBLE) AS s_{i}")
        if outcome not in _SHARE_OUTCOMES:
            parts.append(f"max(m_{i}) AS m_{i}")
            parts.append(f"CAST(sum(a_{i}) AS DOUBLE) AS a_{i}")
            if pair:  # the second largest of the strata's two largest
                parts.append(f"list_sort(flatten(list(t_{i})), 'DESC')[2] AS t_{i}")
    selects = " UNION ALL ".join(
        f"SELECT '{population}' AS population, department_id, year, {', '.join(parts)} "
        f"FROM strata WHERE {member} GROUP BY department_id, year"
        for population, member in members.items()
    )
    wide = con.execute(f"WITH strata AS MATERIALIZED ({strata}) {selects}").df()
    frames = []
    for population in members:
        sums = wide[wide["population"] == population].sort_values(["department_id", "year"])
        if sums.empty:
            continue
        # Columns shared by the population's outcomes, converted once (text stays Arrow).
        department = sums["department_id"].array
        year = sums["year"].astype("int64").to_numpy()
        size = sums["size"].astype("int64").to_numpy()
        for i, outcome in enumerate(outcomes):
            n = sums[f"n_{i}"].astype("int64")
            if f"m_{i}" in sums:
                total = sums[f"a_{i}"].astype("float64")
                top = sums[f"m_{i}"].astype("float64") / total.where(total > 0)
                second = (sums[f"t_{i}"].astype("float64").fillna(0.0) if f"t_{i}" in sums
                          else pd.Series(float("nan"), index=sums.index))
                top2 = top + second / total.where(total > 0)
            else:
                top = top2 = pd.Series(float("nan"), index=sums.index)
            frames.append(pd.DataFrame({
                "department_id": department,
                "year": year,
                "population": population,
                "outcome": outcome,
                "size": size,
                "n": n.to_numpy(),
                "value": (sums[f"s_{i}"] / n.where(n > 0)).astype("float64").to_numpy(),
                "top_share": top.to_numpy(),
                "top2_share": top2.to_numpy(),
            }))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def youth_cells(con: duckdb.DuckDBPyConnection, cfg: EvaluationConfig) -> pd.DataFrame:
    """Cells of the youth populations: one small GROUP BY of the children and youth only.

    Both panel paths call it, and only when an analysis asks for a youth
    population, so a run without one does no youth work at all.
    """
    pair = needs_pair_share(cfg)
    strata = _strata_sql(youth_rows_sql(con, cfg), ("vulnerable",), YOUTH_OUTCOMES, pair=pair)
    return _combine(con, strata, YOUTH_FILTERS, YOUTH_OUTCOMES, pair)


def aggregate_cells(
    con: duckdb.DuckDBPyConnection, cfg: EvaluationConfig, person_outcomes: Sequence[str],
    *, youth: bool = False,
) -> pd.DataFrame:
    """Department-year cells of every population and outcome, before the min-count rule.

    Returns a long DataFrame: department_id, year, population, outcome,
    size (units in the population), n (units with the outcome), value, top_share.
    Departments or years without any unit of a population have no row. The
    youth populations are built only with ``youth``.
    """
    pair = needs_pair_share(cfg)
    frames = [_combine(con, _strata_sql("SELECT * FROM persons", _PERSON_STRATA,
                                        person_outcomes, pair=pair), PERSON_FILTERS,
                       person_outcomes, pair)]

    drop_relation(con, "households")
    con.execute(
        """
        CREATE TEMP TABLE households AS
        SELECT household_id, year, department_id,
               avg(CAST(equivalised_income AS DECIMAL(18, 4))) AS equivalised_income,
               bool_or(in_mover) AS any_in_mover, bool_and(in_mover) AS all_in_movers
        FROM persons GROUP BY household_id, year, department_id
        """
    )
    frames.append(_households(con, pair))

    if len(cfg.measurement_years) > 1:
        later = _next_year_sql(cfg, "p0.year")
        leavers = f"""
            SELECT p0.* REPLACE ({later} AS year)
            FROM persons p0
            ANTI JOIN persons p1 ON p1.person_id = p0.person_id AND p1.year = {later}
                                AND p1.department_id = p0.department_id
            WHERE {later} IS NOT NULL
        """
        out = _out_movers(con, leavers, person_outcomes, pair)
        if out is not None:
            frames.append(out)
    if youth:
        frames.append(youth_cells(con, cfg))
    return _long_cells(frames)


def _households(con: duckdb.DuckDBPyConnection, pair: bool = False) -> pd.DataFrame:
    """Cells of the household populations, from the relation ``households``."""
    return _combine(con, _strata_sql("SELECT * FROM households", _HOUSEHOLD_STRATA,
                                     household_outcomes(), pair=pair),
                    HOUSEHOLD_FILTERS, household_outcomes(), pair)


def _out_movers(con: duckdb.DuckDBPyConnection, leavers: str,
                person_outcomes: Sequence[str], pair: bool = False) -> pd.DataFrame | None:
    """Cells of the out-movers from the SELECT of their rows (None if there are none)."""
    cells = _combine(con, _strata_sql(leavers, (), person_outcomes, pair=pair),
                     {"out_movers": "TRUE"}, person_outcomes, pair)
    return None if cells.empty else cells


def _long_cells(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """All populations' cells in one frame; top_share only for amounts."""
    cells = pd.concat([f for f in frames if not f.empty] or frames, ignore_index=True)
    amounts = [o for o in cells["outcome"].unique() if dominance_applies(o)]
    amount = cells["outcome"].isin(amounts).to_numpy()
    for column in ("top_share", "top2_share"):
        cells[column] = cells[column].where(amount)
    return cells


def needs_pair_share(cfg: EvaluationConfig) -> bool:
    """Whether the disclosure rules include the (2, k) rule: the second largest is needed."""
    return float(cfg.disclosure.dominance_pair_share) < 1.0


#: Strata of the streamed rows, (working_age, in_mover, leaves), and the column of
#: the units that counts a unit's members in each; the last is the rest of the members.
_UNIT_STRATA = {key: "c_" + "".join("t" if k else "f" for k in key)
                for key in itertools.product((True, False), repeat=3)}


def _next_year_sql(cfg: EvaluationConfig, year: str) -> str:
    """SQL for the measurement year after ``year`` (null after the last one)."""
    whens = " ".join(f"WHEN {a} THEN {b}" for a, b in itertools.pairwise(cfg.measurement_years))
    return f"CASE {year} {whens} END" if whens else "CAST(NULL AS INTEGER)"


#: A department's 64-bit key: grouping millions of rows by it costs far less than by the text.
_KEY = "hash(department_id)"


def _flagged_rows_sql(con: duckdb.DuckDBPyConnection, cfg: EvaluationConfig,
                      extras: Sequence[str]) -> str:
    """The rows of :func:`person_rows_sql` plus ``department_key`` and ``leaves``.

    ``leaves`` says whether the row is an out-mover's.

    A resident leaves between a measurement year and the next when the next
    has no row of the person in the same department: the out-mover is then
    counted in the department's next year with the values of this year.
    """
    persons = person_rows_sql(con, cfg, extras)
    later = ", ".join(str(y) for y in cfg.measurement_years[1:])
    if not later:
        return f"SELECT *, {_KEY} AS department_key, FALSE AS leaves FROM ({persons})"
    # (person_id, year) is unique in residents: at most one row of the next year matches.
    return f"""
        SELECT b.* EXCLUDE (next_year), {_KEY.replace("department_id", "b.department_id")}
                   AS department_key,
               b.next_year IS NOT NULL AND l.year IS NULL AS leaves
        FROM (SELECT *, {_next_year_sql(cfg, "year")} AS next_year FROM ({persons})) AS b
        LEFT JOIN (SELECT person_id, year, department_id FROM residents
                   WHERE year IN ({later})) AS l
            ON l.person_id = b.person_id AND l.year = b.next_year
           AND l.department_id = b.department_id
    """


def _units_sql(cfg: EvaluationConfig) -> str:
    """One row per income unit (household) and year of ``rows``, with its member counts.

    The department is kept as a 64-bit hash (a string state costs far more in
    a GROUP BY of millions of units). A unit is ``irregular`` (the shortcut
    does not apply) when it spans departments or has a member of unknown age
    (who is in no age stratum).
    """
    flags = ("working_age", "in_mover", "leaves")
    counts = ", ".join(
        "count(*) FILTER (WHERE "
        + " AND ".join(f if v else f"NOT {f}" for v, f in zip(key, flags, strict=True))
        + f") AS {name}"
        for key, name in _UNIT_STRATA.items()
    )
    in_movers = " + ".join(name for (_, im, _), name in _UNIT_STRATA.items() if im)
    return f"""
        SELECT household_id, year, department_key, {", ".join(_UNIT_STRATA.values())},
               {in_movers} > 0 AS any_in_mover, {in_movers} = n AS all_in_movers,
               {equivalised_sql(cfg, "u")} AS equivalised_income,
               department_key <> last_department_key OR n_aged < n AS irregular
        FROM (
            SELECT income_unit AS household_id, year,
                   min(department_key) AS department_key,
                   max(department_key) AS last_department_key, count(*) AS n,
                   count(age) AS n_aged, {unit_totals_sql(cfg)}, {counts}
            FROM rows GROUP BY income_unit, year
        ) AS u
    """


def stream_cells(
    con: duckdb.DuckDBPyConnection,
    cfg: EvaluationConfig,
    person_outcomes: Sequence[str],
    extras: Sequence[str] = (),
    *,
    youth: bool = False,
) -> pd.DataFrame | None:
    """The cells of :func:`aggregate_cells`, computed from ``residents`` without ``persons``.

    Every member of an income unit carries the unit's equivalised income, so
    its sums over persons are the unit's value times the number of members in
    each stratum: one GROUP BY per unit gives the equivalised income, the
    household populations (a unit is a household) and the member counts, and
    nothing is joined back to the persons. Out-movers are a stratum of the
    rows (``leaves``), so one pass over the residents, in one statement,
    serves every population; its strata are kept in the small table
    ``panel_strata``. The result is identical, sums being exact decimals. It
    applies when the unit is the household, no household is found in two
    departments in one year and every age is known; otherwise None is
    returned and the caller builds the ``persons`` table instead.
    """
    if (cfg.income.unit != "household" or "equivalised_income" not in person_outcomes
            or needs_pair_share(cfg)):
        # The (2, k) rule needs each cell's second largest person: the persons table has it.
        return None
    drop_relation(con, "panel_strata")
    eq = person_outcomes.index("equivalised_income")
    dec = exact("equivalised_income", digits=18)
    strata_keys = (*_PERSON_STRATA, "leaves")
    by_stratum = " UNION ALL ".join(
        f"SELECT department_key, year, {wa} AS working_age, {im} AS in_mover, {lv} AS leaves, "
        f"{name} AS c, equivalised_income, {dec} AS d FROM units WHERE {name} > 0"
        for (wa, im, lv), name in _UNIT_STRATA.items()
    )
    keys = ", ".join(["department_key", "year", *strata_keys])
    person_strata = _strata_sql("SELECT * EXCLUDE (department_id) FROM rows", strata_keys,
                                person_outcomes, skip=("equivalised_income",),
                                department="department_key")
    # Households are the units; avg over members that all carry one value is that value,
    # which list_avg of the one value gives exactly (the same aggregate, count 1).
    household_strata = _strata_sql(
        f"SELECT department_key AS department_id, year, list_avg([{dec}]) AS equivalised_income, "
        "any_in_mover, all_in_movers FROM units", _HOUSEHOLD_STRATA, household_outcomes())
    con.execute(
        f"""
        CREATE TEMP TABLE panel_strata AS
        WITH rows AS ({_flagged_rows_sql(con, cfg, extras)}),
        units AS ({_units_sql(cfg)}),
        person_strata AS ({person_strata}),
        department_keys AS (SELECT department_id, {_KEY} AS department_key FROM departments),
        e AS (
            SELECT {keys},
                   coalesce(sum(c) FILTER (WHERE equivalised_income IS NOT NULL), 0) AS n_{eq},
                   sum(c * d) AS s_{eq}, max(abs(equivalised_income)) AS m_{eq},
                   sum(c * abs(d)) AS a_{eq}
            FROM ({by_stratum}) GROUP BY {keys}
        )
        SELECT 'person' AS kind, s AS person FROM (
            SELECT d.department_id, p.* EXCLUDE (department_key), e.n_{eq}, e.s_{eq}, e.m_{eq},
                   e.a_{eq}
            FROM person_strata p JOIN department_keys d USING (department_key)
            JOIN e USING ({keys})
        ) AS s
        UNION ALL BY NAME
        SELECT 'household' AS kind, s AS household FROM (
            SELECT d.department_id, h.* EXCLUDE (department_id)
            FROM ({household_strata}) AS h
            JOIN department_keys d ON d.department_key = h.department_id
        ) AS s
        UNION ALL BY NAME
        SELECT 'check' AS kind, {{'irregular': (SELECT count(*) FILTER (WHERE irregular)
                                               FROM units),
                                 'distinct_keys': (SELECT count(DISTINCT department_id)
                                                   = count(DISTINCT department_key)
                                                   FROM department_keys)}} AS "check"
        """
    )
    check = con.execute(
        "SELECT \"check\".irregular, \"check\".distinct_keys FROM panel_strata WHERE kind = 'check'"
    ).fetchone()
    if check is None or check[0] or not check[1]:
        drop_relation(con, "panel_strata")
        return None

    persons = "SELECT unnest(person) FROM panel_strata WHERE kind = 'person'"
    frames = [_combine(con, persons, PERSON_FILTERS, person_outcomes),
              _combine(con, "SELECT unnest(household) FROM panel_strata WHERE kind = 'household'",
                       HOUSEHOLD_FILTERS, household_outcomes())]
    leavers = f"SELECT * REPLACE ({_next_year_sql(cfg, 'year')} AS year) FROM ({persons}) " \
              "WHERE leaves"
    out = _combine(con, leavers, {"out_movers": "TRUE"}, person_outcomes)
    if not out.empty:
        frames.append(out)
    if youth:
        frames.append(youth_cells(con, cfg))
    return _long_cells(frames)
