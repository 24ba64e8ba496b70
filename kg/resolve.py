"""Entity resolution: every written form of an entity gets the same record and id.

A name is first looked up in the curated lexicons (aliases, acronyms, traditional script,
Taiwan wording, OCR variants listed there). A name the lexicons do not know gets an id
derived from its normalised form, so the same name in another document or year resolves to
the same record; an abbreviation defined in brackets ("世界知识产权组织（WIPO）") is
recorded as an alias of the name before it.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from kg.lexicon import LexEntry, Lexicon
from kg.names import canonical_key, strip_title_marks
from kg.records import (
    Agreement,
    Document,
    Entity,
    Organization,
    Person,
    PersonRole,
    Place,
)

PREFIX = {"Organization": "org", "Person": "person", "Place": "place"}
_RECORD = {"Organization": Organization, "Person": Person, "Place": Place}

# The kind of a titled document, read from the end of its title (longest first).
DOCUMENT_KINDS = [
    "实施细则", "白皮书", "谅解备忘录", "备忘录", "联合声明", "声明", "协定", "协议", "条约", "议定书", "纪要",
    "工作计划", "计划", "纲要", "规划", "方案", "意见", "指引", "指南", "办法", "规定", "规则", "条例", "细则",
    "决定", "通知", "公告", "报告", "标准", "清单", "名录", "目录", "法",
]
AGREEMENT_KINDS = {"谅解备忘录", "备忘录", "联合声明", "声明", "协定", "协议", "条约", "议定书", "纪要", "工作计划"}
_EDITION = re.compile(r"[（(][^（）()]*[）)]$")


def document_kind(title: str) -> str | None:
    """The kind of a document from its title.

    >>> document_kind("知识产权强国建设纲要（2021—2035年）")
    '纲要'
    >>> document_kind("中华人民共和国专利法")
    '法'
    """
    core = title
    while _EDITION.search(core):  # drop "（2023）", "（试行）", "（修正草案）"
        core = _EDITION.sub("", core).strip()
    core = core.rstrip("》 ")
    for kind in DOCUMENT_KINDS:
        if core.endswith(kind):
            return kind
    return None


class EntityRegistry:
    """The records of every entity seen so far, by id, with their aliases."""

    def __init__(self, lexicon: Lexicon):
        self.lexicon = lexicon
        self.records: dict[str, Entity] = {}
        self._learned: dict[str, str] = {}  # canonical key -> id, for names the lexicon lacks

    # -- named entities ------------------------------------------------------------------
    def resolve(self, name: str, cls: str, entry: LexEntry | None = None) -> str:
        """The id of the entity written ``name`` (creating its record on first sight)."""
        entry = entry or self.lexicon.resolve(name, cls)
        if entry is not None and entry.cls == cls:
            record_id = f"{PREFIX[cls]}/{entry.id}"
            record = self.records.get(record_id) or self._from_lexicon(record_id, entry)
        else:
            key = canonical_key(name)
            record_id = self._learned.get(key) or f"{PREFIX[cls]}/{quote(key, safe='')}"
            record = self.records.get(record_id)
            if record is None:
                record = _RECORD[cls](id=record_id, name=name.strip())
                self._learned[key] = record_id
        if name.strip() and name.strip() != record.name:
            record.aliases.add(name.strip())
        self.records[record_id] = record
        return record_id

    def add_alias(self, record_id: str, alias: str) -> None:
        """Record that ``alias`` names ``record_id`` (an abbreviation defined in the text)."""
        record = self.records[record_id]
        if alias != record.name:
            record.aliases.add(alias)
        self._learned.setdefault(canonical_key(alias), record_id)

    def _from_lexicon(self, record_id: str, entry: LexEntry) -> Entity:
        common = dict(id=record_id, name=entry.zh, name_en=entry.en, curated=True,
                      aliases=set(entry.written_forms()) - {entry.zh})
        if entry.cls == "Organization":
            return Organization(**common, kind=entry.kind, country=entry.country, international=entry.international)
        if entry.cls == "Person":
            roles = [PersonRole(title=r.title, organization=f"org/{r.org}" if r.org else None) for r in entry.roles]
            for role in roles:
                if role.organization and role.organization.removeprefix("org/") in self.lexicon.entries:
                    self.resolve(self.lexicon.entries[role.organization.removeprefix("org/")].zh, "Organization")
            return Person(**common, country=entry.country, international=entry.international, roles=roles)
        within = f"place/{entry.within}" if entry.within else None
        return Place(**common, kind=entry.kind, country=entry.country, international=entry.international,
                     within=within)

    # -- documents -----------------------------------------------------------------------
    def document(self, title: str, agreement: bool = False) -> str:
        """The id of the document titled ``title`` (without 《》), by its normalised title."""
        title = strip_title_marks(title)
        key = canonical_key(title)
        record_id = self._learned.get("doc:" + key) or f"doc/{quote(key, safe='')}"
        record = self.records.get(record_id)
        kind = document_kind(title)
        if record is None:
            is_agreement = agreement or kind in AGREEMENT_KINDS
            cls = Agreement if is_agreement else Document
            record = cls(id=record_id, name=title, kind=kind)
            self.records[record_id] = record
            self._learned["doc:" + key] = record_id
        elif agreement and not isinstance(record, Agreement):
            record = Agreement(**record.model_dump())
            self.records[record_id] = record
        return record_id

    def document_short_name(self, short: str, record_id: str) -> None:
        """``以下简称《纲要》``: the short title names the document ``record_id``."""
        record = self.records[record_id]
        if isinstance(record, Document):
            record.short_names.add(short)
        self._learned.setdefault("doc:" + canonical_key(short), record_id)

    def find_document(self, title: str) -> str | None:
        return self._learned.get("doc:" + canonical_key(strip_title_marks(title)))
