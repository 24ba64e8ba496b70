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
