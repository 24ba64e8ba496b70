"""``kg serve``: the built graph over HTTP, read only.

Routes:

* ``/sparql``: the SPARQL 1.1 Protocol (GET ``?query=``, POST form ``query=`` or an
  ``application/sparql-query`` body). SELECT/ASK answer as SPARQL JSON, XML, CSV or TSV,
  CONSTRUCT/DESCRIBE as Turtle, JSON-LD, N-Triples or RDF/XML, chosen by ``Accept`` (or
  ``?format=``). Updates are refused with 403.
* ``/api/timeline``, ``/api/entity/{id}``, ``/api/network``, ``/api/status``: JSON.
* ``/``: the page with the timeline and the cooperation network (``kg/web``).

Every query runs in a worker process that holds its own copy of the graph. The event
loop only hands requests to the workers, so the server keeps answering while a query
runs; a query still running after ``timeout`` seconds is stopped by killing its worker
(which is replaced) and the client gets a 503 with a message. The graph file is copied
when the server starts (an RDF file or an Oxigraph store folder), so a ``kg build`` or
``kg add`` meanwhile does not change what is served: restart the server to serve them.
"""

from __future__ import annotations

import json
import multiprocessing
import queue
import shutil
import socket
import sys
import tempfile
import threading
import time
from collections import OrderedDict
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import parse_qsl, quote

from kg.errors import KGError

WEB_DIR = Path(__file__).resolve().parent / "web"
DEFAULT_TIMEOUT = 30.0
DEFAULT_WORKERS = 2
MAX_QUERY_BYTES = 1 << 20
MAX_CACHED_BODY = 4 << 20
READ_ONLY = "this SPARQL endpoint is read only: SPARQL Update is not accepted"

# Result formats: name -> media type; and the media types a client may ask for.
TABLE_FORMATS = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
TABLE_ACCEPT = {
    "application/sparql-results+json": "json", "application/json": "json",
    "application/sparql-results+xml": "xml", "application/xml": "xml", "text/xml": "xml",
    "text/csv": "csv", "text/tab-separated-values": "tsv",
}
GRAPH_FORMATS = {
    "turtle": "text/turtle",
    "json-ld": "application/ld+json",
    "nt": "application/n-triples",
    "xml": "application/rdf+xml",
}
GRAPH_ACCEPT = {
    "text/turtle": "turtle", "application/turtle": "turtle", "application/x-turtle": "turtle",
    "application/ld+json": "json-ld", "application/json": "json-ld",
    "application/n-triples": "nt", "text/plain": "nt",
    "application/rdf+xml": "xml", "application/xml": "xml",
}
FORMAT_ALIASES = {"json": "json", "srj": "json", "xml": "xml", "srx": "xml", "csv": "csv", "tsv": "tsv",
                  "turtle": "turtle", "ttl": "turtle", "json-ld": "json-ld", "jsonld": "json-ld",
                  "nt": "nt", "ntriples": "nt", "n-triples": "nt", "rdf": "xml", "rdfxml": "xml"}


# == the worker processes ===================================================================
# Everything in this section runs inside a worker, which holds the graph in ``_GRAPH``.

_GRAPH = None
_NETWORK = None


def _worker_main(conn, graph_path: str) -> None:
    """A worker: load the graph, report ready, then answer (op, args) messages forever."""
    global _GRAPH
    try:
        import rdflib.plugins.sparql

        from kg.store import load_graph

        _GRAPH = load_graph(Path(graph_path))
        rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False  # FROM <file:...> must not read files
        sys.addaudithook(_no_network)  # nor SERVICE <http://...> reach out
        conn.send(("ready", len(_GRAPH)))
    except KGError as exc:
        conn.send(("failed", str(exc)))
        return
    except Exception as exc:  # anything else is still reported as one line
        conn.send(("failed", f"cannot load the graph: {type(exc).__name__}: {exc}"))
        return
    try:  # warm up while the first request (if any) waits in the pipe: names are resolved with it
        from kg.lexicon import Lexicon

        Lexicon.load()
    except Exception:
        pass  # the request that needs it will report the problem
    while True:
        try:
            op, args = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        try:
            reply = _execute(op, args)
        except KGError as exc:
            reply = ("error", 400, str(exc))
        except Exception as exc:  # a bug or an unsupported feature: still one line, no traceback
            reply = ("error", 500, f"internal error: {type(exc).__name__}: {exc}".splitlines()[0])
        try:
            conn.send(reply)
        except (EOFError, OSError):
            return


