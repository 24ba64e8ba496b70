"""The curated lexicons under ``kg/lexicon/`` and the alias index built from them.

Each YAML file is a list of entries (see the files for their fields). :class:`Lexicon`
gives one :class:`LexEntry` per entity with all its written forms, and resolves any
written form (alias, acronym, traditional script, Taiwan wording) to one entity id.

>>> lex = Lexicon.load()
>>> lex.resolve("WIPO").id == lex.resolve("世界智慧財產權組織").id == "wipo"
True
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, Field

from kg.errors import KGError
from kg.names import canonical_key, taiwan_variant

LEXICON_DIR = Path(__file__).parent / "lexicon"

EntityClass = Literal["Organization", "Person", "Place"]
COUNTRY_KINDS = ("country", "supranational")
# A grouping named only by its members ("中国—东盟", "中日韩") is a cooperation mechanism, not
# an organization that takes part in events; one with an office suffix ("金砖国家知识产权局") is.
ORG_NAME_SUFFIX = re.compile(r"(局|署|厅|部|委|会|院|办|组织|中心|联盟|协会|学会|公司|集团|大学|学院|法院|政府|办公室|委员会|秘书处|五局|三局|两局|理事会|IP5|TM5|ID5)$")


class Role(BaseModel):
    title: str
    org: str | None = None
    start: int | None = Field(default=None, alias="from")
    end: int | None = Field(default=None, alias="to")


class LexEntry(BaseModel):
    """One curated entity and every form it is written in."""

    id: str
    cls: EntityClass
    zh: str
    en: str | None = None
    acronym: str | None = None
    aliases: list[str] = []
    kind: str | None = None  # ip_office, government, country, province, city, ...
    country: str | None = None  # ISO 3166-1 alpha-2
    international: bool = False
    within: str | None = None
    short: str | None = None  # one-character form used in compounds: 法 in 中法
    roles: list[Role] = []

    @property
    def is_mechanism(self) -> bool:
        """A grouping named only by its members (中国—东盟), not an organization."""
        return self.kind == "grouping" and not ORG_NAME_SUFFIX.search(self.zh)

    def written_forms(self) -> list[str]:
        forms = [self.zh, *self.aliases]
        if self.acronym:
            forms.append(self.acronym)
        return list(dict.fromkeys(f for f in forms if f))


class Title(BaseModel):
    zh: str
    en: str | None = None
    position: Literal["before", "after", "both"] = "both"


class Series(BaseModel):
    """A recurring meeting whose instances carry an ordinal (第十六次…)."""

    id: str
    zh: str
    en: str | None = None
    pattern: str
    parties: list[str] = []

    @property
    def regex(self) -> re.Pattern:
        return _compile(self.pattern)


@lru_cache(maxsize=None)
def _compile(pattern: str) -> re.Pattern:
    return re.compile(pattern)


class Lexicon:
    """All curated entries, indexed by id and by every written form."""

    def __init__(self, entries: list[LexEntry], titles: list[Title], series: list[Series]):
        self.entries = {e.id: e for e in entries}
        self.titles = titles
        self.series = series
        self._index: dict[str, list[str]] = {}
        for entry in entries:  # earlier files first: organizations, people, countries, places
            for form in entry.written_forms():
                for variant in (form, taiwan_variant(form)):
                    ids = self._index.setdefault(canonical_key(variant), [])
                    if entry.id not in ids:
                        ids.append(entry.id)
        self.country_by_code = {e.country: e for e in entries if e.kind in COUNTRY_KINDS and e.country}
        self.country_by_short = {e.short: e for e in entries if e.short}

    @classmethod
    @lru_cache(maxsize=4)
    def load(cls, folder: Path = LEXICON_DIR) -> "Lexicon":
        folder = Path(folder)
        entries: list[LexEntry] = []
        for name, entity_class, defaults in (
            ("organizations.yaml", "Organization", {}),
            ("people.yaml", "Person", {}),
            ("countries.yaml", "Place", {"kind": "country"}),
            ("places.yaml", "Place", {}),
        ):
            for raw in _read_yaml(folder / name):
                data = {**defaults, **{k: v for k, v in raw.items() if v is not None}}
                if entity_class == "Place" and defaults.get("kind") == "country":
                    data["country"] = data.pop("iso2", None)
                    data["international"] = data.get("country") != "CN"
                elif entity_class == "Place":
                    data["international"] = data.get("country") not in (None, "CN")
                elif entity_class == "Person":
                    data["international"] = data.get("country") not in (None, "CN")
                data = {k: v for k, v in data.items() if k in LexEntry.model_fields}
                entries.append(LexEntry(cls=entity_class, **data))
        titles = [Title(**t) for t in _read_yaml(folder / "titles.yaml")]
        series = [Series(**s) for s in _read_yaml(folder / "series.yaml")]
        return cls(entries, titles, series)

    def resolve(self, name: str, cls: EntityClass | None = None) -> LexEntry | None:
        """The curated entity written as ``name`` (of class ``cls``, if given), if any."""
        for entry_id in self._index.get(canonical_key(name), ()):
            entry = self.entries[entry_id]
            if cls is None or entry.cls == cls:
                return entry
        return None

    def surface_forms(self) -> list[tuple[str, LexEntry]]:
        """Every written form (and its Taiwan-wording variant) with its entry, longest first."""
        forms: dict[str, LexEntry] = {}  # a form shared by two entries goes to the first (an organization)
        for entry in self.entries.values():
            for form in entry.written_forms():
                for variant in {form, taiwan_variant(form)}:
                    forms.setdefault(variant, entry)
        return sorted(forms.items(), key=lambda item: -len(item[0]))

    def of_class(self, cls: EntityClass) -> list[LexEntry]:
        return [e for e in self.entries.values() if e.cls == cls]


def _read_yaml(path: Path) -> list[dict]:
    if not path.is_file():
        return []
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    except yaml.YAMLError as exc:
        raise KGError(f"lexicon {path.name} is not valid YAML: {exc}") from None
    if not isinstance(data, list):
        raise KGError(f"lexicon {path.name} must be a list of entries")
    return data
