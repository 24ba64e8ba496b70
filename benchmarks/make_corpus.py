"""Make a corpus N times larger than corpus/: each copy shifts its years and renames its people.

    python benchmarks/make_corpus.py --scale 100 --out benchmarks/out/corpus-100

Copy k of a document reports on ``year - k % 25``: every written year is shifted the same way,
and every person the lexicon knows gets a new name of the same shape, so the copies add new
dated events and new people instead of repeating the same graph.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
from pathlib import Path

from kg.corpus import load_manifest, read_text
from kg.lexicon import Lexicon

ROOT = Path(__file__).resolve().parent.parent
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "明华强军平芳敏静丽伟磊洋勇艳杰涛超秀英霞刚"
YEAR = re.compile(r"(?<!\d)(19|20)(\d{2})(?=\s*年)")


def renamed(name: str, copy: int) -> str:
    """A different name of the same length for copy ``copy`` (copy 0 keeps the name)."""
    if copy == 0 or "·" in name:
        return name
    a, b = divmod(copy * 7 + sum(map(ord, name)), len(GIVEN))
    chars = [SURNAMES[(copy + ord(name[0])) % len(SURNAMES)], GIVEN[b], GIVEN[a % len(GIVEN)]]
    return "".join(chars[: len(name)])


def make(scale: int, out: Path, corpus: Path = ROOT / "corpus") -> Path:
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    people = sorted({e.zh for e in Lexicon.load().of_class("Person") if len(e.zh) in (2, 3)}, key=len, reverse=True)
    pattern = re.compile("|".join(map(re.escape, people)))
    docs = []
    for entry in load_manifest(corpus).documents:
        text = read_text(corpus / entry.file)
        for k in range(scale):
            shift = k % 25
            body = YEAR.sub(lambda m: str(int(m.group(0)) - shift), text)
            body = pattern.sub(lambda m: renamed(m.group(0), k), body)
            name = f"{Path(entry.file).stem}-{k:03d}.txt"
            (out / name).write_text(body, encoding="utf-8")
            data = json.loads(entry.model_dump_json(exclude_none=True))
            data.update(file=name, year=entry.year - shift)
            data.pop("date", None)
            docs.append(data)
    (out / "manifest.json").write_text(json.dumps({"documents": docs}, ensure_ascii=False, indent=1), encoding="utf-8")
    return out


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=100)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    path = make(args.scale, args.out or ROOT / f"benchmarks/out/corpus-{args.scale}")
    size = sum(p.stat().st_size for p in path.glob("*.txt"))
    print(f"{path}: {len(list(path.glob('*.txt')))} documents, {size / 1e6:.1f} MB")
