"""The ``ipkg_entities`` component: organisations, people, places, titles and dates.

Rules, in the order their spans win when they overlap:

1. ``TITLE``  a title in 《》 (a policy, law, agreement, report); nothing inside it is
   taken as a participant of the sentence;
2. ``DATE``   a date expression (see :mod:`kg.dates`);
3. lexicon names (``ORG``, ``PERSON``, ``GPE``) found with an Aho-Corasick automaton over
   every curated written form, in the simplified, punctuation-unified copy of the text;
4. patterns for names the lexicons do not know: an IP office or government named after a
   known place (``埃塞俄比亚知识产权局``, ``河南省人民政府``), and people next to a role
   title (``总干事邓鸿森``, ``申长雨局长``, ``伊朗总统莱希``).

Results go to ``doc._.mentions`` with exact character offsets and, for lexicon names, the
entity id; ``doc.ents`` holds the same spans aligned to tokens.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import ahocorasick
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import filter_spans

from kg.dates import PartialDate, find_dates
from kg.lexicon import Lexicon
from kg.names import matchable

LABEL_OF_CLASS = {"Organization": "ORG", "Person": "PERSON", "Place": "GPE"}
CJK_CHAR = r"[\u3400-\u9fff]"


@dataclass
class Mention:
    """A name or date found in a sentence, with exact character offsets."""

    start: int
    end: int
    label: str  # ORG, PERSON, GPE, TITLE, DATE
    text: str
    entity_id: str | None = None  # curated entity, when known
    date: PartialDate | None = None
    rule: str = ""

    def overlaps(self, other: "Mention") -> bool:
        return self.start < other.end and other.start < self.end


if not Doc.has_extension("mentions"):
    Doc.set_extension("mentions", default=None)

_TITLE = re.compile(r"《[^《》\n]{1,150}》")
# Names of doctrines are not mentions of the person they are named after.
_DOCTRINE = re.compile(r"[\u4e00-\u9fff]{2,3}(?:新时代中国特色社会主义思想|法治思想|外交思想|经济思想|文化思想|生态文明思想|强军思想|理论)")
# Bilateral commissions: 中法知识产权混委会, 中美知识产权工作组
_JOINT_BODY = "混委会|联委会|混合委员会|联合委员会|工作组|联合工作组"
# Agreements and texts named without 《》 after a verb of signing or adoption:
# "签署了EPOQUENet相关协议、两局2021年度合作计划和数据交换协议"
_DOC_SUFFIX = ("谅解备忘录|备忘录|协议|协定|联合声明|声明|工作计划|合作计划|计划|纪要|指南|规程|规则|名单|清单|宣言|框架|"
               "路线图|排名|排行榜|报告|草案|典型案例|指数")
# ... or as the subject of a clause that issues it: "，知识产权强国建设第四批典型案例发布。"
_UNBRACKETED_SUBJECT = re.compile(
    rf"(?:^|(?<=[，。；]))(?P<item>[^，。；：《》]{{2,40}}?(?:{_DOC_SUFFIX}))(?:正式|首次)?(?:发布|印发|公布|出台|提请)")
_UNBRACKETED_LIST = re.compile(r"(?:签署|续签|签订|草签|通过|发布|公布|交换|批准)了?(?P<items>[^，。；：《》]{2,80})")
_UNBRACKETED_ITEM = re.compile(rf"^(?![0-9一二两三四五六七八九十多若干]+[份项个部])[^、和及与]{{2,40}}?(?:{_DOC_SUFFIX})$")
_ORG_SUFFIX = (
    "知识产权局|知识产权厅|知识产权办公室|知识产权组织|知识产权署|知识产权中心|知识产权委员会|知识产权保护中心|"
    "专利商标局|专利局|商标局|工业产权局|工业产权组织|工业产权与技术转让局|版权局|知识产权和技术转让局|"
    "人民政府|人民法院|人民检察院|市场监督管理局|市场监管局|政府|议会|大使馆|领事馆|驻华使馆"
)
# an organisation named after a known place: place + (qualifier) + suffix
_ORG_TAIL = re.compile(rf"(?:[\u3400-\u9fff·]{{0,18}}?)(?:{_ORG_SUFFIX})")
# A verb between a place and an office means two phrases, not one name ("荷兰访问欧洲专利局").
_VERB_IN_NAME = re.compile(r"访问|参加|出席|会见|会谈|举行|召开|签署|考察|调研|率团|代表")
_NAME_STOP = set("的了在与和及并于为是对向从把被等各有会议举行席率团系列依次届第")
# Words that follow a title but are not names: "总干事分别举行", "局长非正式会晤"
_NOT_NAMES = ("分别", "非正式", "共同", "一行", "先后", "各自", "同志", "同时", "率团", "应邀", "出席", "参加",
              "贺信", "讲话", "指示", "批示", "致辞", "主持", "会见", "高度")
_AFTER_NAME = (
    r"(?=[，。、；：,;:（(\s]|$|一行|等|出席|在|与|和|及|并|率|会见|会晤|会谈|举行|致辞|致贺|表示|指出|"
    r"发表|主持|介绍|宣读|签署|见证|共同|分别|应邀|来华|访华|赴|就|为|作|讲|通过|参加|担任|作为|的)"
)
_COMMON_SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
    "申甘廖谷康易常葛牛尚温庞樊兰殷施洪单柴翟包文祝阎左焦鲁季俞储伍安倪苗柯卓景詹谈喻麦"
)


class EntityRecognizer:
    def __init__(self, lexicon: Lexicon):
        self.lexicon = lexicon
        self.automaton = ahocorasick.Automaton()
        for form, entry in lexicon.surface_forms():
            key = matchable(form)
            if len(key) < 2:  # one-character forms only count in context (在京)
                continue
            self.automaton.add_word(key, (key, entry.id))
        self.automaton.make_automaton()
        singles = {}
        for form, entry in lexicon.surface_forms():
            if len(form) == 1 and entry.cls == "Place":
                singles.setdefault(form, entry.id)
        self.context_single = singles
        self._single_re = (
            re.compile(rf"(?<=[在赴来抵返回于驻])({'|'.join(map(re.escape, singles))})(?={CJK_CHAR})")
            if singles else None
        )
        shorts = "".join(sorted(lexicon.country_by_short))
        self._joint_body = re.compile(
            rf"中[{shorts}]{{1,4}}(?:知识产权|专利|商标|工业产权)?(?:{_JOINT_BODY})") if shorts else None
        titles = sorted(lexicon.titles, key=lambda t: -len(t.zh))
        before = [t.zh for t in titles if t.position in ("before", "both")]
        after = [t.zh for t in titles if t.position in ("after", "both")]
        self._title_before = re.compile("|".join(map(re.escape, before))) if before else None
        self._title_after = re.compile("|".join(map(re.escape, after))) if after else None

    def __call__(self, doc: Doc) -> Doc:
        text = matchable(doc.text)
        mentions = self.find(text, doc.text)
        doc._.mentions = mentions
        spans = []
        for m in mentions:
            span = doc.char_span(m.start, m.end, label=m.label, alignment_mode="expand")
            if span is not None:
                if m.entity_id:
                    span.kb_id_ = m.entity_id
                spans.append(span)
        doc.ents = filter_spans(spans)
        return doc

    # -- finding ---------------------------------------------------------------------------
    def find(self, text: str, original: str) -> list[Mention]:
        candidates: list[tuple[int, Mention]] = []  # (priority, mention); lower wins
        for m in _TITLE.finditer(text):
            candidates.append((0, Mention(m.start(), m.end(), "TITLE", original[m.start():m.end()], rule="title")))
        candidates += [(0, m) for m in _unbracketed_titles(text, original)]
        candidates += [(0, Mention(m.start(), m.end(), "BLOCK", m.group(0), rule="doctrine")) for m in _DOCTRINE.finditer(text)]
        if self._joint_body:
            candidates += [(2, Mention(m.start(), m.end(), "ORG", original[m.start():m.end()], rule="joint-body"))
                           for m in self._joint_body.finditer(text)]
        for p in find_dates(text):
            candidates.append((1, Mention(p.start_char, p.end_char, "DATE", p.text, date=p, rule="date")))
        lexicon_hits = list(self._lexicon_hits(text, original))
        candidates += [(2, m) for m in lexicon_hits]
        # an office named after a place competes on length with the place name inside it
        candidates += [(2, m) for m in self._place_orgs(text, original, lexicon_hits)]
        candidates += [(3, m) for m in self._people(text, original)]
        return [m for m in _resolve_overlaps(candidates) if m.label != "BLOCK"]

    def _lexicon_hits(self, text: str, original: str):
        hits = self.automaton.iter(text) if len(self.automaton) else ()
        for end_index, (key, entity_id) in hits:
            start, end = end_index - len(key) + 1, end_index + 1
            if key.isascii() and (_is_word_char(text, start - 1) or _is_word_char(text, end)):
                continue  # "EPO" inside "EPOQUE" is not the EPO
            entry = self.lexicon.entries[entity_id]
            yield Mention(start, end, LABEL_OF_CLASS[entry.cls], original[start:end], entity_id, rule="lexicon")
        if self._single_re:
            for m in self._single_re.finditer(text):
                entity_id = self.context_single[m.group(1)]
                yield Mention(m.start(1), m.end(1), "GPE", original[m.start(1):m.end(1)], entity_id, rule="lexicon-context")

    def _place_orgs(self, text: str, original: str, hits: list[Mention]):
        """An office or government named after a known place: 埃塞俄比亚知识产权局."""
        for hit in hits:
            if hit.label != "GPE" or text[hit.start - 1:hit.start] == "—":
                continue
            if self.lexicon.entries[hit.entity_id].kind in ("region", None):
                continue
            tail = _ORG_TAIL.match(text, hit.end)
            if tail and not any(ch in _NAME_STOP for ch in tail.group(0)[:-2]) \
                    and not _VERB_IN_NAME.search(tail.group(0)):
                end = tail.end()
                yield Mention(hit.start, end, "ORG", original[hit.start:end], rule="place-org")

    def _people(self, text: str, original: str):
        """People written next to a role title: 总干事邓鸿森, 申长雨局长, 伊朗总统莱希."""
        if self._title_before:
            for t in self._title_before.finditer(text):
                name = _name_after(text, t.end(), foreign=_foreign_context(text, t.start(), self.lexicon))
                if name:
                    s, e = name
                    yield Mention(s, e, "PERSON", original[s:e], rule="title-before")
        if self._title_after:
            for t in self._title_after.finditer(text):
                name = _name_before(text, t.start())
                if name:
                    s, e = name
                    yield Mention(s, e, "PERSON", original[s:e], rule="title-after")


def _unbracketed_titles(text: str, original: str):
    for m in _UNBRACKETED_SUBJECT.finditer(text):
        if not re.match(r"^[0-9一二两三四五六七八九十]+[份项个部]", m.group("item")):
            yield Mention(m.start("item"), m.end("item"), "TITLE", original[m.start("item"):m.end("item")],
                          rule="unbracketed-subject")
    for m in _UNBRACKETED_LIST.finditer(text):
        start = m.start("items")
        for part in re.split(r"([、和及与])", m.group("items")):
            stripped = part.strip()
            if part not in "、和及与" and _UNBRACKETED_ITEM.match(stripped):
                s = start + part.index(stripped)
                yield Mention(s, s + len(stripped), "TITLE", original[s:s + len(stripped)], rule="unbracketed-title")
            start += len(part)


def _is_word_char(text: str, i: int) -> bool:
    return 0 <= i < len(text) and text[i].isascii() and text[i].isalnum()


def _foreign_context(text: str, title_start: int, lexicon: Lexicon) -> bool:
    """Is the title preceded by a foreign country or organisation (伊朗总统, 欧盟驻华大使)?"""
    window = text[max(0, title_start - 12):title_start]
    for size in range(min(len(window), 12), 1, -1):
        for start in range(len(window) - size + 1):
            entry = lexicon.resolve(window[start:start + size])
            if entry and entry.international:
                return True
    return "驻华" in window


_FOREIGN_NAME = re.compile(r"[\u3400-\u9fff]{1,8}(?:·[\u3400-\u9fff]{1,8})+")
_AFTER_NAME_RE = re.compile(_AFTER_NAME)


def _name_after(text: str, i: int, foreign: bool) -> tuple[int, int] | None:
    m = _FOREIGN_NAME.match(text, i)
    if m and _AFTER_NAME_RE.match(text, m.end()):
        return m.start(), m.end()
    if i >= len(text):
        return None
    if not foreign and text[i] not in _COMMON_SURNAMES or text.startswith(_NOT_NAMES, i):
        return None
    sizes = (4, 3, 2) if foreign else (3, 2)
    for size in sizes:
        chunk = text[i:i + size]
        if len(chunk) == size and re.fullmatch(f"{CJK_CHAR}+", chunk) and not set(chunk) & _NAME_STOP:
            if _AFTER_NAME_RE.match(text, i + size):
                return i, i + size
    return None


_BEFORE_NAME = set("，。、；：,;:（(“\"与和及由同向对请邀")


def _name_before(text: str, title_start: int) -> tuple[int, int] | None:
    for size in (3, 2):
        s = title_start - size
        if s < 0:
            continue
        chunk = text[s:title_start]
        if not re.fullmatch(f"{CJK_CHAR}+", chunk) or chunk[0] not in _COMMON_SURNAMES or set(chunk) & _NAME_STOP:
            continue
        if s == 0 or text[s - 1] in _BEFORE_NAME:
            return s, title_start
    m = None
    for m in _FOREIGN_NAME.finditer(text, max(0, title_start - 20), title_start):
        pass
    if m and m.end() == title_start:
        return m.start(), m.end()
    return None


def _resolve_overlaps(candidates: list[tuple[int, Mention]]) -> list[Mention]:
    """Keep the best of overlapping mentions: higher priority first, then the longest."""
    chosen: list[Mention] = []
    for _, m in sorted(candidates, key=lambda c: (c[0], -(c[1].end - c[1].start), c[1].start)):
        if m.end <= m.start:
            continue
        if not any(m.overlaps(c) for c in chosen):
            chosen.append(m)
    return sorted(chosen, key=lambda m: m.start)


@Language.factory("ipkg_entities", default_config={})
def make_entity_recognizer(nlp: Language, name: str) -> EntityRecognizer:
    return EntityRecognizer(Lexicon.load())

