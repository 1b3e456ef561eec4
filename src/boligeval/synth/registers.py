"""The synthetic world as raw registers: BEF, AKM, IND, UDDA, KRAF and an address key.

``write_registers(world_dir, seed=...)`` turns the world's own ``residents``
back into the tables a researcher at Statistics Denmark starts from, under
DST's variable names and codes, as year-partitioned Parquet
(``registers/bef/year=2005/...``), and writes ``registers.toml`` so that
``boligeval registers world/registers.toml --out OUT`` rebuilds exactly the
world's ``residents``. The raw tables include what makes the real step
hard: people outside public housing (out-movers in their next year, and
filler persons), moves within a department (a new address and move-in date,
same department), lone parents with adult children, arrivals without
SOCIO13, newborns whose move-in date is their birth date, immigrants without
HFAUDD, and court decisions that do not count.

Codes with no DST equivalent are synthetic and listed in the world's own
code lists (``registers/codelists/``): SOCIO13 299 for the contract's
``unemployed_short`` (SOCIO13 has no such code), the HFAUDD codes, and the
KRAF decision and offence codes. Person draws are hashes of the seed and the
person id (the same world and seed give the same files); the national filler
comes from ``numpy.random.default_rng(seed)``.
"""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Callable
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from boligeval.contract.readers import qstr
from boligeval.errors import ConfigError
from boligeval.registers.codelists import load_codelist

__all__ = ["NATIONAL_PERSONS", "write_registers"]

#: Persons a year in the national registers (Denmark, 2000-2012: about 5.4-5.6 million).
NATIONAL_PERSONS = 5_500_000
_FILLER_SHARE = 0.05  # filler persons outside public housing without --national
_MOVE_SHARE = 8  # percent of households that move within their department once
_EMPLOYED = ("111", "112", "113", "114", "120", "131", "132", "133", "134", "135", "139")
_WESTERN = ("5104", "5110", "5120", "5170", "5180", "5390")
_NON_WESTERN = ("5122", "5151", "5152", "5172")
_HFAUDD = {
    "basic": ("1010", "1510"),
    "upper_secondary": ("2010", "2510"),
    "vocational": ("3010", "3510"),
    "short_tertiary": ("4010", "4020"),
    "medium_tertiary": ("5010", "6010"),
    "long_tertiary": ("6510", "7010", "8010"),
}
_SOCIO = {
    "leave": "220", "unemployed_short": "299", "unemployed_long": "210",
    "social_assistance": "330", "disability_pension": "321", "student": "310", "other": "410",
}
_GUILTY = ("11", "12", "13")
_NOT_GUILTY = "51"
_OFFENCES = ("1", "31", "32")  # prefixes: criminal code, weapons act, euphoriant substances act
_TRAFFIC = "2110000"
_CHUNK = 1_000_000


def _pick(choices: tuple[str, ...], h: str) -> str:
    """SQL: one of ``choices`` by the hash expression ``h``."""
    arr = "[" + ", ".join(f"'{c}'" for c in choices) + "]"
    return f"{arr}[1 + CAST(({h}) % {len(choices)} AS BIGINT)]"


def _codelists(out: Path) -> dict[str, Path]:
    """Write the world's own code lists (synthetic codes marked as such)."""
    d = out / "codelists"
    d.mkdir(parents=True, exist_ok=True)
    head = ("# codelist: {name}\n# source: boligeval's synthetic world (synth/registers.py); "
            "synthetic codes, not DST's\n# status: verified\n")
    socio = load_codelist("socio13")
    rows = [f"{c},{v}," for c, v in socio.codes.items()]
    rows.append("299,unemployed_short,synthetic: unemployed less than half a year")
    files = {
        "socio13": rows,
        "hfaudd": [f"{c},{lvl}," for lvl, codes in _HFAUDD.items() for c in codes],
        "western_countries": [f"{c},western," for c in load_codelist("western_countries").codes],
        "kraf_decisions": [f"{c},guilty," for c in _GUILTY],
        "kraf_offences": [f"{c},offence," for c in _OFFENCES],
    }
    paths = {}
    for name, body in files.items():
        extra = "# match: prefix\n" if name == "kraf_offences" else ""
        p = d / f"{name}.csv"
        p.write_text(head.format(name=name) + extra + "code,value,label\n" + "\n".join(body)
                     + "\n", encoding="utf-8")
        paths[name] = p
    return paths


