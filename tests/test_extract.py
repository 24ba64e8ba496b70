"""Records extracted from the whole corpus."""

from conftest import NOTICE_2023, REPORT_2020, REPORT_2023


def events_at(extraction, doc, line):
    return [e for e in extraction.events if e.source.doc == doc and e.source.line == line]


def names(extraction, ids):
    return {extraction.entities[i].name for i in ids}


def test_wipo_anniversary_event_has_its_date_participants_and_follow_on_sentence(extraction):
    (event,) = events_at(extraction, REPORT_2023, 166)
    assert (event.date_start, event.type) == ("2023-04-26", "Meeting")
    assert "org/wipo" in event.organizations
    assert {"邓鸿森", "习近平", "丁薛祥"} <= names(extraction, event.people)  # from the sentence after it
    assert event.international


def test_general_assembly_in_geneva(extraction):
    (event, *_) = events_at(extraction, REPORT_2023, 204)
    assert event.date_start == "2023-07-06"
    assert "org/wipo" in event.organizations
    assert {"瑞士", "日内瓦"} <= {n.removesuffix("市") for n in names(extraction, event.places)}


def test_signing_witnessed_by_heads_of_state(extraction):
    (event,) = events_at(extraction, REPORT_2023, 118)
    assert event.type == "Signing" and event.date_start == "2023-02-14"
    (agreement_id,) = event.documents
    agreement = extraction.entities[agreement_id]
    assert type(agreement).__name__ == "Agreement" and agreement.kind == "谅解备忘录"
    assert names(extraction, agreement.witnesses) == {"习近平", "莱希"}
    assert agreement.date_signed == "2023-02-14"


def test_month_only_date_takes_the_report_year(extraction):
    renewals = [e for e in extraction.events if e.source.doc == REPORT_2020 and "续签" in e.source.text]
    assert renewals and renewals[0].date_start == "2020-05" and renewals[0].precision == "month"


def test_same_day_events_share_the_date(extraction):
    first, second = events_at(extraction, REPORT_2023, 218)
    assert first.date_start == second.date_start == "2023-07-24"
    assert first.id != second.id


def test_policy_notice_is_an_issuance_with_number_issuer_and_date(extraction):
    notice = next(e for e in extraction.events if e.source.doc == NOTICE_2023 and e.id.endswith("-notice"))
    assert notice.type == "Issuance" and notice.date_start == "2023-03-23"
    assert notice.organizations == ["org/cnipa"]
    docs = [extraction.entities[d] for d in notice.documents]
    assert any(d.number == "国知发运字〔2023〕7号" for d in docs)
    assert any(d.name == "推动知识产权高质量发展年度工作指引（2023）" for d in docs)


def test_policy_issued_by_the_state_council(extraction):
    (event,) = [e for e in events_at(extraction, REPORT_2023, 278)]
    assert event.type == "Issuance"
    doc = extraction.entities[event.documents[0]]
    assert doc.name == "专利转化运用专项行动方案（2023—2025年）" and doc.kind == "方案"
    assert "org/state-council" in doc.issuers


def test_short_title_defined_in_the_text_resolves_to_the_full_title(extraction):
    outline = [e for e in extraction.entities.values() if e.name == "知识产权强国建设纲要（2021—2035年）"]
    assert outline and "纲要" in outline[0].short_names


def test_ids_are_stable_across_runs(extraction):
    from conftest import CORPUS

    from kg.extract import Extractor

    again = Extractor().add_corpus(CORPUS)
    assert [e.id for e in again.events] == [e.id for e in extraction.events]
    assert set(again.entities) == set(extraction.entities)