def _no_network(event: str, args) -> None:
    if event in ("urllib.Request", "socket.connect", "socket.getaddrinfo"):
        raise PermissionError("this endpoint does not make network requests (SERVICE is not supported)")


def _execute(op: str, args: dict):
    if op == "sparql":
        return _sparql(args["query"], args.get("accept", ""), args.get("format"))
    if op == "timeline":
        return _json(_timeline(args))
    if op == "network":
        return _json(_network(args.get("since"), args.get("international")))
    if op == "entity":
        return _entity(args["candidates"], args["shown"])
    raise KGError(f"unknown operation {op!r}")


def _json(data) -> tuple:
    return ("ok", 200, "application/json", json.dumps(data, ensure_ascii=False).encode("utf-8"))


def _sparql(query: str, accept: str, fmt: str | None) -> tuple:
    from kg.query import run_sparql

    if _uses_service(query):
        raise KGError("SERVICE is not supported: this endpoint does not make network requests")
    try:
        result = run_sparql(_GRAPH, query)
    except KGError:
        if _is_update(query):
            return ("error", 403, READ_ONLY)
        raise
    try:  # rdflib evaluates lazily: errors of the query itself can surface while serialising
        return _serialize(result, accept, fmt)
    except Exception as exc:
        message = str(exc).splitlines()[0] if str(exc) else ""
        raise KGError(f"SPARQL query failed: {type(exc).__name__}: {message}") from None


def _serialize(result, accept: str, fmt: str | None) -> tuple:
    from kg.rdf import PREFIXES

    if result.type in ("SELECT", "ASK"):
        name = _choose(accept, fmt, TABLE_ACCEPT, TABLE_FORMATS, "json")
        if result.type == "ASK" and name in ("csv", "tsv"):
            body = f"_askResult\n{'true' if result.askAnswer else 'false'}\n".encode()
        elif name == "tsv":
            body = _tsv(result)
        else:
            body = result.serialize(format=name)
        return ("ok", 200, TABLE_FORMATS[name], body)
    name = _choose(accept, fmt, GRAPH_ACCEPT, GRAPH_FORMATS, "turtle")
    graph = result.graph
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    extra = {"auto_compact": True} if name == "json-ld" else {}
    return ("ok", 200, GRAPH_FORMATS[name], graph.serialize(format=name, encoding="utf-8", **extra))


def _uses_service(text: str) -> bool:
    """Whether the query has a SERVICE clause (refused: both engines would fetch it)."""
    if "service" not in text.lower():
        return False
    from rdflib.plugins.sparql.parser import parseQuery

    from kg.query import PREFIXES

    try:
        tree = parseQuery(text if "PREFIX ipkg:" in text else PREFIXES + text)
    except Exception:
        return False  # the engine reports the syntax error
    stack = [tree]
    while stack:
        node = stack.pop()
        if getattr(node, "name", None) == "ServiceGraphPattern":
            return True
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, (list, tuple)) or hasattr(node, "asList"):
            stack.extend(list(node))
    return False


def _is_update(text: str) -> bool:
    from rdflib.plugins.sparql.parser import parseUpdate

    from kg.query import PREFIXES

    for candidate in (text, PREFIXES + text):
        try:
            parseUpdate(candidate)
            return True
        except Exception:
            continue
    return False


def _choose(accept: str, fmt: str | None, accepted: dict, formats: dict, default: str) -> str:
    """The result format: ``?format=`` if given, else the best match of ``Accept``, else the default."""
    if fmt:  # a short name (json, ttl...) or media types, as some clients send; else ignored
        name = FORMAT_ALIASES.get(fmt.strip().lower())
        if name == "json" and "json-ld" in formats:
            name = "json-ld"
        if name in formats:
            return name
        name = _negotiate(fmt, accepted, default)
        if name:
            return name
    return _negotiate(accept, accepted, default) or default


