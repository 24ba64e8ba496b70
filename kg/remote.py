"""An external SPARQL 1.1 store: push the graph into it, ask it questions.

``push_graph`` writes through the SPARQL 1.1 Graph Store HTTP Protocol: ``PUT`` replaces a
graph, ``POST`` adds to it, and the body is N-Triples (or Turtle) sent to
``ENDPOINT?graph=IRI`` (or ``ENDPOINT?default``). A big graph goes in batches: the first
batch replaces the graph, the others are added to it. Triples linked by a blank node stay
in one batch, because a store gives each request its own blank nodes.

``query_endpoint`` sends a query through the SPARQL 1.1 Protocol and returns an rdflib
:class:`~rdflib.query.Result`, so :func:`kg.query.format_result` prints it like a local one.

Tested against Virtuoso 7 (``/sparql-graph-crud-auth`` with digest auth, or the anonymous
``/sparql-graph-crud`` once the ``SPARQL`` user is granted ``SPARQL_UPDATE``); the protocol is
the same for Fuseki (``/DATASET/data``, basic auth) and other stores. Every failure (nothing
listening, an HTTP error, an unreadable answer) becomes one :class:`KGError` line.
"""

from __future__ import annotations

import html
import io
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from urllib.parse import urlencode, urlsplit

import httpx
from rdflib import XSD, BNode, Graph, Literal
from rdflib.query import Result

from kg.errors import KGError
from kg.rdf import new_graph

BATCH_TRIPLES = 50_000
CONTENT_TYPES = {"nt": "application/n-triples", "turtle": "text/turtle"}
PUSH_TIMEOUT = httpx.Timeout(600.0, connect=10.0)
QUERY_TIMEOUT = httpx.Timeout(300.0, connect=10.0)
USER_AGENT = "ipkg (kg push / kg sparql --endpoint)"

RESULT_FORMATS = {  # answer content type -> rdflib result parser
    "application/sparql-results+json": "json", "application/json": "json",
    "application/sparql-results+xml": "xml", "application/xml": "xml", "text/xml": "xml",
    "text/csv": "csv", "text/tab-separated-values": "tsv",
}
GRAPH_FORMATS = {  # answer content type -> rdflib graph parser
    "application/n-triples": "nt", "text/plain": "nt", "text/turtle": "turtle",
    "application/x-turtle": "turtle", "application/rdf+xml": "xml", "application/ld+json": "json-ld",
    "application/n-quads": "nquads", "application/trig": "trig",
}
SELECT_ACCEPT = "application/sparql-results+json, application/sparql-results+xml;q=0.9"
GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"
_FORM = re.compile(
    r"(?<![\w?$:])(SELECT|ASK|CONSTRUCT|DESCRIBE|INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY|WITH)(?![\w:])",
    re.IGNORECASE)


# -- pushing: the Graph Store Protocol -------------------------------------------------------

def push_graph(
    graph: Graph,
    endpoint: str,
    graph_iri: str | None = None,
    user: str | None = None,
    password: str | None = None,
    replace: bool = True,
    batch_triples: int = BATCH_TRIPLES,
    fmt: str = "nt",
) -> int:
    """Load ``graph`` into the store behind the Graph Store endpoint; return the triples sent.

    ``graph_iri`` names the target graph (``None``: the store's default graph). With
    ``replace`` the first request is a ``PUT`` (the graph then holds exactly these triples,
    an empty graph clears it); without it every request is a ``POST`` (the triples are added).
    ``user``/``password`` answer a digest or basic challenge, whichever the store asks for.
    """
    _check_url(endpoint, "endpoint")
    if graph_iri is not None and not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+$", graph_iri):
        raise KGError(f"graph IRI {graph_iri!r} is not an absolute IRI (e.g. https://w3id.org/ipkg/graph)")
    if batch_triples < 1:
        raise KGError("batch size must be at least 1 triple")
    if fmt not in CONTENT_TYPES:
        raise KGError(f"unknown push format {fmt!r}; use one of {', '.join(CONTENT_TYPES)}")
    if (user is None) != (password is None):
        raise KGError("give both a user and a password, or neither")
    target = endpoint + ("&" if "?" in endpoint else "?") + (urlencode({"graph": graph_iri}) if graph_iri else "default")
    batches = list(_batches(graph, batch_triples))
    if not batches and replace:
        batches = [[]]  # PUT of nothing: the graph is emptied
    auth = _ChallengeAuth(user, password) if user is not None else None
    headers = {"Content-Type": CONTENT_TYPES[fmt] + "; charset=utf-8", "User-Agent": USER_AGENT}
    sent = 0
    with httpx.Client(auth=auth, timeout=PUSH_TIMEOUT, follow_redirects=False) as client:
        if auth is not None:
            _authenticate(client, target, endpoint)
        for number, batch in enumerate(batches, start=1):
            method = "PUT" if replace and number == 1 else "POST"
            where = f" (batch {number} of {len(batches)}; {sent} triples stored before it)" if len(batches) > 1 else ""
            body = _serialize(batch, fmt)
            try:
                try:
                    response = client.request(method, target, content=body, headers=headers)
                except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError):
                    # a store may answer a stale-nonce 401 and close before reading the body: once more
                    if auth is not None:
                        _authenticate(client, target, endpoint)
                    response = client.request(method, target, content=body, headers=headers)
            except httpx.HTTPError as exc:
                raise KGError(f"cannot push to {endpoint}: {_reason(exc)}{where}") from None
            if response.status_code >= 300:
                hint = ""
                if response.status_code == 401:
                    hint = "; check the user and password" if user is not None else "; the store wants a user and password"
                elif graph_iri is None and "default" in response.text.lower():
                    hint = "; name a graph with --graph-iri"
                raise KGError(f"{method} {endpoint} failed: {_status(response)}{hint}{where}")
            sent += len(batch)
    return sent


