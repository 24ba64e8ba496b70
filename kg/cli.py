"""The ``kg`` command line. Each command is a thin layer over a module of ``kg``.

Errors the user can cause (bad input, unknown names, malformed queries) are printed as one
line starting with ``error:`` and exit with status 2; nothing already built is touched.
"""

from __future__ import annotations

import csv
import io
import json
import sys
import time
from pathlib import Path

import click

from kg.errors import KGError
from kg.store import default_graph_path

GRAPH_OPTION = click.option("--graph", "graph_path", type=click.Path(path_type=Path), default=None,
                            help="graph store folder or RDF file (default: build/store or $KG_GRAPH)")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="ipkg")
def cli() -> None:
    """Build and query a knowledge graph of IP events from CNIPA reports."""


@cli.command()
@click.option("--corpus", type=click.Path(path_type=Path), default=Path("corpus"), show_default=True,
              help="folder with the documents and manifest.json")
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="a store folder (Oxigraph, default build/store or $KG_GRAPH) or an RDF file (.nt, .ttl)")
@click.option("--quiet", is_flag=True, help="no progress bar")
def build(corpus: Path, out: Path | None, quiet: bool) -> None:
    """Build the graph from the corpus, replacing the old graph only when complete."""
    from tqdm import tqdm

    from kg.build import build_graph
    from kg.corpus import load_manifest

    out = out or default_graph_path()
    total = len(load_manifest(corpus).documents)
    with tqdm(total=total, unit="doc", desc="extracting", disable=quiet, file=sys.stderr) as bar:
        stats = build_graph(corpus, out, progress=lambda entry: (bar.set_postfix_str(entry.file), bar.update(1)))
    for warning in stats.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(f"graph written to {out}")
    click.echo(f"documents: {stats.documents} ({stats.characters:,} characters)")
    click.echo("entities:  " + ", ".join(f"{k} {v}" for k, v in sorted(stats.entities.items())))
    click.echo(f"events:    {sum(stats.events.values())} ("
               + ", ".join(f"{k} {v}" for k, v in sorted(stats.events.items())) + ")")
    click.echo(f"triples:   {stats.triples}")
    click.echo(f"time:      {stats.seconds:.1f} s ({stats.characters / max(stats.seconds, 1e-9):,.0f} characters/s)")


@cli.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--title", required=True, help="the document's title")
@click.option("--year", type=int, required=True, help="the year it reports on (dates without a year take it)")
@click.option("--publisher", required=True, help="who published it, e.g. 国家知识产权局")
@click.option("--kind", type=click.Choice(["annual_report", "development_report", "policy_notice", "news", "other"]),
              default="other", show_default=True)
@click.option("--date", "date_", help="publication date, YYYY-MM-DD")
@click.option("--corpus", type=click.Path(path_type=Path), default=Path("corpus"), show_default=True)
@GRAPH_OPTION
def add(file, title, year, publisher, kind, date_, corpus, graph_path) -> None:
    """Add one new document to the corpus and the graph store, without a rebuild."""
    from pydantic import ValidationError

    from kg.build import add_document
    from kg.corpus import CorpusDocument

    if not file.is_file():
        raise KGError(f"no file {file}")
    try:
        entry = CorpusDocument(file=file.name, title=title, year=year, publisher=publisher, kind=kind, date=date_)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise KGError(f"{'.'.join(map(str, first['loc']))}: {first['msg']}") from None
    stats = add_document(corpus, graph_path or default_graph_path(), file, entry)
    click.echo(f"added {file.name}: {sum(stats.events.values())} events, {stats.triples} new triples, "
               f"{sum(stats.entities.values())} new entities ({stats.seconds:.1f} s)")


@cli.command()
@click.argument("query", required=False)
@click.option("-f", "--file", "query_file", type=click.Path(path_type=Path), help="read the query from a .rq file")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.option("--endpoint", metavar="URL", default=None,
              help="query this SPARQL endpoint (e.g. http://127.0.0.1:8890/sparql) instead of the local graph")
