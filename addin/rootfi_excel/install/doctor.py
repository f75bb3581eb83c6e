"""`rootfi-excel doctor`: check this computer, and say in plain words what is wrong and
the one thing to do about it.

Each check is a small function returning a Check, so the tests can run them one by one
with a broken setup. Checks that cannot be made here say "skip" and why: never a
pretended "ok".
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rootfi_excel.api.credentials import (
    ensure_keyring,
    get_api_key,
    keyring_name,
    stored_key,
)
from rootfi_excel.api.paths import DEFAULT_BASE_URL
from rootfi_excel.api.retry import RetryPolicy
from rootfi_excel.app.account import read_company
from rootfi_excel.api.trust import has_key_for, other_address, service_for
from rootfi_excel.errors import (
    AddinError,
    AddressError,
    AuthError,
    CredentialsError,
    NetworkError,
    NotFoundError,
    RootFiError,
    ServerError,
    UntrustedAddressError,
)
from rootfi_excel.install import settings_file
from rootfi_excel.install.actions import on_path
from rootfi_excel.install.addin_file import addin_sheet_settings, addin_xlwings_version
from rootfi_excel.install.layout import LINUX, MACOS, WINDOWS, Layout
from rootfi_excel.install.unblock import blocked_files
from rootfi_excel.messages import (
    DOCTOR_SET_ENV_KEY,
    DOCTOR_STORE_A_KEY,
    ENV_VAR,
    key_in_environment,
    platform,
    plural,
    words,
)
from rootfi_excel.sheets.settings import WorkbookSettings, read_settings
from rootfi_excel.workbook.xlsx import XlsxWorkbook

OK, WARN, FAIL, SKIP = "ok", "warn", "fail", "skip"
MIN_PYTHON = (3, 11)
NO_EXCEL = "not applicable on Linux (no Excel)"


@dataclass(frozen=True)
class Check:
    status: str  # ok, warn, fail, skip
    what: str  # what was found, in plain words
    todo: str = ""  # the one thing to do about it (empty when nothing)


# -- Python and Excel ----------------------------------------------------------------


def python_bits() -> int:
    return struct.calcsize("P") * 8


def excel_bits_from_registry() -> int | None:
    """Excel's bitness from the Windows registry (Click-to-Run, then MSI installs); None if unknown."""
    if not sys.platform.startswith("win"):
        return None
    import winreg  # Windows only

    places = [
        (r"SOFTWARE\Microsoft\Office\ClickToRun\Configuration", "Platform"),
        (r"SOFTWARE\Microsoft\Office\16.0\Outlook", "Bitness"),
        (r"SOFTWARE\WOW6432Node\Microsoft\Office\16.0\Outlook", "Bitness"),
    ]
    for key_path, name in places:
        try:
            with winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, key_path) as key:
                value = str(winreg.QueryValueEx(key, name)[0]).lower()
        except OSError:
            continue
        if value in ("x64", "x86"):
            return 64 if value == "x64" else 32
    return None


def check_python(system: str, *, version: tuple[int, ...] = tuple(sys.version_info[:3]),
                 bits: int | None = None, excel_bits: int | None = None,
                 executable: str = sys.executable) -> Check:
    bits = bits or python_bits()
    shown = ".".join(map(str, version))
    if tuple(version[:2]) < MIN_PYTHON:
        return Check(FAIL, f"Python {shown} is too old (RootFi needs {'.'.join(map(str, MIN_PYTHON))} or newer).",
                     "Run the RootFi installer script again: it installs a suitable Python.")
    if system == WINDOWS and "windowsapps" in map(str.lower, _parts(executable)):
        return Check(FAIL, f"Python {shown} is the Microsoft Store build, which Excel cannot start reliably.",
                     "Run the RootFi installer script again: it installs a python.org Python.")
    if system == LINUX:
        return Check(OK, f"Python {shown}, {bits}-bit. Excel's bitness: {NO_EXCEL}.")
    if system == MACOS:
        return Check(OK, f"Python {shown}, {bits}-bit. Excel's bitness not checked (it cannot be read on macOS; "
                         "Excel 2016 and later for Mac are 64-bit only).")
    if excel_bits is None:
        return Check(WARN, f"Python {shown}, {bits}-bit. Excel's bitness not checked: it was not found in the registry.",
                     "If Excel is installed, check File > Account > About Excel says the same bitness.")
    if excel_bits != bits:
        return Check(WARN, f"Python is {bits}-bit but Excel is {excel_bits}-bit.",
                     f"Install a {excel_bits}-bit Python with the RootFi installer script "
                     f"(-Architecture {'x64' if excel_bits == 64 else 'x86'}) so Python matches Excel.")
    return Check(OK, f"Python {shown}, {bits}-bit, like Excel.")


