"""How names are normalised before they are compared, so variants resolve to one entity.

Traditional script and Taiwan/Hong Kong wording are converted with OpenCC; dashes, quotes,
brackets and spaces are unified. Two forms are kept apart on purpose:

* :func:`matchable` keeps the length of the text (character for character), so spans found
  in the converted text are spans of the original, which is kept as written;
* :func:`canonical_key` may change the length (Taiwan phrasing such as 智慧財產權 becomes
  知识产权) and is only used to look names up.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from opencc import OpenCC

_T2S = OpenCC("t2s")
_TW2SP = OpenCC("tw2sp")
_S2TWP = OpenCC("s2twp")

# one character for one character, so offsets survive
_CHAR_MAP = str.maketrans({
    "–": "—", "―": "—", "－": "—", "‒": "—", "−": "—", "~": "—", "～": "—",
    "\u00a0": " ", "\u3000": " ", "（": "(", "）": ")", "〈": "<", "〉": ">",
    "＂": '"', "“": '"', "”": '"', "‘": "'", "’": "'", "「": '"', "」": '"', "『": '"', "』": '"',
    "•": "·", "・": "·", "．": "·", "‧": "·",
})


def matchable(text: str) -> str:
    """Simplified script and unified punctuation, with exactly the length of ``text``.

    >>> matchable("世界智慧財產權組織（WIPO）")
    '世界智慧财产权组织(WIPO)'
    """
    converted = _T2S.convert(text)
    if len(converted) != len(text):  # a phrase rule changed the length: go char by char
        converted = "".join(_T2S.convert(ch) for ch in text)
    return converted.translate(_CHAR_MAP)


@lru_cache(maxsize=65536)
def canonical_key(name: str) -> str:
    """The key under which a name is looked up in the alias index.

    >>> canonical_key("世界智慧財產權組織") == canonical_key("世界知识产权组织")
    True
    >>> canonical_key(" 中国-东盟 ") == canonical_key("中国—东盟")
    True
    """
    name = unicodedata.normalize("NFKC", name).strip()
    name = _TW2SP.convert(name).translate(_CHAR_MAP)
    name = re.sub(r"[\s\"'《》<>]", "", name)
    name = name.replace("—", "-")
    return name.upper() if name.isascii() else name


def taiwan_variant(name: str) -> str:
    """The same name in Taiwan wording, written in simplified characters.

    >>> taiwan_variant("世界知识产权组织")
    '世界智慧财产权组织'
    """
    return _T2S.convert(_S2TWP.convert(name))


def strip_title_marks(title: str) -> str:
    """A document title without its 《》 marks.

    >>> strip_title_marks("《专利法实施细则》")
    '专利法实施细则'
    """
    return title.strip().removeprefix("《").removesuffix("》").strip()
