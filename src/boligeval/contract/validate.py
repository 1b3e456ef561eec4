"""Validation of contract tables with aggregate SQL.

Every rule is a SQL predicate that is true for the rows that break it. The
row-level rules of one table (types, not-null, codes, ranges) are checked
in a single aggregate pass; the first rule that fails is then counted row
by row and its example row numbers fetched. Uniqueness keys are grouped by
a 64-bit hash first, in the same pass, and compared exactly only when the
hashes repeat, so valid data costs one scan per table (feeding one hash
aggregate per uniqueness key) and one anti-join per foreign key.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from boligeval.contract.readers import (
    ROW,
    Source,
    extra_expr,
    infer_extra_types,
    plain_text,
    plain_type,
    qident,
    qstr,
)
from boligeval.contract.readers import typed_expr as _typed_expr
from boligeval.contract.safety import shown_value
from boligeval.contract.schemas import EXTRA_LIMIT, SCALES, ColumnSpec, TableSchema
from boligeval.errors import ContractError

__all__ = ["CheckedTable", "build_views", "check_rule", "local_checks", "raise_rule"]

MAX_EXAMPLES = 10
#: How many distinct bad codes a message may quote.
MAX_FOUND = 5

_KIND_WORDS = {
    "int": "whole numbers",
    "float": "numbers",
    "bool": "booleans (true/false or 1/0)",
}
_KIND_FIX = {
    "int": "write whole numbers only (no decimals, text or thousands separators)",
    "float": "write plain numbers with '.' as decimal mark and no thousands separators",
    "bool": "write true/false or 1/0 (any case)",
}


@dataclass(frozen=True)
class CheckedTable:
    """A table opened in DuckDB: its schema, source and the internal check view."""

    schema: TableSchema
    source: Source
    check_view: str
    n_rows: int


def raise_rule(
    source: Source,
    column: str,
    rule: str,
    text: str,
    n_rows: int,
    rows: list[int],
    fix: str,
    found: list[str] | None = None,
    hidden: int = 0,
) -> ContractError:
    """Build the ContractError for a broken rule (the caller raises it).

    ``found`` are codes that may be quoted (see :func:`safety.shown_value`);
    ``hidden`` counts the distinct bad values that may not.
    """
    plural = "row" if n_rows == 1 else "rows"
    msg = (
        f"{source.path}: column '{column}' breaks rule '{rule}' ({text}) in {n_rows} {plural}; "
        f"example data rows (1-based, header not counted): {', '.join(map(str, rows))}."
    )
    if found:
        msg += " Values found: " + ", ".join(repr(v) for v in found) + "."
    if hidden:
        msg += (
            f" {hidden} other value{'s' if hidden != 1 else ''} not shown (numbers, long "
            "text and id-like values are never quoted)."
        )
    msg += f" How to fix: {fix}."
    return ContractError(
        msg, file=str(source.path), column=column, rule=rule, n_rows=n_rows, rows=rows
    )


def _fetch_rows(con: duckdb.DuckDBPyConnection, view: str, bad_sql: str) -> list[int]:
    got = con.execute(
        f"SELECT {ROW} FROM {qident(view)} AS t WHERE coalesce(({bad_sql}), FALSE) "
        f"ORDER BY {ROW} LIMIT {MAX_EXAMPLES}"
    ).fetchall()
    return [int(r[0]) for r in got]


def check_rule(
    con: duckdb.DuckDBPyConnection,
    table: CheckedTable,
    *,
    rule: str,
    column: str,
    bad_sql: str,
    text: str,
    fix: str,
    found_sql: str | None = None,
) -> None:
    """Count rows of ``table`` where ``bad_sql`` holds and raise if there are any."""
    row = con.execute(
        f"SELECT count(*) FROM {qident(table.check_view)} AS t WHERE coalesce(({bad_sql}), FALSE)"
    ).fetchone()
    n = int(row[0]) if row else 0
    if n:
        found: list[str] | None = None
        hidden = 0
        if found_sql is not None:
            values = [
                str(r[0])
                for r in con.execute(
                    f"SELECT DISTINCT {found_sql} FROM {qident(table.check_view)} AS t "
                    f"WHERE coalesce(({bad_sql}), FALSE) ORDER BY 1 LIMIT 1000"
                ).fetchall()
            ]
            spec = next((c for c in table.schema.columns if c.name == column), None)
            limit = 80 if spec is not None and spec.list_sep else 40
            shown = [v for v in values if shown_value(v, max_len=limit)]
            found = shown[:MAX_FOUND]
            hidden = len(values) - len(shown)
        rows = _fetch_rows(con, table.check_view, bad_sql)
        raise raise_rule(table.source, column, rule, text, n, rows, fix, found, hidden)


def _allowed_sql(spec: ColumnSpec) -> str:
    assert spec.allowed is not None
    codes = ", ".join(qstr(c) for c in spec.allowed)
    col = f"t.{qident(spec.name)}"
    if spec.list_sep:
        return (
            f"len([x FOR x IN string_split({col}, {qstr(spec.list_sep)}) "
            f"IF trim(x) <> '' AND trim(x) NOT IN ({codes})]) > 0"
        )
    return f"{col} IS NOT NULL AND {col} NOT IN ({codes})"


#: Prefix of the check view's flags: the text column's value needs no trimming.
_PLAIN = "__plain_"


def build_views(
    con: duckdb.DuckDBPyConnection, schema: TableSchema, source: Source
) -> tuple[str, list[tuple[str, str, str, str, str, str | None]], dict[str, str]]:
    """Create the canonical view and the check view; return the check view and its rules.

    Returns
    -------
    check_view : str
        Name of the internal view with typed contract columns, their source values
        before typing (``__source_<column>``, for rule ``type``), whether each
        text value is plain (``__plain_<column>``, see :func:`plain_view`) and
        ``__row``.
    rules : list of tuple
        ``(rule, column, bad_sql, text, fix, found_sql)`` in checking order.
    columns : dict
        The canonical view's SELECT expression of each column, by name.
    """
    typed: list[str] = []
    columns: dict[str, str] = {}
    flags: list[str] = []
    rules: list[tuple[str, str, str, str, str, str | None]] = []
    for spec in schema.columns:
        name = qident(spec.name)
        if spec.name not in source.columns:
            columns[spec.name] = f"CAST(NULL AS {spec.duckdb_type})"
            typed.append(f"{columns[spec.name]} AS {name}")
            continue
        typ = source.columns[spec.name]
        expr, norm = _typed_expr(spec, typ, source.decimal)
        columns[spec.name] = expr
        typed.append(f"{expr} AS {name}")
        if typ == "VARCHAR" and spec.kind in ("id", "str"):
            # In the same projection as the trimmed value, so DuckDB evaluates the test once.
            flags.append(f"({plain_text(name)}) AS {qident(_PLAIN + spec.name)}")
        if spec.kind in _KIND_WORDS:
            source_value = qident(f"__source_{spec.name}")
            flags.append(f"{norm} AS {source_value}")
            fix = _KIND_FIX[spec.kind]
            if spec.kind != "bool" and source.dialect is not None:
                mark = source.dialect.decimal
                fix = (
                    f"write plain numbers with {mark!r} as decimal mark and no thousands "
                    f"separators (the file was {source.how_read()}; set [data.csv] decimal "
                    "if that is not the file's decimal mark)"
                )
            if not plain_type(typ):
                fix = f"store the column as {_KIND_WORDS[spec.kind]}, not as {typ[:40]}; " + fix
            rules.append(
                (
                    "type",
                    spec.name,
                    f"t.{source_value} IS NOT NULL AND t.{name} IS NULL",
                    f"values must be {_KIND_WORDS[spec.kind]}",
                    fix + ("; leave the cell empty for a missing value" if spec.nullable else ""),
                    None,
                )
            )
    for spec in schema.columns:
        if not spec.nullable and spec.name in source.columns:
            rules.append(
                (
                    "not_null",
                    spec.name,
                    f"t.{qident(spec.name)} IS NULL",
                    "values must not be missing",
                    "fill in a value in every row (empty cells count as missing)",
                    None,
                )
            )
    for spec in schema.columns:
        if spec.allowed and spec.name in source.columns:
            what = "a ';'-separated list of codes" if spec.list_sep else "one of the codes"
            rules.append(
                (
                    "allowed_values",
                    spec.name,
                    _allowed_sql(spec),
                    f"values must be {what} {', '.join(spec.allowed)}",
                    "recode the values to the contract's codes (exact spelling and case); "
                    "see docs/data-preparation.md",
                    f"t.{qident(spec.name)}",
                )
            )
    for chk in schema.checks:
        if chk.column in source.columns:
            rules.append((chk.rule, chk.column, chk.bad_sql, chk.text, chk.fix, None))

    contract = set(schema.column_names)
    extras = [c for c in source.columns if c not in contract]
    inferred = infer_extra_types(con, source, extras)
    for c in extras:
        columns[c] = extra_expr(c, source.columns[c], inferred.get(c), source.decimal)
    extra_sql = [f"{columns[c]} AS {qident(c)}" for c in extras]
    checked_extras: list[str] = []
    for c, sql in zip(extras, extra_sql, strict=True):
        if inferred.get(c, source.columns[c]) in ("DOUBLE", "FLOAT", "REAL"):
            col = f"t.{qident(c)}"
            checked_extras.append(sql)
            rules.append(
                (
                    "range",
                    c,
                    f"isinf({col}) OR abs({col}) >= {EXTRA_LIMIT:.0e}",
                    "numbers in extra columns must be finite and smaller than "
                    f"{EXTRA_LIMIT:.0e} in absolute value",
                    "correct or remove the values, or drop the column from the file",
                    None,
                )
            )
    _canonical_view(con, schema.name, source, columns)
    check_view = f"__contract_check_{schema.name}"
    con.execute(
        f"CREATE OR REPLACE VIEW {qident(check_view)} AS SELECT "
        f"{', '.join([*typed, *checked_extras, *flags, ROW])} FROM ({source.numbered_sql})"
    )
    return check_view, rules, columns


def _canonical_view(con: duckdb.DuckDBPyConnection, name: str, source: Source,
                    columns: dict[str, str]) -> None:
    """(Re)create the table's canonical view: the contract's columns, typed, then the extras."""
    select = ", ".join(f"{expr} AS {qident(col)}" for col, expr in columns.items())
    con.execute(f"CREATE OR REPLACE VIEW {qident(name)} AS SELECT {select} "
                f"FROM ({source.plain_sql})")


def plain_view(con: duckdb.DuckDBPyConnection, table: CheckedTable, columns: dict[str, str],
               plain: dict[str, bool]) -> None:
    """Read the text columns whose values all need no trimming as they are in the file.

    Trimming is the dearest part of reading an id column, and every later
    query of the table would repeat it; the check pass has already seen every
    value, so a column found plain there is read raw from then on (the values
    are the same).
    """
    raw = {col: qident(col) for col, ok in plain.items() if ok}
    if raw:
        _canonical_view(con, table.schema.name, table.source, {**columns, **raw})


def _count_sql(schema: TableSchema, rule: str, column: str, bad_sql: str) -> str:
    """Aggregate over the check view ``t`` that is non-zero exactly when a rule is broken.

    Most rules count the rows where ``bad_sql`` holds. Cheaper forms that are
    zero under the same condition: missing and untyped values as differences
    of ``count``, which skips nulls (a typed value is null exactly where its
    source value is null or does not parse), and codes by checking the
    column's distinct values instead of every row. :func:`check_rule` counts
    the rows of a broken rule exactly.
    """
    col = f"t.{qident(column)}"
    if rule == "type":
        return f"count(t.{qident('__source_' + column)}) - count({col})"
    if rule == "not_null":
        return f"count(*) - count({col})"
    if rule == "allowed_values":
        spec = schema.column(column)
        if spec.allowed and not spec.list_sep:
            codes = ", ".join(qstr(c) for c in spec.allowed)
            values = f"list(DISTINCT {col}) FILTER (WHERE {col} IS NOT NULL)"
            return f"CASE WHEN coalesce(list_has_all([{codes}], {values}), TRUE) THEN 0 ELSE 1 END"
    return f"count(*) FILTER (WHERE coalesce(({bad_sql}), FALSE))"


def local_checks(
    con: duckdb.DuckDBPyConnection, schema: TableSchema, source: Source
) -> CheckedTable:
    """Create the views of one table and check every rule that needs only this table.

    The row rules and the pre-checks of the uniqueness keys share one pass
    over the file (a common table expression that DuckDB streams to both).

    Raises
    ------
    ContractError
        On the first broken rule, in the order: empty_table, type, not_null,
        allowed_values, range, unique, foreign_key (self references only).
    """
    check_view, rules, columns = build_views(con, schema, source)
    counts = [_count_sql(schema, rule, column, bad) for rule, column, bad, *_ in rules]
    flagged = _view_columns(con, check_view)
    texts = [c for c in columns if _PLAIN + c in flagged]
    plain_flags = [f"coalesce(bool_and(t.{qident(_PLAIN + c)}), TRUE)" for c in texts]
    # The integer column of each composite key whose values the pre-check collects as bits.
    small = {keys: next((k for k in keys if schema.column(k).kind == "int"
                         and k in source.columns), None) if len(keys) > 1 else None
             for keys in schema.unique}
    ranged = sorted({k for k in small.values() if k is not None})
    ends = [f"{f}(t.{qident(k)})" for k in ranged for f in ("min", "max")]
    repeats = [f"({_repeats_sql('t', keys, small[keys])})" for keys in schema.unique]
    sql = (
        f"WITH t AS (SELECT * FROM {qident(check_view)}) "
        f"SELECT {', '.join(['count(*)', *counts, *ends, *repeats, *plain_flags])} FROM t"
    )
    got = con.execute(sql).fetchone()
    assert got is not None
    n_rows, broken = int(got[0]), got[1:1 + len(rules)]
    bounds = got[1 + len(rules):1 + len(rules) + len(ends)]
    ranges = {k: (bounds[2 * i], bounds[2 * i + 1]) for i, k in enumerate(ranged)}
    pre_checks = got[1 + len(rules) + len(ends):1 + len(rules) + len(ends) + len(repeats)]
    plain = dict(zip(texts, got[len(got) - len(texts):], strict=True))
    table = CheckedTable(schema, source, check_view, n_rows)
    if n_rows == 0:
        raise ContractError(
            f"{source.path}: the file has no data rows (rule 'empty_table'; it was "
            f"{source.how_read()}): the {schema.name} table needs at least one row. How to "
            "fix: export the table again with its rows (a header alone is not a table), or "
            "leave the file out if the table is optional.",
            file=str(source.path),
            rule="empty_table",
            n_rows=0,
            rows=[],
        )
    for (rule, column, bad, text, fix, found), n in zip(rules, broken, strict=True):
        if n:
            check_rule(
                con,
                table,
                rule=rule,
                column=column,
                bad_sql=bad,
                text=text,
                fix=fix,
                found_sql=found,
            )
    for keys, repeated in zip(schema.unique, pre_checks, strict=True):
        col = small[keys]
        low, high = ranges.get(col, (None, None)) if col is not None else (None, None)
        if col is not None and low is not None and high is not None and high - low >= _BITS:
            # Too wide a range for the bits: pre-check the hash of the whole key instead.
            got = con.execute(_repeats_sql(qident(check_view), keys, None)).fetchone()
            repeated = got[0] if got else 0
        if repeated:
            _check_unique(con, table, keys)
    for fk in schema.foreign_keys:
        if fk.ref_table == schema.name:
            check_foreign_key(con, table, fk.columns, fk.ref_table, fk.ref_columns)
    plain_view(con, table, columns, plain)
    return table


def _view_columns(con: duckdb.DuckDBPyConnection, view: str) -> set[str]:
    """Column names of a view."""
    return {str(r[0]) for r in con.execute(f"DESCRIBE {qident(view)}").fetchall()}


#: Values of an integer key column that the uniqueness pre-check can collect as bits.
_BITS = 64


def _repeats_sql(view: str, keys: tuple[str, ...], small: str | None) -> str:
    """SQL of a cheap pre-check of a uniqueness key: 0 means no two rows share a key.

    Rows are grouped by a 64-bit hash of the key instead of the key itself. Two
    rows with the same key have the same hash, so a duplicate always shows; a
    hash shared by different keys only sends the table to the exact check of
    :func:`_check_unique`, which then finds nothing. With ``small``, an
    integer column of the key (a year), rows are grouped by the hash of the
    other columns and that column's values are collected as bits, value mod
    64: fewer bits than rows in a group means a repeat. That holds when the
    column spans fewer than 64 values, which the caller checks.
    """
    notnull = " AND ".join(f"{qident(k)} IS NOT NULL" for k in keys)
    if small is not None:
        rest = ", ".join(qident(k) for k in keys if k != small)
        bit = f"CAST(({qident(small)} % {_BITS} + {_BITS}) % {_BITS} AS UBIGINT)"
        return (
            f"SELECT count(*) FROM (SELECT hash({rest}) AS h, count(*) AS n, "
            f"bit_or(CAST(1 AS UBIGINT) << {bit}) AS bits "
            f"FROM {view} WHERE {notnull} GROUP BY h) WHERE n > bit_count(bits)"
        )
    cols = ", ".join(qident(k) for k in keys)
    return (
        f"SELECT count(*) FROM (SELECT hash({cols}) AS h FROM {view} WHERE {notnull} "
        "GROUP BY h HAVING count(*) > 1)"
    )


def _check_unique(
    con: duckdb.DuckDBPyConnection, table: CheckedTable, keys: tuple[str, ...]
) -> None:
    cols = ", ".join(qident(k) for k in keys)
    notnull = " AND ".join(f"{qident(k)} IS NOT NULL" for k in keys)
    dup = (
        f"SELECT {cols} FROM {qident(table.check_view)} WHERE {notnull} "
        f"GROUP BY {cols} HAVING count(*) > 1"
    )
    got = con.execute(
        f"SELECT coalesce(sum(c), 0) FROM (SELECT count(*) AS c FROM {qident(table.check_view)} "
        f"WHERE {notnull} GROUP BY {cols} HAVING count(*) > 1)"
    ).fetchone()
    n = int(got[0]) if got else 0
    if n:
        match = " AND ".join(f"d.{qident(k)} = t.{qident(k)}" for k in keys)
        bad = f"EXISTS (SELECT 1 FROM ({dup}) AS d WHERE {match})"
        rows = _fetch_rows(con, table.check_view, bad)
        what = " and ".join(keys)
        raise raise_rule(
            table.source,
            ", ".join(keys),
            "unique",
            f"{what} must be unique; the rows listed share a value with another row",
            n,
            rows,
            f"keep one row per {what} (remove duplicates or fix the ids)",
        )


def check_foreign_key(
    con: duckdb.DuckDBPyConnection,
    table: CheckedTable,
    columns: tuple[str, ...],
    ref_table: str,
    ref_columns: tuple[str, ...],
) -> None:
    """Raise ``foreign_key`` for rows whose ``columns`` have no match in ``ref_table``."""
    notnull = " AND ".join(f"t.{qident(c)} IS NOT NULL" for c in columns)
    match = " AND ".join(
        f"r.{qident(rc)} = t.{qident(c)}" for c, rc in zip(columns, ref_columns, strict=True)
    )
    bad = f"{notnull} AND NOT EXISTS (SELECT 1 FROM {qident(ref_table)} AS r WHERE {match})"
    col = ", ".join(columns)
    ref = ", ".join(ref_columns)
    check_rule(
        con,
        table,
        rule="foreign_key",
        column=col,
        bad_sql=bad,
        text=f"every {col} must exist as {ref} in {ref_table}",
        fix=f"add the missing {ref_table} rows, or correct the {col} values",
    )


def check_scale_values(con: duckdb.DuckDBPyConnection, answers: CheckedTable) -> None:
    """Raise ``scale_value`` for answers whose value is not a code of the item's scale."""
    cases = " ".join(
        f"WHEN {qstr(scale)} THEN t.value NOT IN ({', '.join(qstr(c) for c in codes)})"
        for scale, codes in SCALES.items()
    )
    bad = (
        "t.value IS NOT NULL AND (SELECT CASE c.scale "
        f"{cases} ELSE TRUE END FROM codebook AS c WHERE c.item_id = t.item_id)"
    )
    scales = "; ".join(f"{s}: {', '.join(c)}" for s, c in SCALES.items())
    check_rule(
        con,
        answers,
        rule="scale_value",
        column="value",
        bad_sql=bad,
        text="value must be a code of the item's scale in codebook, or empty",
        fix=f"recode answers to the scale codes ({scales}); leave unanswered items empty",
        found_sql="t.value",
    )


