"""Mover decomposition of department means (docs/methods.md §5.4), in DuckDB SQL.

Between consecutive measurement years t0 and t1, the units of a population
with a non-missing outcome in department s split by ``person_id`` into
stayers S (valid in s at both years), out-movers O (valid in s at t0 only)
and arrivals I (valid in s at t1 only). The change in the department mean
is then exactly::

    Y1 - Y0 = pi_S1 (Y_S1 - Y_S0) + pi_I (Y_I - Y_S0) - pi_O (Y_O - Y_S0)

with pi_S1 = n_S / (n_S + n_I), pi_I = n_I / (n_S + n_I) and
pi_O = n_O / (n_S + n_O). A person who leaves the population while staying
(say, turns 65 for the working-age population) counts as an out-mover of
the population, so the identity holds for every population.
"""

from __future__ import annotations

import itertools

import duckdb
import pandas as pd

from boligeval.errors import PanelError
from boligeval.panel.aggregate import PERSON_FILTERS
from boligeval.panel.derive import exact_column

__all__ = ["DECOMPOSITION_TERMS", "decomposition_terms"]

#: The three terms, in the order of the identity; ``change`` is their sum.
DECOMPOSITION_TERMS = ("stayers", "in_movers", "out_movers")


def decomposition_terms(
    con: duckdb.DuckDBPyConnection, population: str, outcome: str, years: tuple[int, ...]
) -> pd.DataFrame:
    """Per department and interval, the counts, means and the three terms.

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
        Connection holding the ``persons`` table of the panel stage.
    population : str
        A person population (``all``, ``working_age``, ...).
    outcome : str
        A column of ``persons``.
    years : tuple of int
        Measurement years, sorted.

    Returns
    -------
    pandas.DataFrame
        department_id, year (t1), year_from (t0), n_stayers, n_out, n_in,
        mean_t0, mean_t1, change, stayers, in_movers, out_movers. Intervals
        without stayers are left out (the terms are undefined).
    """
    if population not in PERSON_FILTERS:
        raise PanelError(
            f"The mover decomposition needs a person population ({', '.join(PERSON_FILTERS)}), "
            f"not '{population}'."
        )
    if len(years) < 2:
        raise PanelError("The mover decomposition needs at least two measurement years.")
    cond = PERSON_FILTERS[population]
    pairs = ", ".join(f"({a}, {b})" for a, b in itertools.pairwise(years))
    frame = con.execute(
        f"""
        WITH v AS (
            SELECT person_id, department_id, year, {exact_column(outcome)} AS y
            FROM persons WHERE ({cond}) AND "{outcome}" IS NOT NULL
        ),
        pairs(y0, y1) AS (VALUES {pairs}),
        first AS (
            SELECT v0.department_id, pairs.y0, pairs.y1, v0.y AS y_t0, v1.y AS y_t1
            FROM v v0 JOIN pairs ON v0.year = pairs.y0
            LEFT JOIN v v1 ON v1.person_id = v0.person_id AND v1.year = pairs.y1
                          AND v1.department_id = v0.department_id
        ),
        arrivals AS (
            SELECT v1.department_id, pairs.y0, pairs.y1, v1.y AS y_t1
            FROM v v1 JOIN pairs ON v1.year = pairs.y1
            WHERE NOT EXISTS (
                SELECT 1 FROM v v0 WHERE v0.person_id = v1.person_id AND v0.year = pairs.y0
                  AND v0.department_id = v1.department_id)
        ),
        a AS (
            SELECT department_id, y0, y1,
                   count(*) FILTER (WHERE y_t1 IS NOT NULL) AS n_stayers,
                   avg(y_t0) FILTER (WHERE y_t1 IS NOT NULL) AS stayers_t0,
                   avg(y_t1) FILTER (WHERE y_t1 IS NOT NULL) AS stayers_t1,
                   count(*) FILTER (WHERE y_t1 IS NULL) AS n_out,
                   avg(y_t0) FILTER (WHERE y_t1 IS NULL) AS out_t0,
                   avg(y_t0) AS mean_t0
            FROM first GROUP BY department_id, y0, y1
        ),
        b AS (
            SELECT department_id, y0, y1, count(*) AS n_in,
                   avg(y_t1) AS in_t1
            FROM arrivals GROUP BY department_id, y0, y1
        )
        SELECT a.department_id, a.y1 AS year, a.y0 AS year_from, a.n_stayers, a.n_out,
               COALESCE(b.n_in, 0) AS n_in, a.stayers_t0, a.stayers_t1, a.out_t0, b.in_t1,
               a.mean_t0
        FROM a LEFT JOIN b USING (department_id, y0, y1)
        WHERE a.n_stayers > 0
        ORDER BY a.department_id, a.y1
        """
    ).df()
    n_s = frame["n_stayers"].astype("float64")
    n_i = frame["n_in"].astype("float64")
    n_o = frame["n_out"].astype("float64")
    ys0 = frame["stayers_t0"]
    pi_s1 = n_s / (n_s + n_i)
    pi_i = n_i / (n_s + n_i)
    pi_o = n_o / (n_s + n_o)
    frame["stayers"] = pi_s1 * (frame["stayers_t1"] - ys0)
    frame["in_movers"] = (pi_i * (frame["in_t1"] - ys0)).where(n_i > 0, 0.0)
    frame["out_movers"] = -(pi_o * (frame["out_t0"] - ys0)).where(n_o > 0, 0.0)
    frame["mean_t1"] = pi_s1 * frame["stayers_t1"] + (pi_i * frame["in_t1"]).where(n_i > 0, 0.0)
    frame["change"] = frame["mean_t1"] - frame["mean_t0"]
    columns = ["department_id", "year", "year_from", "n_stayers", "n_out", "n_in", "mean_t0",
               "mean_t1", "change", *DECOMPOSITION_TERMS]
    return frame[columns].reset_index(drop=True)
