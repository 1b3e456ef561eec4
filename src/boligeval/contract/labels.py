"""Map survey value labels (English or Danish) to the contract's scale codes.

SPSS and Stata files from survey tools store answers as numbers with value
labels ("1 = Slet ikke"). The contract wants the scale codes
(``not_at_all`` ...), so the reader maps each label through this table.
"""

from __future__ import annotations

import re
from types import MappingProxyType

from boligeval.vocabulary import SCALES

__all__ = ["ANSWER_CODES", "LABEL_CODES", "label_to_code"]

#: Every answer code of the contract's scales, in display order.
ANSWER_CODES: tuple[str, ...] = tuple(dict.fromkeys(c for codes in SCALES.values()
                                                   for c in codes))

_LABELS = {
    "not_at_all": ("not at all", "slet ikke", "slet ikke i nogen grad"),
    "small_degree": (
        "small degree",
        "to a small degree",
        "to a small extent",
        "i ringe grad",
        "i mindre grad",
        "i lav grad",
    ),
    "some_degree": ("some degree", "to some degree", "to some extent", "i nogen grad"),
    "high_degree": (
        "high degree",
        "to a high degree",
        "to a large degree",
        "to a great extent",
        "i høj grad",
        "i hoej grad",
        "i stor grad",
    ),
    "dont_know": ("don't know", "dont know", "do not know", "ved ikke"),
    "not_relevant": ("not relevant", "ikke relevant", "not applicable"),
    "yes": ("yes", "ja"),
    "no": ("no", "nej"),
}


def _norm(text: str) -> str:
    text = text.strip().lower().replace("_", " ").replace("’", "'")
    return re.sub(r"\s+", " ", text)


#: Normalised label (lower case, single spaces, ``_`` as space) -> scale code.
LABEL_CODES: MappingProxyType[str, str] = MappingProxyType(
    {
        **{_norm(code): code for code in ANSWER_CODES},
        **{_norm(label): code for code, labels in _LABELS.items() for label in labels},
    }
)


def label_to_code(label: str) -> str:
    """Return the scale code for a value label, or the label unchanged if unknown.

    Unknown labels are kept so that validation can name them (rule
    ``scale_value``) instead of silently turning them into nulls.
    """
    return LABEL_CODES.get(_norm(label), label)
