"""The API key lives only in the OS keyring (or, for unattended runs, in ROOTFI_API_KEY).

One keyring entry per profile (service "rootfi-excel", username = profile name), so
one person can hold keys for several companies or environments.
"""

from __future__ import annotations

import os
import sys

import keyring
from keyring.backend import KeyringBackend
from keyring.errors import KeyringError, NoKeyringError, PasswordDeleteError

from rootfi_excel.errors import CredentialsError
from rootfi_excel.safe_text import hide

SERVICE = "rootfi-excel"
DEFAULT_PROFILE = "default"
ENV_VAR = "ROOTFI_API_KEY"


def key_problem(key: str) -> str | None:
    """Why `key` cannot be an API key (None when it can): a key is printable ASCII without
    spaces. Pasted from an e-mail it may come with curly quotes or spaces, which no HTTP
    header can carry: said here, in words, rather than as an encoding error on every command."""
    odd = sorted({c for c in key if not "!" <= c <= "~"})
    if not odd:
        return None
    shown = ", ".join("a space" if c == " " else repr(c) for c in odd[:5])
    return f"it holds characters no API key has ({shown}): copy only the key itself, without quotes or spaces"


def get_api_key(profile: str = DEFAULT_PROFILE) -> str:
    """ROOTFI_API_KEY if set, else the keyring entry of `profile` (the key for RootFi's own
    addresses). Not for sending: api/trust.py decides which key may go to an address."""
    from_env = environment_key()
    if from_env:
        return from_env
    key = stored_key(profile)
    if not key:
        raise CredentialsError(
            f"No RootFi API key is stored for profile '{profile}'. "
            f"Run: rootfi-excel login --profile {profile}"
        )
    return key


def environment_key() -> str | None:
    """The key in ROOTFI_API_KEY (None when unset); CredentialsError when it is not a key."""
    from_env = os.environ.get(ENV_VAR, "").strip()
    if not from_env:
        return None
    problem = key_problem(from_env)
    if problem:
        raise CredentialsError(f"The environment variable {ENV_VAR} is not a RootFi API key: {problem}.")
    return from_env


def stored_key(profile: str = DEFAULT_PROFILE, *, service: str = SERVICE, login: str | None = None) -> str | None:
    """The keyring entry (service, profile), trimmed; None when there is none.
    CredentialsError when the keyring cannot be read or the entry is not a key (`login`:
    the command that stores it again; by default `rootfi-excel login --profile <profile>`)."""
    backend = _backend()
    try:
        key = backend.get_password(service, profile)
    except NoKeyringError:
        raise CredentialsError(_no_keyring_message()) from None
    except KeyringError as exc:
        raise CredentialsError(f"Could not read the system keyring ({type(exc).__name__}). {_unlock_hint()}") from None
    if not key:
        return None
    problem = key_problem(key.strip())
    if problem:
        raise CredentialsError(f"The key stored for profile '{profile}' is not a RootFi API key: {problem}. "
                               f"Store it again: {login or f'rootfi-excel login --profile {profile}'}")
    hide(key.strip())  # whichever command or button asked for it: never in a message or the log
    return key.strip()


def store_api_key(profile: str, key: str, *, service: str = SERVICE) -> None:
    key = key.strip()
    if not key:
        raise CredentialsError("The API key is empty; nothing was stored.")
    problem = key_problem(key)
    if problem:
        raise CredentialsError(f"That is not a RootFi API key: {problem}. Nothing was stored.")
    backend = _backend()
    try:
        backend.set_password(service, profile, key)
    except NoKeyringError:
        raise CredentialsError(_no_keyring_message()) from None
    except KeyringError as exc:
        raise CredentialsError(f"Could not save to the system keyring ({type(exc).__name__}). {_unlock_hint()}") from None


def delete_api_key(profile: str = DEFAULT_PROFILE, *, service: str = SERVICE) -> bool:
    """Remove the profile's key; False when there was none."""
    backend = _backend()
    try:
        backend.delete_password(service, profile)
    except PasswordDeleteError:
        return False
    except NoKeyringError:
        raise CredentialsError(_no_keyring_message()) from None
    except KeyringError as exc:
        raise CredentialsError(f"Could not change the system keyring ({type(exc).__name__}). {_unlock_hint()}") from None
    return True


def has_api_key(profile: str = DEFAULT_PROFILE) -> bool:
    """True when the keyring holds a key for `profile` (ROOTFI_API_KEY is not consulted);
    False also when the keyring cannot be read (see key_stored to tell the two apart)."""
    try:
        return key_stored(profile)
    except CredentialsError:
        return False


def key_stored(profile: str = DEFAULT_PROFILE, *, service: str = SERVICE) -> bool:
    """Whether the keyring holds a key for `profile`; CredentialsError when it cannot be
    read (no keyring, or a locked one): "no key" must not be said of a key that is there."""
    backend = _backend()
    try:
        return bool(backend.get_password(service, profile))
    except NoKeyringError:
        raise CredentialsError(_no_keyring_message()) from None
    except KeyringError as exc:
        raise CredentialsError(f"Could not read the system keyring ({type(exc).__name__}). {_unlock_hint()}") from None


def ensure_keyring() -> None:
    """Raise CredentialsError now if no keyring backend exists (before asking for a key)."""
    _backend()


def keyring_name() -> str:
    """A human name for where keys are stored (for `login` to say where)."""
    backend = keyring.get_keyring()
    return getattr(backend, "name", type(backend).__name__)


def _backend() -> KeyringBackend:
    backend = keyring.get_keyring()
    if _is_unusable(backend):
        raise CredentialsError(_no_keyring_message())
    return backend


def _is_unusable(backend: KeyringBackend) -> bool:
    # keyring picks fail.Keyring (raises on use) or null.Keyring (forgets everything)
    # when the system offers no secret store; a chainer with no members is the same.
    module = type(backend).__module__
    if module in ("keyring.backends.fail", "keyring.backends.null"):
        return True
    members = getattr(backend, "backends", None)
    return module == "keyring.backends.chainer" and not members


def _no_keyring_message() -> str:
    if sys.platform.startswith("linux"):
        where = (
            "On Linux, install and unlock a Secret Service keyring such as GNOME Keyring "
            "(gnome-keyring) or KWallet, then run `rootfi-excel login` again."
        )
    elif sys.platform == "darwin":
        where = "On macOS, make sure your login Keychain is available, then run `rootfi-excel login` again."
    else:
        where = "Make sure Windows Credential Manager is available, then run `rootfi-excel login` again."
    return (
        "No system keyring is available to hold the RootFi API key. "
        f"{where} For unattended runs, set the environment variable {ENV_VAR} instead."
    )


def _unlock_hint() -> str:
    return f"Unlock your keyring and try again, or set {ENV_VAR} for unattended runs."
