"""kg push and kg sparql --endpoint against a real Virtuoso, started by the test on 127.0.0.1.

The Virtuoso is Debian's ``virtuoso-opensource`` (``virtuoso-t``), run in the foreground on
free ports with a fresh database in a temporary folder; the tests skip only when
``virtuoso-t`` is not installed. It starts in about five seconds.
"""

from __future__ import annotations

import glob
import re
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

KG = [sys.executable, "-m", "kg.cli"]
IRI = "https://w3id.org/ipkg/graph/test"
WIPO = "https://w3id.org/ipkg/id/org/wipo"
WIPO_2023 = f"""
SELECT ?e ?start ?label WHERE {{
  %s{{ ?e a ipkg:Event ; ipkg:involvesOrganization <{WIPO}> ; ipkg:startDate ?start ; rdfs:label ?label .
    FILTER (STRSTARTS(STR(?start), "2023")) }}
}} ORDER BY STR(?start) STR(?e) STR(?label)"""


def kg(*args):
    return subprocess.run(KG + [str(a) for a in args], capture_output=True, text=True, timeout=600)


def ok(result):
    assert result.returncode == 0, result.stderr
    return result.stdout


def one_line_error(result, *fragments):
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:"), result.stderr
    for fragment in fragments:
        assert fragment in lines[0], result.stderr
    return lines[0]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- a Virtuoso of our own ------------------------------------------------------------------

@dataclass
class Virtuoso:
    url: str        # http://127.0.0.1:PORT
    sql_port: int   # for isql-vt
    log: Path

    @property
    def sparql(self) -> str:
        return f"{self.url}/sparql"

    @property
    def crud(self) -> str:  # anonymous Graph Store endpoint: needs SPARQL_UPDATE granted to "SPARQL"
        return f"{self.url}/sparql-graph-crud"

    @property
    def crud_auth(self) -> str:  # digest auth, dba/dba on a fresh database
        return f"{self.url}/sparql-graph-crud-auth"

    def isql(self, sql: str) -> str:
        isql = shutil.which("isql-vt") or shutil.which("isql")
        assert isql, "isql-vt (from virtuoso-opensource) is missing"
        done = subprocess.run([isql, f"127.0.0.1:{self.sql_port}", "dba", "dba", f"exec={sql}"],
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0 and "*** Error" not in done.stdout + done.stderr, done.stdout + done.stderr
        return done.stdout

    def count(self, graph_iri: str) -> int:
        out = ok(kg("sparql", "--endpoint", self.sparql, "--format", "csv",
                    f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph_iri}> {{ ?s ?p ?o }} }}"))
        assert out.splitlines()[0] == "n", out
        return int(out.splitlines()[1])


