"""Leak scanner and output-folder safety: `run` and `panel` on a small world.

Every output file, stdout and stderr are scanned for every person and
household id of the input and every individual income value; published
counts under the threshold must be marked suppressed.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from boligeval.cli import main
from boligeval.disclosure import find_identifiers

MIN_PERSONS = 5


def cli(*args: str):
    return CliRunner().invoke(main, list(args))


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("leaks") / "world"
    result = cli("synth", "--out", str(out), "--scale", "0.05", "--seed", "11", "--format", "csv")
    assert result.exit_code == 0, result.output
    return out


def _config(path: Path, data: Path, extra: str = "") -> Path:
    path.write_text(f'[data]\ndir = "{data.as_posix()}"\n{extra}', encoding="utf-8")
    return path


def _secrets(world: Path) -> tuple[set[str], set[str]]:
    res = pd.read_csv(world / "residents.csv", dtype={"person_id": str, "household_id": str})
    ids = set(res["person_id"]) | set(res["household_id"])
    incomes = set()
    for col in ("disposable_income", "gross_income"):
        for v in res[col].dropna():
            if abs(v) >= 10_000:  # short numbers occur in any text
                incomes |= {f"{v:.2f}", repr(float(v))}
    return ids, incomes


def _scan_text(texts: dict[str, bytes], tokens: set[str]) -> list[tuple[str, str]]:
    """Tokens found as whole numbers (not inside a longer number): a set lookup per number."""
    import re

    number = re.compile(rb"(?<![0-9.])-?[0-9]+(?:\.[0-9]+)?(?![0-9])")
    wanted = {t.encode() for t in tokens}
    return [(name, m.group(0).decode()) for name, data in texts.items()
            for m in number.finditer(data) if m.group(0) in wanted]


def _published_counts(results: dict) -> list[tuple[str, str, float]]:
    out = []
    for section in ("estimates", "cells", "balance", "survey", "accounting", "areas"):
        for r in results.get(section, []):
            if r.get("suppressed") or r.get("table") == "departments" \
                    or r.get("unit") in ("plan", "department"):
                continue
            for key in ("n", "count", "n_obs", "n_persons"):
                v = r.get(key)
                if isinstance(v, int | float) and 0 < v < MIN_PERSONS:
                    out.append((section, key, v))
    return out


@pytest.mark.slow
def test_run_and_panel_leak_nothing(world: Path, tmp_path: Path):
    ids, incomes = _secrets(world)
    cfg = _config(tmp_path / "c.toml", world, "[panel]\nmin_count = 3\n")
    runner = CliRunner()
    outputs = {}
    for command in ("run", "panel", "monitor"):
        out = tmp_path / command
        result = runner.invoke(main, [command, str(cfg), "--out", str(out)])
        assert result.exit_code == 0, result.output
        outputs[command] = (out, result.output)
    files = [p for out, _ in outputs.values() for p in out.rglob("*") if p.is_file()]
    assert find_identifiers(files, ids) == []
    texts = {str(p): p.read_bytes() for p in files}
    texts |= {f"{c}-log": log.encode() for c, (_, log) in outputs.items()}
    import zipfile

    for p in files:
        if zipfile.is_zipfile(p):
            with zipfile.ZipFile(p) as z:
                texts |= {f"{p}:{n}": z.read(n) for n in z.namelist()}
    assert _scan_text(texts, incomes) == []
    assert find_identifiers([], ids) == []
    results = json.loads((outputs["run"][0] / "results.json").read_text(encoding="utf-8"))
    assert _published_counts(results) == []
    # The monitor wrote a profile page per area, plan and municipality, and nothing else
    # than pages, the overviews and its manifest.
    monitor = outputs["monitor"][0]
    assert {p.suffix for p in monitor.rglob("*") if p.is_file()} == {".html", ".docx", ".json"}
    assert (monitor / "index.html").is_file()
    panel = pd.read_parquet(outputs["panel"][0] / "panel.parquet")
    assert "top_share" not in panel.columns and "top2_share" not in panel.columns
    assert panel.loc[panel["n"] < MIN_PERSONS, "value"].isna().all()
    accounting = pd.read_csv(outputs["panel"][0] / "accounting.csv")
    persons = accounting[accounting["table"] != "departments"]
    small = persons["count"].between(1, MIN_PERSONS - 1)
    assert not small.any()
    manifest = json.loads((outputs["panel"][0] / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["disclosure"]["fit_to_leave"] is True
    assert set(manifest["outputs"]) == {"panel.parquet", "accounting.csv"}


@pytest.mark.slow
def test_panels_with_and_without_one_person(world: Path, tmp_path: Path):
    """Issue 12 case 2: what two panels differing by one person give back."""
    res = pd.read_csv(world / "residents.csv", dtype={"person_id": str, "household_id": str})
    # A working-age person in a department with an adult of another age, so that
    # the nested-population rule does not hide the difference by chance.
    person = res.sort_values("person_id")["person_id"].iloc[len(res) // 2]
    gone = tmp_path / "without"
    gone.mkdir()
    for f in world.iterdir():
        if f.is_file() and f.name != "residents.csv" and f.suffix == ".csv":
            (gone / f.name).write_bytes(f.read_bytes())
    res[res["person_id"] != person].to_csv(gone / "residents.csv", index=False)
    rows = res[res["person_id"] == person].set_index("year")["disposable_income"]

    def panels(extra: str) -> tuple[pd.DataFrame, pd.DataFrame]:
        out = []
        for name, data in (("a", world), ("b", gone)):
            cfg = _config(tmp_path / f"{name}.toml", data, "[panel]\nmin_count = 3\n" + extra)
            folder = tmp_path / f"{name}-{abs(hash(extra))}"
            result = cli("panel", str(cfg), "--out", str(folder))
            assert result.exit_code == 0, result.output
            frame = pd.read_parquet(folder / "panel.parquet")
            # no file holds the person's income as a value
            assert not frame["value"].isin(list(rows)).any()
            out.append(frame)
        return out[0], out[1]

    def recovered(a: pd.DataFrame, b: pd.DataFrame) -> set[int]:
        keys = ["department_id", "year", "population", "outcome"]
        m = a.merge(b, on=keys, suffixes=("_a", "_b"))
        m = m[(m["outcome"] == "disposable_income") & (m["population"] == "all")]
        diff = m["n_a"] * m["value_a"] - m["n_b"] * m["value_b"]
        return {int(y) for y, d in zip(m["year"], diff, strict=True)
                if y in rows.index and abs(d - rows[y]) < 1}

    # Exact counts and means: differencing gives the income back (docs/disclosure.md).
    a, b = panels("")
    assert recovered(a, b)
    # Rounded counts and amounts: it does not.
    a, b = panels("[disclosure]\nround_counts = 5\nround_amounts = 1000\n")
    assert recovered(a, b) == set()
    assert (a["n"] % 5 == 0).all()


@pytest.mark.slow
def test_rerun_replaces_whole_and_interrupt_keeps_previous(world: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch):
    cfg = _config(tmp_path / "c.toml", world)
    out = tmp_path / "out"
    assert cli("panel", str(cfg), "--out", str(out)).exit_code == 0
    (out / "stale.svg").write_text("old", encoding="utf-8")
    result = cli("panel", str(cfg), "--out", str(out))
    assert result.exit_code == 2 and "--overwrite" in result.output
    assert cli("panel", str(cfg), "--out", str(out), "--overwrite").exit_code == 0
    assert not (out / "stale.svg").exists()
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    # An interruption while writing: the previous output stays, nothing half-written.
    import boligeval.panel as panel_module

    def interrupted(self, out_dir, rules=None):
        (out_dir / "panel.parquet").write_bytes(b"half")
        raise KeyboardInterrupt

    monkeypatch.setattr(panel_module.Panel, "write", interrupted)
    result = CliRunner().invoke(main, ["panel", str(cfg), "--out", str(out), "--overwrite"])
    assert result.exit_code != 0
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.toml", "out"]


def test_second_run_into_a_locked_folder(world: Path, tmp_path: Path):
    cfg = _config(tmp_path / "c.toml", world)
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        (tmp_path / ".out.boligeval-lock").write_text(str(holder.pid), encoding="ascii")
        result = cli("panel", str(cfg), "--out", str(tmp_path / "out"))
        assert result.exit_code == 2 and "Another boligeval run" in result.output
    finally:
        holder.kill()
        holder.wait()
    # The lock of a dead run is taken over.
    result = cli("panel", str(cfg), "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert not (tmp_path / ".out.boligeval-lock").exists()


@pytest.mark.slow
def test_kill_9_leaves_no_microdata_after_the_next_run(world: Path, tmp_path: Path):
    """A run on a .dta input killed by SIGKILL: the next run removes its scratch."""
    data = tmp_path / "data"
    data.mkdir()
    for f in world.iterdir():
        if f.is_file() and f.suffix == ".csv" and f.name != "residents.csv":
            (data / f.name).write_bytes(f.read_bytes())
    res = pd.read_csv(world / "residents.csv", dtype={"person_id": str, "household_id": str})
    for col in ("youth_education_started", "placed_outside_home"):  # Stata has no bool
        res[col] = res[col].map({True: 1.0, False: 0.0})
    res.to_stata(data / "residents.dta", write_index=False, version=118)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    env = {**os.environ, "BOLIGEVAL_SCRATCH": str(scratch),
           "PYTHONPATH": os.pathsep.join(sys.path)}
    cfg = _config(tmp_path / "c.toml", data)
    proc = subprocess.Popen([sys.executable, "-m", "boligeval.cli", "run", str(cfg), "--out",
                             str(tmp_path / "out")], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        for _ in range(600):
            if list(scratch.glob("boligeval-scratch-*/converted/*")) or proc.poll() is not None:
                break
            time.sleep(0.1)
        assert proc.poll() is None, "the run ended before it could be killed"
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
    assert list(scratch.glob("boligeval-scratch-*/converted/*"))  # the killed run's copy
    result = subprocess.run([sys.executable, "-m", "boligeval.cli", "validate", str(cfg)],
                            env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "removed the scratch folder(s) of 1 earlier run" in result.stderr
    assert list(scratch.iterdir()) == []
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
@pytest.mark.parametrize("excerpts", [False, True])
def test_case_material_leaks_nothing(world: Path, tmp_path: Path, excerpts: bool):
    """The process-evaluation chapter: no source id, excerpts only when asked, small counts hidden."""
    sources = pd.read_csv(world / "case_sources.csv", dtype=str)
    codes = pd.read_csv(world / "case_codes.csv", dtype=str)
    quotes = set(codes["excerpt"].dropna())
    assert quotes, "the synthetic world has excerpts to leak"
    extra = f"[cases]\npublish_excerpts = {'true' if excerpts else 'false'}\n"
    out = tmp_path / "run"
    result = cli("run", str(_config(tmp_path / "c.toml", world, extra)), "--out", str(out))
    assert result.exit_code == 0, result.output
    files = [p for p in out.rglob("*") if p.is_file()]
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Procesevaluering: casestudierne" in html
    texts = {str(p): p.read_bytes() for p in files} | {"log": result.output.encode()}
    import zipfile

    for p in files:
        if zipfile.is_zipfile(p):
            with zipfile.ZipFile(p) as z:
                texts |= {f"{p}:{n}": z.read(n) for n in z.namelist()}
    for source in set(sources["source_id"]):
        assert not any(source.encode() in data for data in texts.values()), source
    shown = {q for q in quotes if q in html}
    assert bool(shown) == excerpts
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    cases = [r for r in results["survey"] if str(r.get("analysis")).startswith("case_")]
    assert cases
    for r in cases:
        if r.get("unit") == "segments" and not r.get("suppressed"):
            assert not 0 < (r.get("count") or 0) < MIN_PERSONS, r
        if r.get("category") == "excerpt":
            assert set(r) & {"case", "source_id", "name"} == set() or r.get("case") is None
