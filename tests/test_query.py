"""SPARQL and the timeline over the graph built from the corpus."""

import pytest
from rdflib.compare import isomorphic

from kg.errors import KGError
from kg.query import find_entities, run_sparql, timeline

KEYS = {"id", "date_start", "date_end", "type", "label", "organizations", "people", "places", "documents",
        "international", "source"}


def test_every_event_is_in_the_graph_with_its_source(graph, extraction):
    (count,) = next(iter(run_sparql(graph, "SELECT (COUNT(?e) AS ?n) WHERE { ?e a ipkg:Event }")))
    assert int(count) == len(extraction.events)
    missing = run_sparql(graph, """
        SELECT ?e WHERE { ?e a ipkg:Event . FILTER NOT EXISTS { ?e ipkg:source/ipkg:line ?l } }""")
    assert len(missing) == 0


def test_wipo_timeline_lists_the_2023_events_in_order(graph):
    events = timeline(graph, org="WIPO", date_from="2023-01-01", date_to="2023-12-31")
    assert all(set(e) == KEYS for e in events)
    dates = [e["date_start"] for e in events]
    assert dates == sorted(dates)
    assert "2023-04-26" in dates and "2023-07-06" in dates
    july = [e for e in events if e["date_start"] == "2023-07-06"]
    assert any("日内瓦" in [p["name"] for p in e["places"]] for e in july)
    assert all(e["source"]["doc"].endswith(".txt") and e["source"]["line"] > 0 for e in events)


def test_org_aliases_give_the_same_timeline(graph):
    by_acronym = timeline(graph, org="WIPO")
    assert by_acronym
    assert timeline(graph, org="世界知识产权组织") == by_acronym
    assert timeline(graph, org="World Intellectual Property Organization") == by_acronym


def test_filters(graph):
    signings = timeline(graph, event_type="Signing")
    assert signings and {e["type"] for e in signings} == {"Signing"}
    international = timeline(graph, international=True)
    assert international and all(e["international"] for e in international)
    assert len(international) < len(timeline(graph))


@pytest.mark.parametrize("kwargs, message", [
    ({"org": "No Such Office"}, "unknown organization"),
    ({"date_from": "2024-01-01", "date_to": "2023-01-01"}, "impossible date range"),
    ({"date_from": "yesterday"}, "--from"),
    ({"event_type": "Party"}, "unknown event type"),
])
def test_bad_filters_are_clear_errors(graph, kwargs, message):
    with pytest.raises(KGError, match=message):
        timeline(graph, **kwargs)


def test_policies_issued_by_the_state_council(graph):
    rows = run_sparql(graph, """
        SELECT ?title WHERE {
          ?doc a ipkg:Policy ; rdfs:label ?title ; ipkg:issuedBy ?o .
          ?o skos:prefLabel "国务院"@zh .
        }""")
    titles = {str(r.title) for r in rows}
    assert "专利转化运用专项行动方案（2023—2025年）" in titles


def test_agreements_with_witnesses(graph):
    rows = run_sparql(graph, """
        SELECT ?title ?witness WHERE {
          ?a a ipkg:Agreement ; rdfs:label ?title ; ipkg:witness/rdfs:label ?witness .
        }""")
    assert {str(r.witness) for r in rows} >= {"习近平", "莱希"}


def test_malformed_query_is_a_one_line_error(graph):
    with pytest.raises(KGError, match="malformed SPARQL query"):
        run_sparql(graph, "SELECT ?x WHERE { ?x ")


def test_entities_are_found_by_any_name(graph):
    assert find_entities(graph, "EPO") == find_entities(graph, "欧洲专利局")


def test_rebuild_gives_an_isomorphic_graph(graph, corpus_dir):
    from kg.extract import Extractor
    from kg.rdf import to_graph

    assert isomorphic(to_graph(Extractor().add_corpus(corpus_dir)), graph)


def test_year_and_month_bounds_include_the_whole_period(graph):
    whole_year = timeline(graph, org="WIPO", date_from="2023", date_to="2023")
    assert whole_year == timeline(graph, org="WIPO", date_from="2023-01-01", date_to="2023-12-31")
    assert any(e["date_start"] == "2023-04-26" for e in whole_year)
    april = timeline(graph, date_from="2023-04", date_to="2023-04")
    assert any(e["date_start"] == "2023-04-26" for e in april)
    for e in april:  # every event overlaps April 2023 (a year-only "2023" event does too)
        last = e["date_end"] or e["date_start"]
        assert e["date_start"][:7] <= "2023-04" and (last[:7] >= "2023-04" or "2023-04".startswith(last))


def test_malformed_query_on_the_store_reports_the_users_line(built_store):
    with pytest.raises(KGError, match=r"malformed SPARQL query: .*\b2:"):
        run_sparql(built_store, "SELECT ?x WHERE {\n ?x ")