def _negotiate(accept: str, accepted: dict, default: str) -> str | None:
    """The format of the best media range in ``accept`` that we serve (q-values honoured)."""
    best, best_key = None, None
    for position, part in enumerate(accept.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        q = 1.0
        for f in fields[1:]:
            if f.startswith("q="):
                try:
                    q = float(f[2:])
                except ValueError:
                    q = 0.0
        if q <= 0 or not media:
            continue
        if media in accepted:
            name, specificity = accepted[media], 2
        elif media.endswith("/*") and media != "*/*":
            major = media[:-1]
            names = [n for m, n in accepted.items() if m.startswith(major)]
            if not names:
                continue
            name, specificity = (default if default in names else names[0]), 1
        elif media == "*/*":
            name, specificity = default, 0
        else:
            continue
        key = (q, specificity, -position)
        if best_key is None or key > best_key:
            best, best_key = name, key
    return best


def _tsv(result) -> bytes:
    """SPARQL 1.1 TSV: ``?var`` headers, terms in Turtle/N-Triples syntax."""
    variables = list(result.vars or [])
    lines = ["\t".join(f"?{v}" for v in variables)]
    for row in result:
        lines.append("\t".join(_tsv_term(row[v]) for v in variables))
    return ("\n".join(lines) + "\n").encode("utf-8")


def _tsv_term(term) -> str:
    from rdflib import BNode, Literal, URIRef

    if term is None:
        return ""
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, Literal):
        text = (str(term).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
                .replace("\r", "\\r").replace("\t", "\\t"))
        if term.language:
            return f'"{text}"@{term.language}'
        if term.datatype and str(term.datatype) != "http://www.w3.org/2001/XMLSchema#string":
            return f'"{text}"^^<{term.datatype}>'
        return f'"{text}"'
    return str(term)


def _timeline(args: dict) -> list[dict]:
    from kg.query import timeline

    return timeline(_GRAPH, org=args.get("org"), event_type=args.get("type"), date_from=args.get("from"),
                    date_to=args.get("to"), international=args.get("international"))


def _network(since: str | None, international: bool | None) -> dict:
    from kg.dates import parse_iso
    from kg.network import cooperation_graph, to_networkx

    global _NETWORK
    if since:
        try:
            parse_iso(since)
        except ValueError as exc:
            raise KGError(f"since: {exc}") from None
    if _NETWORK is None:
        _NETWORK = to_networkx(_GRAPH)
    C = cooperation_graph(_NETWORK, since=since, international_only=bool(international))
    nodes = [{"id": n, "label": d.get("label") or n, "label_en": d.get("label_en") or "",
              "type": d.get("type", ""), "degree": C.degree(n), "weight": C.degree(n, weight="weight")}
             for n, d in sorted(C.nodes(data=True))]
    edges = [{"source": a, "target": b, "weight": d["weight"], "events": sorted(d["events"]),
              "first": d["first"], "last": d["last"]}
             for a, b, d in sorted(C.edges(data=True), key=lambda e: (e[0], e[1]))]
    return {"nodes": nodes, "edges": edges}


ENTITY_QUERY = """
SELECT ?p ?o WHERE { <%s> ?p ?o }
"""
ENTITY_EVENTS_QUERY = """
SELECT ?e ?p ?cls ?label ?start ?end ?intl ?doc ?line ?text WHERE {
  ?e a ipkg:Event ; ?p <%s> ; a ?cls ; rdfs:label ?label ; ipkg:startDate ?start .
  FILTER (?cls != ipkg:Event)
  OPTIONAL { ?e ipkg:endDate ?end }
  OPTIONAL { ?e ipkg:international ?intl }
  OPTIONAL { ?e ipkg:source ?src . ?src ipkg:line ?line ; ipkg:text ?text ; ipkg:inDocument ?sd .
             ?sd ipkg:fileName ?doc }
}
"""
ENTITY_SOURCE_QUERY = """
SELECT ?doc ?line ?text WHERE {
  <%s> ipkg:source ?src . ?src ipkg:line ?line ; ipkg:text ?text ; ipkg:inDocument ?sd . ?sd ipkg:fileName ?doc
}
"""
ENTITY_MENTIONS_QUERY = """
SELECT ?doc ?line ?text WHERE {
  ?m a ipkg:Mention ; ipkg:mentions <%s> ; ipkg:line ?line ; ipkg:text ?text ; ipkg:inDocument ?sd .
  ?sd ipkg:fileName ?doc
}
"""
LABEL_QUERY = """
SELECT ?x ?label WHERE { VALUES ?x { %s } ?x rdfs:label ?label }
"""