def _authenticate(client: httpx.Client, target: str, endpoint: str) -> None:
    """Answer the store's auth challenge with a bodiless HEAD, so no batch is sent twice.

    Virtuoso answers an unauthenticated request with 401 and closes the connection, possibly
    before it has read a large body; after this the batches go out already authenticated.
    Any answer but 401 will do (Virtuoso's is 501: no HEAD on the Graph Store endpoint).
    """
    try:
        response = client.head(target)
    except httpx.HTTPError as exc:
        raise KGError(f"cannot push to {endpoint}: {_reason(exc)}") from None
    if response.status_code == 401:
        raise KGError(f"{endpoint} refused the user and password: {_status(response)}")


def _batches(graph: Iterable, size: int) -> Iterator[list]:
    """Triples in lists of at most ``size``; triples joined by blank nodes are never split
    (such a group bigger than ``size`` goes alone, whole)."""
    plain: list = []
    linked: list = []
    parent: dict[BNode, BNode] = {}

    def root(node: BNode) -> BNode:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for triple in graph:
        s, _, o = triple[:3]
        bnodes = [n for n in (s, o) if isinstance(n, BNode)]
        if not bnodes:
            plain.append(triple[:3])
            continue
        linked.append(triple[:3])
        first = root(bnodes[0])
        for other in bnodes[1:]:
            parent[root(other)] = first
    groups: dict[BNode, list] = defaultdict(list)
    for triple in linked:
        groups[root(triple[0] if isinstance(triple[0], BNode) else triple[2])].append(triple)
    batch: list = []
    for group in list(groups.values()) + [[t] for t in plain]:
        if batch and len(batch) + len(group) > size:
            yield batch
            batch = []
        batch.extend(group)
    if batch:
        yield batch


def _serialize(triples: list, fmt: str) -> bytes:
    part = Graph()
    for s, p, o in triples:
        if isinstance(o, Literal) and o.datatype == XSD.string:
            o = Literal(str(o))  # RDF 1.1: the same literal, written plainly (an Oxigraph store adds the type)
        part.add((s, p, o))
    return part.serialize(format=fmt, encoding="utf-8")


class _ChallengeAuth(httpx.Auth):
    """Digest or basic authentication, whichever the store's 401 challenge names.

    Virtuoso's ``/sparql-graph-crud-auth`` asks for digest, Fuseki and most proxies for basic.
    After the first challenge the scheme is remembered, so later batches go out authenticated.
    """

    def __init__(self, user: str, password: str):
        self._digest = httpx.DigestAuth(user, password)
        self._basic = httpx.BasicAuth(user, password)
        self._use_basic = False

    def auth_flow(self, request):
        if self._use_basic:
            yield from self._basic.auth_flow(request)
            return
        flow = self._digest.auth_flow(request)
        response = yield next(flow)
        try:
            retry = flow.send(response)
        except StopIteration:  # no digest challenge: basic, if that is what was asked for
            challenges = response.headers.get_list("www-authenticate") if response.status_code == 401 else []
            if any(c.lower().startswith("basic") for c in challenges):
                self._use_basic = True
                yield from self._basic.auth_flow(request)
            return
        response = yield retry
        try:
            flow.send(response)
        except StopIteration:
            pass


# -- querying: the SPARQL Protocol -----------------------------------------------------------

