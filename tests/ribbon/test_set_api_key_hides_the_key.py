"""The Set API key button hides the typed key as `rootfi-excel login` does, even from a key
store's own error that repeats it."""

from __future__ import annotations

import pytest

from tests.support.buttons import press


@pytest.mark.reads_sandbox
def test_set_api_key_in_excel_keeps_a_key_store_error_that_repeats_the_key_out_of_the_log(excel, memory_keyring,
                                                                                        monkeypatch):
    """`rootfi-excel login` hides the typed key before storing it; the Set API key button must too:
    a key store's own error (not a KeyringError: e.g. a D-Bus or Windows error) may repeat it."""
    from rootfi_excel.failures import log_file

    typed = "rk_live_" + "s3cr3t" * 6

    def careless(service, username, password):
        raise RuntimeError(f"could not store {password!r} for {username}")

    monkeypatch.setattr(memory_keyring, "set_password", careless)
    book = excel(1)
    press("set_api_key", book, secret=typed)
    shown = " ".join(alert[0] for alert in book.app.alerts)
    assert "RootFi stopped" in shown and typed not in shown
    assert log_file().exists() and typed not in log_file().read_text()
