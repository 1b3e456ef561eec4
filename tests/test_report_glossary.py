"""The report's Danish: one term per concept (docs/glossary.md), every label in both languages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from boligeval.report import i18n

GLOSSARY = Path(__file__).resolve().parents[1] / "docs" / "glossary.md"


def _strings(x: Any) -> Iterator[str]:
    if isinstance(x, str):
        yield x
    elif isinstance(x, dict):
        for v in x.values():
            yield from _strings(v)
    elif isinstance(x, list | tuple):
        for v in x:
            yield from _strings(v)


def _texts(lang: str) -> str:
    parts = [*_strings(i18n.TEXT[lang])]
    for kinds in i18n._LABELS.values():
        parts += _strings(kinds[lang])
    return "\n".join(parts).lower()


def _rows() -> list[tuple[list[str], list[str], list[str]]]:
    rows = []
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 4 or cells[0] in ("Danish", "---") or set(cells[0]) <= {"-"}:
            continue
        split = [[t.strip() for t in c.split(",") if t.strip()] for c in cells]
        rows.append((split[0], split[1], split[3]))
    return rows


def test_every_label_key_has_both_languages() -> None:
    assert set(i18n.HEADINGS["da"]) == set(i18n.HEADINGS["en"])
    assert set(i18n._COMMON["da"]) == set(i18n._COMMON["en"])
    for kind, langs in i18n._LABELS.items():
        assert set(langs) == {"da", "en"}, kind
        missing = set(langs["da"]) ^ set(langs["en"])
        assert not missing, (kind, sorted(missing))
        for lang in ("da", "en"):
            assert all(isinstance(v, str) and v.strip() for v in langs[lang].values()), kind
    for key in i18n._COMMON["da"]:
        assert type(i18n._COMMON["da"][key]) is type(i18n._COMMON["en"][key]), key


def test_glossary_parses() -> None:
    rows = _rows()
    assert len(rows) >= 30
    assert all(da and en for da, en, _ in rows)


@pytest.mark.parametrize(("da", "en", "avoid"), _rows(), ids=lambda v: str(v))
def test_glossary_terms_are_the_ones_used(da: list[str], en: list[str], avoid: list[str]) -> None:
    """Each glossary term is in its language's labels; none of the avoided words is."""
    texts_da, texts_en = _texts("da"), _texts("en")
    assert any(t.lower() in texts_da for t in da), da
    assert any(t.lower() in texts_en for t in en), en
    for word in avoid:
        w = word.lower()
        # an avoided word that begins the right term ("beboerdemokrati") is allowed inside it
        longer = [t.lower()[len(w):] for t in da if t.lower().startswith(w)]
        ahead = "".join(f"(?!{re.escape(rest)})" for rest in longer)
        hits = re.findall(rf"\b{re.escape(w)}\w*{ahead}" if not longer
                          else rf"\b{re.escape(w)}{ahead}", texts_da)
        assert not hits, (word, hits[:3])


@pytest.mark.parametrize(
    "phrase",
    [
        "Hver boligafdeling og hver beboerrække",
        "Behandlet gruppe",
        "Restriktiv vild klyngebootstrap",
        "Hændelsesstudie",
        "Nedbrydningsværdi",
        "Bliverne",
        "person-år",
        "Diskretioneringslog",
        "hovedstadsområdet",
        "Københavns Kommune eller omegn",
    ],
)
def test_issue_14_phrases_are_gone(phrase: str) -> None:
    assert phrase.lower() not in _texts("da")