# -- the add-in ----------------------------------------------------------------------


def check_addin_present(layout: Layout) -> Check:
    if not layout.has_excel:
        return Check(SKIP, f"Add-in: {NO_EXCEL}.")
    if not layout.addin_path.is_file():
        return Check(FAIL, f"The RootFi add-in is not in Excel's startup folder ({layout.addin_path}).",
                     "Run `rootfi-excel install`, then restart Excel.")
    return Check(OK, f"The RootFi add-in is installed: {layout.addin_path}.")


def check_addin_version(layout: Layout, expected: str) -> Check:
    if not layout.has_excel:
        return Check(SKIP, f"Add-in version: {NO_EXCEL}.")
    if not layout.addin_path.is_file():
        return Check(SKIP, "Add-in version not checked: there is no add-in.")
    try:
        found = addin_xlwings_version(layout.addin_path)
    except AddinError as exc:
        return Check(FAIL, str(exc), "Run `rootfi-excel upgrade` (quit Excel first) to rebuild it.")
    if found != expected:
        return Check(FAIL, f"The add-in was made for xlwings {found}, but Python has xlwings {expected}: Excel would "
                           f"say \"File not found: xlwings64-{expected}.dll\" or similar.",
                     "Quit Excel and run `rootfi-excel upgrade` to rebuild the add-in.")
    return Check(OK, f"The add-in and Python both use xlwings {expected}.")


def _interpreter_setting(layout: Layout) -> tuple[str | None, str]:
    """The interpreter the add-in will start, and where that was read (the add-in's sheet wins)."""
    key = layout.interpreter_key
    if layout.addin_path.is_file():
        try:
            in_sheet = addin_sheet_settings(layout.addin_path).get(key)
        except AddinError:
            in_sheet = None
        if in_sheet:
            return in_sheet, f"the add-in's own settings sheet ({layout.addin_path.name})"
    return settings_file.read_settings(layout.settings_path).get(key), str(layout.settings_path)


def check_interpreter_setting(layout: Layout) -> Check:
    if not layout.has_excel:
        return Check(SKIP, f"Interpreter setting: {NO_EXCEL}.")
    value, where = _interpreter_setting(layout)
    key = layout.interpreter_key
    if not value:
        return Check(FAIL, f"The add-in has no {key} setting (in {where}): Excel would say "
                           "\"Could not find Interpreter!\".", "Run `rootfi-excel install` again.")
    path = Path(os.path.expandvars(value))
    if not path.is_file():
        return Check(FAIL, f"The add-in's {key} is {value} (set in {where}), which does not exist.",
                     "Run the RootFi installer script again (it recreates the Python environment).")
    if layout.system == MACOS and " " in value:
        return Check(FAIL, f"The add-in's {key} is {value}: the path has a space, which xlwings' AppleScript "
                           "cannot start.", "Run the RootFi installer script again (it uses ~/Library/RootFi/env).")
    if layout.system == WINDOWS and path.name.lower() != "pythonw.exe":
        return Check(WARN, f"The add-in starts {value}: a black console window opens on every button.",
                     "Run `rootfi-excel install` again to use pythonw.exe.")
    return Check(OK, f"The add-in starts {value}.")


