"""How extraction is measured against hand-annotated gold events (``tests/gold/*.jsonl``).

A gold event is matched to a predicted event read from the same file and line (several
events on one line are paired by date and type). Scores:

* event detection: precision, recall, F1 of matched events, counting predicted events on
  the lines the gold set covers (per file, from its first to its last annotated line);
* date (exact start and end), type, international flag: accuracy over matched pairs;
* organizations, people, places, documents: micro precision/recall/F1 over matched pairs,
  comparing names after the graph's normalisation (a name the lexicon knows becomes its
  entity id, so aliases and acronyms count as the same entity).

A baseline row scores jieba's own part-of-speech tags on the gold sentences (``nt``
organisation, ``nr`` person, ``ns`` place, ``t`` time) to show what the pipeline adds.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ValidationError

from kg.corpus import load_manifest, read_text
from kg.dates import find_dates, resolve
from kg.errors import KGError
from kg.extract import Extractor
from kg.lexicon import Lexicon
from kg.names import canonical_key, strip_title_marks
from kg.records import Event, Extraction

FIELDS = ("organizations", "people", "places", "documents")


class GoldEvent(BaseModel):
    doc: str
    line: int
    text: str
    date_start: str
    date_end: str | None = None
    type: str
    organizations: list[str] = []
    people: list[str] = []
    places: list[str] = []
    documents: list[str] = []
    international: bool = False


def load_gold(path: Path) -> list[GoldEvent]:
    path = Path(path)
    if not path.is_file():
        raise KGError(f"no gold file {path}")
    events = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            events.append(GoldEvent.model_validate_json(line))
        except ValidationError as exc:
            raise KGError(f"{path}:{n}: not a gold event: {exc.errors()[0]['msg']}") from None
    if not events:
        raise KGError(f"{path} holds no gold events")
    return events


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Report:
    detection: Score = field(default_factory=Score)
    accuracy: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    fields: dict[str, Score] = field(default_factory=lambda: defaultdict(Score))
    misses: list[str] = field(default_factory=list)

    def rows(self) -> list[tuple[str, float, float, float]]:
        out = [("events", self.detection.precision, self.detection.recall, self.detection.f1)]
        for name in ("date", "type"):
            ok, total = self.accuracy[name]
            acc = ok / total if total else 0.0
            out.append((name, acc, acc, acc))
        for name in FIELDS:
            s = self.fields[name]
            out.append((name, s.precision, s.recall, s.f1))
        ok, total = self.accuracy["international"]
        acc = ok / total if total else 0.0
        out.append(("international", acc, acc, acc))
        return out

    def as_dict(self) -> dict:
        return {name: {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}
                for name, p, r, f in self.rows()}


class NameKey:
    """Names as the graph sees them: curated entity id, or the normalised name."""

    def __init__(self, lexicon: Lexicon):
        self.lexicon = lexicon

    def __call__(self, name: str, cls: str | None = None) -> str:
        entry = self.lexicon.resolve(name, cls)
        return f"{entry.cls}:{entry.id}" if entry else canonical_key(name)


def predicted_names(extraction: Extraction, event: Event, key: NameKey) -> dict[str, set[str]]:
    def names(ids: list[str], cls: str) -> set[str]:
        out = set()
        for i in ids:
            record = extraction.entities.get(i)
            out.add(key(record.name, cls) if record else i)
        return out

    return {
        "organizations": names(event.organizations, "Organization"), "people": names(event.people, "Person"),
        "places": names(event.places, "Place"),
        "documents": {canonical_key(strip_title_marks(extraction.entities[d].name)) for d in event.documents
                      if d in extraction.entities},
    }


def gold_names(gold: GoldEvent, key: NameKey) -> dict[str, set[str]]:
    return {
        "organizations": {key(n, "Organization") for n in gold.organizations},
        "people": {key(n, "Person") for n in gold.people},
        "places": {key(n, "Place") for n in gold.places},
        "documents": {canonical_key(strip_title_marks(d)) for d in gold.documents},
    }


Scope = dict[str, list[tuple[int, int]]]


def load_scope(gold_path: Path, gold: list[GoldEvent]) -> Scope:
    """The line ranges the gold set covers: ``<name>.scope.json`` beside it, else first to last line."""
    path = Path(gold_path).with_suffix(".scope.json")
    if path.is_file():
        try:
            return {doc: [tuple(r) for r in ranges] for doc, ranges in json.loads(path.read_text("utf-8")).items()}
        except (json.JSONDecodeError, TypeError, ValueError) as exc:
            raise KGError(f"{path}: not a scope file ({{file: [[first, last], …]}}): {exc}") from None
    scope: Scope = {}
    for g in gold:
        lo, hi = scope.get(g.doc, [(g.line, g.line)])[0]
        scope[g.doc] = [(min(lo, g.line), max(hi, g.line))]
    return scope


def evaluate(gold: list[GoldEvent], extraction: Extraction, lexicon: Lexicon | None = None,
             scope: Scope | None = None) -> Report:
    key = NameKey(lexicon or Lexicon.load())
    report = Report()
    scope = scope or load_scope(Path("-"), gold)
    predicted = defaultdict(list)
    for e in extraction.events:
        if any(lo <= e.source.line <= hi for lo, hi in scope.get(e.source.doc, ())):
            predicted[(e.source.doc, e.source.line)].append(e)
    gold_by_line = defaultdict(list)
    for g in gold:
        gold_by_line[(g.doc, g.line)].append(g)
    for where in sorted(set(gold_by_line) | set(predicted)):
        golds, preds = list(gold_by_line.get(where, [])), list(predicted.get(where, []))
        for g in golds:
            best = max(preds, key=lambda p: ((p.date_start, p.date_end) == (g.date_start, g.date_end),
                                             p.type == g.type), default=None)
            if best is None:
                report.detection.fn += 1
                report.misses.append(f"missed   {g.doc}:{g.line} {g.date_start} {g.type} {g.text[:40]}")
                continue
            preds.remove(best)
            report.detection.tp += 1
            _score_pair(report, g, best, extraction, key)
        for p in preds:
            report.detection.fp += 1
            report.misses.append(f"spurious {p.source.doc}:{p.source.line} {p.date_start} {p.type} {p.label[:40]}")
    return report


def _score_pair(report: Report, g: GoldEvent, p: Event, extraction: Extraction, key: NameKey) -> None:
    where = f"{g.doc}:{g.line}"
    checks = {
        "date": (p.date_start, p.date_end) == (g.date_start, g.date_end),
        "type": p.type == g.type,
        "international": p.international == g.international,
    }
    for name, ok in checks.items():
        report.accuracy[name][0] += ok
        report.accuracy[name][1] += 1
        if not ok:
            got = {"date": f"{p.date_start}/{p.date_end}", "type": p.type, "international": p.international}[name]
            want = {"date": f"{g.date_start}/{g.date_end}", "type": g.type, "international": g.international}[name]
            report.misses.append(f"{name:<8} {where} got {got}, want {want}")
    pred, want = predicted_names(extraction, p, key), gold_names(g, key)
    for name in FIELDS:
        s = report.fields[name]
        s.tp += len(pred[name] & want[name])
        s.fp += len(pred[name] - want[name])
        s.fn += len(want[name] - pred[name])
        if pred[name] != want[name]:
            report.misses.append(f"{name[:8]:<8} {where} extra {sorted(pred[name] - want[name])} "
                                 f"missing {sorted(want[name] - pred[name])}")


def extract_gold_documents(gold: list[GoldEvent], corpus_dir: Path) -> Extraction:
    """Run the extractor over just the corpus files the gold set annotates."""
    wanted = {g.doc for g in gold}
    extractor = Extractor()
    entries = [e for e in load_manifest(corpus_dir).documents if e.file in wanted]
    missing = wanted - {e.file for e in entries}
    if missing:
        raise KGError(f"gold refers to files not in the corpus manifest: {', '.join(sorted(missing))}")
    for entry in entries:
        extractor.add_document(entry, read_text(Path(corpus_dir) / entry.file))
    return extractor.finish()


def jieba_baseline(gold: list[GoldEvent], lexicon: Lexicon | None = None) -> dict:
    """jieba's POS tags on the gold sentences: nt/nr/ns as names, t as the date."""
    import jieba.posseg as pseg

    key = NameKey(lexicon or Lexicon.load())
    scores = {name: Score() for name in ("organizations", "people", "places")}
    dates = [0, 0]
    tags = {"nt": "organizations", "nr": "people", "ns": "places"}
    for g in gold:
        found = defaultdict(set)
        date_text, in_date = "", None
        for word, flag in pseg.cut(g.text):
            if flag in tags:
                found[tags[flag]].add(key(word, {"organizations": "Organization", "people": "Person",
                                                  "places": "Place"}[tags[flag]]))
            # the first run of time/number tokens is the baseline's date ("1月" "6日")
            if flag in ("t", "m") and in_date is not False:
                date_text, in_date = date_text + word, True
            elif in_date:
                in_date = False
        want = gold_names(g, key)
        for name, s in scores.items():
            s.tp += len(found[name] & want[name])
            s.fp += len(found[name] - want[name])
            s.fn += len(want[name] - found[name])
        parsed = find_dates(date_text)
        value = resolve(parsed[0], int(g.date_start[:4])) if parsed else None
        dates[0] += bool(value and (value.start, value.end) == (g.date_start, g.date_end))
        dates[1] += 1
    out = {name: {"precision": round(s.precision, 4), "recall": round(s.recall, 4), "f1": round(s.f1, 4)}
           for name, s in scores.items()}
    acc = dates[0] / dates[1] if dates[1] else 0.0
    out["date"] = {"precision": round(acc, 4), "recall": round(acc, 4), "f1": round(acc, 4)}
    return out


