"""install and uninstall survive what a person may do: a home folder typed with ~, a relative
folder, a damaged install record, an environment folder that is their home; and they keep
what is not theirs to remove (the accountant's files, a journal with unfinished submissions)."""

from __future__ import annotations

from tests.support.cli_runs import run


def test_install_takes_a_typed_home_folder_and_records_absolute_paths(tmp_path, monkeypatch):
    """"~/Team/RootFi" typed at the prompt made a folder named "~" in the current folder, and a
    relative --templates-dir was recorded as relative: uninstall from elsewhere left it."""
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    (tmp_path / "here").mkdir()
    monkeypatch.chdir(tmp_path / "here")
    assert run(["install", "--no-key"], input="~/Team/RootFi\n").exit_code == 0
    assert (home / "Team" / "RootFi" / "RootFi-Invoice-Import.xlsx").is_file()
    assert not (tmp_path / "here" / "~").exists()
    assert run(["install", "--templates-dir", "relative", "--no-key"]).exit_code == 0
    assert (tmp_path / "here" / "relative" / "RootFi-Invoice-Import.xlsx").is_file()
    monkeypatch.chdir(tmp_path)
    assert run(["uninstall"]).exit_code == 0
    assert not (tmp_path / "here" / "relative" / "RootFi-Invoice-Import.xlsx").exists()
    assert not (home / "Team" / "RootFi" / "RootFi-Invoice-Import.xlsx").exists()


def test_a_damaged_install_record_is_not_a_dead_end(tmp_path, monkeypatch):
    """Every command said "the install record is damaged; run `rootfi-excel install` again",
    and install refused it the same way: nothing could be installed, upgraded or removed."""
    from rootfi_excel.install.layout import Layout

    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    record = Layout.current().manifest_path
    record.parent.mkdir(parents=True)
    record.write_text('{"system": "linux", "files": [', encoding="utf-8")  # cut off (a sync tool, a bad disk)
    refused = run(["uninstall"])
    assert refused.exit_code == 2 and "run `rootfi-excel install` again" in refused.output
    installed = run(["install", "--templates-dir", tmp_path / "share", "--no-key"])
    assert installed.exit_code == 0, installed.output
    assert "set it aside" in installed.output and record.with_name(record.name + ".damaged").is_file()
    removed = run(["uninstall"])
    assert removed.exit_code == 0 and not (tmp_path / "share" / "RootFi-Invoice-Import.xlsx").exists()


def test_uninstall_keeps_a_journal_with_unfinished_submissions(tmp_path, monkeypatch):
    """--remove-journal deleted a journal whose attempts had no known outcome (Unknown: the
    answer was lost): the next Submit, without it, could create those records twice."""
    from rootfi_excel.install.layout import Layout
    from rootfi_excel.submission.journal import CREATED, UNKNOWN, Journal

    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    journal_path = Layout.current().journal_path
    with Journal(journal_path) as journal:
        _, (lost, done), _ = journal.begin("https://api.example/v4", 1003, "invoice_payments",
                                           [("fp1", "RCPT-1", {"amount": 1}), ("fp2", "RCPT-2", {"amount": 2})])
        journal.update([lost], UNKNOWN, message="the connection dropped")
        journal.update([done], CREATED, rootfi_id="77")
    preview = run(["uninstall", "--remove-journal", "--dry-run"])
    assert preview.exit_code == 0 and "a real run would end with: The journal was kept" in preview.output
    assert "Everything else was removed" not in preview.output  # a dry run removes nothing
    kept = run(["uninstall", "--remove-journal"])
    assert kept.exit_code == 2 and journal_path.exists()
    assert "1 submitted record(s) have no known outcome" in kept.output
    with Journal(journal_path) as journal:  # Submit settles it (here: by hand)
        journal.update([lost], CREATED, rootfi_id="78")
    removed = run(["uninstall", "--remove-journal"])
    assert removed.exit_code == 0 and not journal_path.exists(), removed.output


def test_a_dry_run_of_remove_journal_leaves_the_journal_as_it_was(tmp_path, monkeypatch):
    """`uninstall --remove-journal --dry-run` opened the journal itself to count what is
    unsettled, which brings an older journal up to date (new columns): a preview changed it."""
    import hashlib
    import sqlite3

    from rootfi_excel.install.layout import Layout
    from rootfi_excel.submission.journal import UNKNOWN, Journal

    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    journal_path = Layout.current().journal_path
    with Journal(journal_path) as journal:
        _, (lost,), _ = journal.begin("https://api.example/v4", 1003, "invoice_payments",
                                      [("fp1", "RCPT-1", {"amount": 1})])
        journal.update([lost], UNKNOWN, message="the connection dropped")
    with sqlite3.connect(journal_path) as db:  # as a journal written before line keys existed
        db.execute("ALTER TABLE attempts DROP COLUMN line_keys")
    db.close()

    def state() -> dict[str, str]:
        return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in journal_path.parent.iterdir()}

    before = state()
    preview = run(["uninstall", "--remove-journal", "--dry-run"])
    assert "1 submitted record(s) have no known outcome" in preview.output, preview.output
    assert state() == before


def test_install_sh_never_deletes_a_folder_that_is_not_a_python_environment(tmp_path):
    """`bash install.sh --env-dir ~` (a careless "install it in my home") ran `rm -rf ~`: the
    folder had no Python in it, so the script cleared it to make the environment."""
    import os
    import subprocess
    import sys

    from tests.support.paths import REPO

    script = REPO / "installer" / "install.sh"
    home = tmp_path / "home"
    (home / "Documents").mkdir(parents=True)
    precious = home / "Documents" / "month-end.xlsx"
    precious.write_bytes(b"the accountant's work")
    env = {**os.environ, "HOME": str(home), "ROOTFI_EXCEL_HOME": str(tmp_path / "data")}
    refused = subprocess.run(["bash", str(script), "--python", sys.executable, "--env-dir", str(home),
                              "--package", str(tmp_path / "no-such.whl")],
                             capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL, timeout=300)
    assert precious.read_bytes() == b"the accountant's work"
    assert refused.returncode == 1 and "cannot be the environment" in refused.stderr
    assert "Nothing was changed" in refused.stderr
    removed = subprocess.run(["bash", str(script), "--uninstall", "--env-dir", str(home)],
                             capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL, timeout=300)
    assert removed.returncode == 1 and precious.is_file() and "Nothing was changed" in removed.stderr
    assert sorted(p.name for p in home.rglob("*")) == ["Documents", "month-end.xlsx"]


def test_install_ps1_removes_nothing():
    """The same in the Windows script (no PowerShell here to run it): it removes nothing at all,
    the environment included; `rootfi-excel uninstall` does, after proving the installer made it
    (tests/install/test_installer_scripts.py reads every command of the script from its syntax tree)."""
    from tests.support.paths import REPO

    text = (REPO / "installer" / "install.ps1").read_text(encoding="utf-8")
    assert "Remove-Item" not in text
