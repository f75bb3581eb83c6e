"""The rootfi-excel command line.

Commands are imported only when used (a lazy click group), so `rootfi-excel validate`
does not pay for the sandbox's web server imports.
"""

from __future__ import annotations

import importlib

import click

from rootfi_excel import __version__

# command name -> "module:attribute" of a click command
COMMANDS = {
    "validate": "rootfi_excel.cli.validate_cmd:validate",
    "submit": "rootfi_excel.cli.submit_cmd:submit",
    "demo": "rootfi_excel.cli.demo_cmd:demo",
    "sandbox": "rootfi_excel.cli.sandbox_cmd:sandbox",
    "login": "rootfi_excel.cli.login_cmd:login",
    "logout": "rootfi_excel.cli.login_cmd:logout",
    "template": "rootfi_excel.cli.template_cmd:template",
    "addin": "rootfi_excel.cli.addin_cmd:addin",
    "install": "rootfi_excel.cli.install_cmd:install",
    "upgrade": "rootfi_excel.cli.install_cmd:upgrade",
    "uninstall": "rootfi_excel.cli.install_cmd:uninstall",
    "doctor": "rootfi_excel.cli.install_cmd:doctor",
    "lookups": "rootfi_excel.cli.lookups_cmd:lookups",
    "posted": "rootfi_excel.cli.posted_cmd:posted",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = COMMANDS.get(name)
        if target is None:
            return None
        module_name, attribute = target.split(":")
        return getattr(importlib.import_module(module_name), attribute)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="rootfi-excel")
def cli() -> None:
    """RootFi for Excel: validate and submit invoice payments and credit notes from a workbook."""


def main() -> None:
    """The rootfi-excel program. Click's own messages about the arguments (a wrong option, a
    value out of range) are said as every other message is: wrapped between words at the
    terminal's width, never cut mid-word."""
    from rootfi_excel.cli.output import EXIT_UNUSABLE, say  # not at import: only what the command needs loads

    try:
        result = cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        say("Aborted.", err=True)
        raise SystemExit(1) from None
    except click.ClickException as error:
        if isinstance(error, click.UsageError) and error.ctx is not None:
            say(error.ctx.get_usage(), err=True)
            say(f"Try '{error.ctx.command_path} {error.ctx.help_option_names[0]}' for help.\n", err=True)
        say(f"Error: {error.format_message()}", err=True, fg="red")
        raise SystemExit(error.exit_code if error.exit_code is not None else EXIT_UNUSABLE) from None
    raise SystemExit(result if isinstance(result, int) else 0)


if __name__ == "__main__":
    main()
