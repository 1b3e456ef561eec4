"""Benchmark: building the department-year panel, against one DuckDB scan and a plain DuckDB pipeline.

Builds the synthetic world at the scales given (default 1 and 20; worlds are
cached under ``--cache``), then, each in a fresh subprocess so peak memory is
measured per task:

* ``scan``: one full DuckDB scan of residents.parquet (every column read);
* ``panel``: ``boligeval panel`` (validation, design, derivations, aggregation,
  disclosure control, writing);
* ``peer``: the same cells by a plain hand-written DuckDB pipeline, the way an
  evaluator writes it without boligeval: a person table, household totals
  joined back, an anti join for the out-movers, the parents of the youth, and
  a GROUP BY per population. It validates nothing and publishes nothing; its
  parameters are the default config's.

The peer's cells are checked against the published panel (every cell that
disclosure control left: the same counts, values within 1e-4, the rounding of
boligeval's exact decimal sums), so both compute the same numbers.

Prints wall time, peak resident memory, the ratio panel / scan, the ratio
panel / peer and the build's stages (from its manifest). Target: ratio to the scan <= 6 and peak memory under 4 GB at
scale 20 (the build validates every row, joins each person-year to the next
measurement year and aggregates: several passes).

Usage::

    .venv/bin/python benchmarks/panel.py [--scales 1 20] [--cache .bench-worlds]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
from _measure import measured  # benchmarks/ is on the path when run as a script

SCAN = """
import duckdb, sys
con = duckdb.connect()
con.execute("SET preserve_insertion_order = false")
path = sys.argv[1]
row = con.execute(
    f"SELECT count(*), max(COLUMNS(*)) FROM read_parquet('{path}')"
).fetchone()
print(row[0])
"""

PANEL = """
import sys
from pathlib import Path
from boligeval.config import load_config
from boligeval.run import build_panel_outputs

cfg = load_config(Path(sys.argv[1]))
build_panel_outputs(cfg, Path(sys.argv[2]))
"""

PEER = r'''
import json, sys
import duckdb

world, out, p = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
con = duckdb.connect()
con.execute("SET preserve_insertion_order = false")
res, prices = f"{world}/residents.parquet", f"{world}/prices.parquet"
base = con.execute(f"SELECT index FROM '{prices}' WHERE year = {p['base_year']}").fetchone()[0]
years = p["years"]
nxt = "CASE " + " ".join(f"WHEN {{y}} = {a} THEN {b}" for a, b in zip(years, years[1:])) + " END"
comp = "(" + ", ".join(f"'{c}'" for c in p["competence"]) + ")"
w = p["weights"]
labour = " ".join(f"WHEN '{c}' THEN {w[c]!r}" for c in p["labour_codes"])
origin = " ".join(f"WHEN '{c}' THEN {w[c]!r}" for c in ("danish", "western", "non_western"))
wa, ed, dep, youth = p["working_age"], p["education_ages"], p["deprivation_ages"], p["youth_ages"]
con.execute(f"""
CREATE TEMP TABLE persons AS
SELECT r.person_id, r.household_id, r.department_id, r.year, r.year - r.birth_year AS age,
       age BETWEEN {wa[0]} AND {wa[1]} AS working_age,
       coalesce(r.move_in_year = r.year, FALSE) AS in_mover,
       CASE WHEN r.income_source = 'employed' THEN 100.0 ELSE 0.0 END AS employed,
       r.disposable_income * {base} / px.index AS disposable_income,
       CASE WHEN age BETWEEN {ed[0]} AND {ed[1]}
            THEN CASE WHEN r.education IN {comp} THEN 100.0 ELSE 0.0 END END
           AS competence_education,
       CASE WHEN age BETWEEN {dep[0]} AND {dep[1]} THEN
           CASE r.income_source {labour}
                WHEN 'disability_pension' THEN CASE WHEN age >= {p['split_age']}
                    THEN {w['disability_pension_old']!r} ELSE {w['disability_pension_young']!r} END
                ELSE 0.0 END
           + CASE r.origin {origin} ELSE 0.0 END
           + CASE WHEN r.single_parent THEN {w['single_parent']!r} ELSE 0.0 END
           + CASE WHEN r.convicted THEN {w['convicted']!r} ELSE 0.0 END END AS deprivation,
       r.education, r.income_source, r.exam_grade_relative, r.youth_education_started,
       r.placed_outside_home, r.convicted, r.gp_visits, r.dentist_visits
FROM read_parquet('{res}') r LEFT JOIN read_parquet('{prices}') px ON px.year = r.year
WHERE r.year IN ({", ".join(map(str, years))})
""")
con.execute(f"""
CREATE TEMP TABLE households AS
SELECT household_id, year, department_id, any_in_mover, all_in_movers,
       CASE WHEN n = n_income THEN income / (1.0 + {p['adult_weight']!r} * greatest(adults - 1, 0)
            + {p['child_weight']!r} * (n_aged - adults - CASE WHEN adults = 0 THEN 1 ELSE 0 END))
       END AS equivalised_income
