"""A Salesforce org on 127.0.0.1 for tests, demos and plugin authors.

It follows the documented shapes of the real REST API (``/work/shared/reference/crm-apis.md``):
OAuth refresh with optional rotation, SOQL ``query``/``queryAll`` with locators, ``describe``,
sObject Collections, the daily limit, plus fault injection and an admin API under ``/_sandbox/``.

In a test::

    from leadloop_salesforce.sandbox import start

    with start(leads=500, seed=7) as sf:          # background thread, free port
        sf.url, sf.client_id, sf.refresh_token     # what a connector needs
        sf.org.faults.inject("429", retry_after=3) # drive it in-process ...
        sf.org.clock.advance(7200)                 # ... expire every access token

From a shell: ``python -m leadloop_salesforce.sandbox --port 8765 --seed 1 --leads 5000``.
"""

from .cli import main
from .org import Org
from .server import Sandbox, serve, start

__all__ = ["Org", "Sandbox", "main", "serve", "start"]
