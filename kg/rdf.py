"""How records become triples, under the ontology in ``ontology/ipkg.ttl``.

IRIs are ``ID + record.id`` (``https://w3id.org/ipkg/id/org/wipo``), so a rebuild of the
same corpus gives the same IRIs. Every event points to a :class:`ipkg:Mention` holding the
source file, line and sentence it was read from.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, SKOS

from kg.records import (
    Agreement,
    Document,
    Entity,
    Event,
    Extraction,
    MeetingSeries,
    Organization,
    Person,
    Place,
    SourceDocument,
)

IPKG = Namespace("https://w3id.org/ipkg/ontology#")
ID = Namespace("https://w3id.org/ipkg/id/")
SCHEMA = Namespace("https://schema.org/")
ORG = Namespace("http://www.w3.org/ns/org#")
SEM = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/")
TIME = Namespace("http://www.w3.org/2006/time#")

ONTOLOGY_DIR = Path(__file__).resolve().parent.parent / "ontology"
ONTOLOGY_PATH = ONTOLOGY_DIR / "ipkg.ttl"
SHAPES_PATH = ONTOLOGY_DIR / "shapes.ttl"

PREFIXES = {
    "ipkg": IPKG, "id": ID, "schema": SCHEMA, "org": ORG, "sem": SEM, "time": TIME,
    "prov": PROV, "skos": SKOS, "dcterms": DCTERMS, "owl": OWL,
}
EVENT_CLASS = {
    "Meeting": IPKG.Meeting, "Signing": IPKG.Signing, "Issuance": IPKG.Issuance, "Visit": IPKG.Visit,
    "Launch": IPKG.Launch, "PressConference": IPKG.PressConference, "Other": IPKG.OtherEvent,
}
PRECISION_UNIT = {"day": TIME.unitDay, "month": TIME.unitMonth, "year": TIME.unitYear}


def iri(record_id: str) -> URIRef:
    return ID[record_id]


def local_id(node: URIRef | str) -> str:
    return str(node).removeprefix(str(ID))


def date_literal(value: str) -> Literal:
    """``2023-04-26`` -> xsd:date, ``2023-04`` -> xsd:gYearMonth, ``2023`` -> xsd:gYear."""
    datatype = {10: XSD.date, 7: XSD.gYearMonth, 4: XSD.gYear}[len(value)]
    return Literal(value, datatype=datatype)


def new_graph() -> Graph:
    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    return graph


def to_graph(extraction: Extraction, graph: Graph | None = None) -> Graph:
    """All triples for an extraction (added to ``graph`` if given)."""
    graph = graph if graph is not None else new_graph()
    for triple in triples(extraction):
        graph.add(triple)
    return graph


def triples(extraction: Extraction):
    yield from reading_triples(extraction)
    for entity in extraction.entities.values():
        yield from entity_triples(entity)


def reading_triples(extraction: Extraction):
    """What was read from the documents: sources, events, mentions (not the entity records,
    which are only complete once every document has been read)."""
    for source in extraction.sources:
        yield from source_triples(source)
    for event in extraction.events:
        yield from event_triples(event)
    for mention in extraction.mentions:
        node = iri(mention.id)
        yield node, RDF.type, IPKG.Mention
        yield node, IPKG.mentions, iri(mention.entity)
        yield node, IPKG.inDocument, ID[f"source/{mention.source.doc.rsplit('.', 1)[0]}"]
        yield node, IPKG.line, Literal(mention.source.line)
        yield node, IPKG.text, Literal(mention.text, lang="zh")


def source_triples(source: SourceDocument):
    node = iri(source.id)
    yield node, RDF.type, IPKG.SourceDocument
    yield node, RDFS.label, Literal(source.title, lang="zh")
    yield node, SKOS.prefLabel, Literal(source.title, lang="zh")
    if source.title_en:
        yield node, SKOS.prefLabel, Literal(source.title_en, lang="en")
    yield node, IPKG.fileName, Literal(source.file)
    yield node, IPKG.reportYear, Literal(str(source.year), datatype=XSD.gYear)
    yield node, IPKG.sourceKind, Literal(source.kind)
    yield node, DCTERMS.publisher, Literal(source.publisher, lang="zh")
    if source.date:
        yield node, DCTERMS.issued, date_literal(source.date)


def _labels(node: URIRef, entity: Entity):
    yield node, RDFS.label, Literal(entity.name, lang="zh")
    yield node, SKOS.prefLabel, Literal(entity.name, lang="zh")
    if entity.name_en:
        yield node, SKOS.prefLabel, Literal(entity.name_en, lang="en")
    for alias in sorted(entity.aliases):
        lang = "en" if alias.isascii() else "zh"
        yield node, SKOS.altLabel, Literal(alias, lang=lang)
    if entity.curated:
        yield node, IPKG.curated, Literal(True)


def entity_triples(entity: Entity):
    node = iri(entity.id)
    yield from _labels(node, entity)
    if isinstance(entity, Organization):
        yield node, RDF.type, IPKG.Organization
        if entity.kind:
            yield node, IPKG.organizationKind, Literal(entity.kind)
        yield from _country(node, entity)
        yield node, IPKG.international, Literal(entity.international)
    elif isinstance(entity, Person):
        yield node, RDF.type, IPKG.Person
        yield from _country(node, entity)
        yield node, IPKG.international, Literal(entity.international)
        for n, role in enumerate(entity.roles):
            role_node = iri(f"{entity.id}/role/{n}")
            yield node, IPKG.hasRole, role_node
            yield role_node, RDF.type, IPKG.Role
            yield role_node, ORG.member, node
            yield role_node, IPKG.title, Literal(role.title, lang="zh")
            yield role_node, RDFS.label, Literal(role.title, lang="zh")
            if role.organization:
                yield role_node, ORG.organization, iri(role.organization)
    elif isinstance(entity, Place):
        yield node, RDF.type, IPKG.Country if entity.kind == "country" else IPKG.Place
        if entity.kind:
            yield node, IPKG.placeKind, Literal(entity.kind)
        yield from _country(node, entity)
        if entity.within:
            yield node, IPKG.within, iri(entity.within)
        yield node, IPKG.international, Literal(entity.international)
    elif isinstance(entity, Document):
        yield from document_triples(node, entity)
    elif isinstance(entity, MeetingSeries):
        yield node, RDF.type, IPKG.MeetingSeries
        for party in entity.parties:
            yield node, IPKG.seriesParty, iri(party)


def _country(node: URIRef, entity: Organization | Person | Place):
    if entity.country:
        yield node, IPKG.countryCode, Literal(entity.country)
    if entity.country_place and entity.country_place != entity.id:
        yield node, IPKG.country, iri(entity.country_place)


POLICY_KINDS = {"法", "条例", "细则", "实施细则", "办法", "规定", "规则", "方案", "意见", "指引", "指南", "纲要",
                "规划", "计划", "通知", "决定", "公告", "标准"}


def document_triples(node: URIRef, doc: Document):
    if isinstance(doc, Agreement):
        yield node, RDF.type, IPKG.Agreement
        for party in doc.parties:
            yield node, IPKG.party, iri(party)
        for witness in doc.witnesses:
            yield node, IPKG.witness, iri(witness)
        if doc.place:
            yield node, IPKG.signedAt, iri(doc.place)
        if doc.date_signed:
            yield node, IPKG.dateSigned, date_literal(doc.date_signed)
    elif doc.kind in POLICY_KINDS:
        yield node, RDF.type, IPKG.Policy
    yield node, RDF.type, IPKG.Document
    if doc.kind:
        yield node, IPKG.documentKind, Literal(doc.kind, lang="zh")
    if doc.number:
        yield node, IPKG.documentNumber, Literal(doc.number)
    for issuer in doc.issuers:
        yield node, IPKG.issuedBy, iri(issuer)
    if doc.date_issued:
        yield node, IPKG.dateIssued, date_literal(doc.date_issued)
    for short in sorted(doc.short_names):
        yield node, IPKG.shortTitle, Literal(short, lang="zh")


def event_triples(event: Event):
    node = iri(event.id)
    yield node, RDF.type, EVENT_CLASS[event.type]
    yield node, RDF.type, IPKG.Event
    yield node, RDFS.label, Literal(event.label, lang="zh")
    yield node, IPKG.startDate, date_literal(event.date_start)
    if event.date_end:
        yield node, IPKG.endDate, date_literal(event.date_end)
    yield node, IPKG.lastDate, date_literal(event.date_end or event.date_start)
    yield node, IPKG.datePrecision, PRECISION_UNIT[event.precision]
    yield node, IPKG.international, Literal(event.international)
    if event.trigger:
        yield node, IPKG.trigger, Literal(event.trigger, lang="zh")
    for org in event.organizations:
        yield node, IPKG.involvesOrganization, iri(org)
    for person in event.people:
        yield node, IPKG.involvesPerson, iri(person)
    for place in event.places:
        yield node, IPKG.hasPlace, iri(place)
    for doc in event.documents:
        yield node, IPKG.concerns, iri(doc)
    if event.series:
        yield node, IPKG.inSeries, iri(event.series)
    if event.ordinal is not None:
        yield node, IPKG.ordinal, Literal(event.ordinal)
    source = iri(f"{event.id}/source")
    stem = event.source.doc.rsplit(".", 1)[0]
    yield node, IPKG.source, source
    yield source, RDF.type, IPKG.Mention
    yield source, IPKG.inDocument, iri(f"source/{stem}")
    yield source, IPKG.line, Literal(event.source.line)
    yield source, IPKG.text, Literal(event.source.text, lang="zh")