def _entity(candidates: list[str], shown: str) -> tuple:
    """Labels, aliases, types, properties, links, events and source sentences of one node."""
    from rdflib import RDF, RDFS, SKOS, Literal, URIRef

    from kg.query import TYPE_OF_CLASS, run_sparql
    from kg.rdf import ID, IPKG, local_id

    node = next((ID[c] for c in candidates if c and (ID[c], None, None) in _GRAPH), None)
    if node is None:
        return ("error", 404, f"unknown entity: {shown!r}")
    labels, aliases, types, properties, links = [], [], [], {}, []
    for p, o in run_sparql(_GRAPH, ENTITY_QUERY % node):
        if p in (RDFS.label, SKOS.prefLabel) and isinstance(o, Literal):
            item = {"value": str(o), "lang": o.language}
            if item not in labels:
                labels.append(item)
        elif p == SKOS.altLabel and isinstance(o, Literal):
            aliases.append({"value": str(o), "lang": o.language})
        elif p == RDF.type:
            types.append(_short(o))
        elif p == IPKG.source:
            continue
        elif isinstance(o, Literal):
            properties.setdefault(_short(p), []).append(str(o))
        elif isinstance(o, URIRef) and str(o).startswith(str(ID)):
            links.append({"relation": _short(p), "id": local_id(o), "iri": str(o)})
    names = {}
    if links:
        values = " ".join(f"<{link['iri']}>" for link in links)
        for x, label in run_sparql(_GRAPH, LABEL_QUERY % values):
            names.setdefault(str(x), str(label))
    for link in links:
        link["label"] = names.get(link["iri"], link["id"])
    events: dict[str, dict] = {}
    for r in run_sparql(_GRAPH, ENTITY_EVENTS_QUERY % node):
        key = str(r.e)
        if key in events:
            if _short(r.p) not in events[key]["roles"]:
                events[key]["roles"].append(_short(r.p))
            continue
        events[key] = {
            "id": local_id(r.e), "iri": key, "date_start": str(r.start),
            "date_end": str(r.end) if r.end is not None else None,
            "type": TYPE_OF_CLASS.get(str(r.cls), "Other"), "label": str(r.label),
            "international": bool(r.intl.toPython()) if r.intl is not None else False,
            "roles": [_short(r.p)],
            "source": {"doc": str(r.doc), "line": int(r.line), "text": str(r.text)} if r.doc is not None else None,
        }
    source = next(({"doc": str(d), "line": int(n), "text": str(t)}
                   for d, n, t in run_sparql(_GRAPH, ENTITY_SOURCE_QUERY % node)), None)
    mentions = sorted({(str(d), int(n), str(t)) for d, n, t in run_sparql(_GRAPH, ENTITY_MENTIONS_QUERY % node)})
    data = {
        "id": local_id(node), "iri": str(node),
        "label": next((lab["value"] for lab in labels if lab["lang"] in ("zh", None)),
                      labels[0]["value"] if labels else local_id(node)),
        "labels": labels, "aliases": sorted(aliases, key=lambda a: (a["lang"] or "", a["value"])),
        "types": sorted(set(types)), "properties": {k: sorted(v) for k, v in sorted(properties.items())},
        "links": sorted(links, key=lambda link: (link["relation"], link["id"])),
        "events": sorted(events.values(), key=lambda e: (e["date_start"], e["id"])),
        "source": source,
        "mention_count": len(mentions),
        "mentions": [{"doc": d, "line": n, "text": t} for d, n, t in mentions[:50]],
    }
    return _json(data)


def _short(term) -> str:
    return str(term).rsplit("#", 1)[-1].rsplit("/", 1)[-1]


# == the pool of workers (in the server process) ============================================

class QueryTimeout(Exception):
    """A query ran past the time limit; its worker was stopped."""


class Busy(Exception):
    """No worker became free within the time limit."""


class WorkerDied(Exception):
    """A worker ended while answering (out of memory, killed)."""


class _Worker:
    def __init__(self, ctx, graph_path: Path):
        self.conn, child = ctx.Pipe(duplex=True)
        self.process = ctx.Process(target=_worker_main, args=(child, str(graph_path)), daemon=True,
                                   name="kg-query-worker")
        self.process.start()
        child.close()

    def wait_ready(self, timeout: float) -> int:
        if not self.conn.poll(timeout):
            self.kill()
            raise KGError(f"a query worker did not start within {timeout:.0f} s")
        try:
            status, value = self.conn.recv()
        except (EOFError, OSError):
            self.kill()
            raise KGError("a query worker ended while loading the graph") from None
        if status != "ready":
            self.kill()
            raise KGError(value)
        return value

    def kill(self) -> None:
        try:
            if self.process.is_alive():
                self.process.kill()
            self.process.join(5)
        except Exception:
            pass
        try:
            self.conn.close()
        except Exception:
            pass


