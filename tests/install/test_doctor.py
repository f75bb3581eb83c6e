"""`rootfi-excel doctor`: each check with a broken setup, then the whole report on this
Linux machine (no Excel) and against the sandbox over HTTP."""

from __future__ import annotations

import socket
from pathlib import Path

import keyring
import pytest
import xlwings
from click.testing import CliRunner
from keyring.backends import fail

from rootfi_excel.api.credentials import SERVICE
from rootfi_excel.cli.main import cli
from rootfi_excel.install import doctor, settings_file
from rootfi_excel.messages import at_terminal
from rootfi_excel.install.actions import install
from rootfi_excel.install.doctor import FAIL, OK, SKIP, WARN
from rootfi_excel.install.layout import LINUX, MACOS, WINDOWS
from rootfi_excel.install.unblock import zone_stream
from rootfi_excel.workbook.template import build_template
from rootfi_excel.install.addin_file import build_addin_into
from tests.support.installs import make_layout, set_addin_xlwings_version

VERSION = xlwings.__version__
NETSUITE, DISCONNECTED = 1003, 1007


def installed(tmp_path: Path, system: str):
    layout = make_layout(tmp_path, system)
    install(layout, templates_dir=tmp_path / "templates", tell=lambda _: None, builder=build_addin_into)
    return layout


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(autouse=True)
def _no_real_home(tmp_path, monkeypatch):
    """Whatever a command falls back to (Path.home()) is a temporary folder, never the real home."""
    monkeypatch.setenv("HOME", str(tmp_path / "guarded-home"))
    monkeypatch.setenv("USERPROFILE", str(tmp_path / "guarded-home"))

# ------------------------------------------------------------- Excel side, simulated


@pytest.mark.parametrize("system", [WINDOWS, MACOS])
def test_a_fresh_install_passes_every_excel_check(tmp_path, system):
    layout = installed(tmp_path, system)
    assert doctor.check_addin_present(layout).status == OK
    version = doctor.check_addin_version(layout, VERSION)
    assert version.status == OK and VERSION in version.what
    interpreter = doctor.check_interpreter_setting(layout)
    assert interpreter.status == OK and str(layout.interpreter) in interpreter.what
    assert doctor.check_blocked(layout, [layout.addin_path]).status == (OK if system == WINDOWS else SKIP)
    script = doctor.check_applescript(layout, VERSION)
    if system == MACOS:
        assert script.status == OK and "Automation" in script.what and "-1743" in script.todo
    else:
        assert script.status == SKIP


def test_missing_add_in(tmp_path):
    layout = make_layout(tmp_path, WINDOWS)
    check = doctor.check_addin_present(layout)
    assert check.status == FAIL and str(layout.addin_path) in check.what
    assert check.todo == "Run `rootfi-excel install`, then restart Excel."
    assert doctor.check_addin_version(layout, VERSION).status == SKIP


def test_add_in_made_for_another_xlwings(tmp_path):
    layout = installed(tmp_path, WINDOWS)
    set_addin_xlwings_version(layout.addin_path, "0.30.0")
    check = doctor.check_addin_version(layout, VERSION)
    assert check.status == FAIL
    assert "xlwings 0.30.0" in check.what and f"xlwings {VERSION}" in check.what
    assert "rootfi-excel upgrade" in check.todo


def test_add_in_that_is_not_an_excel_file(tmp_path):
    layout = installed(tmp_path, MACOS)
    layout.addin_path.write_bytes(b"not a zip")
    check = doctor.check_addin_version(layout, VERSION)
    assert check.status == FAIL and "not a readable Excel add-in" in check.what


def test_missing_interpreter_and_missing_setting(tmp_path):
    layout = installed(tmp_path, WINDOWS)
    layout.interpreter.unlink()
    check = doctor.check_interpreter_setting(layout)
    assert check.status == FAIL
    assert f"INTERPRETER_WIN is {layout.interpreter} (set in {layout.settings_path}), which does not exist" in check.what
    assert "installer script" in check.todo

    settings_file.write_settings(layout.settings_path, {"SHOW CONSOLE": "True"})
    check = doctor.check_interpreter_setting(layout)
    assert check.status == FAIL and "Could not find Interpreter!" in check.what

    python_exe = layout.interpreter.with_name("python.exe")
    settings_file.write_settings(layout.settings_path, {"INTERPRETER_WIN": str(python_exe)})
    assert doctor.check_interpreter_setting(layout).status == WARN  # a console window on every button


def test_an_interpreter_in_the_add_ins_own_sheet_wins_over_the_file(tmp_path):
    from rootfi_excel.excel_addin import AddinSettings, build_addin

    layout = installed(tmp_path, WINDOWS)
    elsewhere = r"C:\Python\gone\pythonw.exe"
    build_addin(layout.addin_path.parent, AddinSettings(interpreter_win=elsewhere))  # `addin build --interpreter-win`
    check = doctor.check_interpreter_setting(layout)
    assert check.status == FAIL
    assert f"INTERPRETER_WIN is {elsewhere} (set in the add-in's own settings sheet (rootfi.xlam))" in check.what


