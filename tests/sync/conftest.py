from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from leadloop.testing import fakeserver


@pytest.fixture
def leadloop_plugin_modules() -> list[str]:
    return ["leadloop.testing.fakesource"]





@pytest.fixture
def fake() -> Iterator[fakeserver.Running]:
    running = fakeserver.start()
    yield running
    running.stop()


@pytest.fixture
def apply(leadloop_apply: Callable[..., Any]) -> Callable[..., None]:
    """Apply a tenant 'acme' with one fake connector 'src' through a real tenant file."""

    def apply_(url: str, *, refresh_token: str = "good-refresh-token", jobs: dict[str, Any] | None = None,
               sync: dict[str, Any] | None = None, **settings: Any) -> None:
        connector: dict[str, Any] = {
            "type": "fake",
            "settings": {"url": url, **settings},
            "secrets": {"refresh_token": {"value": refresh_token}},
            "jobs": jobs or {"pull": {"every": "1h"}, "push": {"every": "1h"}},
        }
        if sync:
            connector["sync"] = sync
        leadloop_apply({"src": connector})

    return apply_