def check_case_rounds(con: duckdb.DuckDBPyConnection, sources: CheckedTable) -> None:
    """Raise ``case_round`` for sources whose round is not one of their case's rounds."""
    bad = (
        "NOT EXISTS (SELECT 1 FROM cases AS c WHERE c.case_id = t.case_id AND "
        "(';' || replace(c.rounds, ' ', '') || ';') LIKE "
        "('%;' || CAST(t.round AS VARCHAR) || ';%'))"
    )
    check_rule(
        con,
        sources,
        rule="case_round",
        column="round",
        bad_sql=bad,
        text="round must be one of the years in the case's rounds (cases.rounds)",
        fix="correct the source's round, or add the year to the case's rounds in cases",
    )


def check_dispatch_sent(con: duckdb.DuckDBPyConnection, dispatch: CheckedTable) -> None:
    """Raise ``dispatch_sent`` where fewer questionnaires were sent than answered."""
    bad = (
        "t.sent < (SELECT count(*) FROM respondents AS r WHERE r.wave = t.wave "
        "AND r.actor = t.actor AND r.plan_id = t.plan_id)"
    )
    check_rule(
        con,
        dispatch,
        rule="dispatch_sent",
        column="sent",
        bad_sql=bad,
        text="sent must be at least the number of respondents with that wave, actor and plan_id",
        fix="correct the number sent, or check the wave/actor/plan_id of the respondents",
    )


