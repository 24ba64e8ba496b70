"""The extraction scores against the gold set stay at or above their targets."""

from pathlib import Path

from kg.eval import (
    TARGETS,
    below_targets,
    evaluate,
    extract_gold_documents,
    jieba_baseline,
    load_gold,
    load_scope,
)

GOLD = Path(__file__).parent / "gold" / "dev.jsonl"


def test_development_set_meets_the_targets(corpus_dir):
    gold = load_gold(GOLD)
    report = evaluate(gold, extract_gold_documents(gold, corpus_dir), scope=load_scope(GOLD, gold))
    scores = report.as_dict()
    print({k: v["f1"] for k, v in scores.items()})
    assert below_targets(report) == [], scores
    assert set(TARGETS) <= set(scores)


def test_the_pipeline_beats_the_jieba_baseline(corpus_dir):
    gold = load_gold(GOLD)
    ours = evaluate(gold, extract_gold_documents(gold, corpus_dir), scope=load_scope(GOLD, gold)).as_dict()
    base = jieba_baseline(gold)
    for field in ("organizations", "people", "places"):
        assert ours[field]["f1"] > base[field]["f1"], field


HELDOUT = Path(__file__).parent / "gold" / "heldout.jsonl"


def test_held_out_set_meets_the_targets_too(corpus_dir):
    gold = load_gold(HELDOUT)
    report = evaluate(gold, extract_gold_documents(gold, corpus_dir), scope=load_scope(HELDOUT, gold))
    scores = {name: f for name, _, _, f in report.rows()}
    print(scores)
    assert all(scores[name] >= target for name, target in TARGETS.items()), scores
