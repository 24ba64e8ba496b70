"""Exports read back with the parsers the receiving tools use."""

import csv
import json

import networkx as nx
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from kg.export import export
from kg.network import cooperation_graph, neighbors, path, to_networkx


@pytest.mark.parametrize("fmt, rdflib_format", [("ttl", "turtle"), ("nt", "nt"), ("jsonld", "json-ld")])
def test_rdf_exports_are_isomorphic_to_the_graph(graph, tmp_path, fmt, rdflib_format):
    out = export(graph, fmt, tmp_path / f"graph.{fmt}")
    assert isomorphic(Graph().parse(out, format=rdflib_format), graph)


def test_graphml_and_gexf_read_back_with_labels_and_types(graph, tmp_path):
    G = to_networkx(graph)
    back = nx.read_graphml(export(graph, "graphml", tmp_path / "g.graphml"))
    assert back.number_of_nodes() == G.number_of_nodes()
    assert back.nodes["org/wipo"]["label"] == "世界知识产权组织"
    assert back.nodes["org/wipo"]["type"] == "Organization"
    edge = next(d for _, _, d in back.edges(data=True) if d["relation"] == "organization")
    assert edge["date"] and edge["source"]
    gexf = nx.read_gexf(export(graph, "gexf", tmp_path / "g.gexf"))
    assert gexf.nodes["org/wipo"]["label"] == "世界知识产权组织"


def test_cytoscape_json_loads_with_networkx(graph, tmp_path):
    data = json.loads(export(graph, "cyjs", tmp_path / "g.cyjs").read_text(encoding="utf-8"))
    back = nx.cytoscape_graph(data)
    assert "org/wipo" in back


def test_csv_nodes_and_edges(graph, tmp_path):
    folder = export(graph, "csv", tmp_path / "csv", view="cooperation")
    with open(folder / "nodes.csv", encoding="utf-8") as f:
        nodes = list(csv.DictReader(f))
    with open(folder / "edges.csv", encoding="utf-8") as f:
        edges = list(csv.DictReader(f))
    assert {"Id", "Label", "type"} <= set(nodes[0])
    assert {"Source", "Target", "weight", "relation"} <= set(edges[0])
    ids = {n["Id"] for n in nodes}
    assert all(e["Source"] in ids and e["Target"] in ids for e in edges)


def test_cooperation_network_links_cnipa_and_wipo(graph):
    C = cooperation_graph(to_networkx(graph))
    assert C.has_edge("org/cnipa", "org/wipo")
    assert C.edges["org/cnipa", "org/wipo"]["weight"] >= 2
    since = cooperation_graph(to_networkx(graph), since="2023-01-01", international_only=True)
    assert since.number_of_edges() < C.number_of_edges()


def test_traversal(graph):
    G = to_networkx(graph)
    near = dict(neighbors(G, "org/wipo", depth=1))
    assert near and set(near.values()) == {1}
    chain = path(G, "org/wipo", "person/shen-changyu")
    assert chain[0] == "org/wipo" and chain[-1] == "person/shen-changyu"


def test_construct_selects_a_sub_graph(graph, tmp_path):
    from pathlib import Path

    from rdflib import Graph as RDFGraph

    from kg.rdf import IPKG

    query = (Path(__file__).parent.parent / "queries" / "international_since_2020.rq").read_text(encoding="utf-8")
    sub = RDFGraph().parse(export(graph, "ttl", tmp_path / "intl.ttl", construct=query), format="turtle")
    events = set(sub.subjects(IPKG.startDate, None))
    assert events and len(sub) < len(graph)
    assert all(str(sub.value(e, IPKG.startDate)) >= "2020" for e in events)
    assert all(sub.value(e, IPKG.international).toPython() is True for e in events)
    back = nx.read_gexf(export(graph, "gexf", tmp_path / "intl.gexf", construct=query))
    assert "org/wipo" in back


def test_gexf_follows_the_gexf_schema_gephi_reads(graph, tmp_path):
    import xml.etree.ElementTree as ET

    root = ET.parse(export(graph, "gexf", tmp_path / "g.gexf")).getroot()
    ns = {"g": "http://www.gexf.net/1.2draft"}
    assert root.tag == "{http://www.gexf.net/1.2draft}gexf" and root.get("version") == "1.2"
    g = root.find("g:graph", ns)
    assert g.get("defaultedgetype") == "directed"
    declared = {a.get("title") for a in g.findall("g:attributes/g:attribute", ns)}
    assert {"type", "label_en"} <= declared
    nodes = g.findall("g:nodes/g:node", ns)
    assert nodes and all(n.get("id") and n.get("label") for n in nodes)
    ids = {n.get("id") for n in nodes}
    assert all(e.get("source") in ids and e.get("target") in ids for e in g.findall("g:edges/g:edge", ns))
