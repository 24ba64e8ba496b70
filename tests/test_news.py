"""News articles of our own making: traditional script, mixed script, no year in the text."""

from pathlib import Path

from kg.extract import Extractor

NEWS = Path(__file__).parent / "data" / "news"


def _events():
    result = Extractor().add_corpus(NEWS)
    return result, {e.source.doc: e for e in result.events}


def test_traditional_script_resolves_to_the_simplified_entities_and_keeps_its_text():
    result, events = _events()
    event = events["wipo_geneva_hant.txt"]
    assert event.date_start == "2023-07-06"  # the article's date: its text gives none
    assert event.type == "Meeting"
    assert "org/wipo" in event.organizations
    assert "person/shen-changyu" in event.people
    assert {"place/ch", "place/ch-geneva"} <= set(event.places)
    assert "世界智慧財產權組織" in event.source.text  # the source is kept as written
    assert event.international


def test_conversion_noise_and_a_date_without_year():
    result, events = _events()
    event = events["cnipa_epo_noise.txt"]
    assert event.date_start == "2024-06-20"  # "6 月 20 日" takes the year of the article's date
    assert {"org/cnipa", "org/epo"} <= set(event.organizations)
    assert event.people == ["person/shen-changyu"] or "person/shen-changyu" in event.people
    wipo_names = {m.text for m in result.mentions if m.entity == "org/wipo"}
    assert "世界智慧財產權組織" in wipo_names
