"""The spaCy pipeline on real sentences of the corpus."""


def mentions(nlp, text):
    return [(m.label, m.text, m.entity_id) for m in nlp(text)._.mentions]


def test_pipeline_is_blank_chinese_with_jieba_and_rule_components(nlp):
    assert nlp.lang == "zh"
    assert nlp.pipe_names == ["ipkg_entities", "ipkg_event_frames"]
    assert type(nlp.tokenizer).__name__ == "JiebaTokenizer"


def test_organisations_and_people_with_titles(nlp):
    found = mentions(nlp, "4月27日，李强总理会见世界知识产权组织总干事邓鸿森。")
    assert ("ORG", "世界知识产权组织", "wipo") in found
    people = {text for label, text, _ in found if label == "PERSON"}
    assert people == {"李强", "邓鸿森"}


def test_foreign_names_and_offices_the_lexicon_may_not_know(nlp):
    text = "同日，申长雨局长与来华出席第十二届中国知识产权年会的非洲知识产权组织总干事德尼斯·卢克·博乌苏、埃塞俄比亚知识产权局局长乌尔都·耶莫索·巴拉基分别举行会谈。"
    found = mentions(nlp, text)
    people = {t for label, t, _ in found if label == "PERSON"}
    orgs = {t for label, t, _ in found if label == "ORG"}
    assert {"申长雨", "德尼斯·卢克·博乌苏", "乌尔都·耶莫索·巴拉基"} <= people
    assert {"非洲知识产权组织", "埃塞俄比亚知识产权局"} <= orgs


def test_venue_written_as_one_character(nlp):
    found = mentions(nlp, "5月24日，申长雨局长与俄罗斯联邦知识产权局局长尤里·祖博夫在京举行局长会议。")
    assert any(label == "GPE" and text == "京" for label, text, _ in found)
    assert any(label == "PERSON" and text == "尤里·祖博夫" for label, text, _ in found)


def test_names_inside_titles_are_not_participants(nlp):
    found = mentions(nlp, "4月14日，《国家知识产权局关于组织开展2023年“知识产权服务万里行”活动的通知》印发。")
    assert [label for label, _, _ in found] == ["DATE", "TITLE"]


def test_traditional_script_resolves_to_the_same_entity_and_keeps_the_text(nlp):
    doc = nlp("4月27日，李強總理會見世界智慧財產權組織總幹事鄧鴻森。")
    orgs = [m for m in doc._.mentions if m.label == "ORG"]
    assert orgs and orgs[0].entity_id == "wipo"
    assert orgs[0].text == "世界智慧財產權組織"  # as written
    assert doc.text.startswith("4月27日，李強總理")


def test_event_frames_get_type_and_anchor(nlp):
    doc = nlp("7月24日，中国—中亚知识产权合作论坛在新疆乌鲁木齐成功举办。同日，首届中国—中亚知识产权局局长会议举行。")
    assert [(e.type, e.anchor.text) for e in doc._.events] == [("Meeting", "7月24日"), ("Meeting", "同日")]


def test_statistics_are_not_events(nlp):
    doc = nlp("2022年，专利密集型产业增加值达到15.3万亿元，占GDP比重增至12.7%。")
    assert doc._.events == []


def test_meeting_series_with_ordinal(nlp):
    doc = nlp("6月12日至15日，第十六次中美欧日韩知识产权五局合作局长系列会议在美国召开，申长雨局长率团出席。")
    (frame,) = doc._.events
    assert [(s.series_id, s.ordinal) for s in frame.series][:1] == [("ip5-heads", 16)]
