"""Build throughput and peak memory at several corpus sizes.

    python benchmarks/bench_build.py --scales 1 10 100

Each build runs in its own process (so its peak memory is its own) and writes an Oxigraph
store under benchmarks/out/. Prints characters per second, seconds, triples and peak RSS.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

from benchmarks.make_corpus import ROOT, make

CHILD = """
import json, resource, sys
from pathlib import Path
from kg.build import build_graph
stats = build_graph(Path(sys.argv[1]), Path(sys.argv[2]))
print(json.dumps({"characters": stats.characters, "seconds": stats.seconds, "triples": stats.triples,
                  "events": sum(stats.events.values()), "entities": sum(stats.entities.values()),
                  "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run(scale: int) -> dict:
    corpus = ROOT / "corpus" if scale == 1 else make(scale, ROOT / f"benchmarks/out/corpus-{scale}")
    store = ROOT / f"benchmarks/out/store-{scale}"
    out = subprocess.run([sys.executable, "-c", CHILD, str(corpus), str(store)], capture_output=True, text=True,
                         check=True, cwd=ROOT)
    return {"scale": scale, **json.loads(out.stdout.strip().splitlines()[-1])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 10, 100])
    args = parser.parse_args()
    print(f"{'scale':>5} {'MB':>7} {'seconds':>8} {'chars/s':>9} {'s/MB':>6} {'events':>8} {'entities':>9} "
          f"{'triples':>10} {'peak MiB':>9}")
    for scale in args.scales:
        r = run(scale)
        mb = r["characters"] * 3 / 1e6  # UTF-8 Chinese: about 3 bytes a character
        print(f"{scale:>5} {mb:>7.1f} {r['seconds']:>8.1f} {r['characters'] / r['seconds']:>9,.0f} "
              f"{r['seconds'] / mb:>6.2f} {r['events']:>8} {r['entities']:>9} {r['triples']:>10} "
              f"{r['peak_mib']:>9.0f}", flush=True)


if __name__ == "__main__":
    main()
