"""``kg serve`` against real clients: SPARQLWrapper, rdflib's SPARQLStore and plain HTTP.

The server is the real app on uvicorn, on a free port of 127.0.0.1, over the graph built
from the corpus (the ``built_graph_path`` session fixture).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
from pathlib import Path

import httpx
import pytest
from rdflib import Graph, Literal
from rdflib.namespace import RDF, RDFS, XSD
from rdflib.plugins.stores.sparqlstore import SPARQLStore, SPARQLUpdateStore
from SPARQLWrapper import (
    CSV,
    JSON,
    JSONLD,
    POST,
    POSTDIRECTLY,
    TSV,
    TURTLE,
    XML,
    SPARQLWrapper,
)
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from kg.network import cooperation_graph, to_networkx
from kg.query import timeline
from kg.rdf import ID, IPKG

ROOT = Path(__file__).resolve().parent.parent
WIPO = ID["org/wipo"]
COUNT_EVENTS = "SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e a ipkg:Event }"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # ~10^12 rows


def wrapper(url: str, query: str, fmt=JSON, method=None) -> SPARQLWrapper:
    sparql = SPARQLWrapper(f"{url}/sparql")
    sparql.setQuery(query)
    sparql.setReturnFormat(fmt)
    sparql.setTimeout(60)
    if method == "form":
        sparql.setMethod(POST)
    elif method == "direct":
        sparql.setMethod(POST)
        sparql.setRequestMethod(POSTDIRECTLY)
    return sparql


def api(url: str, path: str, **params) -> httpx.Response:
    return httpx.get(f"{url}{path}", params=params, timeout=60)


# -- SPARQL with SPARQLWrapper ---------------------------------------------------------------

@pytest.mark.parametrize("method", [None, "form", "direct"])
def test_event_count_matches_timeline(kg_server_url, method):
    result = wrapper(kg_server_url, COUNT_EVENTS, method=method).query()
    assert result.response.headers["Content-Type"].startswith("application/sparql-results+json")
    count = int(result.convert()["results"]["bindings"][0]["n"]["value"])
    items = api(kg_server_url, "/api/timeline").json()
    assert count == len(items) > 100


def test_select_in_every_result_format(kg_server_url):
    query = """SELECT ?label WHERE { <https://w3id.org/ipkg/id/org/wipo> skos:prefLabel ?label }
               ORDER BY ?label"""
    bindings = wrapper(kg_server_url, query).query().convert()["results"]["bindings"]
    labels = {(b["label"]["value"], b["label"].get("xml:lang")) for b in bindings}
    assert ("World Intellectual Property Organization", "en") in labels
    assert ("世界知识产权组织", "zh") in labels

    xml = wrapper(kg_server_url, query, XML).query()
    assert xml.response.headers["Content-Type"].startswith("application/sparql-results+xml")
    values = {n.firstChild.data for n in xml.convert().getElementsByTagName("literal")}
    assert values == {v for v, _ in labels}

    csv = wrapper(kg_server_url, query, CSV).query()
    assert csv.response.headers["Content-Type"].startswith("text/csv")
    lines = csv.convert().decode("utf-8").splitlines()
    assert lines[0] == "label" and set(lines[1:]) == {v for v, _ in labels}

    tsv = wrapper(kg_server_url, query, TSV).query()
    assert tsv.response.headers["Content-Type"].startswith("text/tab-separated-values")
    lines = tsv.convert().decode("utf-8").splitlines()
    assert lines[0] == "?label"
    assert set(lines[1:]) == {f'"{v}"@{lang}' for v, lang in labels}


def test_ask(kg_server_url):
    assert wrapper(kg_server_url, "ASK { <https://w3id.org/ipkg/id/org/wipo> a ipkg:Organization }").query().convert()["boolean"] is True
    assert wrapper(kg_server_url, "ASK { <https://w3id.org/ipkg/id/org/wipo> a ipkg:Person }", XML).query().convert() \
        .getElementsByTagName("boolean")[0].firstChild.data == "false"


def test_construct_as_turtle_and_json_ld(kg_server_url, graph):
    query = "CONSTRUCT { <https://w3id.org/ipkg/id/org/wipo> ?p ?o } WHERE { <https://w3id.org/ipkg/id/org/wipo> ?p ?o }"
    expected = {(WIPO, p, o) for p, o in graph.predicate_objects(WIPO)}

    turtle = wrapper(kg_server_url, query, TURTLE).query()
    assert turtle.response.headers["Content-Type"].startswith("text/turtle")
    got = Graph().parse(data=turtle.convert().decode("utf-8"), format="turtle")
    assert set(got) == expected

    jsonld = wrapper(kg_server_url, query, JSONLD).query()
    assert jsonld.response.headers["Content-Type"].startswith("application/ld+json")
    assert set(jsonld.convert()) == expected  # SPARQLWrapper parses JSON-LD into a Graph


def test_describe(kg_server_url):
    response = httpx.get(f"{kg_server_url}/sparql", params={"query": "DESCRIBE <https://w3id.org/ipkg/id/org/wipo>"},
                         headers={"Accept": "text/turtle"}, timeout=60)
    assert response.status_code == 200
    got = Graph().parse(data=response.text, format="turtle")
    assert (WIPO, RDF.type, IPKG.Organization) in got


def test_accept_negotiation_and_default(kg_server_url):
    url = f"{kg_server_url}/sparql"
    q = {"query": "SELECT ?s WHERE { ?s a ipkg:Organization } LIMIT 1"}
    assert httpx.get(url, params=q).headers["content-type"].startswith("application/sparql-results+json")
    picked = httpx.get(url, params=q, headers={"Accept": "text/csv;q=0.5, application/sparql-results+xml"})
    assert picked.headers["content-type"].startswith("application/sparql-results+xml")
    assert httpx.get(url, params={**q, "format": "tsv"}).headers["content-type"].startswith("text/tab-separated")


def test_malformed_query_is_400_with_the_parser_message(kg_server_url):
    with pytest.raises(QueryBadFormed) as info:
        wrapper(kg_server_url, "SELECT ?s WHERE { ?s ?p }").query()
    assert "malformed SPARQL query" in str(info.value)
    response = httpx.get(f"{kg_server_url}/sparql", params={"query": "SELEKT * WHERE {}"})
    assert response.status_code == 400
    assert response.text.startswith("malformed SPARQL query: Expected")
    assert "Traceback" not in response.text


def test_protocol_errors(kg_server_url):
    url = f"{kg_server_url}/sparql"
    assert httpx.get(url).status_code == 400  # no query
    assert httpx.get(url, params=[("query", "ASK {}"), ("query", "ASK {}")]).status_code == 400
    assert httpx.post(url, content=b"ASK {}", headers={"Content-Type": "text/plain"}).status_code == 415
    assert httpx.put(url, content=b"ASK {}").status_code == 405


# -- read only ---------------------------------------------------------------------------------

UPDATE = "INSERT DATA { <https://w3id.org/ipkg/id/org/wipo> <http://www.w3.org/2000/01/rdf-schema#label> 'x' }"


def test_updates_are_refused(kg_server_url):
    url = f"{kg_server_url}/sparql"
    for response in (
        httpx.post(url, data={"update": UPDATE}),
        httpx.post(url, content=UPDATE.encode(), headers={"Content-Type": "application/sparql-update"}),
        httpx.get(url, params={"update": UPDATE}),
        httpx.get(url, params={"query": UPDATE}),
        httpx.post(url, data={"query": "DELETE WHERE { ?s ?p ?o }"}),
    ):
        assert response.status_code == 403, response.text
        assert "read only" in response.text

    sparql = wrapper(kg_server_url, UPDATE, method="form")  # SPARQLWrapper sends update=
    with pytest.raises(urllib.error.HTTPError) as info:
        sparql.query()
    assert info.value.code == 403

    store = SPARQLUpdateStore(query_endpoint=url, update_endpoint=url)
    with pytest.raises(urllib.error.HTTPError) as info:
        store.update(UPDATE)
    assert info.value.code == 403
    labels = wrapper(kg_server_url, "SELECT ?l WHERE { <https://w3id.org/ipkg/id/org/wipo> rdfs:label ?l }").query().convert()
    assert [b["l"]["value"] for b in labels["results"]["bindings"]] == ["世界知识产权组织"]


def test_no_remote_loading(kg_server_url):
    """FROM and SERVICE must not make the server read files or open connections."""
    response = httpx.get(f"{kg_server_url}/sparql", params={
        "query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"})
    assert response.status_code == 400 and "SERVICE is not supported" in response.text
    response = httpx.get(f"{kg_server_url}/sparql", params={
        "query": f"SELECT (COUNT(*) AS ?n) FROM <file://{ROOT / 'pyproject.toml'}> WHERE {{ ?s ?p ?o }}"})
    assert response.status_code == 200


# -- rdflib's SPARQLStore ----------------------------------------------------------------------

@pytest.mark.parametrize("method", ["GET", "POST", "POST_FORM"])
def test_rdflib_sparqlstore(kg_server_url, graph, method):
    remote = Graph(store=SPARQLStore(f"{kg_server_url}/sparql", method=method))
    rows = list(remote.query("""PREFIX ipkg: <https://w3id.org/ipkg/ontology#>
        SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e a ipkg:Event }"""))
    local = len(set(graph.subjects(RDF.type, IPKG.Event)))
    assert int(rows[0][0]) == local
    assert (WIPO, RDFS.label, Literal("世界知识产权组织", lang="zh")) in remote
    assert set(remote.predicate_objects(WIPO)) == set(graph.predicate_objects(WIPO))
    assert remote.query("ASK { <https://w3id.org/ipkg/id/org/wipo> ?p ?o }").askAnswer is True
    constructed = remote.query("CONSTRUCT { ?s a ?c } WHERE { ?s a ?c . FILTER (?s = <%s>) }" % WIPO)
    assert set(constructed) == {(WIPO, RDF.type, c) for c in graph.objects(WIPO, RDF.type)}


# -- the time limit, and staying responsive -----------------------------------------------------

def test_slow_query_is_stopped_while_others_are_answered(start_kg_server):
    limit = 4
    with start_kg_server(timeout=limit, workers=2, cache_size=0) as url:
        outcome = {}

        def slow():
            started = time.monotonic()
            outcome["response"] = httpx.get(f"{url}/sparql", params={"query": SLOW}, timeout=60)
            outcome["seconds"] = time.monotonic() - started

        runner = threading.Thread(target=slow)
        runner.start()
        time.sleep(0.5)
        quick = wrapper(url, COUNT_EVENTS).query().convert()  # answered by the other worker...
        status = httpx.get(f"{url}/api/status", timeout=10)  # ...or by the event loop itself
        assert "response" not in outcome, "the quick requests waited for the slow one"
        assert int(quick["results"]["bindings"][0]["n"]["value"]) > 100
        assert status.json()["timeout"] == limit
        runner.join(60)
        response = outcome["response"]
        assert response.status_code == 503
        assert response.text.startswith(f"the query ran longer than the {limit} s limit and was stopped")
        assert limit <= outcome["seconds"] < limit + 5
        # the stopped worker is replaced: the server keeps answering every kind of query
        for _ in range(4):
            assert wrapper(url, "ASK { ?s ?p ?o }").query().convert()["boolean"] is True
            assert api(url, "/api/timeline", type="Signing").status_code == 200


# -- the JSON API ------------------------------------------------------------------------------

def test_timeline_equals_kg_timeline(kg_server_url, graph):
    assert api(kg_server_url, "/api/timeline").json() == timeline(graph)
    got = api(kg_server_url, "/api/timeline", type="Meeting", international="true", **{"from": "2023", "to": "2023-12"})
    assert got.json() == timeline(graph, event_type="Meeting", date_from="2023", date_to="2023-12", international=True)
    assert got.json() and all(e["type"] == "Meeting" and e["international"] for e in got.json())


def test_timeline_of_wipo(kg_server_url):
    items = api(kg_server_url, "/api/timeline", org="WIPO").json()
    assert "2023-04-26" in {e["date_start"] for e in items}
    assert all(any(o["id"] == str(WIPO) for o in e["organizations"]) for e in items)
    assert items == api(kg_server_url, "/api/timeline", org="世界知识产权组织").json()
    first = items[0]
    assert set(first) == {"id", "date_start", "date_end", "type", "label", "organizations", "people", "places",
                          "documents", "international", "source"}
    assert set(first["source"]) == {"doc", "line", "text"}


@pytest.mark.parametrize("params, message", [
    ({"org": "No Such Organization"}, "unknown organization"),
    ({"type": "Party"}, "unknown event type"),
    ({"from": "2023-13"}, "--from"),
    ({"from": "2024", "to": "2023"}, "impossible date range"),
    ({"international": "perhaps"}, "international must be true or false"),
])
def test_timeline_bad_input_is_400_json(kg_server_url, params, message):
    response = api(kg_server_url, "/api/timeline", **params)
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"error"} and message in body["error"]
    assert "Traceback" not in response.text


def test_entity(kg_server_url):
    entity = api(kg_server_url, "/api/entity/org/wipo").json()
    assert entity["id"] == "org/wipo" and entity["iri"] == str(WIPO)
    assert entity["types"] == ["Organization"]
    assert {"value": "World Intellectual Property Organization", "lang": "en"} in entity["labels"]
    assert "WIPO" in {a["value"] for a in entity["aliases"]}
    dated = [e for e in entity["events"] if e["date_start"] == "2023-04-26"]
    assert dated and all(e["source"]["doc"].endswith(".txt") and "4月26日" in e["source"]["text"] for e in dated)
    wipo_events = {e["id"] for e in api(kg_server_url, "/api/timeline", org="WIPO").json()}
    assert {e["iri"] for e in entity["events"] if "involvesOrganization" in e["roles"]} == wipo_events


def test_entity_of_an_event_and_of_a_percent_encoded_id(kg_server_url):
    item = api(kg_server_url, "/api/timeline", org="WIPO").json()[0]
    event_id = item["id"].removeprefix(str(ID))
    event = api(kg_server_url, f"/api/entity/{event_id}").json()
    assert event["source"] == item["source"]
    assert "Event" in event["types"]
    encoded = next(n["id"] for n in api(kg_server_url, "/api/network").json()["nodes"] if "%" in n["id"])
    response = httpx.get(f"{kg_server_url}/api/entity/{encoded}")  # sent as is: org/%E5%9B%BD...
    assert response.status_code == 200 and response.json()["id"] == encoded


def test_unknown_entity_is_404(kg_server_url):
    response = api(kg_server_url, "/api/entity/org/no-such-thing")
    assert response.status_code == 404
    assert response.json() == {"error": "unknown entity: 'org/no-such-thing'"}


def test_network(kg_server_url, graph):
    G = to_networkx(graph)
    for params, expected in (
        ({}, cooperation_graph(G)),
        ({"since": "2023"}, cooperation_graph(G, since="2023")),
        ({"international": "true"}, cooperation_graph(G, international_only=True)),
    ):
        data = api(kg_server_url, "/api/network", **params).json()
        assert {n["id"] for n in data["nodes"]} == set(expected.nodes)
        assert {frozenset((e["source"], e["target"])) for e in data["edges"]} == {frozenset(e) for e in expected.edges}
        for edge in data["edges"]:
            attrs = expected.edges[edge["source"], edge["target"]]
            assert edge["weight"] == attrs["weight"] and edge["events"] == sorted(attrs["events"])
    wipo = next(n for n in api(kg_server_url, "/api/network").json()["nodes"] if n["id"] == "org/wipo")
    assert wipo["degree"] > 0 and wipo["label_en"] == "World Intellectual Property Organization"
    bad = api(kg_server_url, "/api/network", since="last year")
    assert bad.status_code == 400 and "since" in bad.json()["error"]


def test_page_and_static_files(kg_server_url):
    page = httpx.get(f"{kg_server_url}/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    for path in ("static/app.js", "static/style.css", "static/vendor/vis-timeline-graph2d.min.js",
                 "static/vendor/vis-network.min.js"):
        assert path in page.text
        assert httpx.get(f"{kg_server_url}/{path}").status_code == 200
    form = httpx.get(f"{kg_server_url}/sparql", headers={"Accept": "text/html,*/*;q=0.8"})
    assert form.status_code == 200 and '<form id="sparql-form"' in form.text
    missing = httpx.get(f"{kg_server_url}/api/nothing")
    assert missing.status_code == 404 and "error" in missing.json()


# -- the command -------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_kg_serve_command(built_graph_path, tmp_path):
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    missing = subprocess.run([sys.executable, "-m", "kg.cli", "serve", "--port", "0", "--graph",
                              str(tmp_path / "none.nt")],
                             capture_output=True, text=True, timeout=120, env=env)
    assert missing.returncode == 2 and missing.stderr.startswith("error: no graph at")
    bad = subprocess.run([sys.executable, "-m", "kg.cli", "serve", "--port", "0", "--timeout", "0"],
                         capture_output=True, text=True, timeout=60, env=env)
    assert bad.returncode == 2 and "--timeout" in bad.stderr

    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "kg.cli", "serve", "--port", str(port), "--graph",
                             str(built_graph_path), "--timeout", "10"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status = httpx.get(f"http://127.0.0.1:{port}/api/status", timeout=5)
                break
            except httpx.TransportError:
                assert proc.poll() is None, proc.stderr.read()
                assert time.monotonic() < deadline, "kg serve did not start"
                time.sleep(0.2)
        assert status.json()["triples"] == len(Graph().parse(built_graph_path, format="nt"))
        count = wrapper(f"http://127.0.0.1:{port}", COUNT_EVENTS).query().convert()
        assert int(count["results"]["bindings"][0]["n"]["value"]) > 100
        taken = subprocess.run([sys.executable, "-m", "kg.cli", "serve", "--port", str(port), "--graph",
                                str(built_graph_path)], capture_output=True, text=True, timeout=60, env=env)
        assert taken.returncode == 2 and "cannot listen on 127.0.0.1" in taken.stderr
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert f"http://127.0.0.1:{port}/" in out


# -- the same over an Oxigraph store folder (the default kind of graph of `kg build`) ------------

@pytest.fixture(scope="module")
def store_server_url(start_kg_server, graph, tmp_path_factory):
    from kg.store import save_graph

    store = save_graph(graph, tmp_path_factory.mktemp("served") / "store")
    with start_kg_server(graph_path=store, timeout=30, workers=1) as url:
        yield url


def test_store_folder_is_served(store_server_url, graph):
    url = store_server_url
    count = int(wrapper(url, COUNT_EVENTS).query().convert()["results"]["bindings"][0]["n"]["value"])
    assert count == len(api(url, "/api/timeline").json()) == len(set(graph.subjects(RDF.type, IPKG.Event)))
    assert "2023-04-26" in {e["date_start"] for e in api(url, "/api/timeline", org="WIPO").json()}
    remote = Graph(store=SPARQLStore(f"{url}/sparql"))
    plain = {(p, Literal(str(o)) if isinstance(o, Literal) and o.datatype == XSD.string else o)
             for p, o in remote.predicate_objects(WIPO)}  # RDF 1.1: "x"^^xsd:string is "x"
    assert plain == set(graph.predicate_objects(WIPO))
    assert api(url, "/api/entity/org/wipo").json()["types"] == ["Organization"]
    assert httpx.get(f"{url}/sparql", params={"query": UPDATE}).status_code == 403
    assert httpx.post(f"{url}/sparql", data={"query": "DELETE WHERE { ?s ?p ?o }"}).status_code == 403
    bad = httpx.get(f"{url}/sparql", params={"query": "SELECT ?s WHERE { ?s ?p }"})
    assert bad.status_code == 400 and "Traceback" not in bad.text
    service = httpx.get(f"{url}/sparql", params={
        "query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"})
    assert service.status_code == 400 and "SERVICE is not supported" in service.text
