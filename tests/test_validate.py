"""SHACL validation of the built graph."""

from rdflib import Literal, URIRef

from kg.rdf import IPKG
from kg.validate import validate_graph


def test_built_graph_conforms_to_the_shapes(graph):
    report = validate_graph(graph)
    assert report.conforms, report.text[:2000]


def test_an_event_without_date_or_source_is_a_violation(graph):
    broken = type(graph)()
    for triple in graph.triples((None, None, None)):
        broken.add(triple)
    event = next(broken.subjects(IPKG.startDate, None))
    broken.remove((event, IPKG.startDate, None))
    broken.add((event, IPKG.ordinal, Literal("first")))
    broken.add((URIRef("https://w3id.org/ipkg/id/event/x"), IPKG.source, URIRef("urn:nowhere")))
    report = validate_graph(broken)
    assert not report.conforms
    assert "start date" in report.text
