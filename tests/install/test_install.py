"""install / upgrade / uninstall into a temporary home, with the Windows and macOS folder
layouts simulated (nothing touches the real home, the real keyring or the real Excel)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import xlwings

from rootfi_excel.api.credentials import SERVICE
from rootfi_excel.errors import InstallError
from rootfi_excel.install import settings_file
from rootfi_excel.install.actions import TEMPLATE_FILE, install, uninstall, upgrade
from rootfi_excel.install.addin_file import addin_xlwings_version
from rootfi_excel.install.layout import LINUX, MACOS, WINDOWS, Layout
from rootfi_excel.install.manifest import load_manifest, save_manifest, sha256
from rootfi_excel.install.unblock import zone_stream
from rootfi_excel.install.addin_file import addin_sheet_settings, build_addin_into
from rootfi_excel.install.environment import MARKER
from tests.support.installs import XLWINGS_DIR, changes, files_in, make_layout, set_addin_xlwings_version, snapshot

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
    if layout.system != WINDOWS:
        files.add(layout.command_link)  # the link to the command, on Linux and macOS
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
    assert files_in(after) - files_in(before) == expected_files(layout, tmp_path)

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
    assert not any(api_key.encode() in what[-1] for what in after.values() if what[0] == "file")
    assert not any(api_key.encode() in p.read_bytes() for p in (tmp_path / "data").rglob("*") if p.is_file())

    # the manifest records every file and setting it wrote
    recorded = load_manifest(layout.manifest_path)
    assert {Path(f.path) for f in recorded.files} == expected_files(layout, tmp_path) - {layout.settings_path,
                                                                                          layout.command_link}
    if system == MACOS:
        assert (recorded.link.path, recorded.link.target) == (str(layout.command_link), str(layout.command))
        assert os.readlink(layout.command_link) == str(layout.command)
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


def unwould(lines: list[str]) -> list[str]:
    return [line.removeprefix("would ") for line in lines]


@pytest.mark.parametrize("system", [*EXCEL_SYSTEMS, LINUX])
def test_dry_runs_change_nothing_and_say_word_for_word_what_the_real_runs_do(tmp_path, system, memory_keyring,
                                                                             api_key):
    layout = make_layout(tmp_path, system, marker_id="ab" * 16)
    before = snapshot(tmp_path)
    _, preview = run_install(layout, tmp_path, dry_run=True)
    assert snapshot(tmp_path) == before
    _, asked = run_install(layout, tmp_path, key=api_key, dry_run=True)
    assert snapshot(tmp_path) == before and memory_keyring.store == {}
    assert "would ask for the API key of profile 'default'" in "\n".join(asked)

    manifest, real = run_install(layout, tmp_path)
    assert unwould(preview) == real  # the same list, in the same order
    for written in manifest.files:
        assert any(line.startswith(f"would write {written.path}  (") for line in preview)
    for setting in manifest.settings:
        assert f"would set {setting.file}: {setting.key} = {setting.value}" in "\n".join(preview)
    assert any(line.startswith(f"would write {layout.manifest_path}") for line in preview)

    # twice in a row: the preview of the second install is the second install
    before = snapshot(tmp_path)
    _, preview = run_install(layout, tmp_path, dry_run=True)
    assert snapshot(tmp_path) == before
    _, real = run_install(layout, tmp_path)
    assert unwould(preview) == real

    preview = []
    upgrade(layout, dry_run=True, tell=preview.append, builder=build_addin_into)
    assert snapshot(tmp_path) == before or system != LINUX  # Excel systems: the add-in was just rebuilt
    before = snapshot(tmp_path)
    preview = []
    upgrade(layout, dry_run=True, tell=preview.append, builder=build_addin_into)
    assert snapshot(tmp_path) == before
    real = []
    upgrade(layout, tell=real.append, builder=build_addin_into)
    assert unwould(preview) == real

    before = snapshot(tmp_path)
    preview = []
    uninstall(layout, dry_run=True, tell=preview.append)
    assert snapshot(tmp_path) == before
    real = []
    uninstall(layout, tell=real.append)
    assert unwould(preview) == real
    text = "\n".join(preview)
    for written in manifest.files:
        assert f"would remove {written.path}" in text
    assert f"would remove the environment {layout.env_prefix}  (made by the RootFi installer)" in preview
    assert not layout.env_prefix.exists()
    assert not any("keep folder" in line for line in real), real  # every folder install made is gone


@pytest.mark.parametrize("system", EXCEL_SYSTEMS)
def test_upgrade_rebuilds_the_add_in_for_the_new_xlwings_and_keeps_key_and_settings(tmp_path, system,
                                                                                   memory_keyring, api_key):
    layout = make_layout(tmp_path, system)
    run_install(layout, tmp_path, key=api_key)
    # Simulate the state after an older release: an add-in made for xlwings 0.30.0 ...
    set_addin_xlwings_version(layout.addin_path, "0.30.0")
    manifest = load_manifest(layout.manifest_path)
    manifest.xlwings_version = "0.30.0"
    manifest.file(layout.addin_path).sha256 = sha256(layout.addin_path)  # as that release recorded it
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
    # in the home folder: only the link to the command (and ~/.local/bin for it)
    assert changes(before, snapshot(tmp_path / "home")) == {str(layout.command_link), str(layout.bin_dir),
                                                             str(layout.bin_dir.parent)}
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


# ------------------------------------------------------------- proof before removal, in process


class Killed(BaseException):
    """A stand-in for the process being killed: no clean-up code runs after it."""


def test_an_install_killed_while_placing_a_file_is_finished_by_the_next_run_and_removed_cleanly(tmp_path,
                                                                                              monkeypatch):
    from rootfi_excel.install import recorded_run as run_module

    layout = make_layout(tmp_path, MACOS, marker_id="ab" * 16)
    (tmp_path / "team-share").mkdir()
    before = snapshot(tmp_path / "home", tmp_path / "team-share")
    copy = run_module._copy_to_new_file

    def killed_after_copying(source, target):
        copy(source, target)
        if target.name.startswith(f".{TEMPLATE_FILE}."):
            raise Killed  # the partial is on the disk, the template not yet in place

    monkeypatch.setattr(run_module, "_copy_to_new_file", killed_after_copying)
    with pytest.raises(Killed):
        run_install(layout, tmp_path)
    partials = list((tmp_path / "team-share" / "RootFi").glob(f".{TEMPLATE_FILE}.*.partial"))
    assert len(partials) == 1 and load_manifest(layout.manifest_path).partials == [str(partials[0])]

    monkeypatch.setattr(run_module, "_copy_to_new_file", copy)
    _, said = run_install(layout, tmp_path)
    assert f"remove {partials[0]}  (left by an interrupted install)" in said
    assert (tmp_path / "team-share" / "RootFi" / TEMPLATE_FILE).is_file() and not partials[0].exists()
    uninstall(layout, tell=lambda _: None)
    assert snapshot(tmp_path / "home", tmp_path / "team-share") == before


def test_an_upgrade_killed_before_the_new_add_in_is_in_place_leaves_the_old_one_provably_ours(tmp_path,
                                                                                             monkeypatch):
    from rootfi_excel.install import recorded_run as run_module

    layout = make_layout(tmp_path, WINDOWS)
    before = snapshot(tmp_path / "home")
    run_install(layout, tmp_path)
    set_addin_xlwings_version(layout.addin_path, "0.30.0")  # as an older release wrote and recorded it
    manifest = load_manifest(layout.manifest_path)
    old = manifest.file(layout.addin_path).sha256 = sha256(layout.addin_path)
    save_manifest(layout.manifest_path, manifest)
    replace = os.replace

    def killed_before_placing(source, target):
        if Path(source).parent == layout.addin_path.parent and Path(source).name.startswith(".rootfi.xlam."):
            raise Killed  # the record names the new content; the old add-in is still in place
        replace(source, target)

    monkeypatch.setattr(run_module.os, "replace", killed_before_placing)
    with pytest.raises(Killed):
        upgrade(layout, tell=lambda _: None, builder=build_addin_into)
    monkeypatch.undo()
    recorded = load_manifest(layout.manifest_path).file(layout.addin_path)
    assert recorded.sha256 == old and recorded.next_sha256 not in (None, old)  # both are ours meanwhile
    upgrade(layout, tell=lambda _: None, builder=build_addin_into)
    recorded = load_manifest(layout.manifest_path).file(layout.addin_path)
    assert recorded.next_sha256 is None and recorded.sha256 == sha256(layout.addin_path)
    uninstall(layout, tell=lambda _: None)
    assert snapshot(tmp_path / "home") == before


def test_install_replaces_no_file_it_did_not_write_and_writes_through_no_link(tmp_path):
    layout = make_layout(tmp_path, WINDOWS)
    layout.addin_path.parent.mkdir(parents=True)
    layout.addin_path.write_bytes(b"someone's own add-in")
    with pytest.raises(InstallError, match="is not the file this install wrote"):
        run_install(layout, tmp_path)
    assert layout.addin_path.read_bytes() == b"someone's own add-in"

    other = make_layout(tmp_path / "b", WINDOWS)
    elsewhere = tmp_path / "b" / "elsewhere.conf"
    other.settings_path.parent.mkdir(parents=True)
    other.settings_path.symlink_to(elsewhere)
    with pytest.raises(InstallError, match="symbolic link"):
        run_install(other, tmp_path / "b")
    assert not elsewhere.exists() and other.settings_path.is_symlink()

    mac = make_layout(tmp_path / "c", MACOS)
    mac.addin_path.parent.mkdir(parents=True)
    mac.addin_path.symlink_to(tmp_path / "c" / "nowhere.xlam")
    with pytest.raises(InstallError, match="symbolic link"):
        install(mac, templates_dir=tmp_path / "c" / "t", tell=lambda _: None, dry_run=True)


def test_an_applescript_xlwings_put_there_is_used_and_never_removed(tmp_path):
    layout = make_layout(tmp_path, MACOS)
    script = layout.applescript_path(VERSION)
    script.parent.mkdir(parents=True)
    script.write_bytes((XLWINGS_DIR / script.name).read_bytes())  # what `xlwings runpython install` did
    manifest, said = run_install(layout, tmp_path)
    assert any(line.startswith(f"keep {script}  (already there, the same file") for line in said)
    assert manifest.file(script) is None
    uninstall(layout, tell=lambda _: None)
    assert script.read_bytes() == (XLWINGS_DIR / script.name).read_bytes()


@pytest.mark.parametrize("case", ["no marker", "another id", "a link", "the home folder", "no record"])
def test_an_environment_is_removed_only_with_the_installers_marker_named_in_the_record(tmp_path, case):
    layout = make_layout(tmp_path, LINUX, marker_id=None if case == "no marker" else "ab" * 16)
    env = layout.env_prefix
    if case == "a link":
        env = tmp_path / "env-link"
        env.symlink_to(layout.env_prefix)
    if case == "the home folder":
        env = layout.home
        (env / MARKER).write_text(f"id = {'ab' * 16}\n")
    layout = Layout.for_system(LINUX, layout.home, env_prefix=env, data_dir=layout.data_dir)
    run_install(layout, tmp_path)
    if case == "another id":
        (layout.env_prefix / MARKER).write_text(f"id = {'cd' * 16}\n")
    if case == "no record":
        layout.manifest_path.unlink()
    before = snapshot(tmp_path / "env", layout.home)
    said: list[str] = []
    uninstall(layout, tell=said.append)
    reason = {"no marker": "the RootFi installer did not make it (it has no installer marker)",
              "another id": "its installer marker is not the one the install record names",
              "a link": "it is a symbolic link", "the home folder": "it is your home folder",
              "no record": "no install record names it"}[case]
    assert f"keep the environment {env}: {reason}" in said
    kept = snapshot(tmp_path / "env", layout.home)
    assert {p: what for p, what in before.items() if p.startswith(str(tmp_path / "env"))} == \
        {p: what for p, what in kept.items() if p.startswith(str(tmp_path / "env"))}


def test_the_windows_removal_after_exit_proves_the_marker_again(tmp_path):
    """What uninstall starts on Windows (a copy of environment.py, stdlib only), run here directly."""
    import shutil
    import subprocess
    import sys

    from rootfi_excel.install import environment

    copy = tmp_path / "scratch" / "remove_rootfi_environment.py"
    copy.parent.mkdir()
    shutil.copyfile(environment.__file__, copy)
    home = tmp_path / "home"
    home.mkdir()
    parent = tmp_path / "Local" / "RootFi"
    env = parent / "env"
    env.mkdir(parents=True)
    (env / "Scripts").mkdir()
    (env / "Scripts" / "python.exe").write_bytes(b"MZ")
    (env / MARKER).write_text(f"id = {'ab' * 16}\nparent = {tmp_path / 'Local'}\nparent = {parent}\n")
    (tmp_path / "Local" / "other").write_text("not ours")

    def remove(marker_id: str, where: Path = env) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-I", str(copy), "--after-exit", str(where), marker_id, str(home)],
                              capture_output=True, text=True, timeout=60)

    assert remove("cd" * 16).returncode == 1 and env.is_dir()
    assert "not the one the install record names" in (copy.parent / "result.txt").read_text()
    (home / MARKER).write_text(f"id = {'ab' * 16}\n")
    assert remove("ab" * 16, home).returncode == 1 and home.is_dir()
    done = remove("ab" * 16)
    assert done.returncode == 0, done.stderr
    assert not env.exists() and not parent.exists()  # the folder the script made for it, now empty
    assert (tmp_path / "Local" / "other").read_text() == "not ours"  # a folder holding other files stays


@pytest.mark.parametrize("system", [LINUX, MACOS, WINDOWS])
def test_doctor_says_whether_the_command_runs_from_a_new_terminal(tmp_path, system):
    from rootfi_excel.install.doctor import FAIL, OK, SKIP, WARN, check_command

    layout = make_layout(tmp_path, system)
    if system == WINDOWS:
        assert check_command(layout, installed=True).status == SKIP
        return
    assert check_command(layout, installed=False, path_variable="/usr/bin").status == SKIP
    missing = check_command(layout, installed=True, path_variable="/usr/bin")
    assert missing.status == WARN and str(layout.command) in missing.what
    run_install(layout, tmp_path)
    on_path = check_command(layout, installed=True, path_variable=f"/usr/bin:{layout.bin_dir}")
    assert on_path.status == OK
    off_path = check_command(layout, installed=True, path_variable="/usr/bin", shell="/bin/zsh")
    assert off_path.status == WARN and f"run it as {layout.command}" in off_path.what
    assert f"export PATH=\"{layout.bin_dir}:$PATH\"' >> ~/.zprofile" in off_path.todo
    assert FAIL not in (on_path.status, off_path.status)


def test_the_environment_stays_while_uninstall_cannot_finish_without_it(tmp_path, monkeypatch):
    """A journal with unsettled submissions is kept: Submit, which settles them, runs from the
    environment, so the environment is kept too (and said so, in the preview as in the real run)."""
    from rootfi_excel.install import removal

    layout = make_layout(tmp_path, LINUX, marker_id="ab" * 16)
    run_install(layout, tmp_path)
    layout.journal_path.write_bytes(b"journal")
    monkeypatch.setattr(removal, "_unsettled", lambda _journal: 3)
    preview: list[str] = []
    uninstall(layout, remove_journal=True, dry_run=True, tell=preview.append)
    real: list[str] = []
    with pytest.raises(InstallError, match="The journal was kept"):
        uninstall(layout, remove_journal=True, tell=real.append)
    assert [line.removeprefix("would ") for line in preview[:-1]] == real
    assert any(line.startswith(f"keep the environment {layout.env_prefix}: its `rootfi-excel` is needed")
               for line in real)
    assert (layout.env_prefix / MARKER).is_file() and layout.journal_path.is_file()
    monkeypatch.setattr(removal, "_unsettled", lambda _journal: 0)
    uninstall(layout, remove_journal=True, tell=lambda _: None)  # once settled: all of it goes
    assert not layout.env_prefix.exists() and not layout.data_dir.exists()
