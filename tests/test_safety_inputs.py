"""Bad-input corpus of issue 12: every case ends in one clear message and exit 2.

Each test builds its input. Config and environment cases are refused before
the long work: no output folder appears.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner

from boligeval.cli import main
from boligeval.config import load_config, parse_config
from boligeval.disclosure import DisclosureRules
from boligeval.errors import BoligevalWarning, ConfigError
from boligeval.run import check_rules, memory_limit


def cli(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, list(args), env=env)


def refused(result, *words: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    text = result.output.lower()
    for w in words:
        assert w.lower() in text, result.output


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("safety") / "world"
    result = cli("synth", "--out", str(out), "--scale", "0.05", "--seed", "3")
    assert result.exit_code == 0, result.output
    return out


def _config(path: Path, data: Path, extra: str = "") -> Path:
    path.write_text(f'[data]\ndir = "{data.as_posix()}"\n{extra}', encoding="utf-8")
    return path


# --------------------------------------------------------------------------- config values


def test_latin1_config_is_one_message(tmp_path: Path):
    cfg = tmp_path / "c.toml"
    cfg.write_bytes('# kommentar: bolig\xe6ndring\n[data]\ndir = "w"\n'.encode("latin-1"))
    refused(cli("validate", str(cfg)), "not UTF-8", "save it as UTF-8")


def test_utf8_bom_is_read(tmp_path: Path):
    cfg = tmp_path / "c.toml"
    cfg.write_bytes('\ufeff[data]\ndir = "w"\n'.encode())
    assert load_config(cfg).data.dir == (tmp_path / "w").resolve()


@pytest.mark.parametrize(("extra", "words"), [
    ("[inference]\nbootstrap_draws = 1000000000\n", ("bootstrap_draws", "GiB")),
    ("[inference]\nalpha = 2\n", ("alpha",)),
    ("[inference]\npower = 1.5\n", ("power",)),
    ("[inference]\nwild_bootstrap_draws = 0\n", ("wild_bootstrap_draws", "at least 1")),
    ("[inference]\npermutations = 0\n", ("permutations",)),
    ('[disclosure]\nprofile = "lax"\n', ("profile",)),
    ("[disclosure]\ndominance_pair_share = 1.5\n", ("dominance_pair_share",)),
    ("[disclosure]\nround_counts = -5\n", ("round_counts",)),
])
def test_config_values_out_of_range(tmp_path: Path, extra: str, words: tuple[str, ...]):
    out = tmp_path / "out"
    cfg = _config(tmp_path / "c.toml", tmp_path, extra)
    refused(cli("run", str(cfg), "--out", str(out)), *words)
    assert not out.exists()


def test_years_not_in_data_refused_before_the_panel(world: Path, tmp_path: Path):
    cfg = _config(tmp_path / "c.toml", world, "[design]\nyears = [2005, 2030]\n")
    out = tmp_path / "out"
    refused(cli("run", str(cfg), "--out", str(out)), "2030", "no rows")
    assert not out.exists()


def test_draws_memory_estimate_uses_the_data(world: Path, tmp_path: Path):
    # 900,000 wild draws x the 11 plans x 8 bytes (79 MB) is more than 64 MB.
    cfg = _config(tmp_path / "c.toml", world, "[inference]\nwild_bootstrap_draws = 900000\n")
    out = tmp_path / "out"
    result = cli("run", str(cfg), "--out", str(out), env={"BOLIGEVAL_MEMORY_LIMIT": "64MB"})
    refused(result, "GiB", "fewer draws")
    assert not out.exists()


# --------------------------------------------------------------------------- environment


@pytest.mark.parametrize("value", ["abc", "0", "0GB", "200MB'; SELECT 1; --", "-4GB"])
def test_memory_limit_refused(world: Path, tmp_path: Path, value: str):
    cfg = _config(tmp_path / "c.toml", world)
    refused(cli("validate", str(cfg), env={"BOLIGEVAL_MEMORY_LIMIT": value}),
            "BOLIGEVAL_MEMORY_LIMIT")


def test_memory_limit_accepted(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("BOLIGEVAL_MEMORY_LIMIT", " 4GB")
    assert memory_limit() == ("4GB", 4e9)
    monkeypatch.setenv("BOLIGEVAL_MEMORY_LIMIT", "512MiB")
    assert memory_limit() == ("512MiB", 512 * 2**20)


# --------------------------------------------------------------------------- weak rules


@pytest.mark.parametrize("extra", ["min_persons = 1", "secondary = false",
                                   "dominance_share = 0.9", "survey_min_count = 0"])
def test_weaker_rules_warn_not_fit_to_leave(tmp_path: Path, extra: str):
    cfg = parse_config(_raw(extra), base=tmp_path)
    assert not cfg.disclosure.fit_to_leave
    with pytest.warns(BoligevalWarning, match="NOT fit to leave"):
        check_rules(cfg)


def _raw(extra: str) -> dict[str, object]:
    import tomllib

    return tomllib.loads(f'[data]\ndir = "w"\n[disclosure]\n{extra}\n')


def test_profiles():
    assert DisclosureRules().fit_to_leave
    dst = DisclosureRules.from_profile("dst")
    assert (dst.min_persons, dst.dominance_pair_share, dst.survey_min_count) == (3, 0.85, 3)
    assert dst.fit_to_leave
    # min_persons 4 is stricter than dst's 3 but weaker than strict's 5
    assert DisclosureRules.from_profile("dst", min_persons=4).fit_to_leave
    assert not DisclosureRules(min_persons=4).fit_to_leave
    with pytest.raises(ConfigError):
        DisclosureRules.from_profile("none")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_rules(parse_config(_raw('profile = "dst"'), base=Path(".")))


# --------------------------------------------------------------------------- output folders


def test_synth_refuses_a_folder_with_data(tmp_path: Path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "residents.csv").write_text("person_id\nreal\n", encoding="utf-8")
    refused(cli("synth", "--out", str(folder), "--scale", "0.05"), "not empty")
    refused(cli("synth", "--out", str(folder), "--scale", "0.05", "--overwrite"), "not empty")
    assert (folder / "residents.csv").read_text(encoding="utf-8") == "person_id\nreal\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine"]


def test_run_refuses_a_folder_with_user_files(world: Path, tmp_path: Path):
    here = tmp_path / "project"
    here.mkdir()
    (here / "report.html").write_text("my report", encoding="utf-8")
    cfg = _config(here / "config.toml", world)
    before = cfg.read_bytes()
    for extra in ([], ["--overwrite"]):
        refused(cli("run", str(cfg), "--out", str(here), *extra), "not empty")
    assert (here / "report.html").read_text(encoding="utf-8") == "my report"
    assert cfg.read_bytes() == before


def test_out_may_not_be_or_hold_the_data(world: Path, tmp_path: Path):
    cfg = _config(tmp_path / "c.toml", world)
    refused(cli("run", str(cfg), "--out", str(world)), "data folder")
    refused(cli("panel", str(cfg), "--out", str(world.parent), "--overwrite"), "data folder")


def test_out_is_a_file(world: Path, tmp_path: Path):
    cfg = _config(tmp_path / "c.toml", world)
    target = tmp_path / "file.txt"
    target.write_text("x", encoding="utf-8")
    refused(cli("run", str(cfg), "--out", str(target)), "is a file")
    refused(cli("demo", "--out", str(target)), "is a file")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_out_not_writable(world: Path, tmp_path: Path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        cfg = _config(tmp_path / "c.toml", world)
        refused(cli("run", str(cfg), "--out", str(locked / "out")), "cannot be written")
    finally:
        locked.chmod(0o700)
