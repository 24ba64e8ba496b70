"""How sentences become records: event frames from the spaCy pipeline -> pydantic records.

Per document: clean and split into sentences (:mod:`kg.clean`), run the pipeline over them
in batches (``nlp.pipe``), then for each event frame resolve its date (report year, 同日),
its participants (:mod:`kg.resolve`) and its documents, and record where it was read.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from spacy.language import Language

from kg.clean import Sentence, sentences
from kg.corpus import CorpusDocument, iter_documents
from kg.dates import DateValue, find_dates, resolve
from kg.lexicon import Lexicon
from kg.names import matchable, strip_title_marks
from kg.nlp import load_pipeline
from kg.nlp.entities import Mention as TextMention
from kg.nlp.events import EventFrame, classify, load_event_types, outside_titles
from kg.records import (
    Agreement,
    Document,
    Event,
    Extraction,
    MeetingSeries,
    Mention,
    Person,
    PersonRole,
    Provenance,
    SourceDocument,
)
from kg.resolve import EntityRegistry

SELF_REFERENCES = {"我局", "本局", "我署", "本署"}
_SELF_AS_SUBJECT = re.compile(r"^[，,]\s*局(?![长党机属])")
_YEAR_IN_SECTION = re.compile(r"(19|20)\d{2}")
_VENUE_BEFORE = re.compile(r"(在|赴|于|到|至|抵|访问|前往|飞赴)$")
_TO_CHINA = re.compile(r"来华|访华|在华举[行办]")
_NAME_CONTINUES = re.compile(
    r"^[\u3400-\u9fff“”\"·（）()—-]{0,22}?(论坛|会议|大会|博览会|交易会|年会|研讨会|研修班|峰会|展览会|交流会|"
    r"活动|周|会|赛|奖|项目|试点|平台|系统|中心|基地|示范区|合作|机制)"
)
_ABBREVIATION = re.compile(r"^[（(](?:以下)?(?:简称|英文简称)?[“\"]?([A-Za-z0-9]{2,12}|[\u4e00-\u9fff]{2,8})[”\"]?[）)]")
_SHORT_TITLE = re.compile(r"《([^《》]+)》[（(](?:以下)?简称(?:为)?《([^《》]+)》[）)]")
_DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]{2,10}[〔\[［(（]\s*(?:19|20)\d{2}\s*[〕\]］)）]\s*\d{1,4}\s*号")
_ISSUER_PREFIX = re.compile(r"^(.{2,30}?)关于")
_STUDIED = re.compile(r"(学习|贯彻|传达|落实|领会|宣传|重温)[^，。；]{0,12}$")
_TOPIC_BEFORE = re.compile(r"就[^，。；：]*$")
_EVENT_NAME_TAIL = re.compile(r"^[\u4e00-\u9fff“”]{0,12}?(吹风会|发布会|会议|论坛|研讨会|座谈会|交流会|年会|大会)")
_VERB = re.compile(r"出席|参加|举行|召开|举办|率|与")
_STUDY = re.compile(r"学习|贯彻|传达|落实|领会|按照|根据|重温")
_DIRECTIVE_AFTER = re.compile(
    r"^[\u4e00-\u9fff、和与及“”—]{0,40}?(决策部署|重要讲话|讲话精神|讲话要求|重要指示|指示精神|批示|贺信精神|重要论述|会议精神|全会精神|精神)")


class Extractor:
    """Reads documents into an :class:`Extraction`, resolving entities across documents."""

    def __init__(self, nlp: Language | None = None, lexicon: Lexicon | None = None, batch_size: int = 64):
        self.nlp = nlp or load_pipeline()
        self.lexicon = lexicon or Lexicon.load()
        self.registry = EntityRegistry(self.lexicon)
        self.result = Extraction()
        self.batch_size = batch_size
        self.series_used: set[str] = set()
        # Called with the finished events and mentions every ``flush_every`` events, so a huge
        # document is written out as it is read instead of held whole (see kg.build).
        self.flush_hook: Callable[[Extraction], None] | None = None
        self.flush_every = 2000
        self._event_types = load_event_types()
        self._mention_count: Counter[tuple[str, int]] = Counter()

    # -- public --------------------------------------------------------------------------
    def add_corpus(self, corpus_dir: Path, progress=None) -> Extraction:
        for entry, text in iter_documents(corpus_dir):
            self.add_document(entry, text)
            if progress is not None:
                progress(entry)
        return self.finish()

    def add_document(self, entry: CorpusDocument, text: str) -> None:
        self.result.sources.append(SourceDocument(
            id=f"source/{entry.stem}", file=entry.file, title=entry.title, title_en=entry.title_en,
            year=entry.year, publisher=entry.publisher, kind=entry.kind,
            date=entry.date.isoformat() if entry.date else None,
        ))
        publisher = self.registry.resolve(entry.publisher, "Organization")
        previous: DateValue | None = None
        per_line: Counter[int] = Counter()
        current: tuple[Event, int] | None = None  # the last event and its paragraph
        headline = None  # a news article's first sentence with a trigger, in case it has no dated one
        items = sentences(text, entry.file)
        pairs = self.nlp.pipe(((s.text, s) for s in items), batch_size=self.batch_size, as_tuples=True)
        for doc, sentence in pairs:
            self._definitions(doc.text, doc._.mentions)
            year = _section_year(sentence) or entry.year
            if entry.kind == "news" and headline is None and not per_line:
                event_type, trigger = classify(self._event_types, outside_titles(doc.text), doc.text)
                if trigger is not None:
                    headline = (sentence, doc, event_type, trigger)
            if not doc._.events and current and current[1] == sentence.paragraph \
                    and current[0].precision == "day":
                # An undated sentence that goes on about the event before it. Only after a
                # day-dated entry: chronicle entries are one event per paragraph, while a
                # month-dated paragraph of a narrative chapter moves on to other matters.
                self._add_participants(current[0], doc._.mentions, doc.text, publisher)
                continue
            current = None
            for frame in doc._.events:
                date = resolve(frame.anchor.date, year, previous)
                if date is None:
                    continue
                previous = date
                per_line[sentence.line] += 1
                event_id = f"event/{entry.stem}-L{sentence.line}-{per_line[sentence.line]}"
                event = self._event(event_id, frame, date, sentence, doc.text, publisher)
                self.result.events.append(event)
                current = (event, sentence.paragraph)
            if self.flush_hook is not None and len(self.result.events) > self.flush_every:
                self._flush_finished()
        if entry.kind == "policy_notice":
            notice = self._notice_event(entry, text, publisher)
            if notice is not None:
                self.result.events.append(notice)
        elif entry.kind == "news" and not per_line and headline is not None and entry.date:
            # A news article reports one event; undated in its text, it happened on the article's date.
            self.result.events.append(self._news_event(entry, publisher, *headline))

    def _flush_finished(self) -> None:
        """Hand over every event but the last (a following sentence may still add to it)."""
        done = Extraction(events=self.result.events[:-1], mentions=self.result.mentions)
        self.flush_hook(done)
        self.result.events = self.result.events[-1:]
        self.result.mentions = []

    def finish(self) -> Extraction:
        """Close the records: every entity a record points to gets a record of its own."""
        series_records = {}
        for series in self.lexicon.series:
            series_id = f"series/{series.id}"
            if series_id in self.series_used:
                parties = [self.registry.resolve(self.lexicon.entries[p].zh, "Organization", self.lexicon.entries[p])
                           for p in series.parties if p in self.lexicon.entries]
                series_records[series_id] = MeetingSeries(
                    id=series_id, name=series.zh, name_en=series.en, curated=True, parties=parties)
        pending = list(self.registry.records.values())
        while pending:  # a city's province, a province's country, … each get a record
            record = pending.pop()
            before = len(self.registry.records)
            code = getattr(record, "country", None)
            country = self.lexicon.country_by_code.get(code) if code else None
            if country is not None:
                record.country_place = self.registry.resolve(country.zh, "Place", country)
            within = getattr(record, "within", None)
            if within and within.removeprefix("place/") in self.lexicon.entries:
                entry = self.lexicon.entries[within.removeprefix("place/")]
                self.registry.resolve(entry.zh, "Place", entry)
            if len(self.registry.records) > before:
                pending.extend(list(self.registry.records.values())[before:])
        self.result.entities = dict(sorted({**self.registry.records, **series_records}.items()))
        return self.result

    # -- events --------------------------------------------------------------------------
    def _event(self, event_id: str, frame: EventFrame, date: DateValue, sentence: Sentence,
               text: str, publisher: str) -> Event:
        source = Provenance(doc=sentence.doc, line=sentence.line, text=sentence.text)
        event = Event(
            id=event_id, type=frame.type, label=_label(frame), date_start=date.start, date_end=date.end,
            precision=date.precision, trigger=frame.trigger, source=source,
            international=any(code and code != "CN" for code in frame.countries_in_compounds),
        )
        if frame.series:
            event.series, event.ordinal = f"series/{frame.series[0].series_id}", frame.series[0].ordinal
            self.series_used.add(event.series)
        if _SELF_AS_SUBJECT.match(text[frame.anchor.end:]):  # "1月3日，局印发…" in the office's own report
            event.organizations.append(publisher)
        if _TO_CHINA.search(frame.text):  # "来华出席", "访华": the venue is China
            event.places.append(self.registry.resolve("中国", "Place"))
        trigger_at = text.find(frame.trigger, frame.anchor.end) if frame.trigger else len(text)
        self._add_participants(event, frame.mentions, text, publisher, trigger_at, frame.verb_at)
        return event

    def _add_participants(self, event: Event, mentions: list[TextMention], text: str, publisher: str,
                          trigger_at: int = 0, verb_at: int | None = None) -> None:
        """Add the names of a clause (the event's own, or a sentence that goes on about it).

        ``trigger_at``: where the trigger stands (organizations before it issue what the event
        issues); ``verb_at``: where the clause's first predicate stands."""
        source = Provenance(doc=event.source.doc, line=event.source.line, text=text)
        issuers, witnesses = [], []
        if event.organizations and trigger_at:
            issuers.append(event.organizations[0])
        for m in mentions:
            rid = None
            if m.label == "ORG":
                entry = self._entry(m, "Organization")
                if entry is not None and entry.is_mechanism:
                    event.international = event.international or entry.international
                    continue  # 中国—东盟: a mechanism, not a participant
                if _DIRECTIVE_AFTER.match(text[m.end:m.end + 48]) and _STUDY.search(text[:m.start]):
                    continue  # "落实党中央、国务院决策部署": their decisions are studied
                if _TOPIC_BEFORE.search(text[max(0, m.start - 20):m.start]):
                    continue  # "就两局合作及WIPO相关事宜深入交流": a topic, not a participant
                tail = _EVENT_NAME_TAIL.match(text[m.end:])
                if verb_at is not None and m.start > verb_at and tail and not _VERB.search(tail.group(0)):
                    continue  # "国务院新闻办公室举行…国务院政策例行吹风会": part of the event's name
                rid = publisher if m.text in SELF_REFERENCES else self.registry.resolve(m.text, "Organization", entry)
                _append(event.organizations, rid)
                if m.start < trigger_at:
                    _append(issuers, rid)
            elif m.label == "PERSON":
                if _STUDIED.search(text[max(0, m.start - 16):m.start]) or (
                        _DIRECTIVE_AFTER.match(text[m.end:m.end + 48]) and _STUDY.search(text[:m.start])):
                    continue  # "传达学习习近平主席…贺信精神": the speech is studied, he does not take part
                rid = self.registry.resolve(m.text, "Person", self._entry(m, "Person"))
                _append(event.people, rid)
                self._role(rid, text, m)
                if "见证" in text[m.end:m.end + 30]:
                    _append(witnesses, rid)
            elif m.label == "GPE":
                if self._is_event_place(text, m, mentions):
                    rid = self.registry.resolve(m.text, "Place", self._entry(m, "Place"))
                    _append(event.places, rid)
            elif m.label == "TITLE":
                rid = self.registry.find_document(m.text) or self.registry.document(
                    m.text, agreement=event.type == "Signing")
                _append(event.documents, rid)
                issuer = self._title_issuer(m.text)
                if issuer:
                    _append(event.organizations, issuer)
                    _append(issuers, issuer)
                if isinstance(self.registry.records[rid], Agreement):
                    for party in self._agreement_parties(m.text):
                        _append(event.organizations, party)
            if rid is not None:
                key = (source.doc, source.line)
                self._mention_count[key] += 1
                mention_id = f"mention/{source.doc.rsplit('.', 1)[0]}-L{source.line}-{self._mention_count[key]}"
                self.result.mentions.append(Mention(id=mention_id, entity=rid, text=m.text, source=source))
        event.international = event.international or any(
            getattr(self.registry.records[rid], "international", False)
            for rid in event.organizations + event.people + event.places)
        self._document_facts(event, issuers, witnesses)

    def _entry(self, m: TextMention, cls: str):
        entry = self.lexicon.entries.get(m.entity_id) if m.entity_id else None
        return entry if entry is not None and entry.cls == cls else None

    def _is_event_place(self, text: str, m: TextMention, others: list[TextMention]) -> bool:
        """A place counts as a venue (在/赴/于 before it, or after another venue: 在瑞士日内瓦),
        a co-host (新疆维吾尔自治区共建…), or a country named as a counterpart; a place
        word that begins a name (上海知识产权国际论坛) or a list of designated places does not."""
        if _VENUE_BEFORE.search(text[max(0, m.start - 2):m.start]):
            return True
        previous = [o for o in others if o.label == "GPE" and o.end == m.start]
        if previous and self._is_event_place(text, previous[0], others):
            return True  # 在瑞士日内瓦: the city after the country
        after = text[m.end:]
        if after.startswith(("共建", "共同", "联合")):
            return True
        entry = self.lexicon.entries.get(m.entity_id) if m.entity_id else None
        if entry is None or entry.kind not in ("country", "supranational") or entry.country == "CN":
            return False
        return not (_NAME_CONTINUES.match(after) and not re.match(r"^[，。、；和与及等]", after))

    def _role(self, person_id: str, text: str, m: TextMention) -> None:
        """Record "国家知识产权局局长申长雨" / "申长雨局长" as a role of the person."""
        record = self.registry.records[person_id]
        if not isinstance(record, Person):
            return
        for title in self.lexicon.titles:
            before = text[max(0, m.start - len(title.zh)):m.start]
            after = text[m.end:m.end + len(title.zh)]
            if before == title.zh or after == title.zh:
                org_text = text[max(0, m.start - len(title.zh) - 30):m.start - len(title.zh)] if before == title.zh else ""
                org_id = None
                if org_text:
                    entry = None
                    for size in range(min(len(org_text), 30), 1, -1):
                        entry = self.lexicon.resolve(org_text[-size:])
                        if entry and entry.cls == "Organization":
                            org_id = self.registry.resolve(org_text[-size:], "Organization", entry)
                            break
                role = PersonRole(title=title.zh, organization=org_id)
                if not any(r.title == role.title and (r.organization == role.organization or not role.organization)
                           for r in record.roles):
                    record.roles.append(role)
                return

    def _title_issuer(self, title: str) -> str | None:
        """The organization a title opens with: 《国务院关于…的决定》, 《国家知识产权局数据资源管理办法》."""
        title = strip_title_marks(title)
        m = _ISSUER_PREFIX.match(title)
        if m:
            entry = self.lexicon.resolve(m.group(1))
            if entry and entry.cls == "Organization":
                return self.registry.resolve(m.group(1), "Organization", entry)
        for size in range(min(len(title) - 2, 30), 1, -1):
            entry = self.lexicon.resolve(title[:size])
            if entry and entry.cls == "Organization" and not entry.is_mechanism:
                if title[size:size + 1] in ("与", "和"):  # "A与B谅解备忘录": parties, not an issuer
                    return None
                return self.registry.resolve(title[:size], "Organization", entry)
        return None

    def _agreement_parties(self, title: str) -> list[str]:
        """The organizations named in an agreement's title: 《A与B…谅解备忘录》."""
        inner = strip_title_marks(title)
        mentions = self.nlp.get_pipe("ipkg_entities").find(matchable(inner), inner)
        parties = []
        for m in mentions:
            entry = self._entry(m, "Organization")
            if m.label == "ORG" and not (entry and entry.is_mechanism):
                parties.append(self.registry.resolve(m.text, "Organization", entry))
        return parties

    def _document_facts(self, event: Event, issuers: list[str], witnesses: list[str]) -> None:
        for doc_id in event.documents:
            record = self.registry.records[doc_id]
            if event.type == "Issuance" and isinstance(record, Document):
                for issuer in issuers:
                    _append(record.issuers, issuer)
                record.date_issued = record.date_issued or event.date_start
            if event.type == "Signing" and isinstance(record, Agreement):
                for org in event.organizations:
                    _append(record.parties, org)
                for person in witnesses:
                    _append(record.witnesses, person)
                record.place = record.place or (event.places[0] if event.places else None)
                record.date_signed = record.date_signed or event.date_start

    # -- definitions in the text ---------------------------------------------------------
    def _definitions(self, text: str, mentions: list[TextMention]) -> None:
        """Abbreviations in brackets after a name, and short titles (以下简称《纲要》)."""
        for m in mentions:
            if m.label == "ORG":
                ab = _ABBREVIATION.match(text[m.end:m.end + 20])
                if ab:
                    self.registry.add_alias(self.registry.resolve(m.text, "Organization"), ab.group(1))
        for full, short in _SHORT_TITLE.findall(text):
            self.registry.document_short_name(short, self.registry.document(full))

    def _news_event(self, entry: CorpusDocument, publisher: str, sentence: Sentence, doc,
                    event_type: str, trigger: str) -> Event:
        event = Event(
            id=f"event/{entry.stem}-L{sentence.line}-1", type=event_type, label=doc.text.rstrip("。")[:80],
            date_start=entry.date.isoformat(), precision="day", trigger=trigger,
            source=Provenance(doc=entry.file, line=sentence.line, text=sentence.text),
        )
        self._add_participants(event, doc._.mentions, doc.text, publisher, doc.text.find(trigger))
        return event

    def _notice_event(self, entry: CorpusDocument, text: str, publisher: str) -> Event | None:
        """A policy notice is itself an issuance: its title, number, issuer and date."""
        lines = text.splitlines()
        number = next(((i, m.group(0)) for i, line in enumerate(lines, 1) if (m := _DOC_NUMBER.search(line))), None)
        date_line = None
        for i, line in enumerate(lines, 1):
            stripped = line.strip()
            found = find_dates(stripped)
            if found and found[0].start_char == 0 and found[0].end_char == len(stripped) and found[0].day:
                date_line = (i, resolve(found[0], entry.year))
                break
        date = date_line[1] if date_line else (
            DateValue(start=entry.date.isoformat(), precision="day") if entry.date else None)
        if date is None:
            return None
        notice_id = self.registry.document(entry.title)
        notice = self.registry.records[notice_id]
        documents = [notice_id]
        for inner in re.findall(r"《([^《》]+)》", entry.title):
            documents.append(self.registry.document(inner))
        for doc_id in documents:
            record = self.registry.records[doc_id]
            _append(record.issuers, publisher)
            record.date_issued = record.date_issued or date.start
        if number:
            notice.number = re.sub(r"\s+", "", number[1])
        line = number[0] if number else (date_line[0] if date_line else 1)
        return Event(
            id=f"event/{entry.stem}-notice", type="Issuance", label=entry.title, date_start=date.start,
            precision=date.precision, trigger="印发", organizations=[publisher], documents=documents,
            source=Provenance(doc=entry.file, line=line, text=lines[line - 1].strip() or entry.title),
        )


def _append(items: list, value) -> None:
    if value is not None and value not in items:
        items.append(value)


def _section_year(sentence: Sentence) -> int | None:
    m = _YEAR_IN_SECTION.search(sentence.section or "")
    return int(m.group(0)) if m and "年" in sentence.section else None


def _label(frame: EventFrame) -> str:
    text = frame.text[len(frame.anchor.text):].lstrip("，,、：: ")
    text = text.rstrip("。；;，, ")
    return text if len(text) <= 80 else text[:79] + "…"

