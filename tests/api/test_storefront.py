"""The demo storefront embeds the widget with the retailer's settings as data attributes."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from api.settings import Settings
from tests.conftest import api_client, make_settings


async def test_widget_tag_carries_the_configured_look(settings: Settings) -> None:
    configured = settings.model_copy(update={
        "widget_title": "Trailhead help", "widget_greeting": 'Hello "hiker" <3',
        "widget_color": "#123456", "widget_position": "left", "widget_locale": "en-GB"})
    async with api_client(configured) as client:
        page = (await client.get("/")).text
    tag = next(line for line in page.splitlines() if "widget.js" in line)
    assert 'data-title="Trailhead help"' in tag
    assert 'data-greeting="Hello &#34;hiker&#34; &lt;3"' in tag  # escaped, never markup
    assert 'data-color="#123456"' in tag and 'data-position="left"' in tag
    assert 'data-locale="en-GB"' in tag


def test_a_colour_that_is_not_hex_is_refused_at_start_up() -> None:
    with pytest.raises(ValidationError, match="widget_color"):
        make_settings(widget_color="red;background:url(x)")