@GRAPH_OPTION
def sparql(query: str | None, query_file: Path | None, fmt: str, endpoint: str | None, graph_path: Path | None) -> None:
    """Run a SPARQL 1.1 SELECT, ASK or CONSTRUCT query (common prefixes predeclared)."""
    from kg.query import format_result, run_sparql

    if query_file:
        if not query_file.is_file():
            raise KGError(f"no query file {query_file}")
        query = query_file.read_text(encoding="utf-8")
    if not query:
        raise KGError("give a query or -f FILE.rq")
    if endpoint:
        from kg.remote import query_endpoint

        click.echo(format_result(query_endpoint(endpoint, query), fmt))
        return
    from kg.store import load_graph

    click.echo(format_result(run_sparql(load_graph(graph_path), query), fmt))


@cli.command()
@click.option("--endpoint", metavar="URL", required=True,
              help="Graph Store Protocol endpoint, e.g. http://127.0.0.1:8890/sparql-graph-crud-auth (Virtuoso)")
@click.option("--graph-iri", metavar="IRI", default=None,
              help="named graph to write (default: the store's default graph; Virtuoso needs a name)")
@click.option("--user", default=None, help="user for digest or basic authentication")
@click.option("--password", default=None, envvar="KG_PUSH_PASSWORD", help="password (or $KG_PUSH_PASSWORD)")
@click.option("--append", is_flag=True, help="add to the graph in the store instead of replacing it")
@click.option("--batch-triples", type=click.IntRange(min=1), default=50_000, show_default=True,
              help="triples per request; the first request replaces the graph, the others add to it")
@GRAPH_OPTION
def push(endpoint: str, graph_iri: str | None, user: str | None, password: str | None, append: bool,
         batch_triples: int, graph_path: Path | None) -> None:
    """Load the graph into an external SPARQL 1.1 store (Graph Store Protocol: PUT, then POST)."""
    from kg.remote import push_graph
    from kg.store import load_graph

    if (user is None) != (password is None):
        raise KGError("give both --user and --password, or neither")
    started = time.perf_counter()
    sent = push_graph(load_graph(graph_path), endpoint, graph_iri=graph_iri, user=user, password=password,
                      replace=not append, batch_triples=batch_triples)
    target = f"graph <{graph_iri}>" if graph_iri else "the default graph"
    verb = "added to" if append else "replaced"
    click.echo(f"pushed {sent} triples to {endpoint} ({target} {verb}) in {time.perf_counter() - started:.1f} s")


@cli.command()
@click.option("--org", help="organization name or alias, Chinese or English (WIPO, 世界知识产权组织)")
@click.option("--type", "event_type", help="Meeting, Signing, Issuance, Visit, Launch, PressConference or Other")
@click.option("--from", "date_from", help="first date, YYYY[-MM[-DD]]")
@click.option("--to", "date_to", help="last date, YYYY[-MM[-DD]]")
@click.option("--international", is_flag=True, default=None, help="only events with foreign or international parties")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
@GRAPH_OPTION
def timeline(org, event_type, date_from, date_to, international, fmt, graph_path) -> None:
    """Events in date order, filtered by organization, type, dates."""
    from kg.query import render_table
    from kg.query import timeline as run_timeline
    from kg.store import load_graph

    events = run_timeline(load_graph(graph_path), org=org, event_type=event_type, date_from=date_from,
                          date_to=date_to, international=international)
    if fmt == "json":
        click.echo(json.dumps(events, ensure_ascii=False, indent=2))
        return
    header = ["date_start", "date_end", "type", "label", "organizations", "source"]
    rows = [[e["date_start"], e["date_end"] or "", e["type"], e["label"],
             "; ".join(o["name"] for o in e["organizations"]), f'{e["source"]["doc"]}:{e["source"]["line"]}']
            for e in events]
    if fmt == "csv":
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
        click.echo(out.getvalue(), nl=False)
    else:
        click.echo(render_table(header, rows))


