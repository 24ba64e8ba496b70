"""Property-based tests for the date normaliser and the text cleaner."""

import datetime as dt
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from kg.clean import normalize_line, sentences, split_sentences
from kg.dates import chinese_number, find_dates, resolve

DIGITS = "〇一二三四五六七八九"


def as_chinese(n: int) -> str:
    """10 -> 十, 23 -> 二十三 (the way dates are written)."""
    tens, ones = divmod(n, 10)
    return (("" if tens == 1 else DIGITS[tens]) + "十" if tens else "") + (DIGITS[ones] if ones else "")


@settings(max_examples=300)
@given(st.dates(min_value=dt.date(1980, 1, 1), max_value=dt.date(2099, 12, 31)), st.booleans(), st.booleans())
def test_any_written_date_normalises_to_itself(day, chinese, spaced):
    if chinese:
        text = "".join(DIGITS[int(c)] for c in str(day.year)) + f"年{as_chinese(day.month)}月{as_chinese(day.day)}日"
    else:
        text = f"{day.year}年{day.month}月{day.day}日"
    if spaced:  # as the PDF converter writes it: "2 0 2 3 年 4 月 23 日"
        year, rest = text[:4], text[4:]
        text = normalize_line(" ".join(year) + re.sub(r"([年月日])", r" \1 ", rest))
    (found,) = find_dates("会议于" + text + "召开")
    assert resolve(found, default_year=2000).start == day.isoformat()


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2030, 12, 31)), st.integers(0, 40))
def test_ranges_end_after_they_start(day, length):
    end = day + dt.timedelta(days=length)
    text = f"{day.month}月{day.day}日至{'' if end.month == day.month else f'{end.month}月'}{end.day}日"
    value = resolve(find_dates(text)[0], default_year=day.year)
    assert value.start == day.isoformat()
    assert value.end == (end.isoformat() if length or end != day else value.end)


@given(st.integers(0, 199))
def test_chinese_numbers_round_trip(n):
    written = "〇" if n == 0 else ("一百" + ("零" if 0 < n - 100 < 10 else "") + as_chinese(n - 100) if n >= 100 else as_chinese(n))
    assert chinese_number(written) == n


@given(st.text(alphabet=st.sampled_from(list("知识产权局会议在京召开，。；！ 12月日\n#CNIPA“”")), max_size=200))
def test_cleaner_never_loses_or_invents_body_text(raw):
    out = list(sentences(raw, "x.txt"))
    lines = raw.splitlines()
    for s in out:
        assert 1 <= s.line <= len(lines)
        assert s.text.strip() == s.text and s.text
    joined = "".join(s.text for s in out)
    assert all(ch in raw for ch in joined.replace(" ", ""))


@given(st.text(max_size=300))
def test_split_sentences_covers_the_text(text):
    parts = split_sentences(text)
    assert "".join(t for _, t in parts).replace(" ", "") == "".join(
        t for _, t in split_sentences(text)).replace(" ", "")
    for start, part in parts:
        assert text[start:start + len(part)] == part
