from conftest import REPORT_2020, REPORT_2023, corpus_lines

from kg.clean import normalize_line, sentences, split_sentences


def _sentences(name):
    return list(sentences("\n".join(corpus_lines(name)), name))


def test_sentence_broken_by_a_photo_caption_is_rejoined():
    # Line 310 of the 2023 report ends mid-name; a caption line and the page break separate
    # it from its tail "知识产权国际论坛在沪开幕。".
    found = [s for s in _sentences(REPORT_2023) if s.text.startswith("12月10日")]
    assert len(found) == 1
    assert found[0].line == 310
    assert found[0].text.endswith("第二十届上海知识产权国际论坛在沪开幕。")
    assert "在沪开幕第二十届" not in found[0].text


def test_sentence_broken_across_a_page_keeps_its_first_line():
    lines = corpus_lines(REPORT_2023)
    found = [s for s in _sentences(REPORT_2023) if s.text.startswith("1月12日")]
    assert found and found[0].line == 96
    assert lines[95].startswith("1月12日")
    follow = [s for s in _sentences(REPORT_2023) if "按照全国知识产权局局长会议要求" in s.text and s.line == 96]
    assert follow and "深入实施知识产权强国建设纲要和“十四五”规划" in follow[0].text


def test_page_furniture_and_captions_are_not_sentences():
    texts = [s.text for s in _sentences(REPORT_2023)]
    assert "GNIPA" not in texts and "2023" not in texts
    assert not any(t == "2023年全国知识产权局局长会议" for t in texts)  # a photo caption
    assert not any(t.startswith("国家知识产权局 2023 年度报告") for t in texts)


def test_stray_spaces_in_dates_are_removed():
    assert normalize_line("5 月，国家知识产权局代表中国政府与 WIPO 续签了") == "5月，国家知识产权局代表中国政府与WIPO续签了"
    texts = [s.text for s in _sentences(REPORT_2020) if s.text.startswith("5月，国家知识产权局")]
    assert texts, "the month-dated sentence of the 2020 cooperation chapter is found"


def test_every_sentence_points_at_a_line_holding_its_start():
    lines = corpus_lines(REPORT_2023)
    for s in _sentences(REPORT_2023)[:400]:
        original = normalize_line(lines[s.line - 1])
        assert s.text[:2] in original, (s.line, s.text[:20])


def test_split_keeps_closing_quotes_with_the_sentence():
    assert split_sentences("他说：“好。”然后走了。") == [(0, "他说：“好。”"), (7, "然后走了。")]
