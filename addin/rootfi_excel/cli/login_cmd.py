"""`rootfi-excel login` and `logout`: keep the API key in the OS keyring, never on screen."""

from __future__ import annotations

import click

from rootfi_excel import messages
from rootfi_excel.api.addresses import AddressError
from rootfi_excel.api.credentials import (
    DEFAULT_PROFILE,
    CredentialsError,
    ensure_keyring,
    keyring_name,
)
from rootfi_excel.api.trust import delete_key, other_address, service_for, store_key
from rootfi_excel.cli.guarded import GuardedCommand
from rootfi_excel.cli.output import say
from rootfi_excel.messages import ENV_KEY_IN_USE, LOGIN_WITH_ENV_KEY_ONLY, LOGOUT_WITH_ENV_KEY_ONLY, key_in_environment
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
# shows its message (it says what to do) and ends with exit code 2. With ROOTFI_API_KEY
# set, that variable's key is the one in use: both commands say so, and a computer
# without a key store is then no failure (there is nothing to store or remove).

@click.command(cls=GuardedCommand, doing="store the API key", stopped="Stopped (Ctrl+C): no key was stored.")
@_profile_option
@_base_url_option
def login(profile: str, base_url: str | None) -> None:
    """Store a RootFi API key in the system keyring.

    The key is for RootFi's own addresses, or for --base-url alone."""
    address = _address(base_url)
    overridden = key_in_environment()
    try:
        ensure_keyring()  # say so before the user types the key for nothing
    except CredentialsError:
        if not overridden:
            raise
        say(LOGIN_WITH_ENV_KEY_ONLY, fg="yellow")
        return
    if overridden:  # before the key is typed: it will not be used while the variable is set
        say(ENV_KEY_IN_USE, fg="yellow")
    if address:
        say(messages.LOGIN_ELSEWHERE.format(address=address), fg="yellow")
    where = f" at {address}" if address else ""
    key = click.prompt(f"RootFi API key for profile '{profile}'{where}", hide_input=True)
    hide(key.strip())  # never in a log or a message, even if the key store's error repeats it (as stored: trimmed)
    store_key(profile, key, address)
    say(f"Saved the API key for profile '{profile}' in {keyring_name()} (service '{service_for(address)}'); it is "
        f"sent only to {messages.sent_to(address)}.")


@click.command(cls=GuardedCommand, doing="remove the API key")
@_profile_option
@_base_url_option
def logout(profile: str, base_url: str | None) -> None:
    """Remove a RootFi API key from the system keyring.

    The key for RootFi's own addresses, or the one for --base-url."""
    address = _address(base_url)
    where = f" for {address}" if address else ""
    overridden = key_in_environment()
    try:
        removed = delete_key(profile, address)
    except CredentialsError:
        if not overridden:
            raise
        say(LOGOUT_WITH_ENV_KEY_ONLY, fg="yellow")
        return
    if removed:
        say(f"Removed the API key for profile '{profile}'{where}.")
    else:
        say(f"No API key was stored for profile '{profile}'{where}.")
    if overridden:
        say(ENV_KEY_IN_USE, fg="yellow")
