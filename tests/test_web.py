"""The page of ``kg serve`` in a real headless Chromium (Debian's ``/usr/bin/chromium``).

Driven with playwright's Python package against the Chromium of the system (no
``playwright install``): the timeline and the network render the graph's events and
organizations, filters reach the API, and clicks show details with the source sentence.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="the page tests need Debian's Chromium at /usr/bin/chromium (apt-get install -y chromium)")

ID = "https://w3id.org/ipkg/id/"


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, kg_server_url):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda exc: page.errors.append(f"page error: {exc}"))
    page.on("console", lambda msg: page.errors.append(msg.text) if msg.type == "error" else None)
    page.goto(f"{kg_server_url}/")
    page.wait_for_function("document.body.dataset.state === 'ready'", timeout=60_000)
    yield page
    context.close()


def api(url: str, path: str, **params):
    response = httpx.get(f"{url}{path}", params=params, timeout=60)
    assert response.status_code == 200, response.text
    return response.json()


def apply_filters(page, previous_loads: int) -> None:
    page.click("#f-apply")
    page.wait_for_function(f"window.kgApp.loads > {previous_loads} && document.body.dataset.state !== 'loading'",
                           timeout=60_000)


def shown_ids(page) -> set[str]:
    return set(page.evaluate("window.kgApp.timeline.itemsData.getIds()"))


def test_page_renders_events_and_nodes(page, kg_server_url):
    events = api(kg_server_url, "/api/timeline")
    network = api(kg_server_url, "/api/network")
    linked = {e["source"] for e in network["edges"]} | {e["target"] for e in network["edges"]}

    assert shown_ids(page) == {e["id"].removeprefix(ID) for e in events}
    assert page.locator("#timeline .vis-item").count() > 20  # drawn in the DOM, not just loaded
    assert page.locator("#timeline .vis-labelset .vis-label").count() == len({e["type"] for e in events})
    assert f"{len(events)} events" in page.inner_text("#status")

    page.wait_for_function("window.kgApp.networkStable", timeout=60_000)
    assert set(page.evaluate("window.kgApp.network.body.data.nodes.getIds()")) == linked
    assert page.evaluate("window.kgApp.network.body.data.edges.length") == len(network["edges"])
    assert page.locator("#network canvas").count() == 1
    assert page.errors == []


def test_zoom(page):
    box = page.locator("#timeline .vis-center").bounding_box()
    before = page.evaluate("(() => { const w = kgApp.timeline.getWindow(); return w.end - w.start; })()")
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 40)
    page.mouse.wheel(0, -400)
    page.wait_for_function(f"(() => {{ const w = kgApp.timeline.getWindow(); return w.end - w.start < {before}; }})()",
                           timeout=10_000)


def test_clicking_an_event_shows_its_source_sentence(page, kg_server_url):
    events = {e["id"].removeprefix(ID): e for e in api(kg_server_url, "/api/timeline")}
    page.locator("#timeline .vis-item.vis-point .vis-item-content").first.click()
    page.wait_for_function("(document.getElementById('details').dataset.showing || '').startsWith('event:')")
    event_id = page.get_attribute("#details", "data-showing").removeprefix("event:")
    event = events[event_id]
    details = page.locator("#details-body")
    assert details.locator(".event-label").inner_text() == event["label"]
    assert details.locator(".source-doc").inner_text() == event["source"]["doc"]
    assert details.locator(".source-line").inner_text() == str(event["source"]["line"])
    assert details.locator(".source-text").inner_text() == event["source"]["text"]
    assert page.evaluate("window.kgApp.timeline.getSelection()") == [event_id]


def test_type_filter(page, kg_server_url):
    expected = {e["id"].removeprefix(ID) for e in api(kg_server_url, "/api/timeline", type="Signing")}
    loads = page.evaluate("window.kgApp.loads")
    page.select_option("#f-type", "Signing")
    apply_filters(page, loads)
    assert page.evaluate("window.kgApp.lastQuery") == "api/timeline?type=Signing"
    assert shown_ids(page) == expected and expected
    rendered = page.locator("#timeline .vis-item")
    assert rendered.count() > 0
    assert all("type-Signing" in c for c in rendered.evaluate_all("items => items.map(i => i.className)"))
    assert f"{len(expected)} events" in page.inner_text("#status")


def test_organization_date_and_international_filters(page, kg_server_url):
    wipo = api(kg_server_url, "/api/timeline", org="WIPO", international="true",
               **{"from": "2023", "to": "2023-12-31"})
    loads = page.evaluate("window.kgApp.loads")
    page.select_option("#f-org", "org/wipo")
    page.fill("#f-from", "2023")
    page.fill("#f-to", "2023-12-31")
    page.check("#f-intl")
    apply_filters(page, loads)
    assert page.evaluate("document.body.dataset.state") == "ready"
    assert shown_ids(page) == {e["id"].removeprefix(ID) for e in wipo}
    assert "2023-04-26" in {e["date_start"] for e in wipo}
    # the network follows the date and international filters and selects the organization
    page.wait_for_function("window.kgApp.networkStable", timeout=60_000)
    network = api(kg_server_url, "/api/network", since="2023", international="true")
    linked = {e["source"] for e in network["edges"]} | {e["target"] for e in network["edges"]}
    assert set(page.evaluate("window.kgApp.network.body.data.nodes.getIds()")) == linked
    assert page.evaluate("window.kgApp.network.getSelectedNodes()") == ["org/wipo"]


def test_clicking_a_network_node_shows_the_organization(page):
    page.wait_for_function("window.kgApp.networkStable", timeout=60_000)
    page.evaluate("window.kgApp.network.focus('org/wipo', {scale: 1.5, animation: false})")
    x, y = page.evaluate("""(() => {
        const net = kgApp.network, pos = net.getPositions(['org/wipo'])['org/wipo'];
        const dom = net.canvasToDOM(pos), box = document.querySelector('#network canvas').getBoundingClientRect();
        return [box.left + dom.x, box.top + dom.y];
    })()""")
    page.mouse.click(x, y)
    page.wait_for_function("document.getElementById('details').dataset.showing === 'entity:org/wipo'",
                           timeout=30_000)
    details = page.locator("#details-body")
    assert details.locator(".entity-label").inner_text() == "世界知识产权组织"
    assert "WIPO" in details.inner_text()
    assert details.locator(".source-text").count() > 0
    assert "2023-04-26" in details.inner_text()
    # and from there, its events on the timeline
    loads = page.evaluate("window.kgApp.loads")
    page.click("#show-org-events")
    page.wait_for_function(f"window.kgApp.loads > {loads} && document.body.dataset.state === 'ready'")
    assert page.input_value("#f-org") == "org/wipo"
    assert "org=" in page.evaluate("window.kgApp.lastQuery")


def test_bad_date_shows_the_server_message(page):
    loads = page.evaluate("window.kgApp.loads")
    page.fill("#f-from", "2023-13")
    apply_filters(page, loads)
    assert page.evaluate("document.body.dataset.state") == "error"
    assert page.locator("#error").is_visible()
    assert page.inner_text("#error").startswith("--from:")
