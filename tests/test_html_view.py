"""The extraction page (`larkspan show --html`): its text, and how it behaves in headless Chromium."""
import html
import os
import re
import shutil
from pathlib import Path

from test_html_report import browser, needs_browser  # noqa: F401 - the shared browser fixture

from engine.cli import main

ROOT = Path(__file__).resolve().parent.parent
PACK = Path(__file__).parent / "packs" / "features.yaml"
TEXTS = ["Dr. Ana Ruiz said that the port reopened after 40 km of dredging.",
         'About 5 miles of <road> & rail "closed", Bo said.\n\nNothing here.',
         "No match in this one."]


def records(tmp_path, capsys):
    src = tmp_path / "in.jsonl"
    import json

    src.write_text("".join(json.dumps({"id": f"d{i}", "text": t}) + "\n" for i, t in enumerate(TEXTS)))
    page = tmp_path / "view.html"
    assert main(["show", "--pack", str(PACK), str(src), "--html", str(page)]) == 0
    capsys.readouterr()
    return page


def test_page_keeps_every_text_and_links_every_match(tmp_path, capsys):
    page = records(tmp_path, capsys).read_text()
    bodies = re.findall(r'<div class="text">(.*?)</div></section>', page, re.S)
    assert [html.unescape(re.sub(r"<[^>]+>", "", b)) for b in bodies] == TEXTS
    anchors = sorted(map(int, re.findall(r'<span class="anchor" id="m-(\d+)"></span>', page)))
    links = sorted(map(int, re.findall(r'<a href="#m-(\d+)">', page)))
    assert anchors == links == list(range(len(anchors))) and len(anchors) >= 3
    assert "&lt;road&gt;" in page and "http" not in page and page.count("<script>") == 1


@needs_browser
def test_page_in_headless_chromium(tmp_path, capsys, browser):  # noqa: F811
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    page = records(tmp_path, capsys)
    browser.get(page.as_uri())
    # highlights render: a quantity is shaded, a source underlined, a cue bold
    seg = [s for s in browser.find_elements(By.CSS_SELECTOR, ".seg.p") if s.text == "40"]  # "40 km", cut at slots
    assert seg and browser.execute_script("return getComputedStyle(arguments[0]).backgroundColor", seg[0]) \
        not in ("rgba(0, 0, 0, 0)", "transparent")
    cue = next(s for s in browser.find_elements(By.CSS_SELECTOR, ".seg.s-cue") if s.text == "said")
    assert int(browser.execute_script("return getComputedStyle(arguments[0]).fontWeight", cue)) >= 700
    source = next(s for s in browser.find_elements(By.CSS_SELECTOR, ".seg.s-source") if "Ruiz" in s.text)
    assert "underline" in browser.execute_script("return getComputedStyle(arguments[0]).textDecorationLine", source)
    # a match in the side list leads to its place and marks exactly its text
    link = next(a for a in browser.find_elements(By.CSS_SELECTOR, ".m a") if "5 miles" in a.text)
    n = link.get_attribute("href").rsplit("#m-", 1)[1]
    link.click()
    WebDriverWait(browser, 10).until(lambda b: b.execute_script("return location.hash") == f"#m-{n}")
    WebDriverWait(browser, 10).until(lambda b: b.find_elements(By.CSS_SELECTOR, ".seg.focus"))
    focused = browser.find_elements(By.CSS_SELECTOR, ".seg.focus")
    assert "".join(s.text for s in focused) == "5 miles"
    assert focused[0].find_element(By.XPATH, "ancestor::section").find_element(By.TAG_NAME, "h3").text == "d1"
    shot = tmp_path / "extractions.png"
    browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000
    if os.environ.get("LARKSPAN_KEEP_SCREENSHOT"):
        shutil.copyfile(shot, ROOT / "benchmarks" / "results" / "extractions.png")
    # filtering by label hides the other label's matches
    Select(browser.find_element(By.ID, "f-label")).select_by_value("QUANTITY")
    shown = [m for m in browser.find_elements(By.CSS_SELECTOR, ".m[data-label]") if m.is_displayed()]
    assert shown and {m.get_attribute("data-label") for m in shown} == {"QUANTITY"}
    assert browser.find_element(By.ID, "n-shown").text == str(len(shown))