TARGETS = {"events": 0.97, "date": 0.98, "type": 0.92, "organizations": 0.92, "people": 0.95,
           "places": 0.90, "documents": 0.97}


def render(report: Report, baseline: dict | None, worst: int = 15) -> str:
    lines = [f"{'':<14}{'precision':>10}{'recall':>10}{'F1':>10}{'target':>8}{'jieba F1':>10}"]
    for name, p, r, f in report.rows():
        target = TARGETS.get(name)
        base = baseline.get(name, {}).get("f1") if baseline else None
        lines.append(f"{name:<14}{p:>10.3f}{r:>10.3f}{f:>10.3f}"
                     f"{(f'{target:.2f}' if target else '-'):>8}{(f'{base:.3f}' if base is not None else '-'):>10}")
    if report.misses and worst:
        lines.append("")
        lines.append(f"worst misses ({min(worst, len(report.misses))} of {len(report.misses)}):")
        lines += ["  " + m for m in report.misses[:worst]]
    return "\n".join(lines)


def below_targets(report: Report) -> list[str]:
    return [f"{name} F1 {f:.3f} < {TARGETS[name]:.2f}" for name, _, _, f in report.rows()
            if name in TARGETS and f < TARGETS[name]]


def dump(report: Report) -> str:
    return json.dumps(report.as_dict(), ensure_ascii=False, indent=2)
