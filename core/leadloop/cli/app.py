"""What the commands share: the loaded plugins, the store and the secret box, opened on first use."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..plugins import Plugins
    from ..secrets import SecretBox
    from ..store import Store


class App:
    @cached_property
    def plugins(self) -> Plugins:
        from ..plugins import load

        return load()

    @cached_property
    def store(self) -> Store:
        from ..store import Store

        store = Store.open()
        store.migrate()
        return store

    @cached_property
    def box(self) -> SecretBox:
        from ..secrets import SecretBox

        return SecretBox.from_environment()