def check_applescript(layout: Layout, xlwings_version: str) -> Check:
    if layout.system != MACOS:
        return Check(SKIP, "AppleScript: only needed on macOS." if layout.has_excel else f"AppleScript: {NO_EXCEL}.")
    script = layout.applescript_path(xlwings_version)
    if not script.is_file():
        return Check(FAIL, f"{script.name} is missing, so the buttons cannot start Python "
                           "(Excel says \"run xlwings runpython install\").", "Run `rootfi-excel install` again.")
    return Check(OK, f"{script.name} is installed. The Automation permission cannot be read from here: the first "
                     "time you press a RootFi button, macOS asks whether Excel may control other apps; choose OK.",
                 "If you chose Don't Allow (error -1743), allow Excel in System Settings > Privacy & Security > "
                 "Automation.")


def check_blocked(layout: Layout, paths: list[Path]) -> Check:
    if layout.system != WINDOWS:
        reason = NO_EXCEL if not layout.has_excel else "Windows only (macOS quarantine is not checked)"
        return Check(SKIP, f"Downloaded-file block (Mark of the Web): {reason}.")
    blocked = blocked_files(paths)
    if blocked:
        names = ", ".join(str(p) for p in blocked)
        return Check(FAIL, f"Windows still marks these as downloaded from the internet, so Excel blocks their "
                           f"macros: {names}.", "Run `rootfi-excel install` again (it unblocks them).")
    return Check(OK, "No installed file is marked as downloaded from the internet.")


def path_advice(folder: Path, system: str, shell: str = "") -> str:
    """The one line that puts `folder` on PATH for new terminals of the person's shell."""
    name = Path(shell).name
    profile = "~/.zprofile" if name == "zsh" else ("~/.bash_profile" if system == MACOS and name == "bash"
                                                   else "~/.profile")
    shown = str(folder).replace(str(Path.home()), "$HOME", 1) if str(folder).startswith(str(Path.home())) else folder
    return (f"Put {folder} on PATH for new terminals: echo 'export PATH=\"{shown}:$PATH\"' >> {profile} "
            "(then log out and in, or open a new terminal).")


def check_command(layout: Layout, *, installed: bool, path_variable: str | None = None,
                  shell: str | None = None) -> Check:
    """Linux and macOS: does `rootfi-excel` run from a new terminal (the link in ~/.local/bin, on PATH)?"""

    if layout.command_link is None:
        return Check(SKIP, f"Command on PATH: on Windows run it by its full path, {layout.command}.")
    path_variable = os.environ.get("PATH", "") if path_variable is None else path_variable
    shell = os.environ.get("SHELL", "") if shell is None else shell
    link, folder = layout.command_link, layout.command_link.parent
    found = shutil.which("rootfi-excel", path=path_variable)
    linked = link.is_symlink() and os.readlink(link) == str(layout.command)
    if linked and on_path(folder, path_variable):
        return Check(OK, f"`rootfi-excel` runs from any terminal ({link} -> {layout.command}).")
    if linked:
        return Check(WARN, f"{folder} is not on your PATH, so a new terminal does not find `rootfi-excel` "
                           f"(run it as {layout.command}).", path_advice(folder, layout.system, shell))
    if found:
        return Check(OK, f"`rootfi-excel` on your PATH is {found}.")
    if not installed:
        return Check(SKIP, "Command on PATH: RootFi is not installed here (no install record).")
    return Check(WARN, f"There is no link {link} to the command, so a new terminal does not find `rootfi-excel` "
                       f"(run it as {layout.command}).",
                 "Run the RootFi installer script again (it makes the link where nothing else is).")


def _parts(path: str | Path) -> list[str]:
    """A path's folder names, Windows or POSIX separators alike."""
    return [part for part in re.split(r"[\\/]+", str(path)) if part]