def query_endpoint(endpoint: str, query: str, user: str | None = None, password: str | None = None) -> Result:
    """Run a SELECT, ASK, CONSTRUCT or DESCRIBE query at a SPARQL endpoint.

    The common prefixes (:data:`kg.query.PREFIXES`) are prepended when the query does not
    declare ``ipkg:`` itself, as for the local graph. Updates are refused: ``kg push`` writes.
    """
    from kg.query import PREFIXES

    _check_url(endpoint, "endpoint")
    if not query or not query.strip():
        raise KGError("empty SPARQL query")
    text = query if "PREFIX ipkg:" in query else PREFIXES + query
    form = query_form(text)
    if form is None:
        raise KGError("malformed SPARQL query: no SELECT, ASK, CONSTRUCT or DESCRIBE")
    if form not in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
        raise KGError(f"{form} is a SPARQL update; kg sparql only reads (use kg push to write)")
    accept = SELECT_ACCEPT if form in ("SELECT", "ASK") else GRAPH_ACCEPT
    auth = _ChallengeAuth(user, password) if user is not None and password is not None else None
    try:
        with httpx.Client(auth=auth, timeout=QUERY_TIMEOUT) as client:
            response = client.post(endpoint, data={"query": text},
                                   headers={"Accept": accept, "User-Agent": USER_AGENT})
    except httpx.HTTPError as exc:
        raise KGError(f"cannot query {endpoint}: {_reason(exc)}") from None
    if response.status_code >= 300:
        message = _status(response)
        if text is not query:  # line numbers in the store's message count the prepended prefixes
            offset = PREFIXES.count("\n")
            message = re.sub(r"\b(line) (\d+)", lambda m: f"{m.group(1)} {max(int(m.group(2)) - offset, 1)}", message)
        raise KGError(f"SPARQL query failed at {endpoint}: {message}")
    content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        if form in ("SELECT", "ASK"):
            if content_type not in RESULT_FORMATS:
                raise ValueError(f"unexpected content type {content_type or 'none'!r}")
            return Result.parse(io.BytesIO(response.content), format=RESULT_FORMATS[content_type])
        if content_type not in GRAPH_FORMATS:
            raise ValueError(f"unexpected content type {content_type or 'none'!r}")
        result = Result(form)
        result.graph = new_graph().parse(data=response.content, format=GRAPH_FORMATS[content_type])
        return result
    except Exception as exc:  # rdflib's parsers raise many types
        raise KGError(f"cannot read the answer of {endpoint}: {_one_line(str(exc)) or type(exc).__name__}") from None


def query_form(query: str) -> str | None:
    """SELECT, ASK, CONSTRUCT, DESCRIBE or the update keyword a query starts with (after its prologue)."""
    text = re.sub(r"<[^<>\s]*>", " ", query)  # IRIs may hold '#' or keywords
    text = re.sub(r"#[^\n]*", " ", text)
    match = _FORM.search(text)
    return match.group(1).upper() if match else None


# -- one-line messages -----------------------------------------------------------------------

def _check_url(url: str, what: str) -> None:
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise KGError(f"{what} {url!r} is not an http:// or https:// URL")


def _reason(exc: httpx.HTTPError) -> str:
    if isinstance(exc, httpx.ConnectTimeout):
        return "connection timed out"
    if isinstance(exc, httpx.TimeoutException):
        return "no answer in time (timed out)"
    text = _one_line(str(exc))
    if isinstance(exc, httpx.ConnectError):
        if "refused" in text.lower():
            return "connection refused (is the store running, and is this the right port?)"
        return f"cannot connect ({text or type(exc).__name__})"
    return text or type(exc).__name__


def _status(response: httpx.Response) -> str:
    """``HTTP 403 Forbidden: <the first line of the store's explanation>``."""
    line = f"HTTP {response.status_code} {response.reason_phrase}".rstrip()
    first = _first_line(response.text)
    return f"{line}: {first}" if first else line


def _first_line(body: str) -> str:
    """The first meaningful line of an error body; for HTML, the text of its <pre>/<xmp> or body."""
    if re.search(r"<(html|body|!doctype)\b", body[:500], re.IGNORECASE):
        pre = re.search(r"<(xmp|pre)\b[^>]*>(.*?)</\1>", body, re.IGNORECASE | re.DOTALL)
        if pre:
            body = pre.group(2)
        else:
            body = re.sub(r"(?is)<(head|script|style)\b.*?</\1>", " ", body)
            body = re.sub(r"(?s)<[^>]+>", "\n", body)
        body = html.unescape(body)
    for line in body.splitlines():
        line = _one_line(line)
        if line and not re.fullmatch(r"(HTTP/\S+ )?\d{3}( .*)?", line):
            return line[:300] + ("…" if len(line) > 300 else "")
    return ""


def _one_line(text: str) -> str:
    return " ".join(text.split())
