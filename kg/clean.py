"""Clean PDF-converted text and split it into sentences that remember where they came from.

What the converter leaves behind and how it is handled:

* page furniture (running heads such as ``# 2023``, ``国家知识产权局 2023 年度报告``,
  ``CNIPA``/``GNIPA``/``ENIPA``, page numbers, ``---``) is dropped;
* headings (``# 年度要事``, ``第八章 国际合作``, ``一、…``, ``（二）…``) end a paragraph and
  are kept as section titles;
* photo captions (a short line standing alone, without sentence punctuation) are skipped,
  and a sentence that a caption or a page break interrupts is joined up again;
* stray spaces inside Chinese text (``4 月 23 日``) are removed, full-width digits made ASCII.

Each :class:`Sentence` keeps the file name and the 1-based line its text starts on.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from pydantic import BaseModel

CJK = r"\u3400-\u9fff\uf900-\ufaff"
CJK_PUNCT = r"\u3000-\u303f\uff00-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65\u2014-\u201f\u2026\u00b7"
_SPACE_BETWEEN = re.compile(
    rf"(?<=[{CJK}{CJK_PUNCT}0-9A-Za-z%)）])[ \t\u00a0\u3000]+(?=[{CJK}{CJK_PUNCT}])"
    rf"|(?<=[{CJK}{CJK_PUNCT}])[ \t\u00a0\u3000]+(?=[0-9A-Za-z%(（])"
)
# The converter sometimes spaces out the digits of one number ("2 0 2 3"); spaces between a
# number and a CJK unit ("23 日") are handled above.
_SPACED_DIGITS = re.compile(r"(?<![\d.])\d(?: \d){2,}(?![\d.])")
_FULLWIDTH = str.maketrans(
    "０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ",
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
)

SENTENCE_END = "。！？!?；;…"
# A line that ends with one of these closes its paragraph; otherwise it may continue.
_CLOSERS = "”’」』）)】"
_FURNITURE = [
    re.compile(r"^#*\s*(19|20)\d{2}\s*$"),  # running head "# 2023"
    re.compile(r"^[A-Z]?[CGE]NIPA$"),  # logo text and its OCR variants
    re.compile(r"^[-–—_=*·•.\s]*$"),  # rules and bullets left alone
    re.compile(r"^\d{1,3}$"),  # page numbers
    re.compile(r"^.{0,24}(19|20)\d{2}\s*年\s*度?\s*报\s*告$"),  # "国家知识产权局 2023 年度报告"
    re.compile(r"^(年\s*\|?\s*度\s*\|?\s*报\s*告)$"),
    re.compile(r"^.{0,40}(ANNUAL REPORT|Intellectual\s*$|Property Administration)\s*\**$", re.I),
]
_HEADING = re.compile(
    r"^(#{1,6}\s*"  # markdown heading
    r"|第[一二三四五六七八九十百0-9]+[章节部分篇]\s*"
    r"|[一二三四五六七八九十]+、"
    r"|[（(][一二三四五六七八九十0-9]+[)）]\s*"
    r"|\d+(\.\d+)*[、．.]\s*[^\d]"
    r")"
)
_DATE_LEAD = re.compile(r"^((19|20)\d{2}\s*年\s*)?\d{1,2}\s*月")
_TOC_LINE = re.compile(r"\t\s*\d+\s*$|\.{4,}\s*\d+\s*$")
_MARKUP = re.compile(r"\*\*|__|^[-•·]\s+|^>\s*")


_ASCII_PUNCT = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！"}
_ASCII_PUNCT_IN_CJK = re.compile(rf"(?<=[{CJK}”）])[,;:?!]|[,;:?!](?=[{CJK}“（])")


def normalize_line(line: str) -> str:
    """Normalise one line: ASCII digits, no markup, no stray spaces inside Chinese text.

    >>> normalize_line("开放数据总量达 59 种，4 月 23 日")
    '开放数据总量达59种，4月23日'
    >>> normalize_line("WTO TRIPS 理事会")
    'WTO TRIPS理事会'
    >>> normalize_line("9月,申长雨局长参加会议;共1,000人")
    '9月，申长雨局长参加会议；共1,000人'
    """
    line = line.translate(_FULLWIDTH).replace("\ufeff", "")
    line = _MARKUP.sub("", line.strip())
    line = _SPACED_DIGITS.sub(lambda m: m.group(0).replace(" ", ""), line)
    line = _SPACE_BETWEEN.sub("", line)
    line = _ASCII_PUNCT_IN_CJK.sub(lambda m: _ASCII_PUNCT[m.group(0)], line)
    return line.strip()


class Sentence(BaseModel):
    """A sentence of a source document with the place it came from."""

    doc: str  # file name in the corpus
    line: int  # 1-based line of the original file where the sentence starts
    text: str
    section: str = ""  # the nearest heading above it
    paragraph: int = 0  # sentences of one paragraph share this number


@dataclass
class _Paragraph:
    pieces: list[tuple[int, str]] = field(default_factory=list)  # (line number, text)

    @property
    def text(self) -> str:
        return "".join(t for _, t in self.pieces)

    def is_open(self) -> bool:
        """Does the paragraph run on? A closing bracket or quote only ends it after 。！？
        ("…签署。”" ends, "…组织（WIPO）" runs on)."""
        text = self.text.rstrip().rstrip(_CLOSERS)
        return bool(text) and text[-1] not in SENTENCE_END


def is_furniture(line: str) -> bool:
    return any(p.match(line) for p in _FURNITURE)


def is_heading(raw: str, line: str) -> bool:
    return raw.lstrip().startswith("#") or bool(_HEADING.match(line)) and not _ends_sentence(line)


def _ends_sentence(text: str) -> bool:
    return bool(text) and text.rstrip(_CLOSERS)[-1:] in SENTENCE_END


def is_caption_like(line: str) -> bool:
    """A short line with no punctuation at all: a photo caption or an unmarked heading."""
    return (
        len(line) <= 40
        and not _ends_sentence(line)
        and not any(ch in line for ch in "，,：:；")
    )


def _classify(raw_lines: list[str]) -> list[tuple[int, str, str]]:
    """Label each non-empty line: ('body'|'heading'|'caption', line number, text)."""
    out = []
    for number, raw in enumerate(raw_lines, start=1):
        if raw.lstrip().startswith("|"):  # table rows carry figures, not events
            continue
        line = normalize_line(raw)
        if not line or is_furniture(line) or _TOC_LINE.search(line):
            continue
        if is_heading(raw, line):
            kind = "heading"
        elif is_caption_like(line) and not _DATE_LEAD.match(line):
            kind = "caption"
        else:
            kind = "body"
        out.append((kind, number, line.lstrip("# ").strip() if kind == "heading" else line))
    return out


def paragraphs(raw_lines: list[str]) -> Iterator[tuple[str, list[tuple[int, str]]]]:
    """Yield ``(section heading, pieces)`` for each paragraph, broken lines rejoined.

    A paragraph whose last line has no closing punctuation continues on the next body line,
    skipping captions and page furniture in between, unless that line starts a new dated
    entry or a heading intervenes.
    """
    lines = _classify(raw_lines)
    section = ""
    current = _Paragraph()
    i = 0
    while i < len(lines):
        kind, number, text = lines[i]
        if kind == "heading":
            if current.pieces:
                yield section, current.pieces
                current = _Paragraph()
            section = text
        elif kind == "caption":
            # A short line while a paragraph is open may be its continuation (a line broken
            # before a short tail) or a caption. It is a continuation when no other body
            # line follows that could continue the paragraph.
            if current.is_open() and not _next_body_continues(lines, i):
                current.pieces.append((number, text))
            elif not current.is_open() and current.pieces:
                yield section, current.pieces
                current = _Paragraph()
        else:
            if current.pieces and (not current.is_open() or _DATE_LEAD.match(text)):
                yield section, current.pieces
                current = _Paragraph()
            current.pieces.append((number, text))
        i += 1
    if current.pieces:
        yield section, current.pieces


def _next_body_continues(lines: list[tuple[int, str, str]], i: int) -> bool:
    for kind, _, text in lines[i + 1 : i + 4]:
        if kind == "heading":
            return False
        if kind == "body":
            return not _DATE_LEAD.match(text)
    return False


# Sentences end at 。！？…; a ； joins clauses of one sentence ("…会议通过《声明》；访问…，签署…").
_SPLIT = re.compile(rf"[{re.escape(SENTENCE_END.replace('；', '').replace(';', ''))}]+[{re.escape(_CLOSERS)}]*")


def split_sentences(text: str) -> list[tuple[int, str]]:
    """Split a paragraph into sentences; return ``(start offset, sentence)`` pairs.

    >>> split_sentences("会议在京召开。同日，论坛开幕。")
    [(0, '会议在京召开。'), (7, '同日，论坛开幕。')]
    """
    out, start = [], 0
    for m in _SPLIT.finditer(text):
        out.append((start, text[start : m.end()]))
        start = m.end()
    if start < len(text):
        out.append((start, text[start:]))
    return [(s, t) for s, t in out if t.strip()]


def sentences(raw_text: str, doc: str) -> Iterator[Sentence]:
    """Clean a whole document and yield its sentences in order."""
    for number, (section, pieces) in enumerate(paragraphs(raw_text.splitlines())):
        for sentence in _paragraph_sentences(pieces, doc, section):
            sentence.paragraph = number
            yield sentence


def _paragraph_sentences(pieces: Iterable[tuple[int, str]], doc: str, section: str) -> Iterator[Sentence]:
    offsets: list[tuple[int, int]] = []  # (start offset in paragraph, line number)
    text = ""
    for number, piece in pieces:
        if text and text[-1].isascii() and text[-1].isalnum() and piece[:1].isascii() and piece[:1].isalnum():
            text += " "
        offsets.append((len(text), number))
        text += piece
    for start, sentence in split_sentences(text):
        lead = len(sentence) - len(sentence.lstrip())
        line = next(n for off, n in reversed(offsets) if off <= start + lead)
        yield Sentence(doc=doc, line=line, text=sentence.strip(), section=section)
