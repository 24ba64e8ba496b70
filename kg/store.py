"""Where the built graph lives on disk, and how it is written without ever damaging it.

Two kinds of location, chosen by the path:

* a folder (default ``build/store``): an embedded Oxigraph store (RocksDB on disk) that
  answers SPARQL itself; rdflib stays the API through ``oxrdflib``;
* a file (``*.nt``, ``*.ttl``, …): a plain RDF file, loaded into an in-memory rdflib graph.

Either way a build writes to a temporary location beside the target and moves it into place
only when complete, so a failed build leaves the previous graph as it was. ``$KG_GRAPH``
overrides the default location.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

import pyoxigraph as ox
from oxrdflib import OxigraphStore
from rdflib import XSD, BNode, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from kg.errors import KGError
from kg.rdf import PREFIXES, new_graph

DEFAULT_STORE = Path("build/store")
FORMATS = {".nt": "nt", ".ttl": "turtle", ".nq": "nquads", ".jsonld": "json-ld", ".trig": "trig"}


def default_graph_path() -> Path:
    return Path(os.environ.get("KG_GRAPH", DEFAULT_STORE))


def is_store(path: Path) -> bool:
    """A path without an RDF file suffix names an Oxigraph store folder."""
    return Path(path).suffix not in FORMATS


def rdf_format(path: Path) -> str:
    try:
        return FORMATS[Path(path).suffix]
    except KeyError:
        raise KGError(f"unknown graph file type {Path(path).suffix!r}; use one of {', '.join(FORMATS)}") from None


# -- rdflib terms to Oxigraph terms ---------------------------------------------------------

def to_ox(term):
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


def ox_quads(triples: Iterable[tuple]):
    default = ox.DefaultGraph()
    for s, p, o in triples:
        yield ox.Quad(to_ox(s), to_ox(p), to_ox(o), default)


# -- writing -------------------------------------------------------------------------------

def atomic_write(path: Path, write: Callable[[str], None]) -> Path:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then rename it over ``path``.

    A failure leaves ``path`` as it was and no temporary file behind.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


class GraphWriter:
    """Collects triples for a new graph and puts it in place atomically on :meth:`commit`.

    >>> import tempfile, pathlib                                  # doctest: +SKIP
    >>> with GraphWriter(pathlib.Path(tempfile.mkdtemp()) / "store") as w:   # doctest: +SKIP
    ...     w.add(triples)
    """

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.count = 0
        if is_store(self.path):
            self._tmp = Path(tempfile.mkdtemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent))
            self._store = ox.Store(str(self._tmp))
            self._buffer: list = []
            self._graph = None
        else:  # a file: the graph is held in memory and written on commit
            rdf_format(self.path)
            self._tmp = None
            self._store = None
            self._graph = new_graph()

    BATCH = 200_000  # quads held before a bulk write (each bulk write makes new files)

    def add(self, triples: Iterable[tuple]) -> None:
        if self._store is not None:
            self._buffer.extend(ox_quads(triples))
            if len(self._buffer) >= self.BATCH:
                self._flush()
        else:
            before = len(self._graph)
            for triple in triples:
                self._graph.add(triple)
            self.count += len(self._graph) - before

    def _flush(self) -> None:
        self._store.bulk_extend(self._buffer)
        self._buffer = []

    def commit(self) -> Path:
        if self._store is not None:
            self._flush()
            self._store.flush()
            self._store.optimize()
            self.count = len(self._store)
            del self._store
            self._store = None
            _swap_dir(self._tmp, self.path)
        else:
            graph = self._graph
            atomic_write(self.path, lambda tmp: graph.serialize(destination=tmp, format=rdf_format(self.path),
                                                                encoding="utf-8"))
            self.count = len(graph)
        return self.path

    def abort(self) -> None:
        self._store = None
        self._graph = None
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)

    def __enter__(self) -> "GraphWriter":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.abort()


def _swap_dir(new: Path, target: Path) -> None:
    """Put folder ``new`` at ``target``; the old folder is removed only once the new one is there."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        os.replace(target, old)
    try:
        os.replace(new, target)
    except BaseException:
        if old is not None:
            os.replace(old, target)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def save_graph(graph: Graph, path: Path) -> Path:
    """Write an rdflib graph to a store folder or an RDF file, atomically."""
    writer = GraphWriter(path)
    try:
        writer.add(graph)
    except BaseException:
        writer.abort()
        raise
    return writer.commit()


# -- reading -------------------------------------------------------------------------------

def load_graph(path: Path | None = None, in_memory: bool = False) -> Graph:
    """The built graph: a read-only view of an Oxigraph store, or an RDF file in memory.

    ``in_memory=True`` copies a store into a plain rdflib graph (for comparisons).
    """
    path = Path(path) if path else default_graph_path()
    if not path.exists():
        raise KGError(f"no graph at {path}; run `kg build` first")
    if is_store(path):
        if not path.is_dir():
            raise KGError(f"{path} is not a graph store folder")
        try:
            store = ox.Store.read_only(str(path))
        except OSError as exc:
            raise KGError(f"cannot open the graph store at {path}: {exc}") from None
        graph = Graph(store=OxigraphStore(store=store), identifier=DATASET_DEFAULT_GRAPH_ID)
        for prefix, namespace in PREFIXES.items():
            graph.bind(prefix, namespace)
        if in_memory:
            copy = new_graph()
            for s, p, o in graph:
                if isinstance(o, Literal) and o.datatype == XSD.string:
                    o = Literal(str(o))  # RDF 1.1: the same literal; rdflib tells them apart
                copy.add((s, p, o))
            return copy
        return graph
    graph = new_graph()
    try:
        graph.parse(path, format=rdf_format(path))
    except Exception as exc:  # rdflib raises many parser-specific types
        raise KGError(f"cannot read the graph at {path}: {exc}") from None
    return graph


def add_to_store(path: Path, triples: Iterable[tuple]) -> int:
    """Add triples to an existing store in one transaction (``kg add``); returns how many."""
    path = Path(path)
    if not is_store(path) or not path.is_dir():
        raise KGError(f"`kg add` needs a graph store folder, not {path}; run `kg build` first")
    store = ox.Store(str(path))
    before = len(store)
    store.extend(list(ox_quads(triples)))  # one transaction: all or nothing
    store.flush()
    return len(store) - before
