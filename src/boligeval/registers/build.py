"""From the raw registers to the contract's ``residents`` table, in DuckDB.

The work is ordered so that nothing national is ever held: BEF is joined to
the (small) address-to-department key first, so only persons at public-housing
addresses go on; AKM, IND, UDDA and KRAF are then semi-joined to those
person-years while they stream from disk. Every check runs before anything
is written; ``residents.parquet`` and ``register_accounting.csv`` are written
to a temporary name and renamed at the end.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import duckdb

from boligeval.config import DataSpec, EvaluationConfig, dump_config
from boligeval.contract.readers import qstr
from boligeval.contract.schemas import TABLE_ORDER
from boligeval.errors import ConfigError, ContractError
from boligeval.outputs import (
    MANIFEST,
    check_environment,
    connect,
    output_folder,
    scratch_folder,
)
from boligeval.progress import Progress, silent
from boligeval.registers.codelists import CODELISTS, CodeList, resolve_codelists
from boligeval.registers.config import (
    REGISTER_TABLES,
    YEARLY_TABLES,
    RegistersSpec,
    parse_registers,
)
from boligeval.registers.sources import TableSource, open_table

__all__ = ["RegistersResult", "build_residents", "registers_spec"]

#: IE_TYPE code of persons of Danish origin (1 dansk oprindelse, 2 indvandrer, 3 efterkommer).
IE_DANISH = "1"
IE_IMMIGRANT = "2"
#: KOEN codes (1 mand, 2 kvinde).
KOEN = {"1": "M", "2": "F"}


@dataclass(frozen=True)
class RegistersResult:
    """What :func:`build_residents` wrote.

    Attributes
    ----------
    out_dir : Path
    paths : dict of str to Path
        ``residents``, ``accounting``, ``config`` and the copied contract tables.
    n_rows : int
        Rows of residents.
    rows_by_year : dict of int to int
    rules : dict of str to int
        Person-years each pitfall rule touched.
    """

    out_dir: Path
    paths: Mapping[str, Path]
    n_rows: int
    rows_by_year: Mapping[int, int]
    rules: Mapping[str, int]

    def __str__(self) -> str:
        """One line for the command line."""
        years = sorted(self.rows_by_year)
        span = f"{years[0]}-{years[-1]}" if years else "-"
        touched = ", ".join(f"{k} {v:,}" for k, v in self.rules.items())
        return (f"{self.n_rows:,} person-years {span} written to {self.paths['residents']}; "
                f"rules: {touched}")


def registers_spec(cfg: EvaluationConfig) -> RegistersSpec:
    """The parsed ``[registers]`` block of a config."""
    if cfg.registers is None:
        raise ConfigError("The config has no [registers] block; see docs/data-preparation.md.")
    base = cfg.source.parent if cfg.source is not None else Path.cwd()
    return parse_registers(cfg.registers, base=base, design_years=cfg.measurement_years)


def _codelist_table(con: duckdb.DuckDBPyConnection, cl: CodeList) -> None:
    con.execute(f"CREATE OR REPLACE TEMP TABLE cl_{cl.name} (code VARCHAR, value VARCHAR)")
    if cl.codes:
        con.executemany(f"INSERT INTO cl_{cl.name} VALUES (?, ?)", list(cl.codes.items()))


def _match(col: str, cl: CodeList) -> str:
    """SQL: the code list's value for ``col`` (NULL when not listed)."""
    cond = f"starts_with({col}, c.code)" if cl.prefix else f"c.code = {col}"
    order = " ORDER BY length(c.code) DESC" if cl.prefix else ""
    return f"(SELECT c.value FROM cl_{cl.name} c WHERE {cond}{order} LIMIT 1)"


def _count_rows(con: duckdb.DuckDBPyConnection, src: TableSource) -> dict[int | None, int]:
    """Rows per year of a raw table (metadata only where the year is the file's)."""
    out: dict[int | None, int] = {}
    for b in src.branches:
        if b.year is not None:
            n = con.execute(f"SELECT count(*) FROM {b.reader}").fetchone()
            out[b.year] = out.get(b.year, 0) + int(n[0] if n else 0)
        elif "YEAR" in b.columns:
            yname = b.source("YEAR")[0]
            for y, n in con.execute(
                f'SELECT CAST("{yname}" AS INTEGER), count(*) FROM {b.reader} GROUP BY ALL'
            ).fetchall():
                out[y] = out.get(y, 0) + int(n)
        else:
            n = con.execute(f"SELECT count(*) FROM {b.reader}").fetchone()
            out[None] = out.get(None, 0) + int(n[0] if n else 0)
    return out