def write_registers(
    world_dir: Path,
    *,
    seed: int,
    national: bool = False,
    national_persons: int = NATIONAL_PERSONS,
    progress: Callable[[str], None] | None = None,
) -> Path:
    """Write the world's raw registers to ``world_dir/registers`` and ``registers.toml``.

    Parameters
    ----------
    world_dir : Path
        A synthetic world (``residents.parquet`` or ``.csv``).
    seed : int
        Seed of the person draws and the filler.
    national : bool
        Add the rest of the country as filler rows (``national_persons`` a year).
    national_persons : int
        Persons a year in the national registers.
    progress : callable, optional
        Called with one line per stage.

    Returns
    -------
    Path
        The written ``registers.toml``.
    """
    say = progress or (lambda message: None)
    world_dir = Path(world_dir)
    res_files = [p for p in (world_dir / "residents.parquet", world_dir / "residents.csv")
                 if p.is_file()]
    if not res_files:
        raise ConfigError(f"{world_dir} holds no residents file to turn into registers.")
    out = world_dir / "registers"
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = false")
    src = res_files[0]
    reader = (f"read_parquet({qstr(str(src))})" if src.suffix == ".parquet"
              else f"read_csv({qstr(str(src))}, header = true)")
    con.execute(f"CREATE TABLE r AS SELECT * FROM {reader}")
    years = [int(y) for (y,) in con.execute("SELECT DISTINCT year FROM r ORDER BY 1").fetchall()]
    s = int(seed)

    def h(tag: str, col: str = "person_id") -> str:
        return f"hash({s}, '{tag}', {col})"

    say("synthetic registers: households, addresses and moves")
    con.execute("""
        CREATE TABLE hy AS
        SELECT household_id, year,
               row_number() OVER (PARTITION BY household_id ORDER BY year) - 1 AS idx,
               count(*) OVER (PARTITION BY household_id) AS n
        FROM (SELECT DISTINCT household_id, year FROM r)
    """)
    con.execute(f"""
        CREATE TABLE hmove AS
        SELECT household_id, year AS move_year,
               make_date(year, 1, 1) + CAST({h('md', 'household_id')} % 365 AS INTEGER)
                   AS move_date
        FROM hy
        WHERE n >= 2 AND {h('mv', 'household_id')} % 100 < {_MOVE_SHARE}
          AND idx = 1 + {h('mi', 'household_id')} % (n - 1)
    """)
    con.execute("CREATE TABLE pf AS SELECT person_id, min(year) AS first_year FROM r GROUP BY 1")
    con.execute("""
        CREATE TABLE plads AS
        WITH x AS (
            SELECT person_id, year, household_id, single_parent,
                   bool_or(single_parent) OVER (PARTITION BY household_id, year) AS lone,
                   row_number() OVER (PARTITION BY household_id, year
                                      ORDER BY birth_year, person_id) AS rk
            FROM r
        )
        SELECT person_id, year,
               CASE WHEN lone THEN (CASE WHEN single_parent THEN 1 ELSE 3 END)
                    ELSE (CASE WHEN rk <= 2 THEN rk ELSE 3 END) END AS plads,
               lone
        FROM x
    """)
    con.execute(f"""
        CREATE TABLE b AS
        WITH base AS (
            SELECT r.*, make_date(CAST(r.birth_year AS INTEGER), 1, 1)
                        + CAST({h('f')} % 300 AS INTEGER) AS foed
            FROM r
        )
        SELECT b.*, pl.plads, pl.lone,
               CASE WHEN m.move_year IS NOT NULL AND b.year >= m.move_year
                    THEN 'A' || substr(b.household_id, 2) || '1'
                    ELSE 'A' || substr(b.household_id, 2) || '0' END AS address,
               CASE WHEN m.move_year IS NOT NULL AND b.year >= m.move_year
                         AND f.first_year < m.move_year THEN m.move_date
                    WHEN b.move_in_year IS NULL THEN b.foed
                    WHEN b.move_in_year = b.birth_year
                        THEN b.foed + CAST(1 + {h('bd')} % 30 AS INTEGER)
                    ELSE make_date(CAST(b.move_in_year AS INTEGER), 1, 1)
                         + CAST({h('bd')} % 365 AS INTEGER) END AS bop
        FROM base b
        JOIN plads pl USING (person_id, year)
        JOIN pf f USING (person_id)
        LEFT JOIN hmove m USING (household_id)
    """)
    bef_dir = out / "bef"
    say("synthetic registers: BEF")
    con.execute(f"""
        COPY (
            SELECT person_id AS PNR, year, foed AS FOED_DAG,
                   CASE sex WHEN 'M' THEN 1 ELSE 2 END AS KOEN,
                   CASE WHEN origin = 'danish' THEN 1
                        WHEN {h('ie')} % 3 = 0 THEN 3 ELSE 2 END AS IE_TYPE,
                   CASE origin WHEN 'danish' THEN 5100
                        WHEN 'western' THEN CAST({_pick(_WESTERN, h('ol'))} AS INTEGER)
                        ELSE CAST({_pick(_NON_WESTERN, h('ol'))} AS INTEGER) END AS OPR_LAND,
                   household_id AS FAMILIE_ID,
                   CASE WHEN lone THEN 5 ELSE 1 END AS FAMILIE_TYPE,
                   plads AS PLADS,
                   count(*) FILTER (WHERE plads = 3 AND year - birth_year < 18)
                       OVER (PARTITION BY household_id, year) AS ANTBOERNF,
                   bop AS BOP_VFRA, address AS ADRESSE_ID
            FROM b
        ) TO {qstr(str(bef_dir))} (FORMAT parquet, PARTITION_BY (year), COMPRESSION zstd)
    """)
    con.execute(f"""
        COPY (SELECT DISTINCT b.address AS ADRESSE_ID, b.year,
                     d.department_id AS department_id
              FROM b JOIN (SELECT DISTINCT household_id, department_id FROM r) d
                   USING (household_id))
        TO {qstr(str(out / 'adresse_afdeling.parquet'))} (FORMAT parquet)
    """)
    say("synthetic registers: AKM, IND, UDDA, KRAF")
    socio = " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in _SOCIO.items())
    con.execute(f"""
        COPY (
            SELECT person_id AS PNR, year,
                   CAST(CASE income_source
                        WHEN 'employed' THEN {_pick(_EMPLOYED, h('so'))}
                        WHEN 'retired' THEN (CASE WHEN year - birth_year >= 65 THEN '322'
                                             ELSE '323' END)
                        {socio} END AS INTEGER) AS SOCIO13
            FROM r WHERE income_source <> 'missing'
        ) TO {qstr(str(out / 'akm'))} (FORMAT parquet, PARTITION_BY (year), COMPRESSION zstd)
    """)
    con.execute(f"""
        COPY (SELECT person_id AS PNR, year, disposable_income AS DISPON_13,
                     gross_income AS PERINDKIALT_13 FROM r)
        TO {qstr(str(out / 'ind'))} (FORMAT parquet, PARTITION_BY (year), COMPRESSION zstd)
    """)
    edu = " ".join(f"WHEN '{lvl}' THEN {_pick(codes, h('hf'))}" for lvl, codes in _HFAUDD.items())
    con.execute(f"""
        COPY (
            SELECT PNR, year, CAST(HFAUDD AS INTEGER) AS HFAUDD FROM (
                SELECT person_id AS PNR, year,
                       CASE education {edu} END AS HFAUDD,
                       education, origin, year - birth_year AS age
                FROM r
            )
            WHERE education <> 'missing'
               OR (origin <> 'danish' AND age >= 15 AND {h('nohf', 'PNR')} % 2 = 0)
        ) TO {qstr(str(out / 'udda'))} (FORMAT parquet, PARTITION_BY (year), COMPRESSION zstd)
    """)
    con.execute(f"""
        COPY (
            SELECT PNR, AFG_DATO, AFG_AFGTYP, AFG_GER7, year(AFG_DATO) AS year FROM (
                SELECT person_id AS PNR,
                       make_date(CAST(year AS INTEGER), 1, 1)
                           + CAST({h('kd')} % 365 AS INTEGER) AS AFG_DATO,
                       {_pick(_GUILTY, h('kt'))} AS AFG_AFGTYP,
                       CASE {h('kg')} % 3 WHEN 0 THEN '1' || lpad(CAST({h('kc')} % 999999
                                                                 AS VARCHAR), 6, '0')
                            WHEN 1 THEN '3100000' ELSE '3200000' END AS AFG_GER7
                FROM r WHERE convicted
                UNION ALL
                SELECT person_id, make_date(CAST(year AS INTEGER), 1, 1)
                           + CAST({h('nd')} % 365 AS INTEGER),
                       CASE WHEN {h('nt')} % 2 = 0 THEN '{_NOT_GUILTY}' ELSE '11' END,
                       CASE WHEN {h('nt')} % 2 = 0 THEN '1000000' ELSE '{_TRAFFIC}' END
                FROM r WHERE NOT convicted AND year - birth_year >= 15
                             AND {h('noise')} % 100 < 2
            )
        ) TO {qstr(str(out / 'kraf'))} (FORMAT parquet, PARTITION_BY (year), COMPRESSION zstd)
    """)
    say("synthetic registers: persons outside public housing")
    later = dict(itertools.pairwise(years))
    if later:
        cases = " ".join(f"WHEN {y} THEN {n}" for y, n in later.items())
        con.execute(f"""
            CREATE TABLE movers AS
            SELECT person_id, CASE last {cases} END AS year, birth_year, sex
            FROM (SELECT person_id, max(year) AS last, any_value(birth_year) AS birth_year,
                         any_value(sex) AS sex FROM r GROUP BY 1)
            WHERE last < {years[-1]}
        """)
        con.execute(f"""
            COPY (
                SELECT person_id AS PNR, year,
                       make_date(CAST(birth_year AS INTEGER), 1, 1)
                           + CAST({h('f')} % 300 AS INTEGER) AS FOED_DAG,
                       CASE sex WHEN 'M' THEN 1 ELSE 2 END AS KOEN, 1 AS IE_TYPE,
                       5100 AS OPR_LAND, 'G' || person_id AS FAMILIE_ID, 1 AS FAMILIE_TYPE,
                       1 AS PLADS, 0 AS ANTBOERNF,
                       make_date(CAST(year AS INTEGER), 1, 1)
                           + CAST({h('od')} % 365 AS INTEGER) AS BOP_VFRA,
                       'X' || person_id AS ADRESSE_ID
                FROM movers
            ) TO {qstr(str(bef_dir))} (FORMAT parquet, PARTITION_BY (year), COMPRESSION zstd,
                                      OVERWRITE_OR_IGNORE, FILENAME_PATTERN 'movers_{{i}}')
        """)
    n_public = con.execute(f"SELECT count(*) FROM r WHERE year = {years[0]}").fetchone()
    con.close()
    if national:
        n_fill = max(national_persons - int(n_public[0] if n_public else 0), 0)
        fill_years = years
    else:
        n_fill = max(int(_FILLER_SHARE * int(n_public[0] if n_public else 0)), 10)
        fill_years = [years[0] - 1, *years]
    _filler(out, n_fill, fill_years, seed, say)
    paths = _codelists(out)
    return _write_config(world_dir, years, paths)


