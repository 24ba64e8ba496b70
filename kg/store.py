"""Where the built graph lives on disk, and how it is written without ever damaging it.

The graph is one N-Triples file (default ``build/graph.nt``, or ``$KG_GRAPH``). A build
writes to a temporary file beside it and renames it over the old one only when complete,
so a failed build leaves the previous graph as it was.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from rdflib import Graph

from kg.errors import KGError
from kg.rdf import new_graph

DEFAULT_GRAPH = Path("build/graph.nt")
FORMATS = {".nt": "nt", ".ttl": "turtle", ".nq": "nquads", ".jsonld": "json-ld", ".trig": "trig"}


def default_graph_path() -> Path:
    return Path(os.environ.get("KG_GRAPH", DEFAULT_GRAPH))


def rdf_format(path: Path) -> str:
    try:
        return FORMATS[Path(path).suffix]
    except KeyError:
        raise KGError(f"unknown graph file type {Path(path).suffix!r}; use one of {', '.join(FORMATS)}") from None


def save_graph(graph: Graph, path: Path) -> Path:
    """Serialise ``graph`` to ``path`` atomically (temp file in the same folder, then rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        graph.serialize(destination=tmp, format=rdf_format(path), encoding="utf-8")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def load_graph(path: Path | None = None) -> Graph:
    """The built graph, in memory; a clear error when it has not been built yet."""
    path = Path(path) if path else default_graph_path()
    if not path.is_file():
        raise KGError(f"no graph at {path}; run `kg build` first")
    graph = new_graph()
    try:
        graph.parse(path, format=rdf_format(path))
    except Exception as exc:  # rdflib raises many parser-specific types
        raise KGError(f"cannot read the graph at {path}: {exc}") from None
    return graph