def check_price_coverage(con: duckdb.DuckDBPyConnection, residents: CheckedTable) -> None:
    """Raise ``price_coverage`` for residents rows whose year has no price index."""
    bad = "NOT EXISTS (SELECT 1 FROM prices AS p WHERE p.year = t.year)"
    missing = con.execute(
        f"SELECT DISTINCT year FROM {qident(residents.check_view)} AS t WHERE {bad} "
        "ORDER BY year LIMIT 10"
    ).fetchall()
    if not missing:  # no row breaks the rule: nothing to count
        return
    years = ", ".join(str(r[0]) for r in missing)
    check_rule(
        con,
        residents,
        rule="price_coverage",
        column="year",
        bad_sql=bad,
        text=f"every year must have a price index in prices; missing: {years}",
        fix=f"add rows for year(s) {years} to the prices file",
    )


def check_plan_spells(con: duckdb.DuckDBPyConnection, spells: CheckedTable) -> None:
    """Raise for overlapping spells of one department and a first plan that is not its plan.

    Rules ``spell_overlap`` (a department in two plans in one year) and
    ``first_plan`` (``departments.plan_id`` must be the plan of the
    department's earliest spell: it is the department's cluster).
    """
    overlap = (
        "EXISTS (SELECT 1 FROM department_plans AS o WHERE o.department_id = t.department_id "
        "AND o.from_year < t.from_year "
        "AND (o.to_year IS NULL OR o.to_year >= t.from_year))"
    )
    check_rule(
        con,
        spells,
        rule="spell_overlap",
        column="from_year",
        bad_sql=overlap,
        text="a department's spells must not overlap: each from_year must come after the "
        "to_year of the department's earlier spell (an earlier spell without to_year runs on)",
        fix="end the earlier plan before the next one starts (to_year), or merge the two rows",
    )
    first = (
        "NOT EXISTS (SELECT 1 FROM department_plans AS o WHERE o.department_id = t.department_id "
        "AND o.from_year < t.from_year) AND EXISTS (SELECT 1 FROM departments AS d "
        "WHERE d.department_id = t.department_id AND d.plan_id <> t.plan_id)"
    )
    check_rule(
        con,
        spells,
        rule="first_plan",
        column="plan_id",
        bad_sql=first,
        text="the plan of a department's earliest spell must be its plan_id in departments "
        "(the department's first plan, on which the analyses cluster)",
        fix="set departments.plan_id to the department's first plan, or correct the spell",
    )
