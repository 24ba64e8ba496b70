"""networkx traversal on the graph: building the view, neighbours, shortest path, centrality.

    python benchmarks/bench_network.py --store benchmarks/out/store-100
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import networkx as nx

from kg.network import cooperation_graph, neighbors, path, to_networkx
from kg.store import load_graph

ROOT = Path(__file__).resolve().parent.parent


def timed(label: str, fn):
    t = time.perf_counter()
    result = fn()
    print(f"{label:<40} {(time.perf_counter() - t) * 1000:>10.1f} ms", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=ROOT / "benchmarks/out/store-100")
    args = parser.parse_args()
    graph = load_graph(args.store)
    G = timed("to_networkx (whole graph)", lambda: to_networkx(graph))
    print(f"{'':<40} {G.number_of_nodes():>10} nodes, {G.number_of_edges()} edges")
    timed("neighbors(org/wipo, depth=2)", lambda: neighbors(G, "org/wipo", depth=2))
    timed("path(org/wipo, org/epo)", lambda: path(G, "org/wipo", "org/epo"))
    C = timed("cooperation_graph", lambda: cooperation_graph(G))
    print(f"{'':<40} {C.number_of_nodes():>10} nodes, {C.number_of_edges()} edges")
    timed("degree_centrality (full graph)", lambda: nx.degree_centrality(G))
    timed("betweenness_centrality (cooperation)", lambda: nx.betweenness_centrality(C))
    timed("betweenness_centrality (full, k=200)", lambda: nx.betweenness_centrality(
        nx.Graph(G.to_undirected()), k=min(200, G.number_of_nodes()), seed=1))


if __name__ == "__main__":
    main()