def virtuoso_ini(template: str, folder: Path, sql_port: int, http_port: int) -> str:
    """The packaged virtuoso.ini with its files in ``folder`` and both servers on 127.0.0.1."""
    settings = {
        "database": {"databasefile": folder / "virtuoso.db", "errorlogfile": folder / "virtuoso.log",
                     "lockfile": folder / "virtuoso.lck", "transactionfile": folder / "virtuoso.trx",
                     "xa_persistent_file": folder / "virtuoso.pxa"},
        "tempdatabase": {"databasefile": folder / "virtuoso-temp.db",
                         "transactionfile": folder / "virtuoso-temp.trx"},
        "parameters": {"serverport": f"127.0.0.1:{sql_port}", "dirsallowed": None},
        "httpserver": {"serverport": f"127.0.0.1:{http_port}"},
        "uriqa": {"defaulthost": f"127.0.0.1:{http_port}"},
        "sparql": {"resultsetmaxrows": 1_000_000},  # the packaged 10000 would cut the whole-graph read-back
    }
    lines, section, seen = [], None, set()
    for line in template.splitlines():
        header = re.match(r"\s*\[([^\]]+)\]", line)
        if header:
            section = header.group(1).strip().lower()
        setting = re.match(r"\s*([A-Za-z_][\w]*)\s*=\s*(.*?)\s*(;.*)?$", line)
        if setting and section in settings and setting.group(1).lower() in settings[section]:
            key = setting.group(1).lower()
            value = settings[section][key]
            if key == "dirsallowed":
                value = f"{setting.group(2)}, {folder}"
            line = f"{setting.group(1)} = {value}"
            seen.add((section, key))
        lines.append(line)
    missing = [(s, k) for s, keys in settings.items() for k in keys if (s, k) not in seen]
    for s, k in missing:  # a setting the packaged file lacks: add it under its section
        value = folder if k == "dirsallowed" else settings[s][k]
        at = next((i for i, line in enumerate(lines) if line.strip().lower() == f"[{s}]"), None)
        if at is None:
            lines += [f"[{s}]", f"{k} = {value}"]
        else:
            lines.insert(at + 1, f"{k} = {value}")
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory):
    binary = shutil.which("virtuoso-t")
    if binary is None:
        pytest.skip("virtuoso-t is not installed (apt-get install virtuoso-opensource)")
    templates = sorted(glob.glob("/etc/virtuoso-opensource-*/virtuoso.ini"))
    assert templates, "virtuoso-t is installed but /etc/virtuoso-opensource-*/virtuoso.ini is missing"
    folder = tmp_path_factory.mktemp("virtuoso")
    sql_port, http_port = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(virtuoso_ini(Path(templates[-1]).read_text(encoding="utf-8"), folder, sql_port, http_port),
                   encoding="utf-8")
    out = open(folder / "stdout.log", "wb")
    proc = subprocess.Popen([binary, "+foreground", "+configfile", str(ini)], cwd=folder, stdout=out,
                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    server = Virtuoso(f"http://127.0.0.1:{http_port}", sql_port, folder / "virtuoso.log")
    try:
        deadline = time.monotonic() + 180
        while True:
            if proc.poll() is not None:
                pytest.fail(f"virtuoso-t exited with {proc.returncode}:\n{_tail(folder)}")
            try:
                if httpx.get(server.sparql, params={"query": "ASK {}"}, timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"virtuoso-t did not answer on {server.sparql} in 180 s:\n{_tail(folder)}")
            time.sleep(0.25)
        yield server
    finally:
        proc.terminate()  # Virtuoso shuts down cleanly on SIGTERM
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
        out.close()


def _tail(folder: Path) -> str:
    text = ""
    for name in ("stdout.log", "virtuoso.log"):
        if (folder / name).is_file():
            text += "\n".join((folder / name).read_text(errors="replace").splitlines()[-20:]) + "\n"
    return text


# -- tests ---------------------------------------------------------------------------------

def test_push_to_nothing_listening_is_one_line(built_graph_path):
    result = kg("push", "--endpoint", "http://127.0.0.1:9/", "--graph-iri", IRI, "--graph", built_graph_path)
    one_line_error(result, "http://127.0.0.1:9/", "connection refused")
    result = kg("sparql", "--endpoint", "http://127.0.0.1:9/sparql", "ASK {}")
    one_line_error(result, "connection refused")


def test_push_then_count_matches_local(virtuoso, graph, built_graph_path):
    out = ok(kg("push", "--endpoint", virtuoso.crud_auth, "--graph-iri", IRI, "--user", "dba", "--password", "dba",
                "--graph", built_graph_path, "--batch-triples", 4000))  # 4 or more requests: PUT, then POSTs
    assert f"pushed {len(graph)} triples" in out, out
    local = ok(kg("sparql", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "--format", "csv",
                  "--graph", built_graph_path))
    remote = ok(kg("sparql", "--endpoint", virtuoso.sparql, "--format", "csv",
                   f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{IRI}> {{ ?s ?p ?o }} }}"))
    assert local.split() == ["n", str(len(graph))]
    assert remote == local


def test_every_triple_arrives_intact(virtuoso, graph, built_graph_path):
    """The graph read back through the Graph Store Protocol is the local graph: labels in
    Chinese, language tags, dates of three precisions, booleans, integers."""
    from rdflib import Graph
    from rdflib.compare import to_isomorphic

    ok(kg("push", "--endpoint", virtuoso.crud_auth, "--graph-iri", IRI + "/intact", "--user", "dba",
          "--password", "dba", "--graph", built_graph_path))
    answer = httpx.get(virtuoso.crud, params={"graph": IRI + "/intact"}, headers={"Accept": "text/turtle"}, timeout=120)
    assert answer.status_code == 200, answer.text[:500]
    remote = Graph().parse(data=answer.content, format="turtle")
    assert to_isomorphic(remote) == to_isomorphic(graph)


def test_put_replaces_and_append_adds(virtuoso, graph, built_graph_path, tmp_path):
    one = tmp_path / "one.nt"
    one.write_text(f'<{WIPO}> <http://www.w3.org/2000/01/rdf-schema#comment> "pushed separately"@en .\n',
                   encoding="utf-8")
    target = IRI + "/replace"
    auth = ["--user", "dba", "--password", "dba"]
    ok(kg("push", "--endpoint", virtuoso.crud_auth, "--graph-iri", target, *auth, "--graph", one))
    assert virtuoso.count(target) == 1
    ok(kg("push", "--endpoint", virtuoso.crud_auth, "--graph-iri", target, *auth, "--graph", built_graph_path,
          "--batch-triples", 5000))
    assert virtuoso.count(target) == len(graph)  # the lone triple is gone
    out = ok(kg("push", "--endpoint", virtuoso.crud_auth, "--graph-iri", target, *auth, "--graph", one, "--append"))
    assert "pushed 1 triples" in out and "added to" in out
    assert virtuoso.count(target) == len(graph) + 1


def test_wipo_2023_same_rows_remotely_and_locally(virtuoso, built_graph_path):
    target = IRI + "/timeline"
    ok(kg("push", "--endpoint", virtuoso.crud_auth, "--graph-iri", target, "--user", "dba", "--password", "dba",
          "--graph", built_graph_path))
    local = ok(kg("sparql", WIPO_2023 % "", "--format", "csv", "--graph", built_graph_path))
    remote = ok(kg("sparql", "--endpoint", virtuoso.sparql, WIPO_2023 % f"GRAPH <{target}> ", "--format", "csv"))
    rows = local.splitlines()
    assert rows[0] == "e,start,label" and len(rows) > 5, local
    assert any(",2023-04-26," in row for row in rows)
    assert remote == local


def test_remote_ask_construct_and_errors(virtuoso, built_graph_path):
    target = IRI + "/forms"
    ok(kg("push", "--endpoint", virtuoso.crud_auth, "--graph-iri", target, "--user", "dba", "--password", "dba",
          "--graph", built_graph_path))
    ask = ok(kg("sparql", "--endpoint", virtuoso.sparql, f"ASK {{ GRAPH <{target}> {{ <{WIPO}> a ipkg:Organization }} }}"))
    assert ask.strip() == "true"
    construct = ok(kg("sparql", "--endpoint", virtuoso.sparql,
                      f"CONSTRUCT {{ <{WIPO}> skos:altLabel ?a }} WHERE {{ GRAPH <{target}> {{ <{WIPO}> skos:altLabel ?a }} }}"))
    assert "WIPO" in construct and "skos:altLabel" in construct
    js = ok(kg("sparql", "--endpoint", virtuoso.sparql, "--format", "json",
               f"SELECT ?l WHERE {{ GRAPH <{target}> {{ <{WIPO}> rdfs:label ?l }} }}"))
    assert "世界知识产权组织" in js
    line = one_line_error(kg("sparql", "--endpoint", virtuoso.sparql, "SELECT ?x WHERE { ?x }"), "HTTP 400")
    assert "line 1" in line  # counted from the user's first line, not the prepended prefixes
    one_line_error(kg("sparql", "--endpoint", virtuoso.sparql, "INSERT DATA { <urn:a> <urn:b> <urn:c> }"), "update")
    one_line_error(kg("sparql", "--endpoint", f"{virtuoso.url}/no-such-endpoint", "ASK {}"), "HTTP 404")
    # Virtuoso's Graph Store endpoint has no default graph: name one
    one_line_error(kg("push", "--endpoint", virtuoso.crud_auth, "--user", "dba", "--password", "dba",
                      "--graph", built_graph_path), "default", "--graph-iri")
    one_line_error(kg("push", "--endpoint", virtuoso.crud_auth, "--graph-iri", target, "--user", "dba",
                      "--password", "wrong", "--graph", built_graph_path), "HTTP 401")


def test_anonymous_endpoint_needs_the_update_grant(virtuoso, graph, built_graph_path):
    target = IRI + "/anonymous"
    refused = kg("push", "--endpoint", virtuoso.crud, "--graph-iri", target, "--graph", built_graph_path)
    one_line_error(refused, "HTTP 403", "Permission denied")
    virtuoso.isql('GRANT SPARQL_UPDATE TO "SPARQL";')
    ok(kg("push", "--endpoint", virtuoso.crud, "--graph-iri", target, "--graph", built_graph_path))
    assert virtuoso.count(target) == len(graph)


def test_blank_nodes_stay_in_one_batch(virtuoso):
    from rdflib import BNode, Graph, Literal, URIRef

    from kg.remote import push_graph

    ex = "http://example.org/"
    g = Graph()
    chain = [BNode() for _ in range(5)]
    g.add((URIRef(ex + "root"), URIRef(ex + "next"), chain[0]))
    for a, b in zip(chain, chain[1:]):
        g.add((a, URIRef(ex + "next"), b))
    g.add((chain[-1], URIRef(ex + "value"), Literal("end")))
    for i in range(20):
        g.add((URIRef(ex + f"s{i}"), URIRef(ex + "value"), Literal(i)))
    target = IRI + "/bnodes"
    assert push_graph(g, virtuoso.crud_auth, target, user="dba", password="dba", batch_triples=1) == len(g)
    path = "/".join(["<http://example.org/next>"] * 5)
    ask = ok(kg("sparql", "--endpoint", virtuoso.sparql,
                f'ASK {{ GRAPH <{target}> {{ <{ex}root> {path} ?last . ?last <{ex}value> "end" }} }}'))
    assert ask.strip() == "true"
    assert virtuoso.count(target) == len(g)
