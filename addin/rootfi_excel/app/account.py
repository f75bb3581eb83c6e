"""Set API key and Check connection, and the API client built from the key store.

`choose_key(settings)` / `open_client(settings)` are the one way every command and button
gets a key and a client: the address comes from the workbook's Settings (or --base-url),
and the key only from what is stored on this computer for that address (api/trust.py).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from rootfi_excel import messages
from rootfi_excel.api.answers import Company
from rootfi_excel.api.client import RootFiClient
from rootfi_excel.api.credentials import ENV_VAR, ensure_keyring, keyring_name
from rootfi_excel.api.trust import ChosenKey, other_address, service_for, store_key
from rootfi_excel.api.trust import choose_key as choose_key_for_address
from rootfi_excel.app.ui import UserInterface
from rootfi_excel.errors import AddressError, AuthError, CredentialsError, NetworkError, RootFiError
from rootfi_excel.fields import integrations
from rootfi_excel.messages import key_refused, platform, unreachable
from rootfi_excel.safe_text import hide
from rootfi_excel.sheets.settings import WorkbookSettings
from rootfi_excel.sheets.workbook_settings import read_workbook_settings
from rootfi_excel.sheets.port import WorkbookPort

# Extra RootFiClient arguments (tests set a fast limiter and short retries); empty in use.
CLIENT_OPTIONS: dict[str, Any] = {}
HEALTHY = "HEALTHY"


def choose_key(settings: WorkbookSettings) -> ChosenKey:
    """The key of the settings' key profile stored for their address (api/trust.py); a
    CredentialsError naming the address and what to do when none may go there. Connects
    to nothing, so a command can stop before it opens anything."""
    where = messages.WHERE_OPTION if settings.base_url_from_command_line else messages.WHERE_SETTINGS
    return choose_key_for_address(settings.base_url, settings.key_profile,
                                  named_on_command_line=settings.base_url_from_command_line, where=where)


def client_for(chosen: ChosenKey, **options: Any) -> RootFiClient:
    """The API client for a chosen key: it connects only to the address the key is for.
    options: RootFiClient's (timeout, retry, transport) over CLIENT_OPTIONS."""
    hide(chosen.key)  # never in the log or a message
    return RootFiClient(chosen.key, base_url=chosen.base_url, **{**CLIENT_OPTIONS, **options})


def open_client(settings: WorkbookSettings) -> RootFiClient:
    """A client for the workbook's API address with the key stored for it (choose_key)."""
    return client_for(choose_key(settings))


def platform_name(integration: str | None) -> str:
    """'NETSUITE' -> 'NetSuite' where the platform list knows a display name."""
    if not integration:
        return "its platform"
    return integrations.display_name(integration)


def read_company(settings: WorkbookSettings, *, client: Any = None, **options: Any) -> tuple[Company, str]:
    """The company settings.company_id names, as RootFi reports it, and where the key that
    read it came from: the one connection check, of Check connection and of doctor.

    client: one already open (its key's source is then told from the environment); None:
    one is opened, with `options` (RootFiClient's), for the key stored for the settings'
    address, and closed. Raises CredentialsError (no key may go there: nothing connected)
    and RootFiError."""
    if client is not None:
        source = (f"{ENV_VAR} environment variable" if os.environ.get(ENV_VAR, "").strip()
                  else "this computer's key store")
        return client.get_company(settings.company_id), source
    chosen = choose_key(settings)
    with client_for(chosen, **options) as own:
        return own.get_company(settings.company_id), chosen.source


def set_api_key(port: WorkbookPort, ui: UserInterface) -> bool:
    """Set API key: ask for the key (masked) and store it in the OS key store under the
    workbook's key profile, for the workbook's address (store_key_for_workbook)."""
    settings, _, _ = read_workbook_settings(port)
    try:
        address = other_address(settings.base_url)
    except AddressError as error:
        ui.error(messages.SET_KEY_BAD_ADDRESS.format(problem=error))
        return False
    return store_key_for_workbook(ui, settings.key_profile, address)


