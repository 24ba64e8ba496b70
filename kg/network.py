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
from rdflib import RDF, RDFS, SKOS, Graph, Literal, URIRef

from kg.errors import KGError
from kg.rdf import IPKG, local_id

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


def _node_type(graph: Graph, node: URIRef) -> str | None:
    types = set(graph.objects(node, RDF.type))
    for cls, name in NODE_CLASSES.items():  # most specific first
        if cls in types:
            return name
    return None


def to_networkx(graph: Graph) -> nx.MultiDiGraph:
    """Entities and events as nodes (``type``, ``label``, ``label_en``), their links as edges."""
    G = nx.MultiDiGraph()
    for node in set(graph.subjects(RDF.type, None)):
        node_type = _node_type(graph, node)
        if node_type is None or not isinstance(node, URIRef):
            continue
        attrs = {"type": node_type, "label": _label(graph, node, "zh"), "label_en": _label(graph, node, "en") or ""}
        if node_type == "Event":
            attrs["date"] = str(graph.value(node, IPKG.startDate) or "")
            event_class = next((c for c in graph.objects(node, RDF.type) if c != IPKG.Event), IPKG.Event)
            attrs["event_type"] = str(event_class).rsplit("#", 1)[-1]
            src = graph.value(node, IPKG.source)
            doc = graph.value(graph.value(src, IPKG.inDocument), IPKG.fileName) if src else None
            attrs["source"] = f"{doc}:{graph.value(src, IPKG.line)}" if src else ""
            attrs["international"] = bool(graph.value(node, IPKG.international) or False)
        G.add_node(local_id(node), **attrs)
    for prop, relation in EDGE_PROPERTIES.items():
        for s, o in graph.subject_objects(prop):
            u, v = local_id(s), local_id(o)
            if u in G and v in G:
                data = G.nodes[u]
                G.add_edge(u, v, key=relation, relation=relation, date=data.get("date", ""),
                           source=data.get("source", ""))
    return G


def _label(graph: Graph, node: URIRef, lang: str) -> str | None:
    for prop in (SKOS.prefLabel, RDFS.label):
        for value in graph.objects(node, prop):
            if isinstance(value, Literal) and (value.language or "zh") == lang:
                return str(value)
    return None


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
