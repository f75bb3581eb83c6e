"""The workbook's Settings sheet -> typed settings, with a message per bad value.

The Settings sheet never holds a key: each person's API key is in their own OS
keyring, under the profile named here.
"""

from __future__ import annotations

import datetime as dt
import difflib
import zoneinfo
from dataclasses import dataclass, field
from typing import Any

from rootfi_excel.api.addresses import problem as address_problem
from rootfi_excel.api.paths import DEFAULT_BASE_URL, KNOWN_BASE_URLS, SANDBOX_BASE_URL, unsafe_for_key
from rootfi_excel.errors import CellError
from rootfi_excel.fields.integrations import canonical_integration
from rootfi_excel.sheets.cells import CellFormat, read_date, read_id, read_text

DATE_ORDERS = ("DMY", "MDY", "YMD")
DECIMAL_SEPARATORS = (".", ",")
ENVIRONMENTS = (*KNOWN_BASE_URLS, "sandbox", "custom")
# Records per bulk write. Bigger batches spend fewer of the ~100 requests a minute; the
# API's own cap on a batch is undocumented, so this stays a setting.
DEFAULT_BATCH_SIZE = 200
MAX_BATCH_SIZE = 1000
# Validate warns when the lookups (customers, invoices, ...) are older than this.
DEFAULT_LOOKUPS_MAX_AGE_HOURS = 24
MAX_LOOKUPS_MAX_AGE_HOURS = 24 * 366
# Submit stops waiting for bulk writes at RootFi when none has moved for this long: their
# rows say Pending, the results are written, and Excel is free again.
DEFAULT_STUCK_AFTER_MINUTES = 2
MAX_STUCK_AFTER_MINUTES = 60

# Setting names a person might type, -> ours.
_ALIASES = {
    "company": "company_id",
    "rootfi_company_id": "company_id",
    "platform": "integration",
    "integration_type": "integration",
    "url": "base_url",
    "api_url": "base_url",
    "profile": "key_profile",
    "key": "key_profile",  # a key *profile* name; a key itself is refused below
    "api_key_profile": "key_profile",
    "dates": "date_order",
    "decimal": "decimal_separator",
    "timezone": "time_zone",
    "version": "template_version",
}

# What the Settings sheet's notes column says of each setting. Keep each note true to
# read_settings below (the template shows them; a test checks the sheet has them).
SETTING_NOTES = {
    "company_id": "Your RootFi company id, a whole number (ask whoever set up RootFi). Submit needs it.",
    "integration": "Your accounting platform, picked from the list (the Lookups sheet gives each code's name). "
                   "Blank: Validate skips the fields only some platforms need, and Submit uses the "
                   "company's platform.",
    "environment": "Which RootFi server: production unless told otherwise (rootfi and saudi are the other "
                   f"RootFi addresses; sandbox is a local sandbox on this computer, {SANDBOX_BASE_URL} unless "
                   "base_url says otherwise; custom needs a base_url).",
    "base_url": "Leave blank to use the environment's address. An address typed here is used whatever "
                "the environment says: https://, or plain http:// only to this computer (a local sandbox, "
                f"e.g. {SANDBOX_BASE_URL}).",
    "key_profile": "Which saved key to use; 'default' for most people.",
    "date_order": "How dates typed as text are read: DMY 31/01/2024, MDY 01/31/2024, YMD 2024-01-31.",
    "decimal_separator": "'.' for 1,234.50 or ',' for 1.234,50 (numbers typed as text).",
    "time_zone": "Blank = this computer's zone, or e.g. Europe/London (for submitted_at).",
    "batch_size": f"How many records are sent per request (1 to {MAX_BATCH_SIZE}).",
    "lookups_max_age_hours": f"Validate warns when the lookups (Refresh lookups) are older than this many "
                             f"hours ({DEFAULT_LOOKUPS_MAX_AGE_HOURS} when blank).",
    "stuck_after_minutes": f"Submit stops waiting for a bulk write at RootFi once nothing in it has moved for "
                           f"this many minutes ({DEFAULT_STUCK_AFTER_MINUTES} when blank, at most "
                           f"{MAX_STUCK_AFTER_MINUTES}): its rows say Pending and the next Submit collects them.",
    "posted_from": "First day of the period the Posted button lists. Blank: the 1st of this month.",
    "posted_to": "Last day of that period. Blank: the last day of posted_from's month.",
    "template_version": "Version of this template: do not change.",
    "workbook_id": "This workbook's identity, made by RootFi (blank: made at the first Validate or Submit). "
                   "Renaming, moving or Save As keep it. Do not change it or copy it into another workbook.",
}
BLANK_COMPANY_ID = ("Settings: company_id is blank. Type your RootFi company id (a whole number; ask whoever "
                    "set up RootFi): Submit needs it.")

