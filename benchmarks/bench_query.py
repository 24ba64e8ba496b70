"""Query latency on the embedded Oxigraph store against plain in-memory rdflib, side by side.

    python benchmarks/bench_query.py --stores benchmarks/out/store-1 benchmarks/out/store-100

For each store (made by bench_build.py), loads it twice, once as the Oxigraph store behind
rdflib and once copied into an in-memory rdflib graph, then times the same questions on
both and prints p50/p99 in milliseconds.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from kg.query import run_sparql, timeline
from kg.store import load_graph

ROOT = Path(__file__).resolve().parent.parent
SERIES = (ROOT / "queries" / "ip5_heads_meetings.rq").read_text(encoding="utf-8")
TWO_HOP = """
SELECT (COUNT(DISTINCT ?y) AS ?n) WHERE {
  ?e ?p <https://w3id.org/ipkg/id/org/wipo> .
  ?e ?q ?y .
  FILTER (isIRI(?y))
}"""
FULL_SCAN = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"

QUESTIONS = {
    "timeline WIPO 2023": lambda g: timeline(g, org="WIPO", date_from="2023-01-01", date_to="2023-12-31"),
    "series (IP5 heads)": lambda g: list(run_sparql(g, SERIES)),
    "2-hop from WIPO": lambda g: list(run_sparql(g, TWO_HOP)),
    "full scan count": lambda g: list(run_sparql(g, FULL_SCAN)),
}


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return statistics.median(ordered), p99


def measure(fn, graph, budget: float, max_runs: int) -> list[float]:
    fn(graph)  # warm up (and check it works)
    samples, spent = [], 0.0
    while len(samples) < max_runs and (spent < budget or len(samples) < 3):
        t = time.perf_counter()
        fn(graph)
        samples.append((time.perf_counter() - t) * 1000)
        spent += samples[-1] / 1000
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stores", type=Path, nargs="+",
                        default=[ROOT / "benchmarks/out/store-1", ROOT / "benchmarks/out/store-100"])
    parser.add_argument("--budget", type=float, default=10.0, help="seconds per question and backend")
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    print(f"{'store':<12} {'triples':>9} {'question':<20} {'oxigraph p50':>13} {'p99':>8} "
          f"{'rdflib p50':>11} {'p99':>9} {'speed-up':>9}")
    for store in args.stores:
        ox_graph = load_graph(store)
        t = time.perf_counter()
        memory = load_graph(store, in_memory=True)
        load_s = time.perf_counter() - t
        size = len(memory)
        for name, fn in QUESTIONS.items():
            ox50, ox99 = percentiles(measure(fn, ox_graph, args.budget, args.runs))
            mem50, mem99 = percentiles(measure(fn, memory, args.budget, args.runs))
            print(f"{store.name:<12} {size:>9} {name:<20} {ox50:>13.1f} {ox99:>8.1f} {mem50:>11.1f} "
                  f"{mem99:>9.1f} {mem50 / ox50:>8.1f}x", flush=True)
        print(f"{store.name:<12} {size:>9} (copying into in-memory rdflib took {load_s:.1f} s)")


if __name__ == "__main__":
    main()
