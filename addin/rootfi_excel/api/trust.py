"""Which API key may go to which address: the one decision every command and button makes.

A shared workbook is data, never authority: its Settings may name any base_url, so the
address alone never earns the key. A key is stored for an address:

- RootFi's own addresses (the environments of Settings: production, rootfi, saudi) use
  the keyring entry of the key profile, as every key stored before addresses were
  known (service "rootfi-excel", username = profile): those keep working there.
- Any other address (a local sandbox, an address RootFi gives a customer) has its own
  entry (service "rootfi-excel <address>", username = profile), written only when the
  person says so on this computer: `rootfi-excel login --base-url URL`, or Set API key
  in Excel, which shows the address and asks first. `store_key` is that one way in (a
  command that starts a sandbox and configures a workbook for it uses it too).

A workbook naming an address that has no key stored for it gets an error naming the
address and how to trust it, before any connection is attempted.

ROOTFI_API_KEY (unattended runs) is for RootFi's own addresses, unless ROOTFI_BASE_URL
names the one address it is for, or the command line names the address (--base-url):
then for that address alone.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from rootfi_excel import messages
from rootfi_excel.api.addresses import canonical, rootfi_addresses
from rootfi_excel.api.credentials import (
    DEFAULT_PROFILE,
    ENV_VAR,
    SERVICE,
    delete_api_key,
    environment_key,
    key_stored,
    store_api_key,
    stored_key,
)
from rootfi_excel.errors import AddressError, CredentialsError, UntrustedAddressError

BASE_URL_ENV_VAR = "ROOTFI_BASE_URL"
FROM_ENVIRONMENT = f"{ENV_VAR} environment variable"
FROM_KEY_STORE = "this computer's key store"


@dataclass(frozen=True)
class ChosenKey:
    """The key for one address, and where it came from. The key is left out of repr()."""

    base_url: str  # canonical: what the client connects to
    profile: str
    source: str  # FROM_ENVIRONMENT or FROM_KEY_STORE
    key: str = field(repr=False)

    @property
    def rootfi_address(self) -> bool:
        return self.base_url in rootfi_addresses()


def choose_key(base_url: str, profile: str = DEFAULT_PROFILE, *, named_on_command_line: bool = False,
               where: str | None = None) -> ChosenKey:
    """The key to send to `base_url`, or UntrustedAddressError (a CredentialsError) saying why
    none may go there. Reads the key store and the environment only; connects to nothing.

    named_on_command_line: the address came from --base-url, typed by the person here (it
    makes ROOTFI_API_KEY usable there; a stored key still needs storing for it).
    where: where the address was named, for the message (default: the workbook's Settings)."""
    where = where or (messages.WHERE_OPTION if named_on_command_line else messages.WHERE_SETTINGS)
    try:
        address = canonical(base_url)
    except AddressError as error:
        raise UntrustedAddressError(messages.BAD_ADDRESS.format(problem=error, where=where)) from None
    own = address in rootfi_addresses()
    from_env = environment_key()
    if from_env:
        allowed = _environment_addresses()
        if not (named_on_command_line or address in allowed):
            words = allowed_words(allowed)
            raise UntrustedAddressError(messages.ENV_KEY_NOT_FOR_ADDRESS.format(allowed=words, address=address,
                                                                                where=where))
        return ChosenKey(address, profile, FROM_ENVIRONMENT, from_env)
    option = "" if profile == DEFAULT_PROFILE else f" --profile {profile}"
    login = None if own else f"rootfi-excel login --base-url {address}{option}"
    key = stored_key(profile, service=service_for(address), login=login)
    if key:
        return ChosenKey(address, profile, FROM_KEY_STORE, key)
    if own:
        raise CredentialsError(f"No RootFi API key is stored for profile '{profile}'. "
                               f"Run: rootfi-excel login --profile {profile}")
    raise UntrustedAddressError(messages.KEY_NOT_FOR_ADDRESS.format(address=address, where=where, profile=profile,
                                                                    profile_option=option))


def store_key(profile: str, key: str, base_url: str | None = None) -> str | None:
    """Store `key` for `base_url` (None or one of RootFi's addresses: for RootFi's own
    addresses). Returns the canonical address it is stored for, None for RootFi's own.
    Only on the person's word on this computer (login, Set API key, a sandbox they start)."""
    address = _address_or_none(base_url)
    store_api_key(profile, key, service=service_for(address))
    return address


def delete_key(profile: str, base_url: str | None = None) -> bool:
    """Remove the key stored for `base_url` (None: RootFi's own addresses); False when none was."""
    return delete_api_key(profile, service=service_for(_address_or_none(base_url)))


def has_key_for(profile: str, base_url: str | None = None) -> bool:
    """Whether a key is stored for `base_url` (ROOTFI_API_KEY not consulted); CredentialsError
    when the key store cannot be read."""
    return key_stored(profile, service=service_for(_address_or_none(base_url)))


def service_for(address: str | None) -> str:
    """The keyring service of the key for `address` (canonical; None = RootFi's own)."""
    if address is None or address in rootfi_addresses():
        return SERVICE
    return f"{SERVICE} {address}"


def other_address(base_url: str | None) -> str | None:
    """The canonical address when it is not one of RootFi's (None when it is, or is not given);
    AddressError when it cannot be an address."""
    return _address_or_none(base_url)


def allowed_words(allowed: frozenset[str]) -> str:
    if allowed == rootfi_addresses():
        return messages.ROOTFI_ADDRESSES_WORDS
    return f"{' and '.join(sorted(allowed))} ({BASE_URL_ENV_VAR})"


def _environment_addresses() -> frozenset[str]:
    """The addresses ROOTFI_API_KEY may go to: ROOTFI_BASE_URL's alone when it is set."""
    named = os.environ.get(BASE_URL_ENV_VAR, "").strip()
    if not named:
        return rootfi_addresses()
    try:
        return frozenset({canonical(named)})
    except AddressError as error:
        raise UntrustedAddressError(messages.BAD_ENV_ADDRESS.format(problem=error)) from None


def _address_or_none(base_url: str | None) -> str | None:
    if base_url is None or not str(base_url).strip():
        return None
    address = canonical(base_url)
    return None if address in rootfi_addresses() else address