# Words that must never be a setting: the template is shared, so it holds no secret.
_SECRET_NAMES = ("api_key", "apikey", "password", "secret", "token")


@dataclass
class WorkbookSettings:
    company_id: int | None = None
    integration: str | None = None  # canonical name, e.g. NETSUITE
    environment: str = "production"
    base_url: str = DEFAULT_BASE_URL
    # True when base_url came from --base-url (typed on this computer), not from the
    # workbook: only then may ROOTFI_API_KEY go to an address that is not RootFi's.
    base_url_from_command_line: bool = False
    key_profile: str = "default"
    date_order: str = "DMY"
    decimal_separator: str = "."
    time_zone: str | None = None
    batch_size: int = DEFAULT_BATCH_SIZE
    template_version: str | None = None
    workbook_id: str | None = None  # the id the journal knows this workbook by (blank: none yet)
    lookups_max_age_hours: float = DEFAULT_LOOKUPS_MAX_AGE_HOURS
    stuck_after_minutes: float = DEFAULT_STUCK_AFTER_MINUTES
    posted_from: dt.date | None = None  # blank: see posted_period()
    posted_to: dt.date | None = None
    problems: list[str] = field(default_factory=list)
    posted_problems: list[str] = field(default_factory=list)  # only the Posted button stops for these

    @property
    def cell_format(self) -> CellFormat:
        return CellFormat(self.date_order, self.decimal_separator)

    @property
    def lookups_max_age(self) -> dt.timedelta:
        return dt.timedelta(hours=self.lookups_max_age_hours)

    def posted_period(self, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
        """The Posted button's period: posted_from..posted_to, blanks filled with this month."""
        start = self.posted_from or (today or dt.date.today()).replace(day=1)
        return start, self.posted_to if self.posted_to is not None else month_end(start)


def month_end(day: dt.date) -> dt.date:
    next_month = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return next_month - dt.timedelta(days=1)


def _normalize_name(name: Any) -> str:
    text = str(name or "").strip().lower().replace(" ", "_").replace("-", "_")
    return _ALIASES.get(text, text)


def read_settings(raw: dict[str, Any]) -> WorkbookSettings:
    """{setting: value} as the workbook has them -> WorkbookSettings (+ problems)."""
    values = {_normalize_name(k): v for k, v in raw.items()}
    settings = WorkbookSettings()
    fmt = CellFormat()
    problems = settings.problems

    for name in values:
        if any(secret in name for secret in _SECRET_NAMES) and name != "key_profile":
            problems.append(
                f"Settings: remove the '{name}' row. This workbook is shared and must never hold a key; "
                "each person stores their own with the Login button (rootfi-excel login)."
            )

    def text(name: str) -> str | None:
        try:
            return read_text(values.get(name), fmt)
        except CellError as error:
            problems.append(f"Settings: {name} {error}")
            return None

    try:
        company = read_id(values.get("company_id"), fmt)
        if company is not None:
            if not company.isdigit():
                raise CellError(f"'{company}' is not a RootFi company id (a whole number)")
            settings.company_id = int(company)
    except CellError as error:
        problems.append(f"Settings: company_id {error}")

    settings.integration = canonical_integration(text("integration"))

    environment = (text("environment") or "production").lower()
    base_url = text("base_url")
    if base_url:
        settings.base_url = base_url.rstrip("/")
        settings.environment = environment if environment in ENVIRONMENTS else "custom"
    elif environment in KNOWN_BASE_URLS:
        settings.environment, settings.base_url = environment, KNOWN_BASE_URLS[environment]
    elif environment == "sandbox":  # `rootfi-excel sandbox` at its usual address on this computer
        settings.environment, settings.base_url = environment, SANDBOX_BASE_URL
    else:
        problems.append(
            f"Settings: environment '{environment}' needs a base_url (the API address); "
            f"or choose one of {', '.join([*KNOWN_BASE_URLS, 'sandbox'])}"
        )
    unusable = address_problem(settings.base_url)  # the client's own rule, decided on the parsed host
    if unusable and unsafe_for_key(settings.base_url):
        problems.append("Settings: base_url must start with https:// (plain http only for a local sandbox)")
    elif unusable:
        problems.append(f"Settings: base_url cannot be used: {unusable}")

    settings.key_profile = text("key_profile") or "default"

    order = (text("date_order") or "DMY").upper().replace("/", "").replace("-", "")
    if order in DATE_ORDERS:
        settings.date_order = order
    else:
        problems.append(f"Settings: date_order '{order}' must be one of {', '.join(DATE_ORDERS)}")

    separator = text("decimal_separator") or "."
    if separator.lower() in ("comma", ","):
        settings.decimal_separator = ","
    elif separator.lower() in ("dot", "point", "period", "."):
        settings.decimal_separator = "."
    else:
        problems.append("Settings: decimal_separator must be '.' or ','")

    zone = text("time_zone")
    if zone:
        settings.time_zone = _time_zone(zone, problems)
    settings.template_version = text("template_version")
    settings.workbook_id = text("workbook_id")

    batch = values.get("batch_size")
    if batch not in (None, ""):
        try:
            size = int(float(str(batch).strip()))
            if not 1 <= size <= MAX_BATCH_SIZE:
                raise ValueError
            settings.batch_size = size
        except ValueError:
            problems.append(f"Settings: batch_size must be a whole number from 1 to {MAX_BATCH_SIZE}")
    _read_lookups_and_posted(values, settings)
    settings.stuck_after_minutes = _positive_number(values, "stuck_after_minutes", DEFAULT_STUCK_AFTER_MINUTES,
                                                    MAX_STUCK_AFTER_MINUTES, "minutes", settings.problems)
    return settings


def _positive_number(values: dict[str, Any], name: str, default: float, most: float, unit: str,
                     problems: list[str]) -> float:
    """A number above 0 and up to `most` (blank: the default), or a problem naming the setting."""
    value = values.get(name)
    if value in (None, "") or (isinstance(value, str) and not value.strip()):
        return float(default)
    try:
        number = value if isinstance(value, (int, float)) and not isinstance(value, bool) else float(str(value).strip())
        if not 0 < number <= most:  # NaN fails this too
            raise ValueError
        return float(number)
    except ValueError:
        problems.append(f"Settings: {name} must be a number of {unit} above 0 and up to {most:g} (e.g. {default:g}), "
                        f"not '{value}'")
        return float(default)


def _read_lookups_and_posted(values: dict[str, Any], settings: WorkbookSettings) -> None:
    age = values.get("lookups_max_age_hours")
    if age not in (None, "") and not (isinstance(age, str) and not age.strip()):
        try:
            hours = age if isinstance(age, (int, float)) and not isinstance(age, bool) else float(str(age).strip())
            if not 0 < hours <= MAX_LOOKUPS_MAX_AGE_HOURS:  # NaN fails this too
                raise ValueError
            settings.lookups_max_age_hours = float(hours)
        except ValueError:
            settings.problems.append(f"Settings: lookups_max_age_hours must be a number of hours above 0 and up to "
                                     f"{MAX_LOOKUPS_MAX_AGE_HOURS} (e.g. {DEFAULT_LOOKUPS_MAX_AGE_HOURS}), not "
                                     f"'{age}'")
    fmt = settings.cell_format
    for name in ("posted_from", "posted_to"):
        try:
            setattr(settings, name, read_date(values.get(name), fmt))
        except CellError as error:
            settings.posted_problems.append(f"Settings: {name} {error}")
    if settings.posted_from and settings.posted_to and settings.posted_to < settings.posted_from:
        settings.posted_problems.append("Settings: posted_to is before posted_from")


def _time_zone(name: str, problems: list[str]) -> str | None:
    """A time zone name as the zone database spells it (any case accepted); a name it
    does not know is a problem naming the closest ones, never this computer's zone instead."""
    try:
        zoneinfo.ZoneInfo(name)
        return name
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        pass
    known = zoneinfo.available_timezones()  # read only for a name that is not one
    spelled = {zone.lower(): zone for zone in known}.get(name.lower().replace(" ", "_"))
    if spelled:
        return spelled
    close = _closest(name, known)
    hint = f"did you mean {' or '.join(close)}?" if close else "use a name such as Europe/London or America/New_York"
    problems.append(f"Settings: time_zone '{name}' is not a time zone name: {hint} (blank = this computer's zone)")
    return None


def _closest(name: str, known: set[str]) -> list[str]:
    """Up to three Area/City zone names like `name` (a misspelled zone, or only its city)."""
    zones = sorted(zone for zone in known if "/" in zone and not zone.startswith(("Etc/", "SystemV/")))
    cities = {zone.rsplit("/", 1)[1].lower(): zone for zone in zones}
    close = difflib.get_close_matches(name, zones, n=3, cutoff=0.6)
    close += [cities[c] for c in difflib.get_close_matches(name.lower().replace(" ", "_"), list(cities), n=3,
                                                            cutoff=0.75)]
    return list(dict.fromkeys(close))[:3]


@dataclass
class Overrides:
    """Command-line flags that win over the Settings sheet."""

    base_url: str | None = None
    company_id: int | None = None
    key_profile: str | None = None


def apply_overrides(settings: WorkbookSettings, overrides: Overrides) -> None:
    if overrides.base_url:
        settings.base_url = overrides.base_url.rstrip("/")
        settings.base_url_from_command_line = True  # typed here: see api/trust.py
    if overrides.company_id is not None:
        settings.company_id = overrides.company_id
    if overrides.key_profile:
        settings.key_profile = overrides.key_profile
