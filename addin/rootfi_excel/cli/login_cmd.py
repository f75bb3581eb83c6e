"""`rootfi-excel login` and `logout`: keep the API key in the OS keyring, never on screen."""

from __future__ import annotations

import click

from rootfi_excel.api.credentials import (
    DEFAULT_PROFILE,
    SERVICE,
    CredentialsError,
    delete_api_key,
    ensure_keyring,
    keyring_name,
    store_api_key,
)
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


# A key store that cannot be used raises CredentialsError: the command's error boundary
# shows its message (it says what to do) and ends with exit code 2. With ROOTFI_API_KEY
# set, that variable's key is the one in use: both commands say so, and a computer
# without a key store is then no failure (there is nothing to store or remove).

@click.command(cls=GuardedCommand, doing="store the API key", stopped="Stopped (Ctrl+C): no key was stored.")
@_profile_option
def login(profile: str) -> None:
    """Store a RootFi API key in the system keyring."""
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
    key = click.prompt(f"RootFi API key for profile '{profile}'", hide_input=True)
    hide(key.strip())  # never in a log or a message, even if the key store's error repeats it (as stored: trimmed)
    store_api_key(profile, key)
    say(f"Saved the API key for profile '{profile}' in {keyring_name()} (service '{SERVICE}').")


@click.command(cls=GuardedCommand, doing="remove the API key")
@_profile_option
def logout(profile: str) -> None:
    """Remove a RootFi API key from the system keyring."""
    overridden = key_in_environment()
    try:
        removed = delete_api_key(profile)
    except CredentialsError:
        if not overridden:
            raise
        say(LOGOUT_WITH_ENV_KEY_ONLY, fg="yellow")
        return
    if removed:
        say(f"Removed the API key for profile '{profile}'.")
    else:
        say(f"No API key was stored for profile '{profile}'.")
    if overridden:
        say(ENV_KEY_IN_USE, fg="yellow")