def check_options(timeout: float, workers: int, cache_size: int = 0) -> None:
    if not timeout > 0:
        raise KGError("--timeout must be a positive number of seconds")
    if workers < 1:
        raise KGError("--workers must be at least 1")
    if cache_size < 0:
        raise KGError("--cache-size must be 0 or more")


class WorkerPool:
    """``workers`` processes each holding the graph; :meth:`call` runs one request with a time limit."""

    def __init__(self, graph_path: Path | None = None, workers: int = DEFAULT_WORKERS,
                 timeout: float = DEFAULT_TIMEOUT, start_timeout: float = 120.0):
        from kg.store import default_graph_path

        check_options(timeout, workers)
        self.source = Path(graph_path) if graph_path else default_graph_path()
        self.workers = workers
        self.timeout = float(timeout)
        self.start_timeout = start_timeout
        self.triples = 0
        self._ctx = multiprocessing.get_context("forkserver" if sys.platform != "win32" else "spawn")
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        self._tmpdir: str | None = None
        self._path = self.source

    def start(self) -> "WorkerPool":
        if self.source.exists():  # serve a snapshot: `kg build` or `kg add` meanwhile change nothing served
            self._tmpdir = tempfile.mkdtemp(prefix="kg-serve-")
            self._path = Path(self._tmpdir) / f"graph{self.source.suffix}"
            try:
                if self.source.is_dir():  # an Oxigraph store folder
                    shutil.copytree(self.source, self._path)
                else:
                    shutil.copyfile(self.source, self._path)
            except OSError as exc:
                self._cleanup()
                raise KGError(f"cannot read the graph at {self.source}: {exc}") from None
        if self._ctx.get_start_method() == "forkserver":
            self._ctx.set_forkserver_preload(["kg.server", "kg.query", "kg.network", "rdflib.plugins.sparql"])
        started = [_Worker(self._ctx, self._path) for _ in range(self.workers)]
        try:
            for worker in started:
                self.triples = worker.wait_ready(self.start_timeout)
        except BaseException:
            for worker in started:
                worker.kill()
            self._cleanup()
            raise
        for worker in started:
            self._all.add(worker)
            self._idle.put(worker)
        return self

    def call(self, op: str, args: dict, timeout: float | None = None):
        """The worker's reply to (op, args); blocks, so call it from a thread."""
        limit = self.timeout if timeout is None else timeout
        if self._closed:
            raise WorkerDied("the server is shutting down")
        try:
            worker = self._idle.get(timeout=limit)
        except queue.Empty:
            raise Busy(f"all {self.workers} query workers stayed busy for {limit:g} s") from None
        healthy = False
        try:
            worker.conn.send((op, args))
            if not worker.conn.poll(limit):
                raise QueryTimeout(f"the query ran longer than the {limit:g} s limit and was stopped")
            reply = worker.conn.recv()
            healthy = True
            return reply
        except (EOFError, OSError) as exc:
            raise WorkerDied(f"the query worker ended unexpectedly ({type(exc).__name__})") from None
        finally:
            if healthy:
                self._idle.put(worker)
            else:
                self._retire(worker)

    def _retire(self, worker: _Worker) -> None:
        worker.kill()
        with self._lock:
            self._all.discard(worker)
        if not self._closed:
            threading.Thread(target=self._replace, name="kg-worker-replace", daemon=True).start()

    def _replace(self) -> None:
        for attempt in range(5):
            if self._closed:
                return
            worker = _Worker(self._ctx, self._path)
            try:
                worker.wait_ready(self.start_timeout)
            except KGError as exc:
                print(f"kg serve: cannot restart a query worker: {exc}", file=sys.stderr)
                time.sleep(1 + attempt)
                continue
            with self._lock:
                if self._closed:
                    worker.kill()
                    return
                self._all.add(worker)
            self._idle.put(worker)
            return

    def close(self) -> None:
        self._closed = True
        with self._lock:
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            worker.kill()
        self._cleanup()

    def _cleanup(self) -> None:
        if self._tmpdir:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
            self._tmpdir = None


# == HTTP ===================================================================================

