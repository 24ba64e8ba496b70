"""The graph as networkx sees it: small functions over a plain ``nx`` graph.

:func:`to_networkx` keeps every entity and event as a node and every link between them as
an edge (``relation``, ``date``, ``source``). :func:`cooperation_graph` projects it onto
organisations, linked when they take part in the same event or are parties to the same
agreement, which is the network analysts open in Gephi or Cytoscape.

>>> from kg.store import load_graph          # doctest: +SKIP
>>> G = to_networkx(load_graph())            # doctest: +SKIP
>>> neighbors(G, "org/wipo", depth=1)[:3]    # doctest: +SKIP
"""

from __future__ import annotations

from collections import defaultdict
from itertools import combinations

import networkx as nx
from rdflib import Graph, URIRef

from kg.errors import KGError
from kg.query import select_values
from kg.rdf import IPKG

NODE_CLASSES = {
    IPKG.Organization: "Organization", IPKG.Person: "Person", IPKG.Country: "Place", IPKG.Place: "Place",
    IPKG.Agreement: "Agreement", IPKG.Policy: "Policy", IPKG.Document: "Document",
    IPKG.MeetingSeries: "MeetingSeries", IPKG.Event: "Event",
}
EDGE_PROPERTIES = {
    IPKG.involvesOrganization: "organization", IPKG.involvesPerson: "person", IPKG.hasPlace: "place",
    IPKG.concerns: "document", IPKG.inSeries: "series", IPKG.issuedBy: "issued_by", IPKG.party: "party",
    IPKG.witness: "witness", IPKG.signedAt: "signed_at", IPKG.within: "within", IPKG.country: "country",
    IPKG.seriesParty: "series_party",
}


NODES_QUERY = """
SELECT ?n ?type ?label ?label_en WHERE {
  ?n a ?type .
  FILTER (?type IN (%s))
  OPTIONAL { ?n rdfs:label ?label }
  OPTIONAL { ?n skos:prefLabel ?label_en FILTER (lang(?label_en) = "en") }
}"""
EVENTS_QUERY = """
SELECT ?n ?cls ?date ?intl ?doc ?line WHERE {
  ?n a ipkg:Event ; a ?cls ; ipkg:startDate ?date ; ipkg:international ?intl ; ipkg:source ?src .
  FILTER (?cls != ipkg:Event)
  ?src ipkg:line ?line ; ipkg:inDocument/ipkg:fileName ?doc .
}"""
EDGES_QUERY = """
SELECT ?s ?p ?o WHERE {
  ?s ?p ?o .
  FILTER (?p IN (%s))
}"""
ID_PREFIX = str(IPKG).replace("ontology#", "id/")


def to_networkx(graph: Graph) -> nx.MultiDiGraph:
    """Entities and events as nodes (``type``, ``label``, ``label_en``; events also ``date``,
    ``event_type``, ``source``, ``international``), their links as edges (``relation``,
    ``date``, ``source``). Three SELECTs, so it is as fast as the store behind the graph."""
    G = nx.MultiDiGraph()
    rank = {str(cls): i for i, cls in enumerate(NODE_CLASSES)}  # most specific class first
    best: dict[str, dict] = {}
    classes = ", ".join(f"<{c}>" for c in NODE_CLASSES)
    for r in select_values(graph, NODES_QUERY % classes):
        node = r["n"]
        if not node.startswith(ID_PREFIX):
            continue
        current = best.get(node)
        if current is None or rank[r["type"]] < rank[current["_type"]]:
            best[node] = {"_type": r["type"], "type": NODE_CLASSES[URIRef(r["type"])],
                          "label": r["label"] or (current or {}).get("label"), "label_en": r["label_en"] or ""}
    for node, attrs in best.items():
        attrs.pop("_type")
        G.add_node(node[len(ID_PREFIX):], **attrs)
    for r in select_values(graph, EVENTS_QUERY):
        node = r["n"][len(ID_PREFIX):]
        if node in G:
            G.nodes[node].update(date=r["date"], event_type=r["cls"].rsplit("#", 1)[-1],
                                 source=f"{r['doc']}:{r['line']}", international=r["intl"] in ("true", "1"))
    relations = {str(p): name for p, name in EDGE_PROPERTIES.items()}
    for r in select_values(graph, EDGES_QUERY % ", ".join(f"<{p}>" for p in EDGE_PROPERTIES)):
        u, v = r["s"][len(ID_PREFIX):], r["o"][len(ID_PREFIX):]
        if u in G and v in G:
            relation = relations[r["p"]]
            data = G.nodes[u]
            G.add_edge(u, v, key=relation, relation=relation, date=data.get("date", ""),
                       source=data.get("source", ""))
    return G


def cooperation_graph(G: nx.MultiDiGraph, since: str | None = None, international_only: bool = False) -> nx.Graph:
    """Organisations linked by shared events and agreements.

    Edge attributes: ``weight`` (number of shared events/agreements), ``events`` (ids),
    ``first``/``last`` (dates), ``relation`` = ``co_participation``.
    """
    C = nx.Graph()
    links: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for node, data in G.nodes(data=True):
        if data["type"] not in ("Event", "Agreement"):
            continue
        if data["type"] == "Event":
            if since and data.get("date", "") < since:
                continue
            if international_only and not data.get("international"):
                continue
        orgs = sorted({v for _, v, k in G.out_edges(node, keys=True) if k in ("organization", "party")})
        for o in orgs:
            C.add_node(o, **G.nodes[o])
        for a, b in combinations(orgs, 2):
            links[(a, b)].append((node, data.get("date", "")))
    for (a, b), items in links.items():
        dates = sorted(d for _, d in items if d)
        C.add_edge(a, b, weight=len(items), events=[n for n, _ in items], relation="co_participation",
                   first=dates[0] if dates else "", last=dates[-1] if dates else "")
    return C


def find_node(G: nx.Graph, name: str) -> str:
    """The node whose id, label, English label is ``name`` (exact, then case-insensitive)."""
    if name in G:
        return name
    lowered = name.casefold()
    for node, data in G.nodes(data=True):
        if name in (data.get("label"), data.get("label_en")):
            return node
    for node, data in G.nodes(data=True):
        if lowered in ((data.get("label") or "").casefold(), (data.get("label_en") or "").casefold()):
            return node
    raise KGError(f"no node named {name!r} in the graph")


def neighbors(G: nx.MultiDiGraph, node: str, depth: int = 1) -> list[tuple[str, int]]:
    """Nodes within ``depth`` hops (either direction), with their distance, nearest first.

    >>> G = nx.MultiDiGraph([("event/a", "org/x"), ("event/a", "org/y")])
    >>> neighbors(G, "org/x", depth=2)
    [('event/a', 1), ('org/y', 2)]
    """
    if depth < 1:
        raise KGError("--depth must be at least 1")
    distances = nx.single_source_shortest_path_length(G.to_undirected(as_view=True), node, cutoff=depth)
    return sorted(((n, d) for n, d in distances.items() if n != node), key=lambda item: (item[1], item[0]))


def path(G: nx.MultiDiGraph, source: str, target: str) -> list[str]:
    """A shortest path between two nodes, ignoring edge direction.

    >>> G = nx.MultiDiGraph([("event/a", "org/x"), ("event/a", "org/y")])
    >>> path(G, "org/x", "org/y")
    ['org/x', 'event/a', 'org/y']
    """
    try:
        return nx.shortest_path(G.to_undirected(as_view=True), source, target)
    except nx.NetworkXNoPath:
        raise KGError(f"no path between {source} and {target}") from None
