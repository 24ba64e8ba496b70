"""Questions asked of the built graph: SPARQL, entity lookup by any name, the timeline.

Everything here goes through SPARQL on an rdflib graph, so it works the same on the
in-memory graph and on a store behind rdflib.
"""

from __future__ import annotations

import csv
import io
import json
import re

from oxrdflib import OxigraphStore
from pyparsing import ParseException
from rdflib import RDFS, SKOS, Graph, Literal, URIRef
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
LABEL_PROPERTIES = (RDFS.label, SKOS.prefLabel, SKOS.altLabel, IPKG.shortTitle)


def run_sparql(graph: Graph, query: str) -> Result:
    """Run a SPARQL 1.1 query (the common prefixes are predeclared); errors become one line."""
    if not query.strip():
        raise KGError("empty SPARQL query")
    text = query if "PREFIX ipkg:" in query else PREFIXES + query
    try:
        return graph.query(text)
    except ParseException as exc:
        raise KGError(f"malformed SPARQL query: {exc.msg} at line {exc.lineno - _added_lines(text, query)}, "
                      f"column {exc.col}") from None
    except SyntaxError as exc:  # the Oxigraph store's parser: "error at 12:6: expected …"
        message = re.sub(r"(\d+):(\d+)", lambda m: f"{int(m.group(1)) - _added_lines(text, query)}:{m.group(2)}",
                         str(exc), count=2)
        raise KGError(f"malformed SPARQL query: {' '.join(message.split())}") from None
    except Exception as exc:  # rdflib raises plain Exceptions for unsupported or bad queries
        raise KGError(f"SPARQL query failed: {type(exc).__name__}: {exc}") from None


def select_values(graph: Graph, query: str) -> list[dict[str, str | None]]:
    """A SELECT's rows as plain strings (``None`` when unbound).

    On an Oxigraph store the query goes to Oxigraph directly: building rdflib terms for every
    value (and parsing every xsd:date) costs more than answering the query.
    """
    store = graph.store
    if isinstance(store, OxigraphStore):
        text = query if "PREFIX ipkg:" in query else PREFIXES + query
        try:
            solutions = store._inner.query(text, use_default_graph_as_union=True)
        except SyntaxError:
            run_sparql(graph, query)  # raises the one-line error
            raise
        names = [v.value for v in solutions.variables]
        return [{n: (None if t is None else t.value) for n, t in zip(names, row)} for row in solutions]
    result = run_sparql(graph, query)
    names = [str(v) for v in result.vars]
    return [{n: (None if row[n] is None else str(row[n])) for n in names} for row in result]


def _added_lines(text: str, query: str) -> int:
    return text.count("\n") - query.count("\n")


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
    # Lookups by index (graph.subjects), which both rdflib and the Oxigraph store answer fast.
    written = name.strip()
    for prop in LABEL_PROPERTIES:
        for literal in (Literal(written, lang="zh"), Literal(written, lang="en"), Literal(written)):
            for node in graph.subjects(prop, literal):
                if node not in found and _is_entity(node):
                    found.append(node)
    if found:
        return found
    key = canonical_key(name)
    for prop in LABEL_PROPERTIES:
        for node, label in graph.subject_objects(prop):
            if canonical_key(str(label)) == key and node not in found and _is_entity(node):
                found.append(node)
    return found


def _is_entity(node: URIRef) -> bool:
    return not str(node).startswith((str(ID["event/"]), str(ID["mention/"]), str(ID["source/"])))


def resolve_one(graph: Graph, name: str, what: str = "entity") -> list[URIRef]:
    nodes = find_entities(graph, name)
    if not nodes:
        raise KGError(f"unknown {what}: {name!r} (try `kg sparql` to list labels)")
    return nodes


# -- the timeline --------------------------------------------------------------------------

# One query: the event, its source and, one row each, its participants. Selective patterns
# (the organization, the type) come first, and no VALUES: rdflib's engine joins those slowly.
# Picking the events (organization, dates, flag) comes before anything is joined to them.
EVENT_DETAILS = """
  ?e a ?cls .
  FILTER (?cls IN (%(classes)s))
  ?e rdfs:label ?label ; ipkg:source ?src .
  ?src ipkg:line ?line ; ipkg:text ?text ; ipkg:inDocument ?sd .
  ?sd ipkg:fileName ?doc .
  OPTIONAL {
    ?e ?p ?x .
    FILTER (?p IN (ipkg:involvesOrganization, ipkg:involvesPerson, ipkg:hasPlace, ipkg:concerns))
    OPTIONAL { ?x rdfs:label ?name }
    OPTIONAL { ?x skos:prefLabel ?name_en FILTER (lang(?name_en) = "en") }
  }
"""
DETAIL_VARS = "?e ?cls ?label ?doc ?line ?text ?p ?x ?name ?name_en"
# Asked apart from the details: Oxigraph plans one query with both OPTIONALs very badly.
EVENT_DATES = "?e ipkg:startDate ?start ; ipkg:international ?intl . OPTIONAL { ?e ipkg:endDate ?end }"


