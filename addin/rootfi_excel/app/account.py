"""Set API key and Check connection, and the API client built from the key store."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from rootfi_excel.api.credentials import (
    ENV_VAR,
    CredentialsError,
    ensure_keyring,
    get_api_key,
    keyring_name,
    store_api_key,
)
from rootfi_excel.api.errors import AuthError, NetworkError, RootFiError
from rootfi_excel.app.ui import UserInterface
from rootfi_excel.fields import integrations
from rootfi_excel.messages import key_refused, platform, unreachable
from rootfi_excel.sheets.settings import WorkbookSettings
from rootfi_excel.validation.run import read_workbook_settings
from rootfi_excel.workbook.port import WorkbookPort

# Extra RootFiClient arguments (tests set a fast limiter and short retries); empty in use.
CLIENT_OPTIONS: dict[str, Any] = {}
HEALTHY = "HEALTHY"


def open_client(settings: WorkbookSettings) -> Any:
    """A client for the workbook's API address with the key of its key profile."""
    from rootfi_excel.api.client import RootFiClient

    from rootfi_excel.safe_text import hide

    key = get_api_key(settings.key_profile)
    hide(key)  # never in the log or a message
    return RootFiClient(key, base_url=settings.base_url, **CLIENT_OPTIONS)


def platform_name(integration: str | None) -> str:
    """'NETSUITE' -> 'NetSuite' where the platform list knows a display name."""
    if not integration:
        return "its platform"
    return integrations.display_name(integration)


def set_api_key(port: WorkbookPort, ui: UserInterface) -> bool:
    """Ask for the key (masked) and store it in the OS key store under the workbook's key profile."""
    from rootfi_excel.safe_text import hide

    settings, _, _ = read_workbook_settings(port)
    profile = settings.key_profile
    try:
        ensure_keyring()  # say so before the person pastes a key for nothing
        key = ui.ask_secret(f"Paste your RootFi API key for the key profile '{profile}'.\n"
                            "It is kept in this computer's key store, never in the workbook.")
        if not key or not key.strip():
            ui.tell("Nothing was stored.")
            return False
        hide(key.strip())  # never in the log or a message, even if the key store's error repeats it
        store_api_key(profile, key)
    except CredentialsError as error:
        ui.error(str(error))
        return False
    ui.tell(f"Saved the API key for the key profile '{profile}' in {keyring_name()}.\n"
            "Press Check connection to test it.")
    return True


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
    source = f"{ENV_VAR} environment variable" if os.environ.get(ENV_VAR, "").strip() else "this computer's key store"
    own = client is None
    try:
        client = client or open_client(settings)
        company = client.get_company(settings.company_id)
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
    finally:
        if own and client is not None:
            client.close()
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
