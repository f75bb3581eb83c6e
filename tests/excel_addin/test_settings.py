"""The add-in's settings: what goes into its config sheet, and the user's rootfi.conf file
(written for an installer in the format xlwings' VBA reads with Input #)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from rootfi_excel.errors import SettingsError
from rootfi_excel.excel_addin.addin_settings import (
    AddinSettings,
    read_user_config,
    user_config_path,
    write_user_config,
)


def test_only_settings_with_a_value_become_rows():
    assert AddinSettings().rows() == [("ADD_WORKBOOK_TO_PYTHONPATH", "false")]
    assert AddinSettings(interpreter_mac="/u/py", pythonpath="").rows() == [
        ("INTERPRETER_MAC", "/u/py"), ("ADD_WORKBOOK_TO_PYTHONPATH", "false")]


def test_udf_modules_names_the_module_of_the_worksheet_functions():
    from rootfi_excel import udfs
    from rootfi_excel.excel_addin.addin_settings import UDF_MODULE_NAME

    assert UDF_MODULE_NAME == udfs.UDF_MODULE == udfs.__name__
    # in the add-in's own sheet only: the user's file (written by the installer) does not need it
    assert dict(AddinSettings().sheet_rows())["UDF MODULES"] == UDF_MODULE_NAME
    assert "UDF MODULES" not in dict(AddinSettings().rows())


@pytest.mark.parametrize("value", ['C:\\a"b\\python.exe', "C:\\py\n", "C:\\py\x00", "x" * 32768])
def test_values_the_config_cannot_hold_are_refused(value):
    with pytest.raises(SettingsError):
        AddinSettings(interpreter_win=value).rows()


def test_this_python_is_named_for_the_os_it_runs_on(tmp_path):
    scripts = tmp_path / "Scripts"
    scripts.mkdir()
    (scripts / "python.exe").write_bytes(b"")
    assert AddinSettings.for_this_python("win32", str(scripts / "python.exe")).interpreter_win == str(
        scripts / "python.exe")
    (scripts / "pythonw.exe").write_bytes(b"")
    windows = AddinSettings.for_this_python("win32", str(scripts / "python.exe"))
    assert windows == AddinSettings(interpreter_win=str(scripts / "pythonw.exe"))
    assert AddinSettings.for_this_python("darwin", "/Users/a/.venv/bin/python") == AddinSettings(
        interpreter_mac="/Users/a/.venv/bin/python")
    assert AddinSettings.for_this_python("linux", "/usr/bin/python3") == AddinSettings()


def test_the_users_file_is_where_xlwings_vba_looks_for_it():
    home = Path("/home/ana")
    assert user_config_path("win32", home) == home / ".rootfi" / "rootfi.conf"
    assert user_config_path("darwin", home) == home / "Library/Containers/com.microsoft.Excel/Data/rootfi.conf"


def test_writing_the_users_file_sets_our_keys_and_keeps_the_others(tmp_path):
    path = tmp_path / ".rootfi" / "rootfi.conf"
    path.parent.mkdir()
    path.write_text('"SHOW CONSOLE","True"\n"INTERPRETER_WIN","C:\\old\\pythonw.exe"\n')

    written = write_user_config(AddinSettings(interpreter_win=r"%USERPROFILE%\rootfi\pythonw.exe"), path)

    assert written == path
    lines = path.read_text().splitlines()
    assert all(re.fullmatch(r'"[^"]+","[^"]*"', line) for line in lines)  # Write # format: "KEY","value"
    assert read_user_config(path) == {
        "SHOW CONSOLE": "True",
        "INTERPRETER_WIN": r"%USERPROFILE%\rootfi\pythonw.exe",
        "ADD_WORKBOOK_TO_PYTHONPATH": "false",
    }
    assert sorted(p.name for p in path.parent.iterdir()) == ["rootfi.conf"]


def test_a_new_users_file_and_its_folder_are_made(tmp_path):
    path = tmp_path / "Library/Containers/com.microsoft.Excel/Data/rootfi.conf"
    write_user_config(AddinSettings(interpreter_mac="$HOME/rootfi/.venv/bin/python"), path)
    assert read_user_config(path)["INTERPRETER_MAC"] == "$HOME/rootfi/.venv/bin/python"


def test_two_writers_at_once_each_finish_and_the_file_is_whole(tmp_path, monkeypatch):
    """A second installer writing the user's file while the first is between writing and
    replacing: both finish, neither removes the other's file, and what is left is whole."""
    import rootfi_excel.excel_addin.addin_settings as addin_settings

    path = tmp_path / "rootfi.conf"
    real_replace = os.replace
    interleaved = []

    def replace_after_another_writer(source, target):
        if not interleaved:
            interleaved.append(source)
            write_user_config(AddinSettings(interpreter_mac="$HOME/second/python"), path)
        real_replace(source, target)

    monkeypatch.setattr(addin_settings.os, "replace", replace_after_another_writer)
    first = AddinSettings(interpreter_win=r"%USERPROFILE%\first\pythonw.exe")
    write_user_config(first, path)

    assert interleaved, "the second writer did not run in between"
    assert read_user_config(path) == dict(first.rows())  # the last to replace wins, whole
    assert [p.name for p in tmp_path.iterdir()] == ["rootfi.conf"]  # no partial file left behind
