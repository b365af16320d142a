"""The HTML report: its text, and how it behaves in a real headless Chromium."""
import html
import os
import re
import shutil
from pathlib import Path

import pytest

from engine import htmlreport
from engine.evaluate import evaluate
from test_evaluate import fixed_predictions

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
try:
    import selenium  # noqa: F401
    HAVE_SELENIUM = True
except ImportError:
    HAVE_SELENIUM = False


def report():
    gold, preds = fixed_predictions()
    return gold, evaluate(gold, preds)


def test_page_keeps_every_document_text_and_one_anchor_per_error():
    gold, preds = fixed_predictions()
    text = 'She wrote <script>alert("x")</script> & said "5 < 6".'
    gold.append({"id": "odd <id>", "text": text, "meta": {}, "annotations": [
        {"label": "QUANTITY", "span": [text.index("5"), text.index("6") + 1], "slots": {}, "attrs": {}}]})
    preds.append({"id": "odd <id>", "text": text, "meta": {}, "annotations": [
        {"label": "QUANTITY", "span": [text.index("<script>"), text.index("x")], "slots": {}, "attrs": {},
         "rule": "r<1>"}]})
    ev = evaluate(gold, preds)
    page = htmlreport.render(ev)
    bodies = re.findall(r'<div class="text">(.*?)</div></section>', page, re.S)
    assert [html.unescape(re.sub(r"<[^>]+>", "", b)) for b in bodies] == [d["text"] for d in gold]
    anchors = re.findall(r'<span class="anchor" id="err-(\d+)"></span>', page)
    assert sorted(map(int, anchors)) == list(range(len(ev.errors)))
    links = re.findall(r'<a href="#err-(\d+)">', page)
    assert sorted(map(int, links)) == list(range(len(ev.errors)))
    assert "http://" not in page and "https://" not in page and "<link" not in page
    assert page.count("<script>") == 1 and "odd &lt;id&gt;" in page


needs_browser = pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER and HAVE_SELENIUM),
                                   reason="chromium, chromedriver or selenium not installed")


@pytest.fixture
def browser(tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                 f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1400,900"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()


@needs_browser
def test_report_in_headless_chromium(tmp_path, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    gold, ev = report()
    path = tmp_path / "report.html"
    htmlreport.write(ev, str(path))
    browser.get(path.as_uri())

    # highlights render: gold underlined, predictions shaded by outcome
    style = "var s = getComputedStyle(arguments[0]); return [s.borderBottomStyle, s.backgroundColor];"
    gold_seg = browser.find_element(By.CSS_SELECTOR, "section.doc .seg.g:not(.fn)")
    assert browser.execute_script(style, gold_seg)[0] == "solid"
    missed = browser.find_element(By.CSS_SELECTOR, "section.doc .seg.g.fn")
    assert browser.execute_script(style, missed)[0] == "dashed"
    spurious = [s for s in browser.find_elements(By.CSS_SELECTOR, "section.doc .seg.p.fp") if s.text == "1998"]
    assert len(spurious) == 1
    assert browser.execute_script(style, spurious[0])[1] == "rgb(254, 202, 202)"
    assert len(browser.find_elements(By.CSS_SELECTOR, "section.doc")) == len(gold)

    # an error link lands on its place in its document and marks the error's text
    def follow(n):
        """Click the link to error n and wait for the page's hashchange handler to mark it."""
        browser.find_element(By.CSS_SELECTOR, f'a[href="#err-{n}"]').click()
        WebDriverWait(browser, 10).until(lambda b: b.execute_script(
            "var c = document.querySelector('.err.current a');"
            "return location.hash === arguments[0] && c !== null && c.getAttribute('href') === arguments[0];",
            f"#err-{n}"))

    err = next(e for e in ev.errors if e["pred"] and e["pred"]["text"] == "1998")
    follow(err["n"])
    assert browser.execute_script("return location.hash") == f"#err-{err['n']}"
    anchor = browser.find_element(By.ID, f"err-{err['n']}")
    top, height = browser.execute_script(
        "var r = arguments[0].getBoundingClientRect(); return [r.top, window.innerHeight];", anchor)
    assert 0 <= top < height
    section = anchor.find_element(By.XPATH, "ancestor::section")
    assert section.find_element(By.TAG_NAME, "h3").text == "bridge"
    focused = browser.find_elements(By.CSS_SELECTOR, ".seg.focus")
    assert "".join(s.text for s in focused) == "1998"
    current = browser.find_elements(By.CSS_SELECTOR, ".err.current")
    assert len(current) == 1 and current[0].find_element(By.TAG_NAME, "a").get_attribute("href").endswith(
        f"#err-{err['n']}")
    assert browser.execute_script("return getComputedStyle(arguments[0]).outlineStyle;", focused[0]) == "solid"
    boundary = next(e for e in ev.errors if e["kind"] == "boundary")
    follow(boundary["n"])
    text = "".join(s.text for s in browser.find_elements(By.CSS_SELECTOR, ".seg.focus"))
    doc = next(d for d in gold if d["id"] == boundary["doc"])
    assert " ".join(text.split()) == " ".join(doc["text"][boundary["span"][0]:boundary["span"][1]].split())
    shot = tmp_path / "eval_report.png"
    browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000
    if os.environ.get("LARKSPAN_KEEP_SCREENSHOT"):
        keep = ROOT / "benchmarks" / "results" / "eval_report.png"
        keep.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, keep)

    # filters: by label, then by kind
    Select(browser.find_element(By.ID, "f-label")).select_by_value("QUANTITY")
    shown = [e for e in browser.find_elements(By.CSS_SELECTOR, ".err") if e.is_displayed()]
    assert shown and {e.get_attribute("data-label") for e in shown} == {"QUANTITY"}
    assert browser.find_element(By.ID, "n-shown").text == str(len(shown))
    assert sum(e["label"] == "QUANTITY" for e in ev.errors) == len(shown)
    attribution_seg = browser.find_element(By.CSS_SELECTOR, 'section.doc .seg[data-l="ATTRIBUTION"]')
    assert browser.execute_script(style, attribution_seg)[0] == "none", attribution_seg.get_attribute("class")
    browser.find_element(By.CSS_SELECTOR, 'input.f-kind[value="spurious"]').click()
    shown = [e for e in browser.find_elements(By.CSS_SELECTOR, ".err") if e.is_displayed()]
    assert shown and all(e.get_attribute("data-kind") != "spurious" for e in shown)