def test_macos_interpreter_path_with_a_space(tmp_path):
    layout = installed(tmp_path, MACOS)
    spaced = tmp_path / "My Env" / "bin" / "python"
    spaced.parent.mkdir(parents=True)
    spaced.write_bytes(b"#!")
    settings_file.write_settings(layout.settings_path, {"INTERPRETER_MAC": str(spaced)})
    check = doctor.check_interpreter_setting(layout)
    assert check.status == FAIL and "has a space" in check.what


def test_missing_applescript_on_macos(tmp_path):
    layout = installed(tmp_path, MACOS)
    layout.applescript_path(VERSION).unlink()
    check = doctor.check_applescript(layout, VERSION)
    assert check.status == FAIL and f"xlwings-{VERSION}.applescript is missing" in check.what
    assert check.todo == "Run `rootfi-excel install` again."


def test_files_still_marked_as_downloaded(tmp_path):
    layout = installed(tmp_path, WINDOWS)
    zone_stream(layout.addin_path).write_text("[ZoneTransfer]\r\nZoneId=3\r\n")
    check = doctor.check_blocked(layout, [layout.addin_path])
    assert check.status == FAIL and str(layout.addin_path) in check.what
    assert "unblocks" in check.todo


@pytest.mark.parametrize("path", [
    r"C:\Users\ann\OneDrive - Acme Ltd\Finance\payments.xlsx",
    "/Users/ann/Library/CloudStorage/OneDrive-AcmeLtd/payments.xlsx",
    "https://acme.sharepoint.com/sites/finance/Shared Documents/payments.xlsx",
])
def test_workbook_on_onedrive_or_sharepoint(path):
    check = doctor.check_workbook_location(path)
    assert check.status == WARN and "OneDrive/SharePoint" in check.what and check.todo


def test_local_workbook_and_no_workbook():
    assert doctor.check_workbook_location(Path("/home/ann/books/payments.xlsx")).status == OK
    assert doctor.check_workbook_location(None).status == SKIP


def test_python_checks():
    assert doctor.check_python(WINDOWS, version=(3, 10, 4)).status == FAIL
    store = doctor.check_python(WINDOWS, version=(3, 12, 1),
                                executable=r"C:\Users\ann\AppData\Local\Microsoft\WindowsApps\python.exe")
    assert store.status == FAIL and "Microsoft Store" in store.what
    mismatch = doctor.check_python(WINDOWS, version=(3, 12, 1), bits=64, excel_bits=32)
    assert mismatch.status == WARN and "32-bit" in mismatch.what and "x86" in mismatch.todo
    assert doctor.check_python(WINDOWS, version=(3, 12, 1), bits=64, excel_bits=64).status == OK
    unknown = doctor.check_python(WINDOWS, version=(3, 12, 1), bits=64, excel_bits=None)
    assert unknown.status == WARN and "not checked" in unknown.what
    assert "not checked" in doctor.check_python(MACOS).what
    assert "not applicable on Linux" in doctor.check_python(LINUX).what


def test_linux_excel_checks_say_not_applicable(tmp_path):
    layout = make_layout(tmp_path, LINUX)
    for check in (doctor.check_addin_present(layout), doctor.check_addin_version(layout, VERSION),
                  doctor.check_interpreter_setting(layout), doctor.check_applescript(layout, VERSION),
                  doctor.check_blocked(layout, [])):
        assert check.status == SKIP and "not applicable on Linux" in check.what


# ------------------------------------------------------------- keyring and API


def test_no_keyring():
    keyring.set_keyring(fail.Keyring())
    check = doctor.check_keyring()
    assert check.status == FAIL and "No system keyring" in check.what and "ROOTFI_API_KEY" in check.todo
    assert doctor.check_stored_key("default").status == SKIP


def test_no_stored_key(memory_keyring):
    check = doctor.check_stored_key("acme")
    assert check.status == FAIL and check.todo.startswith("Run `rootfi-excel login --profile acme`")
    memory_keyring.set_password(SERVICE, "acme", "rk_x")
    assert doctor.check_stored_key("acme").status == OK


def test_unreachable_api(memory_keyring, api_key):
    from rootfi_excel.api.trust import store_key

    address = f"http://127.0.0.1:{closed_port()}/v4"
    store_key("default", api_key, address)  # a sandbox the person trusted, since stopped
    probe = doctor.probe_api(address, NETSUITE, "default", timeout=2)
    check = doctor.check_api_reachable(probe)
    assert check.status == FAIL and "Could not reach the RootFi API" in check.what and "proxy" in check.todo
    assert doctor.check_company(probe).status == SKIP


@pytest.mark.reads_sandbox
def test_company_and_platform_the_key_sees(sandbox, memory_keyring, api_key):
    memory_keyring.set_password(SERVICE, "default", api_key)
    probe = doctor.probe_api(sandbox.base_url, NETSUITE, "default")
    assert doctor.check_api_reachable(probe).status == OK
    company = doctor.check_company(probe)
    assert company.status == OK
    assert company.what == "Company 1003: Summit Engineering Corp. on NetSuite, connection HEALTHY."


