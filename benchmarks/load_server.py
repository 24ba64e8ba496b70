"""A bounded burst of concurrent timeline and SPARQL requests against ``kg serve``.

Starts ``kg serve`` itself on a free port of 127.0.0.1 (never another address), sends
``--requests`` requests with ``--concurrency`` clients, stops taking new requests after
``--max-seconds`` whatever happens, then stops the server and prints the throughput and
the latency percentiles (overall and per kind of request)::

    python benchmarks/load_server.py                      # 200 requests, 8 at a time, 120 s cap
    python benchmarks/load_server.py --cache-size 0       # every request evaluated (no answer cache)
    python benchmarks/load_server.py --graph build/graph.nt --json

The graph is ``--graph``, else ``build/graph.nt`` (or ``$KG_GRAPH``); when there is none,
it is built from ``corpus/`` into a temporary folder first. Only the standard library is
used on the client side.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"

PREFIX = "PREFIX ipkg: <https://w3id.org/ipkg/ontology#>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
SPARQL_QUERIES = {
    "count events": "SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e a ipkg:Event }",
    "busiest organizations": PREFIX + """SELECT ?o ?label (COUNT(?e) AS ?n) WHERE {
        ?e ipkg:involvesOrganization ?o . ?o rdfs:label ?label }
        GROUP BY ?o ?label ORDER BY DESC(?n) LIMIT 10""",
    "events per type": "SELECT ?c (COUNT(?e) AS ?n) WHERE { ?e a ipkg:Event ; a ?c } GROUP BY ?c",
    "ask": "ASK { <https://w3id.org/ipkg/id/org/wipo> a ipkg:Organization }",
    "construct": "CONSTRUCT { ?e rdfs:label ?l } WHERE { ?e a ipkg:Signing ; rdfs:label ?l }",
}
TIMELINE_FILTERS = [
    {}, {"org": "WIPO"}, {"type": "Meeting"}, {"from": "2023", "to": "2023-12-31"}, {"international": "true"},
    {"org": "国家知识产权局", "type": "Signing"}, {"type": "Visit", "international": "true"},
    {"from": "2020-04", "to": "2020-06"},
]


def workload():
    """An endless mix: half timeline requests, half SPARQL (GET, form POST and direct POST)."""
    sparql = itertools.cycle(SPARQL_QUERIES.items())
    timelines = itertools.cycle(TIMELINE_FILTERS)
    methods = itertools.cycle(["GET", "POST form", "POST body"])
    for n in itertools.count():
        if n % 2 == 0:
            params = next(timelines)
            yield "timeline", "GET", "/api/timeline?" + urllib.parse.urlencode(params), None, {}
        else:
            name, query = next(sparql)
            method = next(methods)
            accept = {"Accept": "text/turtle" if name == "construct" else "application/sparql-results+json"}
            if method == "GET":
                yield "sparql", "GET", "/sparql?" + urllib.parse.urlencode({"query": query}), None, accept
            elif method == "POST form":
                yield "sparql", "POST", "/sparql", urllib.parse.urlencode({"query": query}).encode(), {
                    **accept, "Content-Type": "application/x-www-form-urlencoded"}
            else:
                yield "sparql", "POST", "/sparql", query.encode(), {
                    **accept, "Content-Type": "application/sparql-query"}


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-p * len(ordered) // 100))))
    return ordered[rank - 1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def ensure_graph(path: Path | None, workdir: Path) -> Path:
    sys.path.insert(0, str(ROOT))
    from kg.store import default_graph_path

    path = path or default_graph_path()
    if not path.is_absolute():
        path = ROOT / path
    if path.exists():  # an RDF file or an Oxigraph store folder
        return path
    print(f"no graph at {path}: building one from corpus/ ...", file=sys.stderr)
    from kg.extract import Extractor
    from kg.rdf import to_graph
    from kg.store import save_graph

    return save_graph(to_graph(Extractor().add_corpus(ROOT / "corpus")), workdir / "graph.nt")


def start_server(graph: Path, args, log) -> tuple[subprocess.Popen, str]:
    for _ in range(3):
        port = free_port()
        command = [sys.executable, "-m", "kg.cli", "serve", "--host", HOST, "--port", str(port),
                   "--graph", str(graph), "--timeout", str(args.timeout), "--workers", str(args.workers),
                   "--cache-size", str(args.cache_size)]
        proc = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=log)
        url = f"http://{HOST}:{port}"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"{url}/api/status", timeout=5) as response:
                    json.load(response)
                return proc, url
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.2)
        stop_server(proc)
    raise SystemExit(f"kg serve did not start; see {log.name}")


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def run(url: str, requests: int, concurrency: int, max_seconds: float) -> dict:
    jobs = iter(itertools.islice(workload(), requests))
    lock = threading.Lock()
    results: list[tuple[str, int, float, str]] = []  # kind, status, seconds, cache
    started = time.monotonic()
    deadline = started + max_seconds

    def client() -> None:
        while True:
            with lock:
                job = next(jobs, None)
            remaining = deadline - time.monotonic()
            if job is None or remaining <= 0:
                return
            kind, method, path, body, headers = job
            request = urllib.request.Request(url + path, data=body, headers=headers, method=method)
            t0 = time.monotonic()
            try:
                with urllib.request.urlopen(request, timeout=max(0.1, remaining)) as response:
                    response.read()
                    status, cache = response.status, response.headers.get("X-Cache", "")
            except urllib.error.HTTPError as exc:
                exc.read()
                status, cache = exc.code, ""
            except (urllib.error.URLError, OSError):
                status, cache = 0, ""  # timed out at the cap, or refused
            with lock:
                results.append((kind, status, time.monotonic() - t0, cache))

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        for _ in range(concurrency):
            pool.submit(client)
    wall = time.monotonic() - started
    latencies = [r[2] for r in results]
    by_kind = defaultdict(list)
    for kind, _, seconds, _ in results:
        by_kind[kind].append(seconds)
    return {
        "requests_planned": requests,
        "requests_done": len(results),
        "concurrency": concurrency,
        "wall_seconds": round(wall, 3),
        "throughput_rps": round(len(results) / wall, 2) if wall else 0.0,
        "p50_ms": round(percentile(latencies, 50) * 1000, 1),
        "p99_ms": round(percentile(latencies, 99) * 1000, 1),
        "max_ms": round(max(latencies, default=0) * 1000, 1),
        "status": dict(sorted(Counter(str(r[1]) for r in results).items())),
        "cache_hits": sum(1 for r in results if r[3] == "hit"),
        "by_kind": {kind: {"requests": len(v), "p50_ms": round(percentile(v, 50) * 1000, 1),
                           "p99_ms": round(percentile(v, 99) * 1000, 1)} for kind, v in sorted(by_kind.items())},
        "capped": len(results) < requests,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--max-seconds", type=float, default=120.0, help="hard cap on the burst")
    parser.add_argument("--graph", type=Path, default=None)
    parser.add_argument("--timeout", type=float, default=30.0, help="kg serve --timeout")
    parser.add_argument("--workers", type=int, default=2, help="kg serve --workers")
    parser.add_argument("--cache-size", type=int, default=256, help="kg serve --cache-size (0: no cache)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    if not (0 < args.requests <= 10_000 and 0 < args.concurrency <= 64 and 0 < args.max_seconds <= 600):
        parser.error("keep the burst bounded: 1-10000 requests, 1-64 clients, at most 600 s")

    with tempfile.TemporaryDirectory(prefix="kg-load-") as tmp:
        graph = ensure_graph(args.graph, Path(tmp))
        log_path = Path(tmp) / "server.log"
        with open(log_path, "w") as log:
            proc, url = start_server(graph, args, log)
            try:
                report = run(url, args.requests, args.concurrency, args.max_seconds)
            finally:
                stop_server(proc)
        report.update({"graph": str(graph), "workers": args.workers, "cache_size": args.cache_size,
                       "cpus": os.cpu_count()})
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        print(f"kg serve on {HOST}: {report['requests_done']}/{report['requests_planned']} requests, "
              f"concurrency {report['concurrency']}, {report['workers']} workers, "
              f"cache {'off' if not report['cache_size'] else report['cache_size']}, {report['cpus']} CPUs")
        print(f"wall time   {report['wall_seconds']:.2f} s{' (stopped at the time cap)' if report['capped'] else ''}")
        print(f"throughput  {report['throughput_rps']:.1f} requests/s")
        print(f"latency     p50 {report['p50_ms']:.1f} ms   p99 {report['p99_ms']:.1f} ms   max {report['max_ms']:.1f} ms")
        for kind, figures in report["by_kind"].items():
            print(f"  {kind:<9} {figures['requests']:>4} requests   p50 {figures['p50_ms']:.1f} ms   "
                  f"p99 {figures['p99_ms']:.1f} ms")
        print(f"status      {report['status']}   cache hits {report['cache_hits']}")
    ok = all(code == "200" for code in report["status"])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
