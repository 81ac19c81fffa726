"""Secrets at rest: connector credentials are stored encrypted (Fernet: AES-128-CBC + HMAC).

The key comes from ``LEADLOOP_SECRET_KEY`` (a Fernet key, urlsafe base64 of 32 bytes), else from the
file ``LEADLOOP_SECRET_KEY_FILE``, else from ``$LEADLOOP_HOME/secret.key``, created with mode 0600 on
first use. Losing the key means re-entering every connector's credentials, so back the file up.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from .errors import ConfigError
from .home import home


class SecretBox:
    """Encrypts and decrypts secret values with one key."""

    def __init__(self, key: bytes) -> None:
        try:
            self._fernet = Fernet(key)
        except (ValueError, TypeError):
            raise ConfigError(
                "the secret key is not a valid Fernet key (urlsafe base64 of 32 bytes); "
                "make one with: python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"
            ) from None

    def __repr__(self) -> str:
        return "SecretBox(<key hidden>)"

    @classmethod
    def from_environment(cls) -> SecretBox:
        env_key = os.environ.get("LEADLOOP_SECRET_KEY")
        if env_key:
            return cls(env_key.encode())
        path = Path(os.environ.get("LEADLOOP_SECRET_KEY_FILE") or home() / "secret.key")
        if not path.exists():
            _create_key_file(path)
        return cls(path.read_bytes().strip())

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str, *, what: str) -> str:
        """Decrypt ``token``; ``what`` names the secret in the error (never its value)."""
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except InvalidToken:
            raise ConfigError(
                f"{what} cannot be decrypted with the current secret key; was LEADLOOP_SECRET_KEY "
                "or the key file changed? Restore the old key or apply the tenant file again"
            ) from None


def _create_key_file(path: Path) -> None:
    # Written aside then linked into place: two processes starting at once must end up with one
    # key, and neither may read a half-written file.
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(Fernet.generate_key())
    try:
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink()