def create_app(graph_path: Path | None = None, *, timeout: float = DEFAULT_TIMEOUT,
               workers: int = DEFAULT_WORKERS, cache_size: int = 256, pool: WorkerPool | None = None):
    """The Starlette app. The workers start here (KGError if the graph cannot be loaded)."""
    from starlette.applications import Starlette
    from starlette.exceptions import HTTPException
    from starlette.responses import FileResponse
    from starlette.routing import Mount, Route
    from starlette.staticfiles import StaticFiles

    check_options(timeout, workers, cache_size)
    pool = pool or WorkerPool(graph_path, workers=workers, timeout=timeout).start()

    @asynccontextmanager
    async def lifespan(app):
        try:
            yield
        finally:
            pool.close()

    async def index(request):
        return FileResponse(WEB_DIR / "index.html", media_type="text/html; charset=utf-8")

    async def not_found(request, exc: HTTPException):
        message = {404: "not found", 405: "method not allowed"}.get(exc.status_code, exc.detail)
        return _error(exc.status_code, f"{message}: {request.method} {request.url.path}",
                      text=request.url.path.startswith("/sparql"))

    async def server_error(request, exc: Exception):
        return _error(500, f"internal error: {type(exc).__name__}", text=request.url.path.startswith("/sparql"))

    routes = [
        Route("/", index, methods=["GET"]),
        Route("/sparql", sparql_endpoint, methods=["GET", "POST"]),
        Route("/api/timeline", api_timeline, methods=["GET"]),
        Route("/api/network", api_network, methods=["GET"]),
        Route("/api/entity/{id:path}", api_entity, methods=["GET"]),
        Route("/api/status", api_status, methods=["GET"]),
        Mount("/static", app=StaticFiles(directory=WEB_DIR), name="static"),
    ]
    app = Starlette(routes=routes, lifespan=lifespan,
                    exception_handlers={HTTPException: not_found, Exception: server_error})
    app.state.pool = pool
    app.state.cache = OrderedDict()
    app.state.cache_size = cache_size
    return app


def _error(status: int, message: str, text: bool = False, headers: dict | None = None):
    from starlette.responses import JSONResponse, PlainTextResponse

    if text:
        return PlainTextResponse(message + "\n", status_code=status, headers=headers)
    return JSONResponse({"error": message}, status_code=status, headers=headers)


async def _call(request, op: str, args: dict, text_errors: bool = False, headers: dict | None = None):
    """Run ``op`` in a worker (or answer from the cache); errors become 4xx/5xx with one line."""
    from anyio import to_thread
    from starlette.responses import Response

    state = request.app.state
    headers = dict(headers or {})
    key = json.dumps([op, args], sort_keys=True, ensure_ascii=False)
    cached = state.cache.get(key)
    if cached is not None:
        state.cache.move_to_end(key)
        status, media, body = cached
        return Response(body, status_code=status, media_type=_with_charset(media),
                        headers={**headers, "X-Cache": "hit"})
    try:
        reply = await to_thread.run_sync(state.pool.call, op, args)
    except (QueryTimeout, Busy) as exc:
        return _error(503, str(exc), text_errors, {**headers, "Retry-After": "5"})
    except WorkerDied as exc:
        return _error(500, str(exc), text_errors, headers)
    if reply[0] == "error":
        _, status, message = reply
        return _error(status, message, text_errors, headers)
    _, status, media, body = reply
    if state.cache_size and len(body) <= MAX_CACHED_BODY:
        state.cache[key] = (status, media, body)
        while len(state.cache) > state.cache_size:
            state.cache.popitem(last=False)
    return Response(body, status_code=status, media_type=_with_charset(media), headers={**headers, "X-Cache": "miss"})


def _with_charset(media: str) -> str:
    return media if media == "application/json" else f"{media}; charset=utf-8"