def check_workbook_location(workbook: str | Path | None) -> Check:
    if workbook is None:
        return Check(SKIP, "Workbook location: no workbook given (rootfi-excel doctor BOOK.xlsx checks one).")
    parts = _parts(workbook)
    name = parts[-1] if parts else str(workbook)
    parts = [part.lower() for part in parts]
    cloud = str(workbook).lower().startswith(("http:", "https:")) or any(
        part.startswith(("onedrive", "sharepoint")) or part.endswith(" - sharepoint") for part in parts)
    if cloud:
        return Check(WARN, f"{name} is on OneDrive/SharePoint. The ribbon works there (RootFi does not load "
                           "code from the workbook's folder), but Excel may give the file a web address instead of a "
                           "folder path.",
                     "Use the buttons in Excel; for `rootfi-excel validate/submit` use the synced copy on this "
                     "computer, and let one person submit a shared workbook at a time.")
    return Check(OK, f"{name} is in a local folder.")


# -- key and API -----------------------------------------------------------------------


def check_keyring() -> Check:
    try:
        ensure_keyring()
    except CredentialsError as exc:
        said, _, todo = str(exc).partition(". ")  # "No system keyring ... key. <what to do>"
        if os.environ.get(ENV_VAR, "").strip():  # a server or scheduled task: the key needs no keyring
            return Check(WARN, f"{said}; the key comes from the environment variable {ENV_VAR}.",
                         "Nothing to do for unattended runs; for `rootfi-excel login` and the Excel buttons, "
                         "make a system keyring available.")
        return Check(FAIL, f"{said}.", todo or "Make the system keyring available, then run doctor again.")
    return Check(OK, f"Keys are kept in {keyring_name()}.")


def check_stored_key(profile: str, base_url: str | None = None) -> Check:
    """The key of `profile` stored for `base_url` (None or one of RootFi's: the key for RootFi's
    own addresses; any other address has its own key, see api/trust.py)."""

    if os.environ.get(ENV_VAR, "").strip():
        try:
            get_api_key(profile)
        except CredentialsError as exc:
            return Check(FAIL, str(exc), f"Set {ENV_VAR} to the key alone, or remove it to use the stored key.")
        return Check(OK, f"The API key comes from the environment variable {ENV_VAR} (it overrides the keyring).")
    try:
        address = other_address(base_url)
    except AddressError:
        return Check(SKIP, f"Stored key for profile '{profile}' not checked: the API address cannot be used "
                           "(see above).")
    try:
        ensure_keyring()
    except CredentialsError:
        return Check(SKIP, f"Stored key for profile '{profile}' not checked: there is no keyring (see above).")
    try:
        stored = has_key_for(profile, address)
    except CredentialsError as exc:  # a locked keyring: the key may well be there
        said, _, todo = str(exc).partition(". ")
        return Check(FAIL, f"The key of profile '{profile}' could not be checked: {said}.", todo)
    if stored:
        try:
            stored_key(profile, service=service_for(address))  # a key pasted with quotes or spaces cannot be used
        except CredentialsError as exc:
            said, _, todo = str(exc).rpartition(". ")
            return Check(FAIL, f"{said}.", todo)
        if address:
            return Check(OK, f"An API key is stored for {address} (profile '{profile}'), which is not one of "
                             "RootFi's addresses: you stored it for that address on this computer.")
        return Check(OK, f"An API key is stored for profile '{profile}'.")
    option = "" if profile == "default" else f" --profile {profile}"
    if address:
        return Check(FAIL, f"No API key is stored for {address} (profile '{profile}'), which is not one of RootFi's "
                           "addresses, so the key is not sent there.",
                     f"If that address is right, run `rootfi-excel login --base-url {address}{option}` (or press Set "
                     "API key in Excel); otherwise correct base_url in the workbook's Settings.")
    return Check(FAIL, f"No API key is stored for profile '{profile}'.",
                 f"Run `rootfi-excel login --profile {profile}` (or the Set API key button in Excel).")


