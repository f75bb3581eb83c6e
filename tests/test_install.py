"""install / upgrade / uninstall into a temporary home, with the Windows and macOS folder
layouts simulated (nothing touches the real home, the real keyring or the real Excel)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import xlwings

from rootfi_excel.api.credentials import SERVICE
from rootfi_excel.install import settings_file
from rootfi_excel.install.actions import TEMPLATE_FILE, InstallError, install, uninstall, upgrade
from rootfi_excel.install.addin_file import addin_xlwings_version
from rootfi_excel.install.layout import LINUX, MACOS, WINDOWS, Layout
from rootfi_excel.install.manifest import load_manifest
from rootfi_excel.install.unblock import zone_stream
from rootfi_excel.install.addin_file import addin_sheet_settings, build_addin_into
from tests.install_helpers import XLWINGS_DIR, make_layout, set_addin_xlwings_version, snapshot

VERSION = xlwings.__version__
EXCEL_SYSTEMS = [WINDOWS, MACOS]


@pytest.fixture(autouse=True)
def _no_real_home(tmp_path, monkeypatch):
    """Whatever a command falls back to (Path.home()) is a temporary folder, never the real home."""
    monkeypatch.setenv("HOME", str(tmp_path / "guarded-home"))
    monkeypatch.setenv("USERPROFILE", str(tmp_path / "guarded-home"))

def run_install(layout: Layout, tmp_path: Path, *, key: str | None = None, **options) -> tuple[object, list[str]]:
    said: list[str] = []
    options.setdefault("templates_dir", tmp_path / "team-share" / "RootFi")
    manifest = install(layout, tell=said.append, ask_key=(lambda _prompt: key) if key is not None else None,
                       builder=options.pop("builder", build_addin_into), **options)
    return manifest, said


def expected_files(layout: Layout, tmp_path: Path) -> set[Path]:
    files = {tmp_path / "team-share" / "RootFi" / TEMPLATE_FILE}
    if layout.system != LINUX:
        files |= {layout.addin_path, layout.settings_path}
    if layout.system == MACOS:
        files.add(layout.applescript_path(VERSION))
    return files


def test_layouts_match_where_excel_and_xlwings_look(tmp_path):
    win = Layout.for_system(WINDOWS, tmp_path / "u", appdata=tmp_path / "u" / "AppData" / "Roaming",
                            env_prefix=tmp_path / "env", data_dir=tmp_path / "d")
    assert win.addin_path == tmp_path / "u/AppData/Roaming/Microsoft/Excel/XLSTART/rootfi.xlam"
    assert win.settings_path == tmp_path / "u/.rootfi/rootfi.conf"  # %USERPROFILE%\.<project>\<project>.conf
    assert win.interpreter_key == "INTERPRETER_WIN"
    mac = Layout.for_system(MACOS, tmp_path / "u", env_prefix=tmp_path / "env", data_dir=tmp_path / "d")
    assert mac.addin_path == tmp_path / ("u/Library/Group Containers/UBF8T346G9.Office/User Content.localized/"
                                         "Startup.localized/Excel/rootfi.xlam")
    assert mac.settings_path == tmp_path / "u/Library/Containers/com.microsoft.Excel/Data/rootfi.conf"
    assert mac.applescript_path("1.2.3") == tmp_path / (
        "u/Library/Application Scripts/com.microsoft.Excel/xlwings-1.2.3.applescript")
    assert mac.interpreter == tmp_path / "env/bin/python"
    linux = Layout.for_system(LINUX, tmp_path / "u", env_prefix=tmp_path / "env", data_dir=tmp_path / "d")
    assert linux.addin_path is None and linux.settings_path is None and not linux.has_excel


@pytest.mark.parametrize("system", EXCEL_SYSTEMS)
def test_install_writes_exactly_the_add_in_settings_applescript_and_template(tmp_path, system, memory_keyring,
                                                                             api_key):
    layout = make_layout(tmp_path, system)
    before = snapshot(tmp_path / "home")
    manifest, said = run_install(layout, tmp_path, key=api_key)

    after = snapshot(tmp_path / "home", tmp_path / "team-share")
    new_files = {Path(p) for p, data in after.items() if data != b"<dir>" and p not in before}
    assert new_files == expected_files(layout, tmp_path)

    # the add-in is where Excel loads add-ins, and made for the installed xlwings
    assert addin_xlwings_version(layout.addin_path) == VERSION
    # the add-in's settings name this environment's interpreter, in the format the VBA reads
    interpreter = layout.interpreter
    assert interpreter.name == ("pythonw.exe" if system == WINDOWS else "python")
    assert layout.settings_path.read_text().splitlines() == [f'"{layout.interpreter_key}","{interpreter}"',
                                                             '"ADD_WORKBOOK_TO_PYTHONPATH","false"']
    # and the add-in's own sheet names no interpreter, so this file decides
    assert addin_sheet_settings(layout.addin_path) == {"ADD_WORKBOOK_TO_PYTHONPATH": "false",
                                                       "UDF MODULES": "rootfi_excel.udfs"}
    if system == MACOS:  # what `xlwings runpython install` copies
        script = layout.applescript_path(VERSION)
        assert script.read_bytes() == (XLWINGS_DIR / script.name).read_bytes()
    assert (tmp_path / "team-share" / "RootFi" / TEMPLATE_FILE).stat().st_size > 0
    # the key went to the keyring, under the profile, and nowhere on disk
    assert memory_keyring.store == {(SERVICE, "default"): api_key}
    assert not any(api_key.encode() in data for data in after.values())
    assert not any(api_key.encode() in p.read_bytes() for p in (tmp_path / "data").rglob("*") if p.is_file())

    # the manifest records every file and setting it wrote
    recorded = load_manifest(layout.manifest_path)
    assert {Path(f.path) for f in recorded.files} == expected_files(layout, tmp_path) - {layout.settings_path}
    assert [(s.file, s.key, s.value) for s in recorded.settings] == [
        (str(layout.settings_path), layout.interpreter_key, str(interpreter)),
        (str(layout.settings_path), "ADD_WORKBOOK_TO_PYTHONPATH", "false")]
    assert recorded.key_profiles == ["default"] and recorded.xlwings_version == VERSION
    # and said each of them
    for path in expected_files(layout, tmp_path):
        assert any(str(path) in line for line in said), path


@pytest.mark.parametrize("system", EXCEL_SYSTEMS)
def test_uninstall_removes_exactly_what_install_wrote(tmp_path, system, memory_keyring, api_key):
    layout = make_layout(tmp_path, system)
    (tmp_path / "team-share").mkdir()
    before = snapshot(tmp_path / "home", tmp_path / "team-share")
    run_install(layout, tmp_path, key=api_key)
    layout.journal_path.write_bytes(b"journal")

    said: list[str] = []
    uninstall(layout, tell=said.append)

    assert snapshot(tmp_path / "home", tmp_path / "team-share") == before
    assert not layout.manifest_path.exists()
    # only when asked: the key and the journal stay
    assert memory_keyring.store == {(SERVICE, "default"): api_key}
    assert layout.journal_path.read_bytes() == b"journal"


def test_uninstall_removes_the_key_and_journal_only_when_asked(tmp_path, memory_keyring, api_key):
    layout = make_layout(tmp_path, WINDOWS)
    run_install(layout, tmp_path, key=api_key)
    layout.journal_path.write_bytes(b"journal")
    (tmp_path / "data" / "journal.sqlite3-wal").write_bytes(b"wal")
    said: list[str] = []
    uninstall(layout, remove_key=True, remove_journal=True, tell=said.append)
    assert memory_keyring.store == {}
    assert not layout.journal_path.exists() and not (tmp_path / "data" / "journal.sqlite3-wal").exists()
    assert any("stops a row being sent twice" in line for line in said)


def test_uninstall_restores_a_setting_it_replaced_and_keeps_the_persons_own(tmp_path):
    layout = make_layout(tmp_path, WINDOWS)
    settings_file.write_settings(layout.settings_path, {"INTERPRETER_WIN": r"C:\old\pythonw.exe",
                                                        "SHOW CONSOLE": "True"})
    run_install(layout, tmp_path)
    assert settings_file.read_settings(layout.settings_path) == {
        "INTERPRETER_WIN": str(layout.interpreter), "SHOW CONSOLE": "True", "ADD_WORKBOOK_TO_PYTHONPATH": "false"}
    uninstall(layout, tell=lambda _: None)
    assert settings_file.read_settings(layout.settings_path) == {
        "INTERPRETER_WIN": r"C:\old\pythonw.exe", "SHOW CONSOLE": "True"}


def test_uninstall_keeps_a_template_someone_filled_in_and_one_it_did_not_write(tmp_path):
    layout = make_layout(tmp_path, MACOS)
    shared = tmp_path / "team-share" / "RootFi"
    shared.mkdir(parents=True)
    colleague = shared / TEMPLATE_FILE
    colleague.write_bytes(b"a colleague's copy")
    _, said = run_install(layout, tmp_path)
    assert colleague.read_bytes() == b"a colleague's copy"  # never overwritten
    assert any("keep" in line and str(colleague) in line for line in said)
    uninstall(layout, tell=lambda _: None)
    assert colleague.read_bytes() == b"a colleague's copy"  # not ours: never removed

    other = make_layout(tmp_path / "second", MACOS)
    run_install(other, tmp_path / "second")
    filled = tmp_path / "second" / "team-share" / "RootFi" / TEMPLATE_FILE
    filled.write_bytes(filled.read_bytes() + b"work")
    said = []
    uninstall(other, tell=said.append)
    assert filled.exists() and any("may hold your work" in line for line in said)


@pytest.mark.parametrize("system", [*EXCEL_SYSTEMS, LINUX])
def test_dry_run_writes_nothing_and_names_every_file_and_setting(tmp_path, system, memory_keyring, api_key):
    layout = make_layout(tmp_path, system)
    roots = (tmp_path,)
    before = snapshot(*roots)
    _, said = run_install(layout, tmp_path, key=api_key, dry_run=True)
    assert snapshot(*roots) == before
    assert memory_keyring.store == {}
    assert all(line.startswith(("would ", "No Excel", "keep", "skip")) for line in said), said

    manifest, _ = run_install(layout, tmp_path, key=api_key)
    text = "\n".join(said)
    for written in manifest.files:
        assert f"would write {written.path}" in text
    for setting in manifest.settings:
        assert f"would set {setting.file}: {setting.key} = {setting.value}" in text
    assert "would ask for the API key of profile 'default'" in text
    assert f"would write {layout.manifest_path}" in text

    before = snapshot(*roots)
    said = []
    uninstall(layout, remove_key=True, remove_journal=True, dry_run=True, tell=said.append)
    assert snapshot(*roots) == before and memory_keyring.store
    for written in manifest.files:
        assert f"would remove {written.path}" in "\n".join(said)
    said = []
    upgrade(layout, dry_run=True, tell=said.append, builder=build_addin_into)
    assert snapshot(*roots) == before


@pytest.mark.parametrize("system", EXCEL_SYSTEMS)
def test_upgrade_rebuilds_the_add_in_for_the_new_xlwings_and_keeps_key_and_settings(tmp_path, system,
                                                                                   memory_keyring, api_key):
    layout = make_layout(tmp_path, system)
    run_install(layout, tmp_path, key=api_key)
    # Simulate the state after an older release: an add-in made for xlwings 0.30.0 ...
    set_addin_xlwings_version(layout.addin_path, "0.30.0")
    manifest = load_manifest(layout.manifest_path)
    manifest.xlwings_version = "0.30.0"
    if system == MACOS:  # ... and its AppleScript
        old = layout.applescript_path("0.30.0")
        new = layout.applescript_path(VERSION)
        new.rename(old)
        next(f for f in manifest.files if f.kind == "applescript").path = str(old)
    from rootfi_excel.install.manifest import save_manifest

    save_manifest(layout.manifest_path, manifest)
    # the person's own settings since install
    settings_file.write_settings(layout.settings_path, {**settings_file.read_settings(layout.settings_path),
                                                        "SHOW CONSOLE": "True"})
    template = tmp_path / "team-share" / "RootFi" / TEMPLATE_FILE
    template_bytes = template.read_bytes()

    said: list[str] = []
    upgrade(layout, tell=said.append, builder=build_addin_into)

    assert addin_xlwings_version(layout.addin_path) == VERSION
    assert settings_file.read_settings(layout.settings_path) == {
        layout.interpreter_key: str(layout.interpreter), "ADD_WORKBOOK_TO_PYTHONPATH": "false", "SHOW CONSOLE": "True"}
    assert memory_keyring.store == {(SERVICE, "default"): api_key}
    assert template.read_bytes() == template_bytes
    after = load_manifest(layout.manifest_path)
    assert after.xlwings_version == VERSION
    if system == MACOS:
        assert not layout.applescript_path("0.30.0").exists()
        assert layout.applescript_path(VERSION).is_file()
        assert str(layout.applescript_path(VERSION)) in {f.path for f in after.files}
    assert any(f"xlwings 0.30.0 -> {VERSION}" in line for line in said)
    # and uninstall after an upgrade still leaves nothing of ours
    uninstall(layout, tell=lambda _: None)
    assert not layout.addin_path.exists()
    if system == MACOS:
        assert not layout.applescript_path(VERSION).exists()
    assert settings_file.read_settings(layout.settings_path) == {"SHOW CONSOLE": "True"}


def test_upgrade_keeps_an_interpreter_the_person_chose_and_install_resets_it(tmp_path):
    layout = make_layout(tmp_path, WINDOWS)
    run_install(layout, tmp_path)
    chosen = str(tmp_path / "elsewhere" / "pythonw.exe")
    settings_file.write_settings(layout.settings_path, {**settings_file.read_settings(layout.settings_path),
                                                        "INTERPRETER_WIN": chosen})
    said: list[str] = []
    upgrade(layout, tell=said.append, builder=build_addin_into)
    assert settings_file.read_settings(layout.settings_path)["INTERPRETER_WIN"] == chosen
    assert any("changed by you" in line for line in said)
    run_install(layout, tmp_path)
    assert settings_file.read_settings(layout.settings_path)["INTERPRETER_WIN"] == str(layout.interpreter)


def test_upgrade_without_install_says_to_install(tmp_path):
    with pytest.raises(InstallError, match="rootfi-excel install"):
        upgrade(make_layout(tmp_path, WINDOWS), tell=lambda _: None, builder=build_addin_into)


def test_install_refuses_an_add_in_built_for_another_xlwings(tmp_path):
    layout = make_layout(tmp_path, WINDOWS)

    def wrong_version(path: Path) -> None:
        build_addin_into(path)
        set_addin_xlwings_version(path, "0.30.0")

    with pytest.raises(InstallError, match="xlwings 0.30.0"):
        run_install(layout, tmp_path, builder=wrong_version)
    assert not layout.addin_path.exists()


def test_install_refuses_the_microsoft_store_python_and_a_missing_interpreter(tmp_path):
    layout = make_layout(tmp_path, WINDOWS)
    store = Layout.for_system(WINDOWS, layout.home, appdata=layout.appdata, data_dir=layout.data_dir,
                              env_prefix=tmp_path / "Microsoft" / "WindowsApps" / "Python311")
    with pytest.raises(InstallError, match="Microsoft Store"):
        run_install(store, tmp_path)
    spaced = Layout.for_system(MACOS, layout.home, data_dir=layout.data_dir, env_prefix=tmp_path / "My Env")
    with pytest.raises(InstallError, match="has a space"):
        run_install(spaced, tmp_path)
    missing = Layout.for_system(MACOS, layout.home, data_dir=layout.data_dir, env_prefix=tmp_path / "nowhere")
    with pytest.raises(InstallError, match="does not exist"):
        run_install(missing, tmp_path)
    assert not layout.manifest_path.exists()


def test_install_unblocks_downloaded_files_on_windows(tmp_path):
    layout = make_layout(tmp_path, WINDOWS)
    zone = zone_stream(layout.interpreter)  # on NTFS an alternate stream; here a sibling file
    zone.write_text("[ZoneTransfer]\r\nZoneId=3\r\n")
    shared = tmp_path / "team-share" / "RootFi" / TEMPLATE_FILE
    shared.parent.mkdir(parents=True)
    shared.write_bytes(b"downloaded copy")
    zone_stream(shared).write_text("[ZoneTransfer]\r\nZoneId=3\r\n")
    _, said = run_install(layout, tmp_path)
    assert not zone.exists() and not zone_stream(shared).exists()
    assert any(line.startswith("unblock") and str(layout.interpreter) in line for line in said)


def test_install_unblocks_xlwings_dlls_where_the_windows_wheel_puts_them(tmp_path):
    layout = make_layout(tmp_path, WINDOWS)
    # xlwings' setup.py installs its DLLs as data_files ("" = the environment's root): beside
    # python.exe in a plain install, at the root of a venv (its VBA tries both folders).
    dlls = [layout.env_prefix / f"xlwings64-{VERSION}.dll", layout.env_prefix / f"xlwings32-{VERSION}.dll"]
    for dll in dlls:
        dll.write_bytes(b"MZ")
        zone_stream(dll).write_text("[ZoneTransfer]\r\nZoneId=3\r\n")
    assert layout.xlwings_dlls == sorted(dlls)
    _, said = run_install(layout, tmp_path)
    assert not any(zone_stream(dll).exists() for dll in dlls)
    assert all(any(line.startswith("unblock") and str(dll) in line for line in said) for dll in dlls)


def test_doctor_names_a_blocked_xlwings_dll(tmp_path):
    from rootfi_excel.install.doctor import FAIL, run_doctor

    layout = make_layout(tmp_path, WINDOWS)
    dll = layout.env_prefix / f"xlwings64-{VERSION}.dll"
    dll.write_bytes(b"MZ")
    zone_stream(dll).write_text("[ZoneTransfer]\r\nZoneId=3\r\n")
    checks = run_doctor(layout, xlwings_version=VERSION, excel_bits=lambda: 64)
    blocked = [c for c in checks if "downloaded from the internet" in c.what]
    assert blocked and blocked[0].status == FAIL and str(dll) in blocked[0].what


def test_linux_install_sets_up_the_command_line_and_templates_only(tmp_path, memory_keyring, api_key):
    layout = make_layout(tmp_path, LINUX)
    before = snapshot(tmp_path / "home")
    manifest, said = run_install(layout, tmp_path, key=api_key)
    assert said[0].startswith("No Excel on Linux")
    assert snapshot(tmp_path / "home") == before
    assert [Path(f.path) for f in manifest.files] == [tmp_path / "team-share" / "RootFi" / TEMPLATE_FILE]
    assert manifest.settings == [] and memory_keyring.store == {(SERVICE, "default"): api_key}


def test_key_prompt_is_skippable_and_a_stored_key_is_kept(tmp_path, memory_keyring, api_key):
    layout = make_layout(tmp_path, WINDOWS)
    _, said = run_install(layout, tmp_path, key="")
    assert memory_keyring.store == {} and any("skipped the API key" in line for line in said)
    memory_keyring.store[(SERVICE, "default")] = api_key
    _, said = run_install(layout, tmp_path, key="rk_other")
    assert memory_keyring.store == {(SERVICE, "default"): api_key}
    assert any("keep the API key already stored" in line for line in said)


def test_install_without_a_keyring_says_so_and_installs_the_rest(tmp_path, monkeypatch):
    import keyring
    from keyring.backends import fail

    keyring.set_keyring(fail.Keyring())
    layout = make_layout(tmp_path, WINDOWS)
    _, said = run_install(layout, tmp_path, key="rk_x")
    assert layout.addin_path.exists()
    assert any(line.startswith("skip the API key: No system keyring") for line in said)


def test_manifest_is_plain_json_without_secrets(tmp_path, api_key):
    layout = make_layout(tmp_path, MACOS)
    run_install(layout, tmp_path, key=api_key)
    data = json.loads(layout.manifest_path.read_text())
    assert set(data) >= {"files", "settings", "dirs", "key_profiles", "xlwings_version"}
    assert api_key not in layout.manifest_path.read_text()


# ------------------------------------------------------------- the commands, on this Linux machine


def test_cli_install_dry_run_then_install_then_uninstall_on_linux(tmp_path, memory_keyring, api_key):
    from click.testing import CliRunner

    from rootfi_excel.cli.main import cli

    templates = tmp_path / "share"
    data = Path(__import__("os").environ["ROOTFI_EXCEL_HOME"])
    dry = CliRunner().invoke(cli, ["install", "--templates-dir", str(templates), "--dry-run"], input=f"{api_key}\n")
    assert dry.exit_code == 0, dry.output
    assert "Dry run: nothing is written." in dry.output
    assert f"would write {templates / TEMPLATE_FILE}" in dry.output
    assert not templates.exists() and not data.exists() and memory_keyring.store == {}

    result = CliRunner().invoke(cli, ["install", "--templates-dir", str(templates)], input=f"{api_key}\n")
    assert result.exit_code == 0, result.output
    assert "No Excel on Linux: setting up the command line (rootfi-excel) and the templates only." in result.output
    assert api_key not in result.output  # the prompt hides it
    assert (templates / TEMPLATE_FILE).is_file() and memory_keyring.store == {(SERVICE, "default"): api_key}

    again = CliRunner().invoke(cli, ["upgrade"])
    assert again.exit_code == 0, again.output

    gone = CliRunner().invoke(cli, ["uninstall", "--remove-key"])
    assert gone.exit_code == 0, gone.output
    assert not (templates / TEMPLATE_FILE).exists() and memory_keyring.store == {}


def test_cli_upgrade_before_install_is_a_clear_message():
    from click.testing import CliRunner

    from rootfi_excel.cli.main import cli

    result = CliRunner().invoke(cli, ["upgrade"])
    assert result.exit_code == 2 and "Run `rootfi-excel install`" in result.output
    assert "Traceback" not in result.output


def test_cli_install_asks_for_the_template_folder_and_the_key(tmp_path, memory_keyring, api_key, monkeypatch):
    from click.testing import CliRunner

    from rootfi_excel.cli.main import cli

    chosen = tmp_path / "Finance share" / "RootFi"
    result = CliRunner().invoke(cli, ["install", "--profile", "acme"], input=f"{chosen}\n{api_key}\n")
    assert result.exit_code == 0, result.output
    assert "Folder for the workbook template (a shared team folder works)" in result.output
    assert "RootFi API key for profile 'acme' (leave empty to skip)" in result.output
    assert api_key not in result.output
    assert (chosen / TEMPLATE_FILE).is_file()
    assert memory_keyring.store == {(SERVICE, "acme"): api_key}

    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # --yes takes ~/Documents/RootFi: a temporary one
    skipped = CliRunner().invoke(cli, ["install", "--yes"])
    assert skipped.exit_code == 0 and "Folder for the workbook template" not in skipped.output
    assert (tmp_path / "home" / "Documents" / "RootFi" / TEMPLATE_FILE).is_file()
    assert "skip the API key" in skipped.output or "keep the API key" in skipped.output