def _fail(message: str, *, register: str, year: int | None, column: str | None, rule: str,
          file: str, n_rows: int) -> ContractError:
    return ContractError(message, file=file, column=column, rule=rule, n_rows=n_rows)


def build_residents(
    cfg: EvaluationConfig,
    out_dir: Path,
    *,
    overwrite: bool = False,
    progress: Progress | None = None,
) -> RegistersResult:
    """Read the raw registers of ``cfg.registers`` and write ``residents.parquet`` to ``out_dir``.

    Also writes ``register_accounting.csv`` (every register row: kept, outside
    public housing, outside the years, dropped with a reason, and the persons
    each rule touched), copies the other contract tables of ``[data] dir``
    and writes ``config.toml`` for ``validate``, ``panel`` and ``run``.

    Parameters
    ----------
    cfg : EvaluationConfig
        A config with a ``[registers]`` block.
    out_dir : Path
        Output folder: new, empty, or an earlier output of this command
        (recognised by its manifest), replaced whole only with ``overwrite``;
        never a data folder. It is written atomically, like a run's.
    overwrite : bool
        Replace an earlier output whole.
    progress : Progress, optional

    Raises
    ------
    ConfigError, ContractError
        Bad config, code lists or register files; nothing is written.
    """
    progress = progress or silent()
    spec = registers_spec(cfg)
    check_environment()
    codelists = resolve_codelists(spec.codelists, spec.confirmed, list(CODELISTS))
    with (output_folder(Path(out_dir), overwrite=overwrite,
                        data_dirs=[cfg.data.dir, spec.dir]) as folder,
          scratch_folder() as scratch):
        con = connect(scratch)
        try:
            staged = _build(con, cfg, spec, codelists, scratch, folder.stage, progress)
        finally:
            con.close()
        _write_manifest(folder.stage, staged)
        folder.commit()
    return replace(staged, out_dir=folder.final,
                   paths={k: folder.final / v.name for k, v in staged.paths.items()})


def _write_manifest(out_dir: Path, result: RegistersResult) -> None:
    """A manifest that marks the folder as this command's output: microdata, never to leave."""
    from datetime import UTC, datetime

    from boligeval.write.manifest import package_versions

    manifest = {
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": "registers",
        "boligeval": package_versions(),
        "outputs": sorted(p.name for p in out_dir.iterdir()),
        "rows_by_year": {str(y): n for y, n in result.rows_by_year.items()},
        "fit_to_leave": False,
        "why_not": ["residents.parquet holds person-level register data"],
    }
    (out_dir / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True),
                                   encoding="utf-8")


