"""`rootfi-excel login` and `logout`: keep the API key in the OS keyring, never on screen."""

from __future__ import annotations

import os

import click

from rootfi_excel import messages
from rootfi_excel.api.addresses import AddressError
from rootfi_excel.api.credentials import (
    DEFAULT_PROFILE,
    ENV_VAR,
    ensure_keyring,
    keyring_name,
)
from rootfi_excel.api.trust import delete_key, other_address, service_for, store_key
from rootfi_excel.cli.guarded import GuardedCommand
from rootfi_excel.cli.output import say
from rootfi_excel.safe_text import hide

_profile_option = click.option(
    "--profile",
    default=DEFAULT_PROFILE,
    show_default=True,
    help="Name of the key (one per company or environment).",
)

_base_url_option = click.option(
    "--base-url",
    help="The address the key is for, when it is not one of RootFi's own (e.g. a local sandbox's "
         "http://127.0.0.1:8765/v4). The key is sent only there. Default: RootFi's addresses.",
)


def _address(base_url: str | None) -> str | None:
    """The canonical address for --base-url (None: RootFi's own); a usage error when it cannot be one."""
    try:
        return other_address(base_url)
    except AddressError as error:
        raise click.BadParameter(str(error), param_hint="--base-url") from None


# A key store that cannot be used raises CredentialsError: the command's error boundary
# shows its message (it says what to do) and ends with exit code 2.

@click.command(cls=GuardedCommand, doing="store the API key", stopped="Stopped (Ctrl+C): no key was stored.")
@_profile_option
@_base_url_option
def login(profile: str, base_url: str | None) -> None:
    """Store a RootFi API key in the system keyring.

    The key is for RootFi's own addresses, or for --base-url alone."""
    address = _address(base_url)
    ensure_keyring()  # say so before the user types the key for nothing
    if address:
        say(messages.LOGIN_ELSEWHERE.format(address=address), fg="yellow")
    where = f" at {address}" if address else ""
    key = click.prompt(f"RootFi API key for profile '{profile}'{where}", hide_input=True)
    hide(key.strip())  # never in a log or a message, even if the key store's error repeats it (as stored: trimmed)
    store_key(profile, key, address)
    say(f"Saved the API key for profile '{profile}' in {keyring_name()} (service '{service_for(address)}'); it is "
        f"sent only to {messages.sent_to(address)}.")
    _warn_if_overridden()


@click.command(cls=GuardedCommand, doing="remove the API key")
@_profile_option
@_base_url_option
def logout(profile: str, base_url: str | None) -> None:
    """Remove a RootFi API key from the system keyring.

    The key for RootFi's own addresses, or the one for --base-url."""
    address = _address(base_url)
    where = f" for {address}" if address else ""
    if delete_key(profile, address):
        say(f"Removed the API key for profile '{profile}'{where}.")
    else:
        say(f"No API key was stored for profile '{profile}'{where}.")
    _warn_if_overridden()


def _warn_if_overridden() -> None:
    if os.environ.get(ENV_VAR, "").strip():  # get_api_key prefers it to every stored key
        say(f"Note: the environment variable {ENV_VAR} is set, and every command uses its key instead of the "
            f"stored one until it is removed.", fg="yellow")
