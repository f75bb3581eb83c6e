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

_profile_option = click.option(
    "--profile",
    default=DEFAULT_PROFILE,
    show_default=True,
    help="Name of the key (one per company or environment).",
)


@click.command()
@_profile_option
def login(profile: str) -> None:
    """Store a RootFi API key in the system keyring."""
    try:
        ensure_keyring()  # say so before the user types the key for nothing
        key = click.prompt(f"RootFi API key for profile '{profile}'", hide_input=True)
        store_api_key(profile, key)
    except CredentialsError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Saved the API key for profile '{profile}' in {keyring_name()} (service '{SERVICE}').")


@click.command()
@_profile_option
def logout(profile: str) -> None:
    """Remove a RootFi API key from the system keyring."""
    try:
        removed = delete_api_key(profile)
    except CredentialsError as exc:
        raise click.ClickException(str(exc)) from None
    if removed:
        click.echo(f"Removed the API key for profile '{profile}'.")
    else:
        click.echo(f"No API key was stored for profile '{profile}'.")