def _jan1(years: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 of 1 January of each year."""
    return (years - 1970).astype("datetime64[Y]").astype("datetime64[D]").astype(np.int64)


def _filler(out: Path, n: int, years: list[int], seed: int, say: Callable[[str], None]) -> None:
    """Persons who never live in public housing: plain rows in every register and year."""
    rng = np.random.default_rng([seed, 13])
    ids = np.arange(n, dtype=np.int64)
    pnr_all = pa.array(np.char.add("N", np.char.zfill(ids.astype(str), 9)))
    fam_all = pa.array(np.char.add("G", np.char.zfill((ids // 2).astype(str), 9)))
    adr_all = pa.array(np.char.add("X", np.char.zfill((ids // 2).astype(str), 9)))
    birth_all = rng.integers(1915, 2012, n)
    doy = rng.integers(0, 300, n)
    koen_all = rng.integers(1, 3, n).astype(np.int64)
    hf_all = rng.choice(np.array([1010, 2010, 3010, 4010, 5010, 6510], dtype=np.int64), n)
    for y in years:
        say(f"synthetic registers: national filler {y} ({n:,} persons)")
        for start in range(0, n, _CHUNK):
            sl = slice(start, min(start + _CHUNK, n))
            m = sl.stop - sl.start
            birth = np.minimum(birth_all[sl], y)
            foed_days = (_jan1(birth) + doy[sl]).astype(np.int32)
            bop_year = np.maximum(birth, y - rng.integers(0, 20, m))
            bop_days = np.maximum(_jan1(bop_year) + 300, foed_days).astype(np.int32)
            pnr = pnr_all[sl]
            part = f"filler-{start // _CHUNK:03d}.parquet"
            bef = pa.table({
                "PNR": pnr,
                "FOED_DAG": pa.array(foed_days, pa.date32()),
                "KOEN": koen_all[sl],
                "IE_TYPE": np.ones(m, dtype=np.int64),
                "OPR_LAND": np.full(m, 5100, dtype=np.int64),
                "FAMILIE_ID": fam_all[sl],
                "FAMILIE_TYPE": np.ones(m, dtype=np.int64),
                "PLADS": np.ones(m, dtype=np.int64),
                "ANTBOERNF": np.zeros(m, dtype=np.int64),
                "BOP_VFRA": pa.array(bop_days, pa.date32()),
                "ADRESSE_ID": adr_all[sl],
            })
            adult = (y - birth) >= 15
            akm = pa.table({"PNR": pnr, "SOCIO13": np.where(adult, 134, 420).astype(np.int64)})
            inc = rng.normal(200_000, 60_000, m).round()
            ind = pa.table({"PNR": pnr, "DISPON_13": inc, "PERINDKIALT_13": (inc * 1.5).round()})
            udda = pa.table({"PNR": pnr, "HFAUDD": hf_all[sl]})
            for name, table in (("bef", bef), ("akm", akm), ("ind", ind), ("udda", udda)):
                d = out / name / f"year={y}"
                d.mkdir(parents=True, exist_ok=True)
                pq.write_table(table, d / part, compression="zstd")


def _write_config(world_dir: Path, years: list[int], codelists: dict[str, Path]) -> Path:
    lists = "\n".join(f'{k} = "{p.relative_to(world_dir).as_posix()}"'
                      for k, p in codelists.items())
    text = f"""# The synthetic world's raw registers:
# boligeval registers registers.toml --out OUT
# Written by `boligeval synth --registers`; OUT gets residents.parquet (the world's own,
# row for row), register_accounting.csv, the world's other tables and config.toml.

[data]
dir = "."

[design]
years = [{", ".join(map(str, years))}]

[registers]
dir = "registers"
address_key = "ADRESSE_ID"

[registers.tables]
bef = "bef"
akm = "akm"
ind = "ind"
udda = "udda"
kraf = "kraf"
address_departments = "adresse_afdeling.parquet"

[registers.rules]
# The synthetic world flags only the lone parent, not the adult children at home.
lone_parent_adult_children = false

[registers.codelists]
# The world's own lists: DST's SOCIO13 plus a synthetic code for short unemployment,
# and synthetic HFAUDD, country and court-decision codes.
{lists}
"""
    path = world_dir / "registers.toml"
    path.write_text(text, encoding="utf-8")
    return path