def _pick_query(first: str, date_from: str | None, date_to: str | None, international: bool | None) -> str:
    """The SELECT of the events in range: a period counts when it overlaps the range.

    Each date is filtered right after it is read: Oxigraph then drops an event as soon as
    one bound fails (twice as fast as one FILTER at the end).
    """
    flag = f"?e ipkg:international {'true' if international else 'false'} ." if international is not None else ""
    last = ""
    if date_from:  # "2023" (a year) contains --from 2023-03-01
        last = (f'?e ipkg:lastDate ?last . '
                f'FILTER (STR(?last) >= "{date_from}" || STRSTARTS("{date_from}", STR(?last)))')
    start = ""
    if date_to:  # "~" sorts after digits and "-": --to 2023 keeps 2023-12-31, --to 2023-04 keeps 2023-04-30
        start = f'?e ipkg:startDate ?start . FILTER (STR(?start) <= "{date_to}~")'
    if not (first or last or start or flag):
        first = "?e a ipkg:Event ."
    return f"SELECT ?e WHERE {{ {first} {last} {start} {flag} }}"


def _timeline_rows(graph: Graph, first: str, classes: str, date_from: str | None, date_to: str | None,
                   international: bool | None) -> list[dict]:
    """Rows of events and their participants (one row per participant).

    Oxigraph answers fastest in steps (pick the events, then fetch their dates and details by
    ``VALUES``); rdflib's engine joins ``VALUES`` slowly, so it gets one query with a subquery.
    """
    pick = _pick_query(first, date_from, date_to, international)
    details = EVENT_DETAILS % {"classes": classes}
    if not isinstance(graph.store, OxigraphStore):
        return select_values(graph, f"SELECT {DETAIL_VARS} ?start ?end ?intl WHERE {{ "
                                    f"{{ {pick} }} {EVENT_DATES} {details} }}")
    keys = [r["e"] for r in select_values(graph, pick)]
    rows = []
    for i in range(0, len(keys), 500):
        values = f"VALUES ?e {{ {' '.join(f'<{k}>' for k in keys[i:i + 500])} }}"
        dates = {r["e"]: r for r in select_values(graph, f"SELECT ?e ?start ?end ?intl WHERE {{ {values} {EVENT_DATES} }}")}
        rows += [{**dates[r["e"]], **r}
                 for r in select_values(graph, f"SELECT {DETAIL_VARS} WHERE {{ {values} {details} }}")]
    return rows


PART_KEYS = {
    str(IPKG.involvesOrganization): "organizations", str(IPKG.involvesPerson): "people",
    str(IPKG.hasPlace): "places", str(IPKG.concerns): "documents",
}


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
    classes = list(EVENT_CLASS.values())
    if event_type:
        if event_type not in EVENT_CLASS:
            raise KGError(f"unknown event type {event_type!r}; use one of {', '.join(EVENT_CLASS)}")
        classes = [EVENT_CLASS[event_type]]
    lo = _check_date(date_from, "--from") if date_from else None
    hi = _check_date(date_to, "--to") if date_to else None
    if lo and hi and lo > hi:
        raise KGError(f"impossible date range: --from {date_from} is after --to {date_to}")
    firsts = [""]
    if org:
        nodes = [n for n in resolve_one(graph, org, "organization") if (n, None, IPKG.Organization) in graph]
        if not nodes:
            raise KGError(f"{org!r} names no organization in the graph")
        firsts = [f"?e ipkg:involvesOrganization <{n}> ." for n in nodes]
    events: dict[str, dict] = {}
    seen = set()
    for first in firsts:
        rows = _timeline_rows(graph, first, ", ".join(f"<{c}>" for c in classes), date_from, date_to,
                              international)
        for r in rows:
            key = r["e"]
            item = events.get(key)
            if item is None:
                item = events[key] = {
                    "id": key,
                    "date_start": r["start"],
                    "date_end": r["end"],
                    "type": TYPE_OF_CLASS.get(r["cls"], "Other"),
                    "label": r["label"],
                    "organizations": [], "people": [], "places": [], "documents": [],
                    "international": r["intl"] in ("true", "1"),
                    "source": {"doc": r["doc"], "line": int(r["line"]), "text": r["text"]},
                }
            if r["p"] is None or (key, r["p"], r["x"]) in seen:
                continue
            seen.add((key, r["p"], r["x"]))
            part = PART_KEYS[r["p"]]
            name = r["name"] if r["name"] is not None else r["x"]
            if part == "organizations":
                entry = {"id": r["x"], "name": name, "name_en": r["name_en"]}
            elif part == "documents":
                entry = {"id": r["x"], "title": name}
            else:
                entry = {"id": r["x"], "name": name}
            item[part].append(entry)
    for item in events.values():
        for part in PART_KEYS.values():
            item[part].sort(key=lambda d: d["id"])
    return sorted(events.values(), key=lambda d: (d["date_start"], d["source"]["doc"], d["source"]["line"], d["id"]))


def _check_date(value: str, option: str):
    try:
        return parse_iso(value)
    except ValueError as exc:
        raise KGError(f"{option}: {exc}") from None
