"""Files other tools open as they are: triple stores, Gephi, Cytoscape, yEd, Neo4j.

* ``ttl``, ``nt``, ``jsonld``: the RDF graph (rdflib);
* ``graphml`` (yEd, Gephi, Cytoscape), ``gexf`` (Gephi), ``cyjs`` (Cytoscape.js JSON, readable
  with ``networkx.cytoscape_graph``): the networkx view;
* ``csv``: a folder with ``nodes.csv`` and ``edges.csv`` (Neo4j ``LOAD CSV``, Gephi's
  spreadsheet import: ``Id``/``Label`` and ``Source``/``Target`` columns).

Every file is written to a temporary name first and renamed when complete.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import networkx as nx
from rdflib import Graph

from kg.errors import KGError
from kg.network import cooperation_graph, to_networkx
from kg.query import run_sparql
from kg.rdf import PREFIXES, new_graph
from kg.store import atomic_write

RDF_FORMATS = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld"}
NETWORK_FORMATS = ("graphml", "gexf", "cyjs", "csv")
FORMATS = tuple(RDF_FORMATS) + NETWORK_FORMATS


def plain_attributes(G: nx.Graph) -> nx.Graph:
    """A copy whose attribute values GraphML/GEXF can hold (str, int, float, bool; no None or lists)."""
    H = G.copy()

    def clean(attrs: dict) -> None:
        for k, v in list(attrs.items()):
            if v is None:
                attrs[k] = ""
            elif isinstance(v, (list, tuple, set)):
                attrs[k] = " ".join(map(str, v))

    for _, attrs in H.nodes(data=True):
        clean(attrs)
    for *_, attrs in H.edges(data=True):
        clean(attrs)
    return H


def export(graph: Graph, fmt: str, out: Path, view: str = "full", since: str | None = None,
           international: bool = False, construct: str | None = None) -> Path:
    """Write ``graph`` as ``fmt`` to ``out``; ``view`` is ``full`` or ``cooperation`` for network formats.

    ``construct``: a SPARQL CONSTRUCT query whose result is exported instead of the whole graph.
    """
    out = Path(out)
    if fmt not in FORMATS:
        raise KGError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    if construct is not None:
        result = run_sparql(graph, construct)
        if result.type != "CONSTRUCT":
            raise KGError("--construct needs a CONSTRUCT query")
        graph = new_graph() + result.graph
    if fmt in RDF_FORMATS:
        kwargs = {"context": {k: str(v) for k, v in PREFIXES.items()}} if fmt == "jsonld" else {}
        atomic_write(out, lambda tmp: graph.serialize(destination=tmp, format=RDF_FORMATS[fmt],
                                                        encoding="utf-8", **kwargs))
        return out
    G = to_networkx(graph)
    if view == "cooperation" or since or international:
        G = cooperation_graph(G, since=since, international_only=international)
    elif view != "full":
        raise KGError(f"unknown view {view!r}; use full or cooperation")
    H = plain_attributes(G)
    if fmt == "graphml":
        atomic_write(out, lambda tmp: nx.write_graphml(H, tmp, encoding="utf-8"))
    elif fmt == "gexf":
        gexf = nx.DiGraph(H) if H.is_multigraph() else H  # Gephi merges parallel edges anyway
        atomic_write(out, lambda tmp: nx.write_gexf(gexf, tmp, encoding="utf-8", version="1.2draft"))
    elif fmt == "cyjs":
        data = nx.cytoscape_data(H)
        atomic_write(out, lambda tmp: Path(tmp).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8"))
    else:
        write_csv(H, out)
    return out


def write_csv(G: nx.Graph, folder: Path) -> None:
    """``nodes.csv`` (Id, Label, type, …) and ``edges.csv`` (Source, Target, relation, …)."""
    folder.mkdir(parents=True, exist_ok=True)
    node_keys = sorted({k for _, d in G.nodes(data=True) for k in d} - {"label"})
    edge_keys = sorted({k for *_, d in G.edges(data=True) for k in d})

    def nodes(tmp: str) -> None:
        with open(tmp, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["Id", "Label", *node_keys])
            for n, d in G.nodes(data=True):
                w.writerow([n, d.get("label", ""), *[d.get(k, "") for k in node_keys]])

    def edges(tmp: str) -> None:
        with open(tmp, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["Source", "Target", *edge_keys])
            for u, v, d in G.edges(data=True):
                w.writerow([u, v, *[d.get(k, "") for k in edge_keys]])

    atomic_write(folder / "nodes.csv", nodes)
    atomic_write(folder / "edges.csv", edges)
