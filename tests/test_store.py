"""The embedded Oxigraph store: built by streaming, read through rdflib, replaced atomically."""

import json
import shutil

import pytest
from rdflib import RDFS, SKOS, URIRef
from rdflib.compare import isomorphic

from kg.build import add_document, build_graph
from kg.corpus import CorpusDocument
from kg.errors import KGError
from kg.query import run_sparql, timeline
from kg.store import load_graph

WIPO = URIRef("https://w3id.org/ipkg/id/org/wipo")


@pytest.fixture(scope="module")
def store_path(corpus_dir, tmp_path_factory):
    path = tmp_path_factory.mktemp("store") / "store"
    build_graph(corpus_dir, path)
    return path


def test_streamed_store_holds_the_same_graph_as_the_in_memory_build(store_path, graph):
    assert isomorphic(load_graph(store_path, in_memory=True), graph)


def test_queries_answer_the_same_on_the_store_and_in_memory(store_path, graph):
    store = load_graph(store_path)
    assert timeline(store, org="WIPO") == timeline(graph, org="WIPO")
    q = "SELECT ?s ?o WHERE { ?s ipkg:inSeries ?o } ORDER BY ?s"
    assert list(run_sparql(store, q)) == list(run_sparql(graph, q))


def _copy_corpus(corpus_dir, folder, drop=None, extra=None):
    folder.mkdir()
    manifest = json.loads((corpus_dir / "manifest.json").read_text(encoding="utf-8"))
    docs = [d for d in manifest["documents"] if d["file"] != drop]
    for d in docs:
        shutil.copy(corpus_dir / d["file"], folder)
    if extra:
        name, data = extra
        (folder / name).write_bytes(data)
        docs.append({"file": name, "title": "x", "year": 2023, "publisher": "x", "kind": "news"})
    (folder / "manifest.json").write_text(json.dumps({"documents": docs}, ensure_ascii=False), encoding="utf-8")
    return folder


def test_a_failed_build_leaves_the_old_store_and_no_debris(store_path, corpus_dir, tmp_path):
    target = tmp_path / "store"
    shutil.copytree(store_path, target)
    bad = _copy_corpus(corpus_dir, tmp_path / "corpus", extra=("zz.txt", b"\x00\x01binary"))
    before = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(KGError, match="binary"):
        build_graph(bad, target)  # fails on the last document, after writing the others
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert timeline(load_graph(target), org="WIPO")


def test_add_one_document_without_rebuilding_or_duplicating(corpus_dir, tmp_path):
    notice = "004_285bae27f8638b71.txt"
    folder = _copy_corpus(corpus_dir, tmp_path / "corpus", drop=notice)
    store = tmp_path / "store"
    build_graph(folder, store)
    labels_before = set(load_graph(store).objects(WIPO, RDFS.label))
    entry = CorpusDocument(file=notice, title="国家知识产权局关于印发《推动知识产权高质量发展年度工作指引（2023）》的通知",
                           year=2023, publisher="国家知识产权局", kind="policy_notice", date="2023-03-23")
    stats = add_document(folder, store, corpus_dir / notice, entry)
    assert stats.triples > 0
    graph = load_graph(store)
    assert set(graph.objects(WIPO, RDFS.label)) == labels_before
    cnipa = URIRef("https://w3id.org/ipkg/id/org/cnipa")
    assert len(set(graph.objects(cnipa, SKOS.prefLabel))) == 2  # still one zh, one en label
    issued = timeline(graph, event_type="Issuance", date_from="2023-03-23", date_to="2023-03-23")
    assert any(e["source"]["doc"] == notice for e in issued)
    assert notice in (folder / "manifest.json").read_text(encoding="utf-8")
    with pytest.raises(KGError, match="already in the corpus"):
        add_document(folder, store, corpus_dir / notice, entry)
