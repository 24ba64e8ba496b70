"""Shared fixtures: the real corpus, extracted and built once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
REPORT_2023 = "000_70c5afd9f54c4f56.txt"
REPORT_2020 = "001_736b45efde7d12f8.txt"
NOTICE_2023 = "004_285bae27f8638b71.txt"


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    return CORPUS


@pytest.fixture(scope="session")
def extraction():
    from kg.extract import Extractor

    return Extractor().add_corpus(CORPUS)


@pytest.fixture(scope="session")
def graph(extraction):
    from kg.rdf import to_graph

    return to_graph(extraction)


@pytest.fixture(scope="session")
def built_graph_path(graph, tmp_path_factory) -> Path:
    from kg.store import save_graph

    return save_graph(graph, tmp_path_factory.mktemp("graph") / "graph.nt")


@pytest.fixture(scope="session")
def nlp():
    from kg.nlp import load_pipeline

    return load_pipeline()


def corpus_lines(name: str) -> list[str]:
    return (CORPUS / name).read_text(encoding="utf-8").splitlines()


# -- kg serve: a real uvicorn server on 127.0.0.1 (tests/test_server.py, tests/test_web.py) ------

@pytest.fixture(scope="session")
def start_kg_server(built_graph_path):
    """``with start_kg_server(timeout=2) as url:`` runs ``kg serve``'s app on a free port in a thread.

    It serves ``built_graph_path`` unless given ``graph_path=`` (an RDF file or a store folder).
    """
    import threading
    import time
    from contextlib import contextmanager

    from kg.server import create_app, listen, make_server

    @contextmanager
    def running(graph_path=None, **options):
        sock = listen("127.0.0.1", 0)
        app = create_app(graph_path or built_graph_path, **options)
        server = make_server(app, sock)
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="kg-test-server", daemon=True)
        thread.start()
        deadline = time.monotonic() + 30
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                app.state.pool.close()
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)
        try:
            yield f"http://127.0.0.1:{sock.getsockname()[1]}"
        finally:
            server.should_exit = True
            thread.join(15)
            app.state.pool.close()
            sock.close()

    return running


@pytest.fixture(scope="session")
def kg_server_url(start_kg_server):
    """Base URL of one server over the corpus graph, shared by the whole session."""
    with start_kg_server(timeout=30, workers=2) as url:
        yield url


@pytest.fixture(scope="session")
def built_store(tmp_path_factory):
    """The corpus built into an Oxigraph store folder (the default kind of graph), read only."""
    from kg.build import build_graph
    from kg.store import load_graph

    path = tmp_path_factory.mktemp("oxigraph") / "store"
    build_graph(CORPUS, path)
    return load_graph(path)
