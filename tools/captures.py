"""Run every rootfi-excel command as a person would, at 80 columns, and keep what it shows.

    .venv/bin/python tools/captures.py                 # into out/captures/
    .venv/bin/python tools/captures.py --no-render     # the terminal captures only

Each command runs in a tmux window 80 columns wide (a real terminal: wrapping, the
progress lines), or with its output redirected to a file where that is the point (a log
or a scheduled task). What the screen shows is written to out/captures/NN-name.txt, one
file per command, with the exit code at its end: read them all after a change of words.
Then the template and the workbooks the run made are drawn with LibreOffice
(workbook_templates/render.py) into out/captures/render/: look at those PNGs too.

Everything happens in a scratch folder with its own ROOTFI_EXCEL_HOME (journal, caches,
log) and sandboxes on free ports of 127.0.0.1. No key store is ever touched: the key
store is the one that refuses (keyring's fail backend), and commands get the sandbox's
key from ROOTFI_API_KEY, as an unattended run would. Needs tmux (apt-get install tmux);
the renders need LibreOffice and poppler (see render.py). ROOTFI_BASE_URL names the
sandbox's address for ROOTFI_API_KEY (a key goes only to the address it is for).
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
WIDTH = 80
DONE = "[exit "
SOCKET = f"rootfi-captures-{os.getpid()}"  # a tmux server of our own, alone with its sessions


def tmux(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(["tmux", "-L", SOCKET, *args], check=check, capture_output=True, text=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Captures:
    def __init__(self, out: Path, work: Path, exe: str) -> None:
        self.out, self.work, self.exe = out, work, exe
        self.number = 0
        self.env = {**os.environ, "ROOTFI_EXCEL_HOME": str(work / "home"), "COLUMNS": str(WIDTH),
                    "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring", "TERM": "xterm-256color"}
        self.env.pop("ROOTFI_API_KEY", None)

    def _file(self, name: str) -> Path:
        self.number += 1
        return self.out / f"{self.number:02d}-{name}.txt"

    def terminal(self, name: str, command: str, *, env: dict[str, str] | None = None, timeout: float = 600,
                 interrupt_after: float | None = None, interrupt_when: str | None = None) -> str:
        """`command` (a shell line) in an 80-column tmux window; what the screen shows, kept."""
        session = f"rootfi-captures-{os.getpid()}-{self.number}"
        exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in {**self.env, **(env or {})}.items()
                           if k in ("ROOTFI_EXCEL_HOME", "COLUMNS", "PYTHON_KEYRING_BACKEND", "TERM",
                                    "ROOTFI_API_KEY", "ROOTFI_BASE_URL", "PATH"))
        line = (f"cd {shlex.quote(str(self.work))} && export {exports} && echo '$ {command}' && {command}; "
                f"echo '{DONE}'$?']'; sleep 3600")
        tmux("new-session", "-d", "-s", session, "-x", str(WIDTH), "-y", "50", line)
        started = time.monotonic()
        interrupted = False
        try:
            while True:
                screen = self._screen(session)
                if DONE in screen:
                    break
                due = interrupt_after is not None and time.monotonic() - started > interrupt_after
                if not interrupted and (due or (interrupt_when and interrupt_when in screen)):
                    tmux("send-keys", "-t", session, "C-c")
                    interrupted = True
                if time.monotonic() - started > timeout:
                    raise TimeoutError(f"{name}: still running after {timeout} s")
                time.sleep(0.3)
        finally:
            screen = self._screen(session)
            tmux("kill-session", "-t", session, check=False)
        text = "\n".join(line.rstrip() for line in screen.rstrip().splitlines()) + "\n"
        self._file(name).write_text(text, encoding="utf-8")
        print(f"  {name}: {text.strip().splitlines()[-1]}")
        return text

    def redirected(self, name: str, args: list[str], env: dict[str, str] | None = None) -> str:
        """The command with its output to a file (a log, a scheduled task): plain lines."""
        result = subprocess.run([self.exe, *args], cwd=self.work, env={**self.env, **(env or {})},
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=900)
        text = f"$ rootfi-excel {' '.join(args)} > log 2>&1\n" + result.stdout + f"{DONE}{result.returncode}]\n"
        self._file(f"{name}.log").write_text(text, encoding="utf-8")  # .log.txt: not a screen
        print(f"  {name}: {DONE}{result.returncode}]")
        return text

    @staticmethod
    def _screen(session: str) -> str:
        return tmux("capture-pane", "-p", "-t", session, "-S", "-20000", check=False).stdout


class Sandbox:
    """`rootfi-excel sandbox` in the background (its own tmux window), until stop()."""

    def __init__(self, captures: Captures, args: list[str], port: int) -> None:
        self.session = f"rootfi-sandbox-{os.getpid()}-{port}"
        self.port = port
        exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in captures.env.items()
                           if k in ("ROOTFI_EXCEL_HOME", "COLUMNS", "PYTHON_KEYRING_BACKEND", "PATH"))
        line = (f"cd {shlex.quote(str(captures.work))} && export {exports} && "
                f"{captures.exe} sandbox --port {port} {' '.join(map(shlex.quote, args))}; sleep 3600")
        tmux("new-session", "-d", "-s", self.session, "-x", str(WIDTH), "-y", "50", line)
        deadline = time.monotonic() + 30
        ready = "its Settings now point" if "--configure" in args else "--configure BOOK.xlsx"
        while ready not in " ".join(self.screen().split()):
            if time.monotonic() > deadline:
                raise TimeoutError(f"the sandbox did not start:\n{self.screen()}")
            time.sleep(0.2)
        time.sleep(0.5)

    def screen(self) -> str:
        return "\n".join(line.rstrip() for line in Captures._screen(self.session).rstrip().splitlines()) + "\n"

    @property
    def key(self) -> str:
        return re.search(r"API key: (\S+)", self.screen()).group(1)

    def stop(self) -> str:
        tmux("send-keys", "-t", self.session, "C-c", check=False)
        time.sleep(2)
        screen = self.screen()
        tmux("kill-session", "-t", self.session, check=False)
        return screen


def make_book(captures: Captures, path: Path, base_url: str, key: str, payments: int, notes: int,
              company: int = 1003, mistakes: bool = True) -> None:
    """A workbook of the sandbox's month-end data (the demo's, with its mistakes) set to the sandbox."""
    code = f"""