async def sparql_endpoint(request):
    """The SPARQL 1.1 Protocol, query operation only."""
    cors = {"Access-Control-Allow-Origin": "*", "Vary": "Accept"}
    params = request.query_params
    fmt = params.get("format")
    if "update" in params:
        return _error(403, READ_ONLY, True, cors)
    if request.method == "GET":
        queries = params.getlist("query")
    else:
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_QUERY_BYTES:
                return _error(413, f"request body larger than {MAX_QUERY_BYTES} bytes", True, cors)
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return _error(400, "the request body is not UTF-8", True, cors)
        if media == "application/x-www-form-urlencoded":
            fields = parse_qsl(text, keep_blank_values=True)
            names = {name for name, _ in fields}
            if "update" in names:
                return _error(403, READ_ONLY, True, cors)
            queries = params.getlist("query") + [value for name, value in fields if name == "query"]
            fmt = fmt or next((value for name, value in fields if name == "format"), None)
        elif media == "application/sparql-query":
            queries = [text]
        elif media == "application/sparql-update":
            return _error(403, READ_ONLY, True, cors)
        else:
            return _error(415, f"unsupported content type {media or '(none)'!r}: send "
                          "application/x-www-form-urlencoded (query=...) or application/sparql-query", True, cors)
    if not queries and request.method == "GET" and "text/html" in request.headers.get("accept", ""):
        from starlette.responses import FileResponse

        return FileResponse(WEB_DIR / "sparql.html", media_type="text/html; charset=utf-8")  # a browser
    if not queries:
        return _error(400, "missing query: give ?query=..., a form field query=... or an "
                      "application/sparql-query body", True, cors)
    if len(queries) > 1:
        return _error(400, "give exactly one query", True, cors)
    if not queries[0].strip():
        return _error(400, "empty SPARQL query", True, cors)
    args = {"query": queries[0], "accept": request.headers.get("accept", ""), "format": fmt}
    return await _call(request, "sparql", args, text_errors=True, headers=cors)


async def api_timeline(request):
    params = request.query_params
    try:
        international = _flag(params.get("international"), "international")
    except KGError as exc:
        return _error(400, str(exc))
    args = {name: (params.get(name) or "").strip() or None for name in ("org", "type", "from", "to")}
    args["international"] = international
    return await _call(request, "timeline", args)


async def api_network(request):
    params = request.query_params
    try:
        international = _flag(params.get("international"), "international")
    except KGError as exc:
        return _error(400, str(exc))
    since = (params.get("since") or "").strip() or None
    return await _call(request, "network", {"since": since, "international": international})


async def api_entity(request):
    shown = request.path_params["id"]
    raw = request.scope.get("raw_path", b"").decode("latin-1")
    marker = "/api/entity/"
    candidates = [raw[raw.index(marker) + len(marker):]] if marker in raw else []
    candidates.append(shown)
    if "/" in shown:
        prefix, rest = shown.split("/", 1)
        candidates.append(f"{prefix}/{quote(rest, safe='')}")
    candidates = [c for c in dict.fromkeys(candidates) if c and " " not in c and ">" not in c and "<" not in c]
    return await _call(request, "entity", {"candidates": candidates, "shown": shown})


async def api_status(request):
    from starlette.responses import JSONResponse

    pool = request.app.state.pool
    return JSONResponse({"graph": str(pool.source), "triples": pool.triples, "workers": pool.workers,
                         "timeout": pool.timeout})


def _flag(value: str | None, name: str) -> bool | None:
    if value is None or value == "":
        return None
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise KGError(f"{name} must be true or false, not {value!r}")


def listen(host: str, port: int) -> socket.socket:
    """A listening socket, or KGError (port in use, unknown host)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise KGError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise KGError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    sock.set_inheritable(True)
    return sock


def make_server(app, sock: socket.socket, log_level: str = "warning"):
    """A uvicorn server for ``app`` on ``sock`` (run it with ``server.run(sockets=[sock])``)."""
    import uvicorn

    host, port = sock.getsockname()[:2]
    config = uvicorn.Config(app, host=host, port=port, log_level=log_level, lifespan="on",
                            timeout_graceful_shutdown=5)
    return uvicorn.Server(config)


def serve(graph_path: Path | None = None, host: str = "127.0.0.1", port: int = 8000,
          timeout: float = DEFAULT_TIMEOUT, workers: int = DEFAULT_WORKERS, cache_size: int = 256,
          log_level: str = "info", announce=print) -> None:
    """Listen on host:port until interrupted."""
    app = create_app(graph_path, timeout=timeout, workers=workers, cache_size=cache_size)
    pool = app.state.pool
    try:
        sock = listen(host, port)
    except BaseException:
        pool.close()
        raise
    shown_host = f"[{host}]" if ":" in host else host
    announce(f"serving {pool.source} ({pool.triples} triples) at http://{shown_host}:{sock.getsockname()[1]}/ "
             f"(SPARQL: /sparql, {workers} workers, {timeout:g} s limit); Ctrl-C stops")
    server = make_server(app, sock, log_level=log_level)
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:  # uvicorn re-raises the Ctrl-C it handled: a normal stop
        pass
    finally:
        pool.close()
        sock.close()
