import pytest

from kg.dates import DateValue, chinese_number, find_dates, parse_iso, resolve


@pytest.mark.parametrize("text, year, start, end, precision", [
    ("1月6日，全国知识产权局局长会议在京召开", 2023, "2023-01-06", None, "day"),
    ("6月12日至15日，第十六次中美欧日韩知识产权五局合作局长系列会议在美国召开", 2023, "2023-06-12", "2023-06-15", "day"),
    ("7月，申长雨局长率团赴瑞士出席", 2020, "2020-07", None, "month"),
    ("2023年3月23日", 2020, "2023-03-23", None, "day"),
    ("二〇二二年", 2023, "2022", None, "year"),
    ("10月26—28日,我局参加了商标五局年度会议", 2020, "2020-10-26", "2020-10-28", "day"),
    ("11—12月，中日韩三局合作", 2020, "2020-11", "2020-12", "month"),
    ("12月31日至1月2日", 2023, "2023-12-31", "2024-01-02", "day"),
    ("二〇二三年三月十五日", 2020, "2023-03-15", None, "day"),
])
def test_dates_are_normalised_to_iso(text, year, start, end, precision):
    value = resolve(find_dates(text)[0], default_year=year)
    assert (value.start, value.end, value.precision) == (start, end, precision)


def test_same_day_takes_the_previous_events_date():
    previous = DateValue(start="2023-07-24", precision="day")
    assert resolve(find_dates("同日，首届中国—中亚知识产权局局长会议举行")[0], 2023, previous).start == "2023-07-24"
    assert resolve(find_dates("同日，会议举行")[0], 2023, None) is None


@pytest.mark.parametrize("text", ["审查周期压减至16个月", "2月30日", "第十六次会议", "13月1日"])
def test_things_that_are_not_dates(text):
    assert find_dates(text) == []


def test_chinese_numbers():
    assert [chinese_number(s) for s in ["十六", "二十四", "三十一", "〇"]] == [16, 24, 31, 0]


def test_parse_iso_rejects_garbage():
    assert parse_iso("2023-07").month == 7
    with pytest.raises(ValueError):
        parse_iso("July 2023")