FROM (SELECT household_id, year, department_id, count(*) AS n,
             count(disposable_income) AS n_income, sum(disposable_income) AS income,
             count(age) AS n_aged, count(*) FILTER (WHERE age >= {p['child_age_cutoff']}) AS adults,
             bool_or(in_mover) AS any_in_mover, bool_and(in_mover) AS all_in_movers
      FROM persons GROUP BY household_id, year, department_id)
""")
con.execute("""
CREATE TEMP TABLE rows AS
SELECT p.*, h.equivalised_income FROM persons p JOIN households h
USING (household_id, year, department_id)
""")
outcomes = ["employed", "disposable_income", "equivalised_income", "competence_education",
            "deprivation"]
cols = ", ".join(f"count({o}) AS n__{o}, avg({o}) AS v__{o}" for o in outcomes)
person_pops = {"all": "TRUE", "working_age": "working_age", "in_movers": "in_mover",
               "in_movers_working_age": "in_mover AND working_age"}
parts = [f"SELECT '{name}' AS population, department_id, year, {cols} FROM rows "
         f"WHERE {where} GROUP BY department_id, year" for name, where in person_pops.items()]
parts.append(f"""
    SELECT 'out_movers' AS population, department_id, next_year AS year, {cols}
    FROM (SELECT p0.*, {nxt.format(y="p0.year")} AS next_year FROM rows p0
          ANTI JOIN rows p1 ON p1.person_id = p0.person_id
              AND p1.year = {nxt.format(y="p0.year")} AND p1.department_id = p0.department_id
          WHERE {nxt.format(y="p0.year")} IS NOT NULL)
    GROUP BY department_id, next_year""")
household_pops = {"households": "TRUE", "in_mover_households": "any_in_mover",
                  "all_in_mover_households": "all_in_movers"}
parts += [f"SELECT '{name}' AS population, department_id, year, "
          "count(equivalised_income) AS n__equivalised_income, "
          "avg(equivalised_income) AS v__equivalised_income "
          f"FROM households WHERE {where} GROUP BY department_id, year"
          for name, where in household_pops.items()]
share = "CASE WHEN {c} THEN 100.0 WHEN NOT {c} THEN 0.0 END"
youth_outcomes = {
    "exam_grade_relative": "exam_grade_relative",
    "youth_education_started": share.format(c="youth_education_started"),
    "placed_outside_home": share.format(c="placed_outside_home"),
    "convicted": f"CASE WHEN age >= 15 THEN {share.format(c='convicted')} END",
    "gp_visits": "gp_visits",
    "dentist_visits": "dentist_visits",
}
con.execute(f"""
CREATE TEMP TABLE youth AS
WITH parents AS (
    SELECT household_id, year, bool_or(education IN {comp}) AS educated,
           bool_or(income_source = 'employed') AS employed
    FROM persons WHERE age >= {p['parent_min_age']} GROUP BY household_id, year)
SELECT y.department_id, y.year, coalesce(NOT p.educated OR NOT p.employed, FALSE) AS vulnerable,
       {", ".join(f"{e} AS {o}" for o, e in youth_outcomes.items())}
