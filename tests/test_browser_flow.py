"""The config flow as the frontend renders it, in headless Chromium (tests/browser.py).

The HTTP-level walk (tests/test_flow_walk.py) proves what the flow answers;
only the frontend shows whether a label, an option or a description is
translated: a missing key renders as the raw field name or as nothing. These
tests open Settings → Devices & services → Add integration → Heat Pump Stats
in a real browser against a test Home Assistant and read the dialog.
Skipped when no Chromium is installed (scripts/bootstrap_chromium installs it).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
import json
from typing import Any

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from .browser import Browser, BrowserError, find_chromium, is_environment_noise, serve_frontend

pytestmark = [
    pytest.mark.usefixtures("socket_enabled"),
    pytest.mark.skipif(
        find_chromium() is None,
        reason="no chromium on PATH (browser tests need it: run scripts/bootstrap_chromium)",
    ),
]

DIALOG = "hpsDeep.first('dialog-data-entry-flow')"
BOX = f"(() => {{ const d = {DIALOG}; return d && (hpsDeep.first('dialog', d) || d); }})()"


def _console_errors(browser: Browser) -> list[str]:
    """The page's console errors, without the machine's.

    "disconnected": the frontend's websocket heartbeat gives up when the
    shared test machine is slow to answer, and it reconnects; the calls in
    flight then reject. Not a fault of the page under test.
    """
    return [
        text
        for text in browser.console_errors + browser.exceptions
        if not is_environment_noise(text) and "Uncaught (in promise) disconnected" not in text
    ]


@pytest.fixture
async def page(
    hass: HomeAssistant,
    aiohttp_client: ClientSessionGenerator,
    hass_storage: dict[str, Any],
    hass_access_token: str,
) -> AsyncIterator[Browser]:
    """Chromium, logged in to the test Home Assistant, on the integrations page."""
    origin = await serve_frontend(hass, aiohttp_client, hass_storage)
    async with Browser.launch(width=1280, height=900) as browser:
        await browser.log_in(origin, hass_access_token)
        await browser.open(f"{origin}/config/integrations/dashboard")
        await browser.wait_for(
            "hpsDeep.innermost('ha-button', 'Add integration').length > 0",
            within=120,
            what="the integrations page",
        )
        # What failed while the page loaded is the test instance's (it has no
        # recorder, no brands); from here on the console is ours.
        browser.console_errors.clear()
        browser.exceptions.clear()
        yield browser


async def _open_flow(browser: Browser) -> None:
    """Add integration → search → Heat Pump Stats; until its first step shows."""
    add = "hpsDeep.innermost('ha-button', 'Add integration')[0]"
    searching = "(() => { const e = hpsDeep.focused(); return !!e && e.tagName === 'INPUT'; })()"
    for _ in range(6):  # the button animates in; an early click can fall through
        await browser.click(add, what="Add integration")
        try:
            await browser.wait_for(searching, within=5)
            break
        except BrowserError:  # not open yet: click again
            continue
    await browser.type_text("Heat Pump Stats")
    item = (
        "hpsDeep.byText('ha-integration-list-item', 'Heat Pump Stats',"
        " hpsDeep.first('dialog-add-integration'))[0]"
    )
    await browser.wait_for(f"!!{item}", within=30, what="Heat Pump Stats in the list")
    await browser.click(item, what="Heat Pump Stats")
    await browser.wait_for(
        f"!!hpsDeep.first('ha-radio-option', {DIALOG})", within=60, what="the first step"
    )
    await browser.wait_still(BOX)


async def _dialog_text(browser: Browser) -> str:
    return str(await browser.evaluate(f"hpsDeep.text({DIALOG})"))


async def test_source_step_is_translated_in_the_browser(page: Browser) -> None:
    """The first form shows its title, field label and every source in words."""
    await _open_flow(page)
    text = await _dialog_text(page)
    lines = {line.strip() for line in text.splitlines()}
    assert "Heat pump source" in lines, text
    for label in (
        "Simulated heat pump (no hardware)",
        "Novelan / Alpha Innotec (Luxtronik)",
        "Modbus (Stiebel Eltron ISG or custom map)",
        "Entities already in Home Assistant (e.g. ESPAltherma)",
    ):
        assert label in lines, text
    assert "component.heatpump_stats" not in text
    assert "source" not in lines  # the raw field key
    assert "luxtronik" not in lines  # a raw option
    errors = _console_errors(page)
    assert not errors, "\n".join(errors)


async def test_demo_step_after_a_click_shows_its_translated_form(page: Browser) -> None:
    """Clicking a source and Submit leads to its step, labelled in words."""
    await _open_flow(page)
    option = f"hpsDeep.all('ha-radio-option', {DIALOG}).find((o) => o.value === 'demo')"
    await page.click(option, what="the demo source")
    submit = (
        f"hpsDeep.all('ha-button', {DIALOG})"
        ".filter((b) => hpsDeep.visible(b) && hpsDeep.text(b).trim() === 'Submit').pop()"
    )
    await page.click(submit, what="Submit")
    step = await page.wait_for(
        "(() => { const s = hpsDeep.first('step-flow-form');"
        " return s && s.step && s.step.step_id === 'demo' ? s.step : null; })()",
        within=30,
        what="the demo step",
    )
    text = await _dialog_text(page)
    names = [field["name"] for field in step["data_schema"]]
    assert names == ["name"], json.dumps(step)
    assert "component.heatpump_stats" not in text
    assert "name" not in {line.strip() for line in text.splitlines()}, text
    errors = _console_errors(page)
    assert not errors, "\n".join(errors)