@cli.command()
@click.argument("name")
@click.option("--depth", type=int, default=1, show_default=True)
@GRAPH_OPTION
def neighbors(name: str, depth: int, graph_path: Path | None) -> None:
    """Entities and events within DEPTH links of NAME."""
    from kg.network import neighbors as near
    from kg.network import to_networkx
    from kg.store import load_graph

    graph = load_graph(graph_path)
    G = to_networkx(graph)
    node = _node_for(graph, G, name)
    for other, distance in near(G, node, depth):
        data = G.nodes[other]
        click.echo(f"{distance}  {data['type']:<13} {data['label'] or other}  ({other})")


@cli.command()
@click.argument("source")
@click.argument("target")
@GRAPH_OPTION
def path(source: str, target: str, graph_path: Path | None) -> None:
    """A shortest chain of links between two entities."""
    from kg.network import path as shortest
    from kg.network import to_networkx
    from kg.store import load_graph

    graph = load_graph(graph_path)
    G = to_networkx(graph)
    steps = shortest(G, _node_for(graph, G, source), _node_for(graph, G, target))
    for step in steps:
        data = G.nodes[step]
        extra = f" [{data['date']}]" if data.get("date") else ""
        click.echo(f"{data['type']:<13} {data['label'] or step}{extra}  ({step})")


def _node_for(graph, G, name: str) -> str:
    from kg.network import find_node
    from kg.query import find_entities
    from kg.rdf import local_id

    for node in find_entities(graph, name):
        if local_id(node) in G:
            return local_id(node)
    return find_node(G, name)


@cli.command()
@click.option("--format", "fmt", required=True, type=click.Choice(["ttl", "jsonld", "nt", "graphml", "gexf", "cyjs", "csv"]))
@click.option("--out", type=click.Path(path_type=Path), required=True, help="output file (a folder for csv)")
@click.option("--view", type=click.Choice(["full", "cooperation"]), default="full", show_default=True,
              help="network formats: every entity and event, or organizations linked by shared events")
@click.option("--since", help="cooperation view: only events from this date (YYYY[-MM[-DD]])")
@click.option("--international", is_flag=True, help="cooperation view: only international events")
@click.option("--construct", "construct_file", type=click.Path(path_type=Path),
              help="export only the sub-graph a SPARQL CONSTRUCT query (.rq) selects")
@GRAPH_OPTION
def export(fmt, out, view, since, international, construct_file, graph_path) -> None:
    """Write the graph for Gephi, Cytoscape, yEd, Neo4j or a triple store."""
    from kg.export import export as run_export
    from kg.store import load_graph

    construct = None
    if construct_file:
        if not construct_file.is_file():
            raise KGError(f"no query file {construct_file}")
        construct = construct_file.read_text(encoding="utf-8")
    written = run_export(load_graph(graph_path), fmt, out, view=view, since=since, international=international,
                         construct=construct)
    click.echo(f"wrote {written}")


@cli.command()
@click.argument("name")
@GRAPH_OPTION
def show(name: str, graph_path: Path | None) -> None:
    """An entity's labels, aliases, types and events."""
    from kg.query import resolve_one, run_sparql
    from kg.store import load_graph

    graph = load_graph(graph_path)
    for node in resolve_one(graph, name):
        click.echo(str(node))
        rows = run_sparql(graph, f"""
            SELECT ?p ?o WHERE {{ <{node}> ?p ?o .
              FILTER (?p IN (rdf:type, skos:prefLabel, skos:altLabel, ipkg:countryCode, ipkg:organizationKind,
                             ipkg:documentKind, ipkg:dateIssued, ipkg:documentNumber)) }} ORDER BY ?p ?o""")
        for p, o in rows:
            label = str(p).rsplit("#", 1)[-1].rsplit("/", 1)[-1]
            lang = f"@{o.language}" if getattr(o, "language", None) else ""
            click.echo(f"  {label:<16} {o}{lang}")
        events = run_sparql(graph, f"""
            SELECT ?e ?start ?label WHERE {{ ?e a ipkg:Event ; ?p <{node}> ; ipkg:startDate ?start ; rdfs:label ?label }}
            ORDER BY ?start""")
        events = list(events)
        click.echo(f"  events ({len(events)}):")
        for e, start, label in events:
            click.echo(f"    {start}  {label}")