@pytest.mark.reads_sandbox
def test_refused_key_unknown_company_and_disconnected_platform(sandbox, memory_keyring, api_key):
    from rootfi_excel.api.trust import store_key

    store_key("wrong", "rk_test_not_a_key", sandbox.base_url)
    with at_terminal():  # as `rootfi-excel doctor` runs it: the next step is a command
        refused = doctor.check_company(doctor.probe_api(sandbox.base_url, NETSUITE, "wrong"))
    assert refused.status == FAIL and refused.what == "RootFi refused the API key of profile 'wrong'."
    assert "rootfi-excel login --profile wrong" in refused.todo
    memory_keyring.set_password(SERVICE, "default", api_key)
    unknown = doctor.check_company(doctor.probe_api(sandbox.base_url, 999999, "default"))
    assert unknown.status == FAIL and "no company 999999" in unknown.what
    disconnected = doctor.check_company(doctor.probe_api(sandbox.base_url, DISCONNECTED, "default"))
    assert disconnected.status == WARN and "DISCONNECTED" in disconnected.what and "Reconnect" in disconnected.todo


def test_api_not_called_without_company_or_key(memory_keyring):
    probe = doctor.probe_api("https://example.invalid/v4", None, "default")
    assert doctor.check_api_reachable(probe).status == SKIP and "no company id" in probe.skipped
    probe = doctor.probe_api("https://api.rootfi.dev/v4", NETSUITE, "nobody")
    assert doctor.check_api_reachable(probe).status == SKIP and "no API key" in probe.skipped
    probe = doctor.probe_api("https://example.invalid/v4", NETSUITE, "nobody")  # not RootFi's, nothing stored for it
    check = doctor.check_api_reachable(probe)
    assert check.status == FAIL and check.what.startswith("The API key was not sent: https://example.invalid/v4")
    assert "rootfi-excel login --base-url https://example.invalid/v4 --profile nobody" in check.what


# ------------------------------------------------------------- the whole report


def test_doctor_on_this_linux_machine_without_a_key_exits_1_and_says_what_to_do():
    result = CliRunner().invoke(cli, ["doctor"])
    assert result.exit_code == 1, result.output
    out = result.output
    assert out.startswith("RootFi for Excel doctor (linux)")
    assert "[skip] Add-in: not applicable on Linux (no Excel)." in out
    assert "[FAIL] No API key is stored for profile 'default'." in out
    assert "-> Run `rootfi-excel login --profile default`" in out
    assert "Traceback" not in out


@pytest.mark.reads_sandbox
def test_doctor_with_a_workbook_against_the_sandbox_exits_0(sandbox, memory_keyring, api_key, tmp_path):
    memory_keyring.set_password(SERVICE, "default", api_key)
    book = build_template(tmp_path / "book.xlsx", settings={"company_id": NETSUITE, "environment": "sandbox",
                                                           "base_url": sandbox.base_url})
    result = CliRunner().invoke(cli, ["doctor", str(book)])
    assert result.exit_code == 0, result.output
    assert "[ok  ] Company 1003: Summit Engineering Corp. on NetSuite, connection HEALTHY." in result.output
    assert "[ok  ] book.xlsx is in a local folder." in result.output
    assert result.output.rstrip().endswith("All is well.")
    assert api_key not in result.output


@pytest.mark.reads_sandbox
def test_doctor_with_options_and_no_keyring(sandbox, api_key):
    keyring.set_keyring(fail.Keyring())
    result = CliRunner().invoke(cli, ["doctor", "--base-url", sandbox.base_url, "--company", str(NETSUITE)])
    assert result.exit_code == 1
    assert "[FAIL] No system keyring is available" in result.output
    assert "RootFi API not called: no API key for profile 'default'" in result.output


def test_doctor_with_a_missing_or_broken_workbook(tmp_path):
    result = CliRunner().invoke(cli, ["doctor", str(tmp_path / "nope.xlsx")])
    assert result.exit_code == 1 and "nope.xlsx does not exist." in result.output
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a workbook")
    result = CliRunner().invoke(cli, ["doctor", str(broken)])
    assert result.exit_code == 1 and "broken.xlsx could not be read" in result.output
    assert "Traceback" not in result.output


def test_exit_code_and_render():
    checks = [doctor.Check(OK, "fine."), doctor.Check(WARN, "hmm.", "look"), doctor.Check(SKIP, "n/a.")]
    assert doctor.exit_code(checks) == 0
    assert doctor.exit_code([*checks, doctor.Check(FAIL, "bad.", "fix it")]) == 1
    text = doctor.render([*checks, doctor.Check(FAIL, "bad.", "fix it")])
    assert "[FAIL] bad.\n       -> fix it" in text and text.endswith("1 problem to fix, 1 warning. "
                                                                      "Do the steps marked -> in order.")