def store_key_for_workbook(ui: UserInterface, profile: str, address: str | None) -> bool:
    """Ask for a key (masked) and store it under `profile` for `address` (None: RootFi's own
    addresses), the address read from a workbook's Settings, which anyone may have written:
    one that is not RootFi's is shown and asked about before a key is typed (a shared
    workbook must not collect keys). Every problem is told, never raised. True when stored."""
    try:
        ensure_keyring()  # say so before the person types a key for nothing
    except CredentialsError as error:
        ui.error(str(error))
        return False
    if address and not ui.confirm(messages.SET_KEY_ELSEWHERE.format(address=address, profile=profile)):
        ui.tell("Nothing was stored.")
        return False
    key = ui.ask_secret(messages.SET_KEY_PROMPT.format(profile=profile, sent_to=messages.sent_to(address))) or ""
    if not key.strip():
        ui.tell("Nothing was stored.")
        return False
    try:
        _store(profile, key, address)
    except CredentialsError as error:
        ui.error(str(error))
        return False
    ui.tell(messages.SET_KEY_SAVED.format(profile=profile, store=keyring_name(), sent_to=messages.sent_to(address)))
    return True


def log_in(ui: UserInterface, profile: str, address: str | None) -> bool:
    """`rootfi-excel login`: ask for a key (masked) and store it under `profile` for `address`
    (None: RootFi's own addresses). The person typed the address here (--base-url): it is
    said, not asked. A key store that cannot be used, or a blank key, raises CredentialsError,
    unless ROOTFI_API_KEY is set (then nothing needs storing). True when one was stored."""
    overridden = messages.key_in_environment()
    try:
        ensure_keyring()  # say so before the person types a key for nothing
    except CredentialsError:
        if overridden:
            ui.warn(messages.LOGIN_WITH_ENV_KEY_ONLY)
            return False
        raise
    if overridden:  # before the key is typed: it will not be used while the variable is set
        ui.warn(messages.ENV_KEY_IN_USE)
    if address:
        ui.warn(messages.LOGIN_ELSEWHERE.format(address=address))
    key = ui.ask_secret(f"RootFi API key for profile '{profile}'" + (f" at {address}" if address else "")) or ""
    _store(profile, key, address)  # a blank key: store_key refuses it
    ui.tell(f"Saved the API key for profile '{profile}' in {keyring_name()} (service "
            f"'{service_for(address)}'); it is sent only to {messages.sent_to(address)}.")
    return True


def _store(profile: str, key: str, address: str | None) -> None:
    """The one store step of both: the key kept out of every log and message (as stored:
    trimmed), even if the key store's error repeats it, then stored for the address."""
    hide(key.strip())
    store_key(profile, key, address)


@dataclass
class Connection:
    company_id: int
    company_name: str | None
    platform: str | None
    health: str | None
    key_profile: str
    key_source: str
    base_url: str

    @property
    def healthy(self) -> bool:
        return (self.health or "").upper() == HEALTHY

    def text(self) -> str:
        return "\n".join([
            f"Company {self.company_id}: {self.company_name or '(no name)'}",
            f"Platform: {platform_name(self.platform)}",
            f"Connection health: {self.health or 'not reported'}"
            + ("" if self.healthy else f" — reconnect {platform_name(self.platform)} in RootFi before you submit"),
            f"Key profile: {self.key_profile} ({self.key_source})",
            f"API address: {self.base_url}",
        ])


def check_connection(port: WorkbookPort, ui: UserInterface, *, client: Any = None) -> Connection | None:
    """Which company, which platform, connection health, which key profile: one request."""
    settings, _, problems = read_workbook_settings(port)
    if settings.company_id is None:
        ui.error("Settings: company_id is empty; fill in your RootFi company id, then check again.")
        return None
    try:
        company, source = read_company(settings, client=client)
    except CredentialsError as error:
        ui.error(str(error))
        return None
    except AuthError:
        ui.error(key_refused(settings.base_url, settings.key_profile, settings.company_id))
        return None
    except NetworkError as error:
        ui.error(unreachable(settings.base_url, error))
        return None
    except RootFiError as error:
        ui.error(f"RootFi could not answer about company {settings.company_id} at {settings.base_url}: {error}. "
                 "Try again in a moment; if it persists, check base_url in Settings.")
        return None
    connection = Connection(settings.company_id, company.name, company.integration, company.connection_status,
                            settings.key_profile, source, settings.base_url)
    lines = [connection.text(), *problems]
    wanted = settings.integration
    actual = integrations.canonical_integration(company.integration)
    if wanted and actual and wanted != actual:
        lines.append(f"Settings says the integration is {platform(wanted)} ({wanted}), but the company is on "
                     f"{platform(actual)} ({actual}): correct Settings before you submit.")
    (ui.tell if connection.healthy and len(lines) == 1 else ui.warn)("\n".join(lines))
    return connection