def _build(
    con: duckdb.DuckDBPyConnection,
    cfg: EvaluationConfig,
    spec: RegistersSpec,
    codelists: Mapping[str, CodeList],
    scratch: Path,
    out_dir: Path,
    progress: Progress,
) -> RegistersResult:
    years = spec.years
    yl = ", ".join(map(str, years))
    key = spec.address_key.upper()
    rules = spec.rules
    sources: dict[str, TableSource] = {}
    with progress.stage("finding the register files"):
        for name, variables in REGISTER_TABLES.items():
            needed = [key if v == "address_key" else v.upper() for v in variables]
            sources[name] = open_table(con, name, spec.tables[name], needed,
                                       spec.renames(name), scratch)
            progress.log(f"{name}: {len(sources[name].branches)} file group(s), years "
                         f"{_span(sources[name].years)}")
    for name in YEARLY_TABLES:
        for y in years:
            if y not in sources[name].years:
                raise _fail(
                    f"register {name}: year {y} is missing (rule 'missing_year'); found "
                    f"{_span(sources[name].years)} at {sources[name].spec}. How to fix: add the "
                    f"year's file, or leave {y} out of [registers] years / [design] years.",
                    register=name, year=y, column="year", rule="missing_year",
                    file=str(sources[name].spec), n_rows=0,
                )
    for cl in codelists.values():
        _codelist_table(con, cl)
    bef_years = tuple(y for y in sources["bef"].years if y <= years[-1])
    accounting: list[tuple[str, int | None, str, str, int]] = []

    with progress.stage("public-housing addresses"):
        addr_sql = sources["address_departments"].select(
            {key: "address", "DEPARTMENT_ID": "department_id"}, bef_years)
        con.execute(f"CREATE TEMP TABLE addr_raw AS SELECT * FROM ({addr_sql}) "
                    "WHERE address IS NOT NULL AND department_id IS NOT NULL")
        bad = con.execute(
            "SELECT year, count(*) FROM (SELECT address, year FROM addr_raw GROUP BY ALL "
            "HAVING count(DISTINCT department_id) > 1) GROUP BY year ORDER BY year"
        ).fetchall()
        if bad:
            y, n = bad[0]
            src = sources["address_departments"]
            raise _fail(
                f"register address_departments year {y}: {n:,} address(es) map to two or more "
                f"departments (rule 'one_department_per_address', variable {spec.address_key}, "
                f"file {src.where(y)}). How to fix: give each address one department per year.",
                register="address_departments", year=y, column=spec.address_key,
                rule="one_department_per_address", file=src.where(y), n_rows=int(n),
            )
        con.execute("CREATE TEMP TABLE addr AS SELECT DISTINCT address, year, department_id "
                    "FROM addr_raw")
        con.execute("DROP TABLE addr_raw")

    with progress.stage("BEF at public-housing addresses"):
        bef_sql = sources["bef"].select({
            "PNR": "pnr", "FOED_DAG": "foed", "KOEN": "koen", "IE_TYPE": "ie_type",
            "OPR_LAND": "opr_land", "FAMILIE_ID": "familie_id", "PLADS": "plads",
            "BOP_VFRA": "bop", key: "address",
        }, bef_years, join=("JOIN", "addr", {key: "address"}, ["department_id"]))
        con.execute(f"CREATE TEMP TABLE pb AS {bef_sql}")
        bef_counts = _count_rows(con, sources["bef"])
        bef_kept = dict(con.execute("SELECT year, count(*) FROM pb GROUP BY year").fetchall())
        for cy, cn in sorted(bef_counts.items(), key=lambda t: t[0] or 0):
            if cy in years:
                accounting.append(("bef", cy, "kept", "", int(bef_kept.get(cy, 0))))
                accounting.append(("bef", cy, "outside_public_housing",
                                   "address not in the address key",
                                   cn - int(bef_kept.get(cy, 0))))
            else:
                reason = ("not a measurement year (read for the previous department)"
                          if cy in bef_years else "not a measurement year")
                accounting.append(("bef", cy, "outside_years", reason, cn))
        dup = con.execute(
            f"SELECT year, count(*) FROM (SELECT pnr, year FROM pb WHERE year IN ({yl}) "
            "GROUP BY ALL HAVING count(*) > 1) GROUP BY year ORDER BY year"
        ).fetchall()
        if dup:
            y, n = dup[0]
            raise _fail(
                f"register bef year {y}: {n:,} person(s) occur twice or more (rule "
                f"'unique_person_year', variable PNR, file {sources['bef'].where(y)}). How to "
                "fix: keep one row per person and year (the status at the measurement date).",
                register="bef", year=y, column="PNR", rule="unique_person_year",
                file=sources["bef"].where(y), n_rows=int(n),
            )
        for var, col in (("PNR", "pnr"), ("FOED_DAG", "foed"), ("KOEN", "koen"),
                         ("IE_TYPE", "ie_type")):
            cond = f"{col} IS NULL" + (" OR koen NOT IN ('1', '2')" if col == "koen" else "")
            row = con.execute(
                f"SELECT year, count(*) FROM pb WHERE year IN ({yl}) AND ({cond}) "
                "GROUP BY year ORDER BY year LIMIT 1"
            ).fetchone()
            if row:
                raise _fail(
                    f"register bef year {row[0]}: variable {var} is empty or invalid in "
                    f"{row[1]:,} row(s) of persons at public-housing addresses (rule "
                    f"'{'allowed_values' if col == 'koen' else 'not_null'}', file "
                    f"{sources['bef'].where(row[0])}). How to fix: check the variable and its "
                    "codes (KOEN 1 or 2) in this year's file.",
                    register="bef", year=int(row[0]), column=var, rule="not_null",
                    file=sources["bef"].where(row[0]), n_rows=int(row[1]),
                )

    with progress.stage("move-in years"):
        con.execute("CREATE TEMP TABLE bef_years (year INTEGER)")
        con.executemany("INSERT INTO bef_years VALUES (?)", [(y,) for y in bef_years])
        con.execute(f"""
            CREATE TEMP TABLE moves AS
            WITH yy AS (SELECT year, lag(year) OVER (ORDER BY year) AS prev_bef FROM bef_years),
            s AS (
                SELECT p.pnr, p.year, p.department_id, p.bop, p.foed,
                       lag(p.year) OVER w AS py, lag(p.department_id) OVER w AS pd
                FROM pb p WINDOW w AS (PARTITION BY p.pnr ORDER BY p.year)
            ),
            f AS (
                SELECT s.*, CASE WHEN s.py IS NOT NULL AND s.py = yy.prev_bef
                                 AND s.pd = s.department_id THEN 0 ELSE 1 END AS new_stay
                FROM s JOIN yy USING (year)
            ),
            g AS (
                SELECT *, sum(new_stay) OVER (PARTITION BY pnr ORDER BY year
                                              ROWS UNBOUNDED PRECEDING) AS stay
                FROM f
            ),
            h AS (
                SELECT pnr, year, bop, foed,
                       first_value(bop) OVER (PARTITION BY pnr, stay ORDER BY year) AS stay_bop
                FROM g
            )
            SELECT * FROM h WHERE year IN ({yl})
        """)
        ref = "stay_bop" if rules.within_department_moves == "not_in_mover" else "bop"
        newborn = (f"CASE WHEN {ref} = foed THEN NULL ELSE year({ref}) END"
                   if rules.newborns == "not_in_mover" else f"year({ref})")
        con.execute(f"CREATE TEMP TABLE move_in AS SELECT pnr, year, {newborn} AS move_in_year, "
                    "year(bop) AS raw_year, year(stay_bop) AS stay_year, "
                    f"({ref} = foed) AS is_birth FROM moves")

    with progress.stage("families"):
        child = ("TRUE" if rules.lone_parent_children == "any_age"
                 else "(year - year(foed)) < 18")
        adult = ("(p.plads = '3' AND p.year - year(p.foed) >= 18)"
                 if rules.lone_parent_adult_children else "FALSE")
        con.execute(f"""
            CREATE TEMP TABLE fam AS
            SELECT year, familie_id,
                   bool_or(plads = '3' AND {child}) AND NOT bool_or(plads = '2') AS lone
            FROM pb WHERE year IN ({yl}) AND familie_id IS NOT NULL GROUP BY ALL
        """)
        con.execute(f"""
            CREATE TEMP TABLE persons AS
            SELECT p.pnr, p.year, p.department_id, p.foed, p.koen, p.ie_type, p.opr_land,
                   p.address, p.bop,
                   {"p.familie_id" if rules.household == "family" else "p.address"}
                       AS household_id,
                   coalesce(f.lone, FALSE) AND (p.plads = '1' OR {adult}) AS single_parent,
                   (p.familie_id IS NULL) AS no_family
            FROM pb p LEFT JOIN fam f ON f.year = p.year AND f.familie_id = p.familie_id
            WHERE p.year IN ({yl})
        """)
        con.execute("CREATE TEMP TABLE keys AS SELECT pnr, year FROM persons")

    filtered: dict[str, str] = {}
    with progress.stage("AKM, IND and UDDA of the residents"):
        for name, cols in (("akm", {"PNR": "pnr", "SOCIO13": "socio13"}),
                           ("ind", {"PNR": "pnr", "DISPON_13": "dispon",
                                    "PERINDKIALT_13": "perindk"}),
                           ("udda", {"PNR": "pnr", "HFAUDD": "hfaudd"})):
            sql = sources[name].select(cols, years,
                                       join=("SEMI JOIN", "keys", {"PNR": "pnr"}, []))
            con.execute(f"CREATE TEMP TABLE {name}_k AS {sql}")
            filtered[name] = f"{name}_k"
            dup2 = con.execute(
                f"SELECT year, count(*) FROM (SELECT pnr, year FROM {name}_k GROUP BY ALL "
                "HAVING count(*) > 1) GROUP BY year ORDER BY year LIMIT 1"
            ).fetchone()
            if dup2:
                dy, dn = int(dup2[0]), int(dup2[1])
                raise _fail(
                    f"register {name} year {dy}: {dn:,} person(s) living in public "
                    f"housing occur twice or more (rule 'unique_person_year', variable PNR, "
                    f"file {sources[name].where(dy)}). How to fix: one row per person and "
                    "year.",
                    register=name, year=dy, column="PNR", rule="unique_person_year",
                    file=sources[name].where(dy), n_rows=dn,
                )
            counts = _count_rows(con, sources[name])
            kept = dict(con.execute(f"SELECT year, count(*) FROM {name}_k GROUP BY year")
                        .fetchall())
            for cy, cn in sorted(counts.items(), key=lambda t: t[0] or 0):
                if cy in years:
                    accounting.append((name, cy, "kept", "", int(kept.get(cy, 0))))
                    accounting.append((name, cy, "outside_public_housing",
                                       "person not at a public-housing address",
                                       cn - int(kept.get(cy, 0))))
                else:
                    accounting.append((name, cy, "outside_years", "not a measurement year", cn))
        for name, col, clname in (("akm", "socio13", "socio13"), ("udda", "hfaudd", "hfaudd")):
            known = (f"{_match('r.' + col, codelists[clname])} IS NULL"
                     if codelists[clname].prefix else
                     f"r.{col} NOT IN (SELECT code FROM cl_{clname})")
            unknown = con.execute(
                f"SELECT year, {col}, count(*) FROM {name}_k r WHERE {col} IS NOT NULL AND "
                f"{known} GROUP BY ALL ORDER BY 3 DESC, 1, 2 LIMIT 5"
            ).fetchall()
            if unknown:
                y = int(unknown[0][0])
                codes = ", ".join(sorted({f"'{c}'" for _, c, _ in unknown}))
                raise _fail(
                    f"register {name} year {y}: variable {col.upper()} has codes not in the code "
                    f"list {clname} ({codelists[clname].where}), e.g. {codes} (rule 'known_code', "
                    "file "
                    f"{sources[name].where(y)}). How to fix: add the codes to your code list "
                    f"([registers.codelists] {clname} = \"file.csv\").",
                    register=name, year=y, column=col.upper(), rule="known_code",
                    file=sources[name].where(y), n_rows=int(sum(r[2] for r in unknown)),
                )

    with progress.stage("court decisions"):
        con.execute("CREATE TEMP TABLE res_pnr AS SELECT DISTINCT pnr FROM keys")
        kraf_sql = sources["kraf"].select(
            {"PNR": "pnr", "AFG_DATO": "dato", "AFG_AFGTYP": "afgtyp", "AFG_GER7": "ger7"}, None)
        con.execute(f"""
            CREATE TEMP TABLE kraf_k AS
            SELECT r.pnr, r.dato, r.afgtyp, r.ger7 FROM ({kraf_sql}) r
            SEMI JOIN res_pnr k ON k.pnr = r.pnr
        """)
        con.execute(f"""
            CREATE TEMP TABLE kraf_j AS
            SELECT k.year, k.pnr,
                   {_match('r.afgtyp', codelists['kraf_decisions'])} IS NOT NULL AS guilty,
                   {_match('r.ger7', codelists['kraf_offences'])} IS NOT NULL AS offence,
                   r.dato > make_date(k.year - 1, 12, 31) AND r.dato <= make_date(k.year, 12, 31)
                       AS in_window
            FROM kraf_k r JOIN keys k ON k.pnr = r.pnr
        """)
        con.execute("CREATE TEMP TABLE conv AS SELECT DISTINCT pnr, year FROM kraf_j "
                    "WHERE guilty AND offence AND in_window")
        total = _count_rows(con, sources["kraf"])
        n_total = sum(total.values())
        n_res = con.execute("SELECT count(*) FROM kraf_k").fetchone()
        kraf_rows = con.execute(
            "SELECT year, count(*) FILTER (WHERE guilty AND offence AND in_window), "
            "count(*) FILTER (WHERE in_window AND NOT guilty), "
            "count(*) FILTER (WHERE in_window AND guilty AND NOT offence) "
            "FROM kraf_j GROUP BY year ORDER BY year"
        ).fetchall()
        accounting.append(("kraf", None, "outside_public_housing",
                           "person never at a public-housing address in a measurement year",
                           n_total - int(n_res[0] if n_res else 0)))
        in_window = sum(int(r[1]) + int(r[2]) + int(r[3]) for r in kraf_rows)
        accounting.append(("kraf", None, "outside_years",
                           "decision of a resident outside every measurement year",
                           int(n_res[0] if n_res else 0) - in_window))
        for y, used, not_guilty, other_law in kraf_rows:
            accounting.append(("kraf", int(y), "kept", "guilty decision, counted law, in the year",
                               int(used)))
            accounting.append(("kraf", int(y), "dropped", "decision type not guilty",
                               int(not_guilty)))
            accounting.append(("kraf", int(y), "dropped", "offence under another law",
                               int(other_law)))

    with progress.stage("residents"):
        joins = ""
        values = {}
        for alias, col, name in (("cs", "a.socio13", "socio13"), ("ch", "u.hfaudd", "hfaudd"),
                                 ("cw", "p.opr_land", "western_countries")):
            if codelists[name].prefix:
                values[name] = _match(col, codelists[name])
            else:
                joins += f" LEFT JOIN cl_{name} {alias} ON {alias}.code = {col}"
                values[name] = f"{alias}.value"
        soc, edu, west = values["socio13"], values["hfaudd"], values["western_countries"]
        age = "(p.year - year(p.foed))"
        con.execute(f"""
            CREATE TEMP TABLE res AS
            SELECT p.pnr AS person_id, CAST(p.year AS BIGINT) AS year, p.department_id,
                   coalesce(p.household_id, 'person-' || p.pnr) AS household_id,
                   CAST(year(p.foed) AS BIGINT) AS birth_year,
                   CASE p.koen WHEN '1' THEN 'M' ELSE 'F' END AS sex,
                   CASE WHEN p.ie_type = '{IE_DANISH}' THEN 'danish'
                        WHEN {west} IS NOT NULL THEN 'western' ELSE 'non_western' END AS origin,
                   CASE WHEN a.socio13 IS NOT NULL THEN {soc}
                        WHEN {age} < 15 THEN '{rules.socio13_children}'
                        WHEN year(p.bop) = p.year THEN '{rules.socio13_arrivals}'
                        ELSE 'missing' END AS income_source,
                   CAST(i.dispon AS DOUBLE) AS disposable_income,
                   coalesce({edu}, 'missing') AS education,
                   p.single_parent,
                   (c.pnr IS NOT NULL) AS convicted,
                   CAST(m.move_in_year AS BIGINT) AS move_in_year,
                   CAST(i.perindk AS DOUBLE) AS gross_income,
                   -- for the accounting only
                   a.socio13 IS NULL AND {age} < 15 AS r_children,
                   a.socio13 IS NULL AND {age} >= 15 AND year(p.bop) = p.year AS r_arrivals,
                   a.socio13 IS NULL AND {age} >= 15 AND year(p.bop) <> p.year AS r_no_akm,
                   m.raw_year IS DISTINCT FROM m.stay_year AS r_within,
                   coalesce(m.is_birth, FALSE) AS r_newborn,
                   u.pnr IS NULL AS r_no_udda,
                   u.pnr IS NOT NULL AND u.hfaudd IS NULL AS r_no_hfaudd,
                   p.ie_type = '{IE_IMMIGRANT}' AS r_immigrant,
                   i.pnr IS NULL AS r_no_ind, p.no_family AS r_no_family
            FROM persons p
            LEFT JOIN akm_k a ON a.pnr = p.pnr AND a.year = p.year
            LEFT JOIN ind_k i ON i.pnr = p.pnr AND i.year = p.year
            LEFT JOIN udda_k u ON u.pnr = p.pnr AND u.year = p.year
            LEFT JOIN conv c ON c.pnr = p.pnr AND c.year = p.year
            LEFT JOIN move_in m ON m.pnr = p.pnr AND m.year = p.year
            {joins}
        """)
        touched = con.execute("""
            SELECT year,
                   count(*) FILTER (WHERE r_children), count(*) FILTER (WHERE r_arrivals),
                   count(*) FILTER (WHERE r_no_akm), count(*) FILTER (WHERE r_within),
                   count(*) FILTER (WHERE r_newborn),
                   count(*) FILTER (WHERE r_no_udda), count(*) FILTER (WHERE r_no_hfaudd),
                   count(*) FILTER (WHERE (r_no_udda OR r_no_hfaudd) AND r_immigrant),
                   count(*) FILTER (WHERE education = 'missing' AND NOT r_no_udda
                                    AND NOT r_no_hfaudd),
                   count(*) FILTER (WHERE single_parent),
                   count(*) FILTER (WHERE r_no_ind), count(*) FILTER (WHERE r_no_family)
            FROM res GROUP BY year ORDER BY year
        """).fetchall()
        labels = [
            ("rule", f"socio13_children: no SOCIO13, under 15 -> {rules.socio13_children}"),
            ("rule", f"socio13_arrivals: no SOCIO13, 15+, moved in this year -> "
                     f"{rules.socio13_arrivals}"),
            ("missing", "no SOCIO13, 15+, not moved in this year -> missing"),
            ("rule", f"within_department_moves: moved within the department "
                     f"({rules.within_department_moves})"),
            ("rule", f"newborns: move-in date is the birth date ({rules.newborns})"),
            ("missing", "education missing: no UDDA row"),
            ("missing", "education missing: HFAUDD empty"),
            ("missing", "education missing (no row or empty HFAUDD): immigrants"),
            ("missing", "education missing: HFAUDD maps to missing"),
            ("rule", f"lone parents flagged (children {rules.lone_parent_children}, adult "
                     f"children flagged: {str(rules.lone_parent_adult_children).lower()})"),
            ("missing", "disposable income missing: no IND row"),
            ("missing", "household: no FAMILIE_ID (the person is their own household)"),
        ]
        rule_totals: dict[str, int] = {}
        short = ["socio13_children", "socio13_arrivals", "", "within_department_moves",
                 "newborns", "", "", "", "", "lone_parents", "", ""]
        for row in touched:
            y = int(row[0])
            for (cat, text), n, s in zip(labels, row[1:], short, strict=True):
                accounting.append(("residents", y, cat, text, int(n)))
                if s:
                    rule_totals[s] = rule_totals.get(s, 0) + int(n)

    with progress.stage("writing residents.parquet"):
        out_dir.mkdir(parents=True, exist_ok=True)
        tmp_res = out_dir / ".residents.parquet.part"
        con.execute(f"""
            COPY (SELECT person_id, year, department_id, household_id, birth_year, sex, origin,
                         income_source, disposable_income, education, single_parent, convicted,
                         move_in_year, gross_income
                  FROM res ORDER BY year, department_id, person_id)
            TO {qstr(tmp_res.as_posix())} (FORMAT parquet, COMPRESSION zstd)
        """)
        rows_by_year = {int(y): int(n) for y, n in con.execute(
            "SELECT year, count(*) FROM res GROUP BY year ORDER BY year").fetchall()}
        paths = _finish(cfg, out_dir, tmp_res, accounting)
    return RegistersResult(out_dir=out_dir, paths=paths, n_rows=sum(rows_by_year.values()),
                           rows_by_year=rows_by_year, rules=rule_totals)