@dataclass
class ApiProbe:
    """One call to the API, shared by the reach and company checks."""

    base_url: str
    company_id: int | None
    company: Any = None
    profile: str = "default"  # the key profile whose key was sent
    error: Exception | None = None
    skipped: str = ""


def probe_api(base_url: str, company_id: int | None, profile: str, *, named_on_command_line: bool = False,
              transport: Any = None, timeout: float = 10.0) -> ApiProbe:
    probe = ApiProbe(base_url, company_id, profile=profile)
    if company_id is None:
        probe.skipped = "no company id (give --company, or a workbook whose Settings has company_id)"
        return probe
    settings = WorkbookSettings(company_id=company_id, base_url=base_url, key_profile=profile,
                                base_url_from_command_line=named_on_command_line)
    retry = RetryPolicy(max_attempts=2, base_delay=0.2, max_delay=1.0, max_retry_after=5.0)
    try:  # the key is chosen first (api/trust.py): nothing connects before it
        probe.company, _ = read_company(settings, timeout=timeout, retry=retry, transport=transport)
    except UntrustedAddressError as exc:
        probe.error = exc
        return probe
    except CredentialsError as exc:
        text = str(exc)
        if text.startswith("Could not read"):
            probe.skipped = f"the key of profile '{profile}' could not be read"
        elif "not a RootFi API key" in text:
            probe.skipped = f"the key of profile '{profile}' is not a RootFi API key"
        else:
            probe.skipped = f"no API key for profile '{profile}'"
        return probe
    except RootFiError as exc:
        probe.error = exc
    return probe


def check_api_reachable(probe: ApiProbe) -> Check:
    if probe.skipped:
        return Check(SKIP, f"RootFi API not called: {probe.skipped}.")
    if isinstance(probe.error, UntrustedAddressError):  # it names the address and what to do
        return Check(FAIL, str(probe.error))
    if isinstance(probe.error, CredentialsError):  # e.g. a base_url the key must not be sent to
        said, _, todo = str(probe.error).partition(". ")
        return Check(FAIL, f"{said}.", todo or "Correct base_url in the workbook's Settings.")
    if isinstance(probe.error, NetworkError):
        return Check(FAIL, f"Could not reach the RootFi API at {probe.base_url}.",
                     "Check the internet connection, a proxy or firewall, and the base_url in the workbook's Settings.")
    if isinstance(probe.error, ServerError):
        return Check(FAIL, f"The RootFi API at {probe.base_url} answered with a server error.",
                     "Try again in a few minutes; if it persists, contact RootFi support.")
    return Check(OK, f"The RootFi API answers at {probe.base_url}.")


def check_company(probe: ApiProbe) -> Check:
    if probe.skipped:
        return Check(SKIP, f"Company and platform not checked: {probe.skipped}.")
    if isinstance(probe.error, (NetworkError, ServerError, CredentialsError)):
        return Check(SKIP, "Company and platform not checked: the API was not reached.")
    if isinstance(probe.error, AuthError):
        if key_in_environment():
            return Check(FAIL, f"RootFi refused the API key in the environment variable {ENV_VAR}.", DOCTOR_SET_ENV_KEY)
        return Check(FAIL, f"RootFi refused the API key of profile '{probe.profile}'.",
                     words(DOCTOR_STORE_A_KEY, profile=probe.profile))
    if isinstance(probe.error, NotFoundError):
        return Check(FAIL, f"This key sees no company {probe.company_id}.",
                     "Correct company_id in the workbook's Settings, or use the key of that company.")
    if probe.error is not None:
        return Check(FAIL, f"RootFi did not say which company this key sees: {probe.error}.",
                     "Try again; if it persists, send the log to support.")
    company = probe.company
    on = platform(company.integration) if company.integration else "(no platform)"
    said = f"Company {probe.company_id}: {company.name or '(no name)'} on {on}"
    status = (company.connection_status or "").upper()
    if status and status != "HEALTHY":
        return Check(WARN, f"{said}, connection {status}.",
                     f"Reconnect {platform(company.integration)} in RootFi before you submit.")
    return Check(OK, f"{said}, connection {status or 'not reported'}.")


