"""API addresses: one spelling of each, and which are RootFi's own.

A workbook's Settings can name any text as base_url. Before that text is compared with
the addresses a key is stored for, or given to the HTTP client, it is parsed once here
and written back in one canonical form (scheme and host in lower case, no default port,
no trailing slash). Anything the parsers might read two ways is refused rather than
guessed: a user name or password (`https://api.rootfi.dev@evil.example/v4`), a query or
fragment, backslashes, spaces or control characters, a host that is not plain ASCII
(IDNA spellings differ between libraries). The canonical text is checked again with
httpx's own parser, so the host compared is the host connected to.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from rootfi_excel.api.paths import KNOWN_BASE_URLS, unsafe_for_key
from rootfi_excel.errors import AddressError

_DEFAULT_PORTS = {"https": 443, "http": 80}
_HOST = re.compile(r"[a-z0-9.-]+|\[[0-9a-f:.]+\]")  # a DNS name, an IPv4 address, or [IPv6]
_PATH = re.compile(r"(/[A-Za-z0-9._~%!$&'()*+,;=:@-]*)*")


def canonical(base_url: str) -> str:
    """`base_url` in its one canonical spelling; AddressError when it is not a usable address
    for the key (see unsafe_for_key: https, or plain http to this computer only)."""
    text = (base_url or "").strip()
    if not text:
        raise AddressError("no address is given")
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 or c == "\\" for c in text):
        raise AddressError(f"{text!r} holds spaces, backslashes or control characters, which no API address has")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise AddressError(f"{text} is not a web address") from None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise AddressError(f"{text} is not an https:// address")
    if "@" in parts.netloc:
        raise AddressError(f"{text} names a user name before the host ('@'), which RootFi's addresses never do")
    if "?" in text or "#" in text:
        raise AddressError(f"{text} has a query ('?') or a fragment ('#'), which an API address has not")
    host = (parts.hostname or "").rstrip(".")
    if ":" in host:
        host = f"[{host}]"
    if not host or not _HOST.fullmatch(host):
        raise AddressError(f"{text} has no host, or a host that is not written in plain letters, digits, dots "
                           "and hyphens (write an international name in its xn-- form)")
    path = parts.path.rstrip("/")
    if not _PATH.fullmatch(path):
        raise AddressError(f"{text} has characters in its path that an API address has not")
    shown_port = "" if port is None or port == _DEFAULT_PORTS[scheme] else f":{port}"
    result = f"{scheme}://{host}{shown_port}{path}"
    unsafe = unsafe_for_key(result)
    if unsafe:
        raise AddressError(f"{unsafe}: an API address starts with https:// (plain http only to this computer)")
    _same_for_httpx(result, scheme, host, port)
    return result


def problem(base_url: str) -> str | None:
    """Why `base_url` cannot be used (None when it can)."""
    try:
        canonical(base_url)
    except AddressError as error:
        return str(error)
    return None


def rootfi_addresses() -> frozenset[str]:
    """RootFi's own addresses (the environments of Settings), canonical."""
    return frozenset(canonical(url) for url in KNOWN_BASE_URLS.values())


def is_rootfi_address(base_url: str) -> bool:
    try:
        return canonical(base_url) in rootfi_addresses()
    except AddressError:
        return False


def same_address(one: str, other: str) -> bool:
    try:
        return canonical(one) == canonical(other)
    except AddressError:
        return False


def _same_for_httpx(text: str, scheme: str, host: str, port: int | None) -> None:
    """The HTTP client must read the canonical text as naming the same host and port."""
    import httpx  # not at import: messages and settings use this module, and httpx is slow to load

    expected_port = None if port == _DEFAULT_PORTS[scheme] else port
    try:
        url = httpx.URL(text)
        connected_to = (url.scheme, url.raw_host.decode("ascii"), url.port)  # the host as sent to DNS
        same = connected_to == (scheme, host.strip("[]"), expected_port)
    except Exception:  # httpx's InvalidURL, or anything else its parser raises
        raise AddressError(f"{text} is not a web address the HTTP client can use") from None
    if not same:
        raise AddressError(f"{text} is read differently by the HTTP client; write it plainly")