def _span(years: Sequence[int]) -> str:
    if not years:
        return "none"
    ys = sorted(years)
    if ys == list(range(ys[0], ys[-1] + 1)) and len(ys) > 2:
        return f"{ys[0]}-{ys[-1]}"
    return ", ".join(map(str, ys))


def _finish(
    cfg: EvaluationConfig,
    out_dir: Path,
    tmp_res: Path,
    accounting: Sequence[tuple[str, int | None, str, str, int]],
) -> dict[str, Path]:
    import csv

    paths: dict[str, Path] = {}
    res = out_dir / "residents.parquet"
    tmp_res.replace(res)
    paths["residents"] = res
    acc = out_dir / "register_accounting.csv"
    with acc.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["register", "year", "category", "reason", "rows"])
        for reg, y, cat, reason, n in accounting:
            w.writerow([reg, "" if y is None else y, cat, reason, n])
    paths["accounting"] = acc
    if cfg.data.dir.is_dir():
        for f in sorted(cfg.data.dir.iterdir()):
            if f.is_file() and f.stem in TABLE_ORDER and f.stem != "residents":
                target = out_dir / f.name
                shutil.copy2(f, target)
                paths[f.stem] = target
    rename = {k: v for k, v in cfg.data.rename.items() if k != "residents"}
    out_cfg = replace(cfg, data=DataSpec(dir=out_dir, rename=rename), registers=None)
    conf = out_dir / "config.toml"
    conf.write_text(dump_config(out_cfg, data_dir=Path(".")), encoding="utf-8")
    paths["config"] = conf
    return paths