# -- the whole report ---------------------------------------------------------------------


def workbook_settings(workbook: Path) -> Any:
    """The Settings sheet of a workbook file (base_url, company_id, key_profile)."""

    return read_settings(XlsxWorkbook.open(workbook).read_settings())


def run_doctor(layout: Layout, *, xlwings_version: str, workbook: Path | None = None,
               base_url: str | None = None, company_id: int | None = None, profile: str | None = None,
               excel_bits: Callable[[], int | None] = excel_bits_from_registry,
               installed_files: list[Path] | None = None, installed: bool = False) -> list[Check]:
    checks = [check_python(layout.system, excel_bits=excel_bits() if layout.system == WINDOWS else None),
              check_addin_present(layout), check_addin_version(layout, xlwings_version),
              check_interpreter_setting(layout), check_applescript(layout, xlwings_version),
              check_command(layout, installed=installed)]
    blockable = list(installed_files or [])
    if layout.has_excel:
        blockable.append(layout.addin_path)
        blockable += layout.xlwings_dlls  # Excel loads them: a blocked one stops every button
    if workbook is not None:
        blockable.append(workbook)
    checks.append(check_blocked(layout, blockable))
    checks.append(check_workbook_location(workbook))
    settings = None
    if workbook is not None and Path(workbook).is_file():
        try:
            settings = workbook_settings(Path(workbook))
        except Exception as exc:  # any unreadable file: said as a check, never a traceback
            checks.append(Check(FAIL, f"{Path(workbook).name} could not be read ({type(exc).__name__}).",
                                "Open it in Excel and save it as .xlsx, then run doctor again."))
        else:
            if settings.problems:  # what Validate and Submit would refuse the workbook for
                checks.append(Check(FAIL, f"{Path(workbook).name}: " + "; ".join(settings.problems) + ".",
                                    "Correct the Settings sheet of the workbook, then run doctor again."))
    elif workbook is not None and not str(workbook).lower().startswith("http"):
        checks.append(Check(FAIL, f"{workbook} does not exist.", "Give the path of the workbook file."))
    profile = profile or (settings.key_profile if settings else "default")
    named_on_command_line = bool(base_url)
    base_url = base_url or (settings.base_url if settings else DEFAULT_BASE_URL)
    company_id = company_id if company_id is not None else (settings.company_id if settings else None)
    checks += [check_keyring(), check_stored_key(profile, base_url)]
    probe = probe_api(base_url, company_id, profile, named_on_command_line=named_on_command_line)
    checks += [check_api_reachable(probe), check_company(probe)]
    return checks


def exit_code(checks: list[Check]) -> int:
    """0 when nothing failed (warnings and skipped checks are said, not failed), else 1."""
    return 1 if any(c.status == FAIL for c in checks) else 0


def render(checks: list[Check]) -> str:
    marks = {OK: "ok  ", WARN: "WARN", FAIL: "FAIL", SKIP: "skip"}
    lines = []
    for check in checks:
        lines.append(f"[{marks[check.status]}] {check.what}")
        if check.todo and check.status != OK:
            lines.append(f"       -> {check.todo}")
        elif check.todo:
            lines.append(f"       (if needed: {check.todo})")
    failed = sum(c.status == FAIL for c in checks)
    warned = sum(c.status == WARN for c in checks)
    lines.append("")
    lines.append("All is well." if not failed and not warned else
                 f"{plural(failed, 'problem')} to fix, {plural(warned, 'warning')}. Do the steps marked -> in order.")
    return "\n".join(lines)
