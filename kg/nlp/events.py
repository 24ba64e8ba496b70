"""The ``ipkg_event_frames`` component: dated clauses become event frames.

An event frame is anchored on a date (or 同日) that opens a clause and stretches to the next
anchor or the end of the sentence. Its type comes from the first event type in
``kg/lexicon/event_types.yaml`` whose trigger occurs in the clause; its participants are
the names ``ipkg_entities`` found inside it. A clause opened by a day or month date counts
as an event even without a trigger (chronicle entries are events by construction); one
opened by a bare year needs a trigger (otherwise it is a statistic: "2022年，…增加值达到…").

Frames go to ``doc._.events``; years are resolved later, where the report year is known.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml
from spacy.language import Language
from spacy.tokens import Doc

from kg.lexicon import LEXICON_DIR, Lexicon
from kg.nlp.entities import Mention

if not Doc.has_extension("events"):
    Doc.set_extension("events", default=None)

# Triggers that name an event rather than predicate it; they do not mark the clause's verb.
NOUN_TRIGGERS = {"会议", "大会", "论坛", "交流会", "学习会", "党课", "研讨", "座谈", "专题学习", "集体学习"}

EVENT_TYPES = ("Meeting", "Signing", "Issuance", "Visit", "Launch", "PressConference", "Other")

# A date is not an event anchor when it bounds a period ("截至2023年底", "自5月1日起施行").
_NOT_ANCHOR_BEFORE = ("截至", "截止", "至", "到", "自", "从", "前", "以来", "起", "底", "末", "初", "是")
_NOT_ANCHOR_AFTER = re.compile(r"^(以来|以前|之前|前|后|之后|底|末|初|起|止|期间|上半年|下半年|全年|度|内|，?共[计有]?[0-9]|，?累计)")


@dataclass
class EventType:
    type: str
    triggers: list[str]
    requires_any: list[str] = field(default_factory=list)
    high: bool = False

    def first_trigger(self, text: str, context: str) -> tuple[int, str] | None:
        """``(position, trigger)`` of the earliest trigger in ``text`` (titles blanked out),
        if ``context`` allows this type."""
        if self.requires_any and not any(w in context for w in self.requires_any):
            return None
        found = [(text.find(t), -len(t), t) for t in self.triggers if t in text]
        if not found:
            return None
        position, _, trigger = min(found)
        return position, trigger


def classify(event_types: list[EventType], text: str, context: str) -> tuple[str, str | None]:
    """The type of a clause: a ``high`` trigger anywhere, else the earliest trigger.

    >>> types = load_event_types()
    >>> classify(types, "申长雨局长与WIPO总干事举行视频会谈，签署了合作协议", "")
    ('Meeting', '举行')
    >>> classify(types, "国务院新闻办公室举行新闻发布会", "")
    ('PressConference', '新闻发布会')
    """
    best = None
    for order, candidate in enumerate(event_types):
        hit = candidate.first_trigger(text, context or text)
        if hit is None:
            continue
        position, trigger = hit
        rank = (not candidate.high, position, -len(trigger), order)
        if best is None or rank < best[0]:
            best = (rank, candidate.type, trigger)
    return (best[1], best[2]) if best else ("Other", None)


def load_event_types(path: Path = LEXICON_DIR / "event_types.yaml") -> list[EventType]:
    return [EventType(**item) for item in yaml.safe_load(path.read_text(encoding="utf-8"))]


@dataclass
class SeriesMatch:
    series_id: str
    ordinal: int | None
    text: str


@dataclass
class EventFrame:
    """A dated clause: where it is, its anchor date, type, trigger and participants."""

    start: int
    end: int
    text: str
    anchor: Mention
    type: str
    trigger: str | None
    mentions: list[Mention]
    series: list[SeriesMatch] = field(default_factory=list)
    countries_in_compounds: list[str] = field(default_factory=list)  # ISO codes from 中法, 中美欧日韩
    verb_at: int | None = None  # offset in the sentence of the clause's first predicate

    def participants(self, label: str) -> list[Mention]:
        return [m for m in self.mentions if m.label == label]


class EventFrameBuilder:
    def __init__(self, lexicon: Lexicon, event_types: list[EventType]):
        self.lexicon = lexicon
        self.event_types = event_types
        shorts = "".join(sorted(lexicon.country_by_short))
        # "中法", "第33次中法", "中美欧日韩": China and its counterparts written by one character each
        self._compound = re.compile(
            rf"(?:(?<![\u3400-\u9fff])|(?<=[次届、，与和的]))中([{shorts}]{{1,5}})(?=[\u3400-\u9fff（(—])"
        ) if shorts else None

    def __call__(self, doc: Doc) -> Doc:
        mentions: list[Mention] = doc._.mentions or []
        text = doc.text
        anchors = [m for m in mentions if m.label == "DATE" and self._is_anchor(text, m)]
        frames = []
        for group in _date_lists(text, anchors):
            # "3月、7月和10月，…分别举行会谈": one event per date, all sharing the clause after the last
            last = group[-1]
            following = anchors[anchors.index(last) + 1:]
            end = following[0].start if following else len(text)
            frame = self._frame(text, last, end, mentions)
            if frame is None:
                continue
            for anchor in group[:-1]:
                frames.append(replace(frame, anchor=anchor, start=anchor.start))
            frames.append(frame)
        doc._.events = frames
        return doc

    def _is_anchor(self, text: str, m: Mention) -> bool:
        before = text[max(0, m.start - 2):m.start]
        if any(before.endswith(w) for w in _NOT_ANCHOR_BEFORE):
            return False
        if _NOT_ANCHOR_AFTER.match(text[m.end:m.end + 4]):
            return False
        opens_clause = m.start == 0 or text[m.start - 1] in "，。；、：,;:（( "
        if m.date.relative:
            return opens_clause
        if m.date.month is None:  # a bare year only opens a sentence
            return m.start == 0 and text[m.end:m.end + 1] in "，,"
        # inside a clause only "于/在 <date>" dates the clause ("于6月1日正式启动"); a date right after
        # a name dates something else ("重温习近平总书记2020年11月30日在…的讲话精神")
        in_list = text[max(0, m.start - 2):m.start] in ("月和", "日和", "月及", "日及")  # "3月、7月和10月"
        return opens_clause or in_list or text[max(0, m.start - 1):m.start] in ("于", "在")

    def _frame(self, text: str, anchor: Mention, end: int, mentions: list[Mention]) -> EventFrame | None:
        body = text[anchor.end:end]
        event_type, trigger = classify(self.event_types, outside_titles(body), body)
        strong = anchor.date.month is not None or anchor.date.relative is not None
        opens = anchor.start == 0 or text[anchor.start - 1] in "，。；,;"
        if trigger is None and not (strong and opens):
            return None
        if not strong and event_type == "Other":  # "2022年，…完成…": a yearly figure, not an event
            return None
        inside = [m for m in mentions if m.start >= anchor.end and m.end <= end and m.label != "DATE"]
        blanked = outside_titles(body)
        verbs = [blanked.find(t) for et in self.event_types for t in et.triggers
                 if t in blanked and t not in NOUN_TRIGGERS]
        frame = EventFrame(
            start=anchor.start, end=end, text=text[anchor.start:end].strip(), anchor=anchor,
            type=event_type, trigger=trigger, mentions=inside,
            verb_at=anchor.end + min(verbs) if verbs else None,
        )
        for series in self.lexicon.series:
            for m in series.regex.finditer(body):
                ordinal = m.groupdict().get("ordinal")
                frame.series.append(SeriesMatch(series.id, _ordinal(ordinal), m.group(0)))
        if self._compound:
            for m in self._compound.finditer(outside_titles(body)):
                for ch in m.group(1):
                    frame.countries_in_compounds.append(self.lexicon.country_by_short[ch].country)
        return frame


def _date_lists(text: str, anchors: list[Mention]) -> list[list[Mention]]:
    """Group anchors written as a list ("5月、9月，", "3月、7月和10月，")."""
    groups: list[list[Mention]] = []
    for anchor in anchors:
        if groups and re.fullmatch(r"[、和与及]", text[groups[-1][-1].end:anchor.start].strip()):
            groups[-1].append(anchor)
        else:
            groups.append([anchor])
    return groups


def outside_titles(text: str) -> str:
    """The text with titles blanked out, so words inside 《》 do not trigger anything."""
    return re.sub(r"《[^《》]*》", lambda m: "　" * len(m.group(0)), text)


def _ordinal(value: str | None) -> int | None:
    from kg.dates import chinese_number

    if not value:
        return None
    try:
        return chinese_number(value)
    except (ValueError, KeyError):
        return None


@Language.factory("ipkg_event_frames", default_config={})
def make_event_frame_builder(nlp: Language, name: str) -> EventFrameBuilder:
    return EventFrameBuilder(Lexicon.load(), load_event_types())