@cli.command()
@GRAPH_OPTION
def validate(graph_path: Path | None) -> None:
    """Check the built graph against the SHACL shapes in ontology/shapes.ttl (exit 1 on a violation)."""
    from kg.store import load_graph
    from kg.validate import validate_graph

    report = validate_graph(load_graph(graph_path))
    if report.conforms:
        click.echo("graph conforms to ontology/shapes.ttl")
        return
    click.echo(report.text)
    click.echo(f"error: {report.violations} nodes violate the shapes", err=True)
    sys.exit(1)


@cli.command("eval")
@click.option("--gold", "gold_path", type=click.Path(path_type=Path), default=Path("tests/gold/dev.jsonl"),
              show_default=True, help="gold events, JSON Lines")
@click.option("--corpus", type=click.Path(path_type=Path), default=Path("corpus"), show_default=True)
@click.option("--worst", type=int, default=15, show_default=True, help="how many misses to list")
@click.option("--baseline/--no-baseline", default=True, show_default=True, help="also score jieba's POS tags")
@click.option("--json", "as_json", is_flag=True, help="print the scores as JSON")
@click.option("--check", is_flag=True, help="exit 1 when a score is below its target")
def evaluate(gold_path: Path, corpus: Path, worst: int, baseline: bool, as_json: bool, check: bool) -> None:
    """Precision, recall and F1 of the extraction against gold events."""
    from kg.eval import (
        below_targets,
        dump,
        extract_gold_documents,
        jieba_baseline,
        load_gold,
        load_scope,
        render,
    )
    from kg.eval import evaluate as run_eval

    gold = load_gold(gold_path)
    report = run_eval(gold, extract_gold_documents(gold, corpus), scope=load_scope(gold_path, gold))
    if as_json:
        click.echo(dump(report))
    else:
        click.echo(render(report, jieba_baseline(gold) if baseline else None, worst=worst))
    failing = below_targets(report)
    if check and failing:
        click.echo("below target: " + "; ".join(failing), err=True)
        sys.exit(1)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="address to listen on")
@click.option("--port", type=int, default=8000, show_default=True)
@click.option("--timeout", type=float, default=30.0, show_default=True,
              help="seconds a query may run before it is stopped (503)")
@click.option("--workers", type=int, default=2, show_default=True, help="query worker processes")
@click.option("--cache-size", type=int, default=256, show_default=True,
              help="answers kept in memory (0: none); the graph is read only, so they stay valid")
@GRAPH_OPTION
def serve(host: str, port: int, timeout: float, workers: int, cache_size: int, graph_path: Path | None) -> None:
    """Serve the graph: a read-only SPARQL endpoint (/sparql), a JSON API (/api/...) and a web page (/)."""
    from kg.server import serve as run_server

    run_server(graph_path, host=host, port=port, timeout=timeout, workers=workers, cache_size=cache_size,
               announce=click.echo)


def main() -> None:
    try:
        cli.main(standalone_mode=False)
    except KGError as exc:
        click.echo(f"error: {' '.join(str(exc).split())}", err=True)  # always one line
        sys.exit(2)
    except click.exceptions.Abort:
        click.echo("error: aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("error: interrupted", err=True)
        sys.exit(130)


if __name__ == "__main__":
    main()
