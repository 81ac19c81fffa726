"""authlib's httpx integration, imported without its "use httpx2" notice.

leadloop pins httpx (constraints.txt). authlib 1.9 prefers httpx2 and, on import, warns that its
httpx fallback is deprecated, with a filter that forces the warning onto stderr: every ``leadloop``
command would print it, since plugins load on start. The notice concerns whoever sets the pins, not
an admin running a command, so it is silenced here for this one import and this one message.
"""

import warnings

import authlib.deprecate  # noqa: F401  (installs authlib's own filter first, so the one below wins)

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="The httpx module is deprecated", category=DeprecationWarning)
    from authlib.integrations.httpx_client import OAuth2Auth, OAuth2Client

from authlib.integrations.base_client import OAuthError

__all__ = ["OAuth2Auth", "OAuth2Client", "OAuthError"]