FROM (SELECT * FROM persons WHERE age BETWEEN {youth[0]} AND {youth[1]}) y
LEFT JOIN parents p USING (household_id, year)
""")
youth_cols = ", ".join(f"count({o}) AS n__{o}, avg({o}) AS v__{o}" for o in youth_outcomes)
parts += [f"SELECT '{name}' AS population, department_id, year, {youth_cols} FROM youth "
          f"WHERE {where} GROUP BY department_id, year"
          for name, where in {"youth": "TRUE", "vulnerable_youth": "vulnerable"}.items()]
con.execute(f"COPY ({' UNION ALL BY NAME '.join(parts)}) TO '{out}' (FORMAT parquet)")
'''


def peer_parameters(config: Path) -> str:
    """The default config's definitions, as the peer's JSON argument."""
    from boligeval.config import load_config
    from boligeval.panel.derive import COMPETENCE_EDUCATION

    cfg = load_config(config)
    labour = ["employed", "leave", "unemployed_short", "unemployed_long", "social_assistance",
              "missing", "student", "retired", "other"]
    return json.dumps({
        "years": list(cfg.measurement_years),
        "base_year": cfg.design.price_base_year,
        "working_age": list(cfg.population.working_age),
        "education_ages": list(cfg.population.education_ages),
        "youth_ages": list(cfg.population.youth_ages),
        "parent_min_age": cfg.population.parent_min_age,
        "deprivation_ages": list(cfg.deprivation.ages),
        "split_age": cfg.deprivation.disability_split_age,
        "weights": dict(cfg.deprivation.weights),
        "labour_codes": labour,
        "competence": list(COMPETENCE_EDUCATION),
        "child_age_cutoff": cfg.income.child_age_cutoff,
        "adult_weight": cfg.income.adult_weight,
        "child_weight": cfg.income.child_weight,
    })


def compare_with_peer(panel: Path, peer: Path) -> str:
    """Check the peer's cells against every published cell; a line saying how they agree."""
    wide = pd.read_parquet(peer)
    keys = ["population", "department_id", "year"]
    long = pd.concat(
        wide[[*keys, c, "v__" + c[3:]]].rename(columns={c: "n_peer", "v__" + c[3:]: "v_peer"})
        .assign(outcome=c[3:]).dropna(subset=["n_peer"])
        for c in wide.columns if c.startswith("n__")
    )
    published = pd.read_parquet(panel)
    published = published[~published["suppressed"] & published["value"].notna()]
    both = published.merge(long, on=[*keys, "outcome"], how="left")
    if both["n_peer"].isna().any() or not (both["n"] == both["n_peer"]).all():
        raise SystemExit("the peer's counts differ from the panel's: the comparison is void")
    gap = float((both["value"] - both["v_peer"]).abs().max())
    if gap > 1e-4:
        raise SystemExit(f"the peer's values differ from the panel's by up to {gap:g}")
    return f"{len(both):,} published cells: same counts, values within {gap:.1e}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=float, nargs="+", default=[1.0, 20.0])
    parser.add_argument("--cache", type=Path, default=Path(".bench-worlds"))
    parser.add_argument("--repeat", type=int, default=3, help="runs per task (median)")
    args = parser.parse_args()
    rows = []
    for scale in args.scales:
        world = args.cache / f"scale-{scale:g}"
        if not (world / "residents.parquet").exists():
            print(f"building the synthetic world at scale {scale:g} ...", flush=True)
            t = time.perf_counter()
            subprocess.run([sys.executable, "-m", "boligeval.cli", "synth", "--out", str(world),
                            "--scale", str(scale)], check=True, capture_output=True)
            print(f"  built in {time.perf_counter() - t:.1f} s", flush=True)
        residents = world / "residents.parquet"
        with tempfile.TemporaryDirectory() as tmp:
            cfg = Path(tmp) / "config.toml"
            cfg.write_text(f'[data]\ndir = "{world.resolve().as_posix()}"\n', encoding="utf-8")
            params = peer_parameters(cfg)
            scans, panels, peers = [], [], []
            for i in range(args.repeat):  # interleaved, so a busier spell hits all three
                scans.append(measured(SCAN, str(residents)))
                panels.append(measured(PANEL, str(cfg), str(Path(tmp) / f"out{i}")))
                peers.append(measured(PEER, world.resolve().as_posix(),
                                      str(Path(tmp) / f"peer{i}.parquet"), params))
            check = compare_with_peer(Path(tmp) / "out0" / "panel.parquet",
                                      Path(tmp) / "peer0.parquet")
            manifest = json.loads((Path(tmp) / "out0" / "manifest.json").read_text("utf-8"))

        def median(runs: list[tuple[float, float]]) -> float:
            return sorted(s for s, _ in runs)[len(runs) // 2]

        scan_t, panel_t, peer_t = median(scans), median(panels), median(peers)
        rows.append({
            "scale": scale,
            "residents_mb": round(residents.stat().st_size / 1e6, 1),
            "scan_s": round(scan_t, 2),
            "panel_s": round(panel_t, 2),
            "peer_s": round(peer_t, 2),
            "ratio": round(panel_t / scan_t, 2),
            "ratio_to_peer": round(panel_t / peer_t, 2),
            "scan_peak_gb": round(max(m for _, m in scans), 2),
            "panel_peak_gb": round(max(m for _, m in panels), 2),
            "peer_peak_gb": round(max(m for _, m in peers), 2),
            "peer_check": check,
            "panel_stages_s (first run)": manifest["timings_seconds"],
        })
        print(json.dumps(rows[-1]), flush=True)
    print()
    print(f"{'scale':>6} {'scan s':>8} {'panel s':>8} {'peer s':>8} {'panel/scan':>11} "
          f"{'panel/peer':>11} {'panel GB':>9} {'peer GB':>8}")
    for r in rows:
        print(f"{r['scale']:>6g} {r['scan_s']:>8} {r['panel_s']:>8} {r['peer_s']:>8} "
              f"{r['ratio']:>11} {r['ratio_to_peer']:>11} {r['panel_peak_gb']:>9} "
              f"{r['peer_peak_gb']:>8}")
    print("target: panel/scan <= 6, panel peak < 4 GB at scale 20")


if __name__ == "__main__":
    main()
