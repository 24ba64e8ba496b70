"""How a corpus becomes a graph on disk, one document at a time.

Each document is read, extracted and its events and mentions written out before the next is
read, so memory grows with the number of distinct entities, not with the corpus. Entity
records (labels, aliases, roles) are written last, once every document has added to them.
The graph is put in place only when complete (:class:`kg.store.GraphWriter`).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kg.corpus import CorpusDocument, load_manifest, read_text
from kg.extract import Extractor
from kg.rdf import entity_triples, reading_triples
from kg.store import GraphWriter


@dataclass
class BuildStats:
    documents: int = 0
    characters: int = 0
    events: Counter = field(default_factory=Counter)
    entities: Counter = field(default_factory=Counter)
    triples: int = 0
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)


def build_graph(corpus_dir: Path, out: Path,
                progress: Callable[[CorpusDocument], None] | None = None) -> BuildStats:
    """Read every document of ``corpus_dir`` and write the graph to ``out`` (store folder or file)."""
    started = time.perf_counter()
    corpus_dir = Path(corpus_dir)
    manifest = load_manifest(corpus_dir)  # a bad manifest fails before anything is written
    stats = BuildStats()
    extractor = Extractor()
    writer = GraphWriter(out)

    def write_finished(part) -> None:  # events of a long document, written as it is read
        stats.events.update(e.type for e in part.events)
        writer.add(reading_triples(part))

    extractor.flush_hook = write_finished
    try:
        for entry in manifest.documents:
            text = read_text(corpus_dir / entry.file)
            extractor.add_document(entry, text)
            if not extractor.result.events:
                stats.warnings.append(f"{entry.file} has no dated events")
            _flush_reading(extractor, writer, stats)
            stats.documents += 1
            stats.characters += len(text)
            if progress is not None:
                progress(entry)
        extraction = extractor.finish()
        for entity in extraction.entities.values():
            writer.add(entity_triples(entity))
            stats.entities[type(entity).__name__] += 1
    except BaseException:
        writer.abort()
        raise
    writer.commit()
    stats.triples = writer.count
    stats.seconds = time.perf_counter() - started
    return stats


def _flush_reading(extractor: Extractor, writer: GraphWriter, stats: BuildStats) -> None:
    """Write out what one document gave and forget it (entity records stay in the registry)."""
    result = extractor.result
    stats.events.update(e.type for e in result.events)
    writer.add(reading_triples(result))
    result.sources.clear()
    result.events.clear()
    result.mentions.clear()


def add_document(corpus_dir: Path, graph_path: Path, file: Path, entry: CorpusDocument) -> BuildStats:
    """``kg add``: put one new document into the corpus and its triples into the store.

    Entity ids come from canonical names, so the new document's entities land on the nodes
    already in the store; entities the store already has only gain alternative labels.
    """
    import json
    import shutil

    from rdflib import RDF, SKOS, Literal

    from kg.corpus import MANIFEST_NAME
    from kg.errors import KGError
    from kg.rdf import iri
    from kg.store import add_to_store, atomic_write, load_graph

    started = time.perf_counter()
    corpus_dir, file = Path(corpus_dir), Path(file)
    manifest = load_manifest(corpus_dir)
    if any(d.file == entry.file for d in manifest.documents):
        raise KGError(f"{entry.file} is already in the corpus; rebuild with `kg build` to re-read it")
    text = read_text(file)  # refuse bad input before touching anything
    known = set(load_graph(graph_path).subjects(RDF.type, None))
    extractor = Extractor()
    extractor.add_document(entry, text)
    if not extractor.result.events:
        raise KGError(f"{file.name} has no dated events; nothing added")
    stats = BuildStats(documents=1, characters=len(text))
    stats.events.update(e.type for e in extractor.result.events)
    triples = list(reading_triples(extractor.result))
    for entity in extractor.finish().entities.values():
        node = iri(entity.id)
        if node in known:  # keep its labels; record the new written forms as alternatives
            names = {entity.name, *entity.aliases}
            triples += [(node, SKOS.altLabel, Literal(n, lang="en" if n.isascii() else "zh")) for n in names]
        else:
            triples += list(entity_triples(entity))
            stats.entities[type(entity).__name__] += 1
    stats.triples = add_to_store(graph_path, triples)
    target = corpus_dir / entry.file
    if file.resolve() != target.resolve():
        shutil.copyfile(file, target)
    data = json.loads((corpus_dir / MANIFEST_NAME).read_text(encoding="utf-8"))
    data["documents"].append(json.loads(entry.model_dump_json(exclude_none=True)))
    manifest_text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    atomic_write(corpus_dir / MANIFEST_NAME, lambda tmp: Path(tmp).write_text(manifest_text, encoding="utf-8"))
    stats.seconds = time.perf_counter() - started
    return stats
