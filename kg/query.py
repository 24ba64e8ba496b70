"""Questions asked of the built graph: SPARQL, entity lookup by any name, the timeline.

Everything here goes through SPARQL on an rdflib graph, so it works the same on the
in-memory graph and on a store behind rdflib.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict

from pyparsing import ParseException
from rdflib import Graph, Literal, URIRef
from rdflib.query import Result

from kg.dates import parse_iso
from kg.errors import KGError
from kg.lexicon import Lexicon
from kg.names import canonical_key
from kg.rdf import EVENT_CLASS, ID, IPKG

PREFIXES = """PREFIX ipkg: <https://w3id.org/ipkg/ontology#>
PREFIX id: <https://w3id.org/ipkg/id/>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX schema: <https://schema.org/>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX time: <http://www.w3.org/2006/time#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""
TYPE_OF_CLASS = {str(cls): name for name, cls in EVENT_CLASS.items()}


def run_sparql(graph: Graph, query: str) -> Result:
    """Run a SPARQL 1.1 query (the common prefixes are predeclared); errors become one line."""
    if not query.strip():
        raise KGError("empty SPARQL query")
    text = query if "PREFIX ipkg:" in query else PREFIXES + query
    try:
        return graph.query(text)
    except ParseException as exc:
        raise KGError(f"malformed SPARQL query: {exc.msg} at line {exc.lineno - PREFIXES.count(chr(10))}, column {exc.col}") from None
    except Exception as exc:  # rdflib raises plain Exceptions for unsupported or bad queries
        raise KGError(f"SPARQL query failed: {type(exc).__name__}: {exc}") from None


def format_result(result: Result, fmt: str = "table") -> str:
    """Render a result as an aligned table, CSV or JSON (SPARQL JSON for SELECT/ASK, JSON-LD for graphs)."""
    if result.type == "ASK":
        if fmt == "json":
            return json.dumps({"head": {}, "boolean": bool(result.askAnswer)})
        return "true" if result.askAnswer else "false"
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        graph = result.graph
        return graph.serialize(format="json-ld" if fmt == "json" else "turtle")
    if fmt == "json":
        return result.serialize(format="json").decode("utf-8")
    variables = [str(v) for v in result.vars]
    rows = [["" if row[v] is None else str(row[v]) for v in variables] for row in result]
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(variables)
        writer.writerows(rows)
        return out.getvalue()
    return render_table(variables, rows)


