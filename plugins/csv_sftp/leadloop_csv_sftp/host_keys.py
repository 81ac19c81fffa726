"""Checking an SFTP server's host key against the connector's ``known_hosts`` setting.

There is no "trust on first use": credentials are only sent to a server whose key is listed. When
the key is unknown or different, the error gives the admin what they need to decide: the host,
the fingerprints expected and offered (SHA256, as ``ssh-keygen -lf`` prints them) and what to do.
"""

from __future__ import annotations

import paramiko
from leadloop.errors import ConfigError
from paramiko.hostkeys import HostKeyEntry, InvalidHostKey

# paramiko negotiates RSA host keys under their SHA-2 signature names.
_NEGOTIATED = {"ssh-rsa": ("rsa-sha2-512", "rsa-sha2-256")}


def host_key_name(host: str, port: int) -> str:
    """The name known_hosts uses: ``host`` on port 22, ``[host]:port`` elsewhere."""
    return host if port == 22 else f"[{host}]:{port}"


def describe(key: paramiko.PKey) -> str:
    return f"{key.get_name()} {key.fingerprint}"


def parse_known_hosts(text: str) -> paramiko.HostKeys:
    """Parse known_hosts text (plain or hashed host names); a line that cannot be read is a
    :class:`~leadloop.errors.ConfigError`, not a silently ignored key."""
    keys = paramiko.HostKeys()
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        try:
            entry = HostKeyEntry.from_line(line)
        except (InvalidHostKey, ValueError) as e:
            entry, detail = None, f" ({e})"
        else:
            detail = ""
        if entry is None or entry.key is None:
            raise ConfigError(
                f"known_hosts line {number} is not 'host key-type base64-key' with a supported key "
                f"type{detail}; markers such as @cert-authority are not supported"
            )
        for name in entry.hostnames:
            keys.add(name, entry.key.get_name(), entry.key)
    return keys


def preferred_key_types(known: paramiko.HostKeys, host: str, port: int) -> list[str]:
    """Host key algorithms to ask for first, so a server with several keys shows the listed one."""
    expected = known.lookup(host_key_name(host, port))
    types: list[str] = []
    for key_type in expected or ():
        types.extend(_NEGOTIATED.get(key_type, (key_type,)))
    return types


def check_host_key(known: paramiko.HostKeys, host: str, port: int, offered: paramiko.PKey) -> None:
    """Return if ``offered`` is listed for the host, else raise :class:`ConfigError` saying why."""
    name = host_key_name(host, port)
    expected = known.lookup(name)
    if expected is None:
        listed = sorted({"(hashed)" if n.startswith("|1|") else n for n in known})
        raise ConfigError(
            f"SFTP host {name} is not in the connector's known_hosts (it lists {', '.join(listed) or 'nothing'}); "
            f"the server offered {describe(offered)}. Confirm that fingerprint with the server's operator "
            f"(or run: ssh-keyscan -p {port} {host} | ssh-keygen -lf -), then add this line to "
            f"known_hosts: {name} {offered.get_name()} {offered.get_base64()}"
        )
    match = expected.get(offered.get_name())
    if match is None or match.asbytes() != offered.asbytes():
        wanted = ", ".join(describe(k) for k in expected.values())
        raise ConfigError(
            f"SFTP host key mismatch for {name}: known_hosts expects {wanted}, the server offered "
            f"{describe(offered)}. If the server's key was changed on purpose, confirm the new "
            "fingerprint with its operator and replace the connector's known_hosts; otherwise do "
            "not connect: someone may be intercepting the connection"
        )
