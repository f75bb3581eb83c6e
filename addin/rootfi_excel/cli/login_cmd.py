"""`rootfi-excel login` and `logout`: keep the API key in the OS keyring, never on screen."""

from __future__ import annotations

import click

from rootfi_excel.api.credentials import DEFAULT_PROFILE
from rootfi_excel.api.trust import delete_key, other_address
from rootfi_excel.app.account import log_in
from rootfi_excel.cli.guarded import GuardedCommand
from rootfi_excel.cli.output import say
from rootfi_excel.cli.terminal_ui import TerminalUI
from rootfi_excel.errors import AddressError, CredentialsError
from rootfi_excel.messages import ENV_KEY_IN_USE, LOGOUT_WITH_ENV_KEY_ONLY, key_in_environment

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
    log_in(TerminalUI(), profile, _address(base_url))


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