def render_table(header: list[str], rows: list[list[str]], max_width: int = 60) -> str:
    def cut(value: str) -> str:
        value = value.replace("\n", " ")
        return value if _width(value) <= max_width else value[: max_width // 2] + "…"

    rows = [[cut(c) for c in row] for row in rows]
    widths = [max([_width(h)] + [_width(r[i]) for r in rows]) for i, h in enumerate(header)]
    lines = ["  ".join(_pad(h, w) for h, w in zip(header, widths))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(_pad(c, w) for c, w in zip(row, widths)) for row in rows]
    lines.append(f"({len(rows)} rows)")
    return "\n".join(lines)


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


# -- finding entities by any of their names ------------------------------------------------

def find_entities(graph: Graph, name: str) -> list[URIRef]:
    """Entities whose label, English label or alias is ``name`` (after normalisation).

    The curated lexicon is consulted first, so an alias the text never used still works;
    then labels equal to the name as written (an index lookup); only then every label is
    normalised and compared (traditional script, spacing, dashes).
    """
    found: list[URIRef] = []
    entry = Lexicon.load().resolve(name)
    if entry is not None:
        prefix = {"Organization": "org", "Person": "person", "Place": "place"}[entry.cls]
        node = ID[f"{prefix}/{entry.id}"]
        if (node, None, None) in graph:
            found.append(node)
    literal = name.strip().replace("\\", "").replace('"', "")
    rows = run_sparql(graph, f"""
        SELECT DISTINCT ?s WHERE {{
          VALUES ?p {{ rdfs:label skos:prefLabel skos:altLabel ipkg:shortTitle }}
          VALUES ?label {{ "{literal}"@zh "{literal}"@en "{literal}" }}
          ?s ?p ?label .
        }}""")
    found += [r.s for r in rows if r.s not in found and _is_entity(graph, r.s)]
    if found:
        return found
    key = canonical_key(name)
    rows = run_sparql(graph, """
        SELECT DISTINCT ?s ?label WHERE {
          VALUES ?p { rdfs:label skos:prefLabel skos:altLabel ipkg:shortTitle }
          ?s ?p ?label .
        }""")
    for s, label in rows:
        if isinstance(label, Literal) and canonical_key(str(label)) == key and s not in found and _is_entity(graph, s):
            found.append(s)
    return found


def _is_entity(graph: Graph, node: URIRef) -> bool:
    return not str(node).startswith((str(ID["event/"]), str(ID["mention/"]), str(ID["source/"])))


def resolve_one(graph: Graph, name: str, what: str = "entity") -> list[URIRef]:
    nodes = find_entities(graph, name)
    if not nodes:
        raise KGError(f"unknown {what}: {name!r} (try `kg sparql` to list labels)")
    return nodes


# -- the timeline --------------------------------------------------------------------------

TIMELINE_QUERY = """
SELECT ?e ?cls ?label ?start ?end ?intl ?doc ?line ?text WHERE {
  ?e a ipkg:Event ; a ?cls ; rdfs:label ?label ; ipkg:startDate ?start ; ipkg:source ?src .
  FILTER (?cls != ipkg:Event)
  OPTIONAL { ?e ipkg:endDate ?end }
  OPTIONAL { ?e ipkg:international ?intl }
  ?src ipkg:line ?line ; ipkg:text ?text ; ipkg:inDocument ?sd .
  ?sd ipkg:fileName ?doc .
  %s
}
"""

PARTS_QUERY = """
SELECT ?e ?p ?x ?name ?name_en WHERE {
  VALUES ?p { ipkg:involvesOrganization ipkg:involvesPerson ipkg:hasPlace ipkg:concerns }
  VALUES ?e { %s }
  ?e ?p ?x .
  OPTIONAL { ?x rdfs:label ?name }
  OPTIONAL { ?x skos:prefLabel ?name_en FILTER (lang(?name_en) = "en") }
}
"""


def timeline(
    graph: Graph,
    org: str | None = None,
    event_type: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    international: bool | None = None,
) -> list[dict]:
    """Events in date order, as JSON-ready dicts (see the README for the keys).

    ``org`` is any name or alias of an organisation (WIPO, 世界知识产权组织, 欧洲专利局).
    """
    filters = []
    if event_type:
        if event_type not in EVENT_CLASS:
            raise KGError(f"unknown event type {event_type!r}; use one of {', '.join(EVENT_CLASS)}")
        filters.append(f"?e a <{EVENT_CLASS[event_type]}> .")
    lo = hi = None
    if date_from:
        lo = _check_date(date_from, "--from")
        filters.append(f'FILTER (STR(COALESCE(?end, ?start)) >= "{date_from}")')
    if date_to:
        hi = _check_date(date_to, "--to")
        filters.append(f'FILTER (STR(?start) <= "{date_to}" || STRSTARTS("{date_to}", STR(?start)))')
    if lo and hi and lo > hi:
        raise KGError(f"impossible date range: --from {date_from} is after --to {date_to}")
    if international is not None:
        filters.append(f"FILTER (?intl = {'true' if international else 'false'})")
    if org:
        nodes = [n for n in resolve_one(graph, org, "organization") if (n, None, IPKG.Organization) in graph]
        if not nodes:
            raise KGError(f"{org!r} names no organization in the graph")
        values = " ".join(f"<{n}>" for n in nodes)
        filters.append(f"VALUES ?o {{ {values} }} ?e ipkg:involvesOrganization ?o .")
    rows = run_sparql(graph, TIMELINE_QUERY % "\n  ".join(filters))
    events: dict[str, dict] = {}
    for r in rows:
        key = str(r.e)
        if key in events:
            continue
        events[key] = {
            "id": key,
            "date_start": str(r.start),
            "date_end": str(r.end) if r.end is not None else None,
            "type": TYPE_OF_CLASS.get(str(r.cls), "Other"),
            "label": str(r.label),
            "organizations": [], "people": [], "places": [], "documents": [],
            "international": bool(r.intl.toPython()) if r.intl is not None else False,
            "source": {"doc": str(r.doc), "line": int(r.line), "text": str(r.text)},
        }
    parts: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    seen = set()
    keys = list(events)
    rows = (r for i in range(0, len(keys), 400)
            for r in run_sparql(graph, PARTS_QUERY % " ".join(f"<{k}>" for k in keys[i:i + 400])))
    for r in rows:
        e = str(r.e)
        if e not in events or (e, str(r.p), str(r.x)) in seen:
            continue
        seen.add((e, str(r.p), str(r.x)))
        name = str(r.name) if r.name is not None else str(r.x)
        p = str(r.p)
        if p == str(IPKG.involvesOrganization):
            parts[e]["organizations"].append({"id": str(r.x), "name": name,
                                              "name_en": str(r.name_en) if r.name_en is not None else None})
        elif p == str(IPKG.involvesPerson):
            parts[e]["people"].append({"id": str(r.x), "name": name})
        elif p == str(IPKG.hasPlace):
            parts[e]["places"].append({"id": str(r.x), "name": name})
        else:
            parts[e]["documents"].append({"id": str(r.x), "title": name})
    for e, item in events.items():
        for k, v in parts.get(e, {}).items():
            item[k] = sorted(v, key=lambda d: d["id"])
    return sorted(events.values(), key=lambda d: (d["date_start"], d["source"]["doc"], d["source"]["line"], d["id"]))


def _check_date(value: str, option: str):
    try:
        return parse_iso(value)
    except ValueError as exc:
        raise KGError(f"{option}: {exc}") from None
