"""Set API key (the address from a workbook) and `rootfi-excel login` (the address typed here)
store a key the same way, but only a workbook's address that is not RootFi's is asked
about, and before any key is typed."""

from __future__ import annotations

import pytest

from rootfi_excel import messages
from rootfi_excel.api.credentials import SERVICE
from rootfi_excel.api.trust import service_for
from rootfi_excel.app.account import log_in, store_key_for_workbook
from rootfi_excel.errors import CredentialsError

ELSEWHERE = "http://127.0.0.1:8765/v4"  # not one of RootFi's addresses


class Recording:
    """A UserInterface that answers from a script and records every call, in order."""

    def __init__(self, *, yes: bool = True, secret: str | None = "rk_test_typed") -> None:
        self.yes, self.secret = yes, secret
        self.calls: list[tuple[str, str]] = []

    def confirm(self, question: str, details=()) -> bool:
        self.calls.append(("confirm", question))
        return self.yes

    def ask_secret(self, prompt: str) -> str | None:
        self.calls.append(("ask_secret", prompt))
        return self.secret

    def tell(self, text: str) -> None:
        self.calls.append(("tell", text))

    def warn(self, text: str) -> None:
        self.calls.append(("warn", text))

    def error(self, text: str) -> None:
        self.calls.append(("error", text))

    def kinds(self) -> list[str]:
        return [kind for kind, _ in self.calls]


def test_a_workbook_address_that_is_not_rootfis_is_asked_about_before_a_key_is_typed(memory_keyring):
    declined = Recording(yes=False)
    assert store_key_for_workbook(declined, "acme", ELSEWHERE) is False
    assert declined.kinds() == ["confirm", "tell"]  # no key was asked for
    assert ELSEWHERE in declined.calls[0][1] and declined.calls[1][1] == "Nothing was stored."
    assert memory_keyring.get_password(service_for(ELSEWHERE), "acme") is None

    accepted = Recording(yes=True)
    assert store_key_for_workbook(accepted, "acme", ELSEWHERE) is True
    assert accepted.kinds() == ["confirm", "ask_secret", "tell"]
    assert memory_keyring.get_password(service_for(ELSEWHERE), "acme") == "rk_test_typed"


def test_a_workbook_naming_rootfis_own_address_is_not_asked_about_and_a_blank_key_stores_nothing(memory_keyring):
    ui = Recording(secret="  rk_test_own  ")
    assert store_key_for_workbook(ui, "acme", None) is True
    assert ui.kinds() == ["ask_secret", "tell"]
    assert memory_keyring.get_password(SERVICE, "acme") == "rk_test_own"  # trimmed
    blank = Recording(secret="   ")
    assert store_key_for_workbook(blank, "other", None) is False
    assert blank.calls[-1] == ("tell", "Nothing was stored.")
    assert memory_keyring.get_password(SERVICE, "other") is None


def test_login_says_the_address_typed_here_instead_of_asking_and_refuses_a_blank_key(memory_keyring):
    ui = Recording()
    assert log_in(ui, "acme", ELSEWHERE) is True
    assert ui.kinds() == ["warn", "ask_secret", "tell"]
    assert ui.calls[0][1] == messages.LOGIN_ELSEWHERE.format(address=ELSEWHERE)
    assert memory_keyring.get_password(service_for(ELSEWHERE), "acme") == "rk_test_typed"
    with pytest.raises(CredentialsError):
        log_in(Recording(secret=""), "other", None)
    assert memory_keyring.get_password(SERVICE, "other") is None
