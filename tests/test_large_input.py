"""A 50 MB document is read in bounded memory and its graph is written."""

import json
import subprocess
import sys

from conftest import REPORT_2023

CHILD = """
import json, resource, sys
from pathlib import Path
from kg.build import build_graph
stats = build_graph(Path(sys.argv[1]), Path(sys.argv[2]))
print(json.dumps({"events": sum(stats.events.values()), "characters": stats.characters,
                  "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def test_a_50_mb_file_builds_in_bounded_memory(tmp_path, corpus_dir):
    one = (corpus_dir / REPORT_2023).read_bytes()
    copies = 50 * 1024 * 1024 // len(one) + 1
    folder = tmp_path / "corpus"
    folder.mkdir()
    with open(folder / "big.txt", "wb") as f:
        for _ in range(copies):
            f.write(one)
    assert (folder / "big.txt").stat().st_size >= 50 * 1024 * 1024
    (folder / "manifest.json").write_text(json.dumps({"documents": [
        {"file": "big.txt", "title": "big", "year": 2023, "publisher": "国家知识产权局", "kind": "annual_report"}]}),
        encoding="utf-8")
    out = subprocess.run([sys.executable, "-c", CHILD, str(folder), str(tmp_path / "store")],
                         capture_output=True, text=True, timeout=1800)
    assert out.returncode == 0, out.stderr[-2000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    print(result)
    assert result["events"] > 100 * copies  # every copy's events are read (about 150 each)
    assert result["peak_mib"] < 1024, result  # events are written out as the document is read