from pathlib import Path
from rootfi_excel.api.client import RootFiClient
from rootfi_excel.demo.data import credit_note_rows, fetch_lookups, payment_rows
from rootfi_excel.workbook.template import build_template
with RootFiClient({key!r}, base_url={base_url!r}) as client:
    info = client.get_company({company})
    lookups = fetch_lookups(client, {company})
build_template(Path({str(path)!r}),
               payments=payment_rows(lookups, {payments}, integration=info.integration, with_mistakes={mistakes}),
               credit_note_lines=credit_note_rows(lookups, {notes}, integration=info.integration,
                                                  with_mistakes={mistakes}),
               settings={{"company_id": {company}, "integration": info.integration, "environment": "sandbox",
                         "base_url": {base_url!r}, "key_profile": "sandbox"}})
"""
    subprocess.run([sys.executable, "-c", code], check=True, env=captures.env)


def add_total(path: Path, gap: bool) -> None:
    """'Total' and =SUM of the amount column under the payments table (after a blank row, or directly)."""
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter, range_boundaries

    wb = load_workbook(path)
    ws = wb["Invoice Payments"]
    _, top, _, bottom = range_boundaries(ws.tables["InvoicePayments"].ref)
    column = [c.value for c in ws[top]].index("amount") + 1
    letter = get_column_letter(column)
    row = bottom + (2 if gap else 1)
    ws.cell(row, 1, "Total")
    ws.cell(row, column, f"=SUM({letter}{top + 1}:{letter}{bottom})")
    wb.save(path)


def run(out: Path, render: bool) -> int:
    if shutil.which("tmux") is None:
        print("Needs tmux (apt-get install tmux): the captures are taken in an 80-column terminal.", file=sys.stderr)
        return 2
    exe = str(Path(sys.executable).with_name("rootfi-excel"))
    if not Path(exe).exists():
        print(f"No {exe}: install the project (pip install -e .) first.", file=sys.stderr)
        return 2
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    work = Path(tempfile.mkdtemp(prefix="rootfi-captures-"))
    captures = Captures(out, work, exe)
    rx = f"{shlex.quote(exe)}"
    print(f"Captures into {out} (scratch folder {work})")
    # Its own server, kept up by one idle session (a server whose last session ends goes away)
    # and with a long history in every window.
    tmux("new-session", "-d", "-s", "anchor", "sleep 86400")
    tmux("set-option", "-g", "history-limit", "20000")
    try:
        # -- help, at 80 columns
        captures.terminal("help", f"{rx} --help")
        for command in ("validate", "submit", "demo", "sandbox", "template", "login", "logout", "lookups", "posted",
                        "doctor", "install", "upgrade", "uninstall", "addin build"):
            captures.terminal(f"help-{command.replace(' ', '-')}", f"{rx} {command} --help")
        # -- a new accountant: the template, the demo (its options checked first), the demo's workbook again
        captures.terminal("template", f"{rx} template book.xlsx")
        captures.terminal("demo-too-many-payments", f"{rx} demo --payments 2000")
        captures.terminal("demo", f"{rx} demo")
        captures.redirected("demo-redirected", ["demo", "--out", "demo-log.xlsx"])
        captures.terminal("validate-demo", f"{rx} validate rootfi-demo.xlsx")

        # -- IT sets up a sandbox: its start-up text, then --configure on a workbook, then the same --db again
        port = free_port()
        base_url = f"http://127.0.0.1:{port}/v4"
        first = Sandbox(captures, ["--db", "sandbox.sqlite3"], port)
        key = first.key
        make_book(captures, work / "march.xlsx", base_url, key, payments=60, notes=8)
        captures._file("sandbox-start-up").write_text(first.stop(), encoding="utf-8")
        again = Sandbox(captures, ["--db", "sandbox.sqlite3", "--configure", "march.xlsx"], port)
        captures._file("sandbox-again-configure").write_text(again.screen(), encoding="utf-8")
        assert again.key == key, "the same --db must keep the same key"
        env = {"ROOTFI_API_KEY": key, "ROOTFI_BASE_URL": base_url}  # the one address that key is for
        captures.terminal("validate", f"{rx} validate march.xlsx", env=env)
        captures.terminal("lookups", f"{rx} lookups march.xlsx", env=env)
        captures.terminal("validate-with-lookups", f"{rx} validate march.xlsx", env=env)
        captures.terminal("submit", f"{rx} submit march.xlsx --yes", env=env)
        captures.terminal("submit-again", f"{rx} submit march.xlsx --yes", env=env)
        captures.terminal("posted", f"{rx} posted march.xlsx", env=env)
        captures.terminal("doctor", f"{rx} doctor march.xlsx", env=env)
        # -- the wrong key, and the key from the environment
        wrong = {"ROOTFI_API_KEY": "rk_sandbox_not_the_right_one", "ROOTFI_BASE_URL": base_url}
        make_book(captures, work / "april.xlsx", base_url, key, payments=5, notes=1, mistakes=False)
        captures.terminal("submit-wrong-key", f"{rx} submit april.xlsx --yes", env=wrong)
        captures.terminal("doctor-wrong-key", f"{rx} doctor april.xlsx", env=wrong)
        captures.terminal("login-with-variable", f"{rx} login", env=wrong)
        captures.terminal("logout-with-variable", f"{rx} logout", env=wrong)
        # -- a totals row under the table, after a blank row and directly under it
        for gap in (True, False):
            name = "total-after-gap" if gap else "total-under-table"
            make_book(captures, work / f"{name}.xlsx", base_url, key, payments=4, notes=0, mistakes=False)
            add_total(work / f"{name}.xlsx", gap)
            captures.terminal(f"validate-{name}", f"{rx} validate {name}.xlsx", env=env)
        # -- sent to a log (no terminal): plain progress lines
        make_book(captures, work / "may.xlsx", base_url, key, payments=120, notes=10, mistakes=False)
        captures.redirected("submit-redirected", ["submit", "may.xlsx", "--yes"], env=env)
        again.stop()

        # -- Ctrl+C while RootFi works on a bulk write
        slow = Sandbox(captures, ["--db", "slow.sqlite3", "--job-delay-ms", "150", "--rate-limit", "0"], free_port())
        slow_url = f"http://127.0.0.1:{slow.port}/v4"
        make_book(captures, work / "june.xlsx", slow_url, slow.key, payments=60, notes=6, mistakes=False)
        captures.terminal("submit-ctrl-c", f"{rx} submit june.xlsx --yes",
                          env={"ROOTFI_API_KEY": slow.key, "ROOTFI_BASE_URL": slow_url},
                          interrupt_when="sent in", interrupt_after=20)
        slow.stop()

        # -- the sandbox is gone: every command that reads or sends says where and what to do, once
        for command in ("lookups", "posted", "submit"):
            captures.terminal(f"{command}-sandbox-down", f"{rx} {command} april.xlsx"
                              + (" --yes" if command == "submit" else ""), env=env)
    finally:
        tmux("kill-server", check=False)

    long_lines = [(path.name, line) for path in sorted(out.glob("*.txt")) if not path.name.endswith(".log.txt")
                  for line in path.read_text(encoding="utf-8").splitlines() if len(line) > WIDTH]
    for name, line in long_lines:
        print(f"  longer than {WIDTH} columns in {name}: {line}")
    if render:
        books = [REPO / "workbook_templates" / "RootFi-Invoice-Import.xlsx", work / "rootfi-demo.xlsx",
                 work / "march.xlsx", work / "total-after-gap.xlsx"]
        subprocess.run([sys.executable, str(REPO / "workbook_templates" / "render.py"), *map(str, books),
                        "--out", str(out / "render")], check=True)
    print(f"Read {out}/*.txt" + (f" and look at {out}/render/*/*/*.png" if render else ""))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "out" / "captures", help="where the captures go")
    parser.add_argument("--no-render", action="store_true", help="terminal captures only, no LibreOffice renders")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    return run(args.out.resolve(), render=not args.no_render)


if __name__ == "__main__":
    raise SystemExit(main())
