"""The kg command as a user runs it: real processes, real files."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

KG = [sys.executable, "-m", "kg.cli"]


def kg(*args, cwd=None):
    return subprocess.run(KG + list(args), capture_output=True, text=True, cwd=cwd, timeout=600)


def one_line_error(result, fragment):
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and fragment in lines[0], result.stderr


def test_timeline_json_for_wipo(built_graph_path):
    result = kg("timeline", "--org", "WIPO", "--format", "json", "--graph", str(built_graph_path))
    assert result.returncode == 0, result.stderr
    events = json.loads(result.stdout)
    assert any(e["date_start"] == "2023-04-26" for e in events)
    assert all(e["type"] in {"Meeting", "Signing", "Issuance", "Visit", "Launch", "PressConference", "Other"}
               for e in events)


def test_sparql_formats(built_graph_path):
    q = "SELECT (COUNT(?e) AS ?n) WHERE { ?e a ipkg:Meeting }"
    csv_out = kg("sparql", q, "--format", "csv", "--graph", str(built_graph_path))
    assert csv_out.returncode == 0 and csv_out.stdout.splitlines()[0] == "n"
    assert int(csv_out.stdout.splitlines()[1]) > 50
    js = json.loads(kg("sparql", q, "--format", "json", "--graph", str(built_graph_path)).stdout)
    assert js["head"]["vars"] == ["n"]
    ask = kg("sparql", "ASK { <https://w3id.org/ipkg/id/org/wipo> a ipkg:Organization }", "--graph", str(built_graph_path))
    assert ask.stdout.strip() == "true"


def test_show_and_traversal(built_graph_path):
    shown = kg("show", "EPO", "--graph", str(built_graph_path))
    assert shown.returncode == 0 and "欧洲专利局" in shown.stdout and "European Patent Office" in shown.stdout
    near = kg("neighbors", "WIPO", "--depth", "2", "--graph", str(built_graph_path))
    assert near.returncode == 0 and "Event" in near.stdout and "Person" in near.stdout
    path = kg("path", "WIPO", "申长雨", "--graph", str(built_graph_path))
    assert path.returncode == 0 and "申长雨" in path.stdout.splitlines()[-1]


def test_user_errors_are_one_line(built_graph_path, tmp_path):
    one_line_error(kg("timeline", "--org", "Nowhere Office", "--graph", str(built_graph_path)), "unknown organization")
    one_line_error(kg("sparql", "SELEKT nothing", "--graph", str(built_graph_path)), "malformed SPARQL")
    one_line_error(kg("timeline", "--from", "2024", "--to", "2020", "--graph", str(built_graph_path)), "impossible")
    one_line_error(kg("timeline", "--graph", str(tmp_path / "none.nt")), "kg build")


def _corpus_with(tmp_path, corpus_dir, name, data: bytes):
    folder = tmp_path / "corpus"
    folder.mkdir()
    shutil.copy(corpus_dir / "004_285bae27f8638b71.txt", folder)
    (folder / name).write_bytes(data)
    docs = [{"file": "004_285bae27f8638b71.txt", "title": "通知", "year": 2023, "publisher": "国家知识产权局",
             "kind": "policy_notice"},
            {"file": name, "title": "测试", "year": 2023, "publisher": "国家知识产权局", "kind": "news"}]
    (folder / "manifest.json").write_text(json.dumps({"documents": docs}, ensure_ascii=False), encoding="utf-8")
    return folder


@pytest.mark.parametrize("name, data, fragment", [
    ("empty.txt", b"", "is empty"),
    ("binary.txt", bytes(range(256)) * 40, "binary"),
])
def test_bad_input_files_fail_cleanly_and_keep_the_old_graph(tmp_path, corpus_dir, name, data, fragment):
    out = tmp_path / "graph.nt"
    out.write_text("<urn:a> <urn:b> <urn:c> .\n", encoding="utf-8")
    folder = _corpus_with(tmp_path, corpus_dir, name, data)
    one_line_error(kg("build", "--quiet", "--corpus", str(folder), "--out", str(out)), fragment)
    assert out.read_text(encoding="utf-8") == "<urn:a> <urn:b> <urn:c> .\n"


def test_gbk_file_is_decoded(tmp_path, corpus_dir):
    text = "2023年5月6日，国家知识产权局与世界知识产权组织在京签署谅解备忘录。"
    folder = _corpus_with(tmp_path, corpus_dir, "gbk.txt", text.encode("gbk"))
    out = tmp_path / "graph.nt"
    assert kg("build", "--quiet", "--corpus", str(folder), "--out", str(out)).returncode == 0
    result = kg("timeline", "--org", "世界知识产权组织", "--format", "json", "--graph", str(out))
    assert [e["date_start"] for e in json.loads(result.stdout)] == ["2023-05-06"]


def test_manifest_listing_a_missing_file(tmp_path):
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "manifest.json").write_text(json.dumps({"documents": [
        {"file": "gone.txt", "title": "x", "year": 2023, "publisher": "x", "kind": "news"}]}), encoding="utf-8")
    one_line_error(kg("build", "--corpus", str(folder), "--out", str(tmp_path / "g.nt")), "gone.txt")


def test_build_command_prints_counts(tmp_path):
    root = Path(__file__).resolve().parent.parent
    out = tmp_path / "graph.nt"
    result = kg("build", "--quiet", "--out", str(out), cwd=root)
    assert result.returncode == 0, result.stderr
    assert "events:" in result.stdout and "triples:" in result.stdout
    assert out.stat().st_size > 100_000


def test_a_file_with_no_dates(tmp_path, corpus_dir):
    text = "知识产权保护是一项长期任务，需要各方共同努力。"
    folder = _corpus_with(tmp_path, corpus_dir, "nodates.txt", text.encode("utf-8"))
    out = tmp_path / "store"
    built = kg("build", "--quiet", "--corpus", str(folder), "--out", str(out))
    assert built.returncode == 0 and "warning: nodates.txt has no dated events" in built.stderr
    other = tmp_path / "other.txt"
    other.write_text(text, encoding="utf-8")
    one_line_error(kg("add", str(other), "--title", "x", "--year", "2023", "--publisher", "x",
                      "--corpus", str(folder), "--graph", str(out)), "no dated events")
    assert "other.txt" not in (folder / "manifest.json").read_text(encoding="utf-8")
