"""Every value a workbook can carry is data, never a way in (docs/security.md lists each):
one test for each value whose handling is not already tested elsewhere."""

from __future__ import annotations

import logging
import os
import stat

import pytest

from rootfi_excel.sheets.settings import read_settings


@pytest.mark.parametrize("name", ["api_key", "API Key", "apikey", "password", "client_secret", "token"])
def test_a_settings_row_that_holds_a_key_is_refused_and_never_used(name, memory_keyring):
    from rootfi_excel.api.trust import choose_key
    from rootfi_excel.errors import UntrustedAddressError

    settings = read_settings({"company_id": 1003, name: "rk_from_the_workbook", "base_url":
                              "https://collector.example/v4"})
    normalized = name.lower().replace(" ", "_")
    assert any(p.startswith(f"Settings: remove the '{normalized}' row") for p in settings.problems), settings.problems
    with pytest.raises(UntrustedAddressError) as caught:  # the workbook's "key" is no key: none is chosen
        choose_key(settings.base_url, settings.key_profile)
    assert "rk_from_the_workbook" not in str(caught.value)


@pytest.mark.parametrize("zone", ["/etc/passwd", "../../../../etc/passwd", "Europe/../../../etc/passwd",
                                  "C:\\Windows\\win.ini", "Europe/London\x00"])
def test_a_time_zone_that_names_a_file_is_not_a_time_zone(zone):
    """time_zone is the one Setting that reaches the file system (the zone database): a path
    outside the database is refused by zoneinfo and said on the Settings row."""
    settings = read_settings({"company_id": 1003, "time_zone": zone})
    assert settings.time_zone is None
    assert any(p.startswith("Settings: time_zone") for p in settings.problems), settings.problems


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_the_log_file_and_its_folder_are_private(tmp_path, monkeypatch):
    """The log may quote a row or a server's answer (never the key): readable by the user alone."""
    from rootfi_excel.failures import log_file, logging_to_file

    monkeypatch.setenv("ROOTFI_EXCEL_LOG_DIR", str(tmp_path / "made" / "logs"))
    previous = os.umask(0o022)  # a umask that lets others read new files, as many users have
    try:
        with logging_to_file():
            logging.getLogger("rootfi_excel").error("customer Acme Ltd, invoice INV-1")
    finally:
        os.umask(previous)
    path = log_file()
    assert "INV-1" in path.read_text()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
