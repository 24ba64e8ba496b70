"""The corpus: a folder of text files and a manifest describing each of them.

A document is added by dropping its file into the folder and adding an entry to
``manifest.json``. Reading a file checks that it is text and decodes UTF-8 or, failing
that, GB18030 (a superset of GBK/GB2312, the encodings older Chinese files use).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, ValidationError, model_validator

from kg.errors import KGError

MANIFEST_NAME = "manifest.json"

DocumentKind = Literal["annual_report", "development_report", "policy_notice", "news", "other"]


class CorpusDocument(BaseModel):
    """One manifest entry: a source file and what it is."""

    file: str
    title: str
    title_en: str | None = None
    year: int = Field(default=0, description="the year the document reports on (default: the date's year)")
    date: dt.date | None = Field(default=None, description="publication date, when known")
    publisher: str
    kind: DocumentKind
    language: str = "zh-Hans"

    @model_validator(mode="after")
    def _year_from_date(self) -> "CorpusDocument":
        """A news article gives its date; dates without a year in it take that year."""
        if not self.year and self.date:
            self.year = self.date.year
        if not 1949 <= self.year <= 2100:
            raise ValueError("give a year between 1949 and 2100 (or a date)")
        return self

    @property
    def stem(self) -> str:
        return Path(self.file).stem


class Manifest(BaseModel):
    documents: list[CorpusDocument]


def load_manifest(corpus_dir: Path) -> Manifest:
    """Read and check ``corpus_dir/manifest.json``; every listed file must exist."""
    corpus_dir = Path(corpus_dir)
    if not corpus_dir.is_dir():
        raise KGError(f"corpus folder not found: {corpus_dir}")
    path = corpus_dir / MANIFEST_NAME
    if not path.is_file():
        raise KGError(f"no {MANIFEST_NAME} in {corpus_dir}")
    try:
        manifest = Manifest.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise KGError(f"{path} is not valid JSON: {exc}") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise KGError(f"{path}: {where}: {first['msg']}") from None
    for doc in manifest.documents:
        if not (corpus_dir / doc.file).is_file():
            raise KGError(f"manifest lists {doc.file}, which is not in {corpus_dir}")
    return manifest


def decode_text(data: bytes, name: str = "input") -> str:
    """Decode the bytes of a source file, refusing binary data with a clear message.

    >>> decode_text("专利".encode("gbk"))
    '专利'
    """
    if not data.strip():
        raise KGError(f"{name} is empty")
    if b"\x00" in data[:65536]:
        raise KGError(f"{name} looks like a binary file, not text")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _looks_like_text(text):
            return text
    raise KGError(f"{name} is neither UTF-8 nor GBK/GB18030 text")


def _looks_like_text(text: str) -> bool:
    sample = text[:20000]
    control = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\n\r\t\f")
    return control <= len(sample) * 0.01


def read_text(path: Path) -> str:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise KGError(f"cannot read {path}: {exc.strerror}") from None
    return decode_text(data, path.name)


def iter_documents(corpus_dir: Path) -> Iterator[tuple[CorpusDocument, str]]:
    """Yield ``(entry, text)`` one document at a time, so the corpus is never held whole."""
    corpus_dir = Path(corpus_dir)
    for entry in load_manifest(corpus_dir).documents:
        yield entry, read_text(corpus_dir / entry.file)
