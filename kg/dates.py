"""How dates are found in Chinese text and normalised to ISO 8601.

Two steps, kept apart because the second needs context the first does not have:

1. :func:`find_dates` reads a sentence and returns what is written, as a
   :class:`PartialDate` ("6月12日至15日" is month 6, days 12 to 15, year unknown;
   "同日" is "the same day as the previous event").
2. :func:`resolve` turns a partial date into a :class:`DateValue` with an ISO start, an
   optional end and a precision, taking the missing year from the report section and
   "同日" from the previous event.

>>> [resolve(p, default_year=2023).start for p in find_dates("6月12日至15日，会议召开")]
['2023-06-12']
>>> resolve(find_dates("二〇二二年三月")[0], default_year=2023).start
'2022-03'
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import Literal

from pydantic import BaseModel

Precision = Literal["day", "month", "year"]

_DIGITS = {"〇": 0, "零": 0, "○": 0, "Ｏ": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
           "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def chinese_number(text: str) -> int:
    """Read a number written in Arabic or Chinese numerals (up to the hundreds).

    >>> [chinese_number(s) for s in ["12", "十二", "二十三", "三十", "十", "二〇二三", "一百零五"]]
    [12, 12, 23, 30, 10, 2023, 105]
    """
    text = text.strip()
    if text.isdigit():
        return int(text)
    if "十" not in text and "百" not in text:  # digit by digit: 二〇二三
        return int("".join(str(_DIGITS[ch]) for ch in text))
    total, current = 0, 0
    for ch in text:
        if ch in _DIGITS:
            current = _DIGITS[ch]
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch == "百":
            total += (current or 1) * 100
            current = 0
        else:
            raise ValueError(f"not a number: {text!r}")
    return total + current


_CN = "〇零○一二三四五六七八九十两"
_YEAR = r"(?:(?:19|20)\d{2}|[〇零○一二三四五六七八九]{4})"
_MONTH = r"(?:1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])"
_DAY = r"(?:3[01]|[12]\d|0?[1-9]|三十一?|二十[一二三四五六七八九]?|十[一二三四五六七八九]?|[一二三四五六七八九])"
_SEP = r"(?:至|到|—{1,2}|–|-|－|~|～|―)"

_DATE = re.compile(
    rf"(?<![0-9{_CN}])"
    rf"(?:(?P<y>{_YEAR})年)?"
    rf"(?P<m>{_MONTH})(?:(?P<m_to>月?{_SEP}{_MONTH}))?月份?"
    rf"(?:(?P<d>{_DAY})[日号]?(?:{_SEP}(?:(?:(?P<y2>{_YEAR})年)?(?P<m2>{_MONTH})月)?(?P<d2>{_DAY})[日号])?"
    rf"|(?P<d_only>{_DAY})[日号](?=\s*[，,、起]))?"
    rf"|(?<![0-9{_CN}])(?P<y_only>{_YEAR})(?:年?{_SEP}(?P<y_only_to>{_YEAR}))?年(?![0-9{_CN}]*月|度|代|间|[0-9{_CN}])"
    r"|(?P<rel>同日|当日|当天|同一天|次日|翌日)"
)


class PartialDate(BaseModel):
    """A date as written: any part may be missing, and it may be relative."""

    text: str
    start_char: int
    end_char: int
    year: int | None = None
    month: int | None = None
    day: int | None = None
    end_year: int | None = None
    end_month: int | None = None
    end_day: int | None = None
    relative: Literal["same_day", "next_day"] | None = None


class DateValue(BaseModel):
    """A normalised date: ISO start, optional ISO end, and how precise it is."""

    start: str
    end: str | None = None
    precision: Precision

    def start_date(self) -> dt.date:
        parts = [int(p) for p in self.start.split("-")] + [1, 1]
        return dt.date(parts[0], parts[1], parts[2])


def find_dates(text: str) -> list[PartialDate]:
    """Every date expression in ``text``, in order, with impossible dates left out.

    >>> [(p.month, p.day, p.end_day) for p in find_dates("10月26—28日，我局参加了年度会议")]
    [(10, 26, 28)]
    >>> [p.relative for p in find_dates("同日，首届局长会议举行")]
    ['same_day']
    >>> find_dates("审查周期压减至16个月")
    []
    """
    out = []
    for m in _DATE.finditer(text):
        g = m.groupdict()
        try:
            partial = _partial_from_groups(g, m)
        except ValueError:
            continue
        if partial is not None and _possible(partial):
            out.append(partial)
    return out


def _num(value: str | None) -> int | None:
    return None if value is None else chinese_number(value)


def _partial_from_groups(g: dict, m: re.Match) -> PartialDate | None:
    base = {"text": m.group(0), "start_char": m.start(), "end_char": m.end()}
    if g["rel"]:
        relative = "same_day" if g["rel"] in ("同日", "当日", "当天", "同一天") else "next_day"
        return PartialDate(**base, relative=relative)
    if g["y_only"]:
        year = _num(g["y_only"])
        end_year = _num(g["y_only_to"])
        return PartialDate(**base, year=year, end_year=end_year)
    year, month = _num(g["y"]), _num(g["m"])
    if g["m_to"]:  # "1—3月": a span of months
        end_month = chinese_number(re.sub(rf"^月?{_SEP}", "", g["m_to"]))
        return PartialDate(**base, year=year, month=month, end_month=end_month)
    day = _num(g["d"])
    if g["d2"]:
        return PartialDate(
            **base, year=year, month=month, day=day,
            end_year=_num(g["y2"]), end_month=_num(g["m2"]) or month, end_day=_num(g["d2"]),
        )
    return PartialDate(**base, year=year, month=month, day=day)


def _possible(p: PartialDate) -> bool:
    for month, day in ((p.month, p.day), (p.end_month, p.end_day)):
        if month is not None and not 1 <= month <= 12:
            return False
        if day is not None:
            if month is None or not 1 <= day <= calendar.monthrange(2024, month)[1]:
                return False
    return True


def resolve(partial: PartialDate, default_year: int, previous: DateValue | None = None) -> DateValue | None:
    """Normalise a partial date; ``None`` when it cannot be placed (e.g. 同日 with no previous).

    >>> resolve(find_dates("7月6日至7日")[0], 2023)
    DateValue(start='2023-07-06', end='2023-07-07', precision='day')
    >>> resolve(find_dates("7月")[0], 2020).start
    '2020-07'
    >>> prev = DateValue(start="2023-09-19", precision="day")
    >>> resolve(find_dates("同日")[0], 2023, prev).start
    '2023-09-19'
    """
    if partial.relative:
        if previous is None:
            return None
        if partial.relative == "same_day" or previous.precision != "day":
            return DateValue(start=previous.start, precision=previous.precision)
        nxt = previous.start_date() + dt.timedelta(days=1)
        return DateValue(start=nxt.isoformat(), precision="day")
    year = partial.year or default_year
    if partial.month is None:
        end = str(partial.end_year) if partial.end_year else None
        return DateValue(start=f"{year:04d}", end=end, precision="year")
    start = _iso(year, partial.month, partial.day)
    end = None
    if partial.end_day is not None or (partial.end_month is not None and partial.day is None):
        end_year = partial.end_year or year
        end_month = partial.end_month or partial.month
        if (end_month, partial.end_day or 0) < (partial.month, partial.day or 0) and not partial.end_year:
            end_year += 1  # "12月31日至1月2日" crosses into the next year
        end = _iso(end_year, end_month, partial.end_day)
    try:
        _check(start), end and _check(end)
    except ValueError:
        return None
    if end is not None and end < start:
        return None
    return DateValue(start=start, end=end, precision="day" if partial.day else "month")


def _iso(year: int, month: int, day: int | None) -> str:
    return f"{year:04d}-{month:02d}" + (f"-{day:02d}" if day else "")


def _check(iso: str) -> None:
    parts = [int(p) for p in iso.split("-")]
    dt.date(parts[0], parts[1], parts[2] if len(parts) > 2 else 1)


def parse_iso(value: str) -> dt.date:
    """Read ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` as the first day it covers.

    >>> parse_iso("2023-07")
    datetime.date(2023, 7, 1)
    """
    try:
        parts = [int(p) for p in value.split("-")]
        if not 1 <= len(parts) <= 3 or len(value.split("-")[0]) != 4:
            raise ValueError
        return dt.date(parts[0], *(parts[1:] + [1, 1])[:2])
    except (ValueError, TypeError):
        raise ValueError(f"not an ISO date (YYYY, YYYY-MM or YYYY-MM-DD): {value!r}") from None
