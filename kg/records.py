"""Typed records: what the extractor hands to the RDF writer.

Every record has a stable ``id`` (the path of its IRI under :data:`kg.rdf.ID`), derived
from its canonical name or, for events, from where it was read, so a rebuild of the same
corpus gives the same ids.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

EventType = Literal["Meeting", "Signing", "Issuance", "Visit", "Launch", "PressConference", "Other"]


class Provenance(BaseModel):
    """Where something was read: corpus file, 1-based line, the sentence."""

    doc: str
    line: int
    text: str


class Entity(BaseModel):
    id: str
    name: str  # Chinese label
    name_en: str | None = None
    aliases: set[str] = Field(default_factory=set)
    curated: bool = False  # from the lexicons, not only seen in text


class Organization(Entity):
    kind: str | None = None
    country: str | None = None  # ISO 3166-1 code
    country_place: str | None = None  # the Place record of that country
    international: bool = False


class PersonRole(BaseModel):
    title: str
    organization: str | None = None  # Organization id


class Person(Entity):
    country: str | None = None
    country_place: str | None = None
    international: bool = False
    roles: list[PersonRole] = Field(default_factory=list)


class Place(Entity):
    kind: str | None = None  # country, province, city, ...
    country: str | None = None
    country_place: str | None = None
    international: bool = False
    within: str | None = None


class Document(Entity):
    """A titled text: policy, law, plan, report, or (subclass) agreement."""

    kind: str | None = None  # 法, 条例, 办法, 方案, 意见, 白皮书, 备忘录, …
    number: str | None = None  # 国知发运字〔2023〕7号
    issuers: list[str] = Field(default_factory=list)  # Organization ids
    date_issued: str | None = None
    short_names: set[str] = Field(default_factory=set)


class Agreement(Document):
    parties: list[str] = Field(default_factory=list)
    witnesses: list[str] = Field(default_factory=list)  # Person ids
    place: str | None = None
    date_signed: str | None = None


class MeetingSeries(Entity):
    parties: list[str] = Field(default_factory=list)


class Event(BaseModel):
    id: str
    type: EventType
    label: str
    date_start: str
    date_end: str | None = None
    precision: Literal["day", "month", "year"]
    trigger: str | None = None
    organizations: list[str] = Field(default_factory=list)
    people: list[str] = Field(default_factory=list)
    places: list[str] = Field(default_factory=list)
    documents: list[str] = Field(default_factory=list)
    international: bool = False
    series: str | None = None  # MeetingSeries id
    ordinal: int | None = None
    source: Provenance


class Mention(BaseModel):
    """An entity seen in a sentence."""

    id: str
    entity: str
    text: str
    source: Provenance


class SourceDocument(BaseModel):
    id: str
    file: str
    title: str
    title_en: str | None = None
    year: int
    publisher: str
    kind: str
    date: str | None = None


class Extraction(BaseModel):
    """Everything read from one or more documents."""

    sources: list[SourceDocument] = Field(default_factory=list)
    entities: dict[str, Entity] = Field(default_factory=dict)
    events: list[Event] = Field(default_factory=list)
    mentions: list[Mention] = Field(default_factory=list)

    def of_type(self, cls: type[Entity]) -> list[Entity]:
        return [e for e in self.entities.values() if type(e) is cls]
