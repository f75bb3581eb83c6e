"""The error boundary of every rootfi-excel command: never a traceback.

Each command is declared with `@click.command(cls=GuardedCommand)`. Whatever it raises
becomes one red line naming the file and what to do, with exit code 2 (the detail goes
to the log file, see `rootfi_excel.failures`); Ctrl+C becomes a short "Stopped" line
with exit code 130. Click's own errors (a wrong option: exit code 2) pass through.
Inside, messages say next steps as commands to run (messages.at_terminal), not buttons.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from rootfi_excel.cli.output import EXIT_STOPPED, EXIT_UNUSABLE, say
from rootfi_excel.failures import logging_to_file, report
from rootfi_excel.messages import at_terminal


class GuardedCommand(click.Command):
    """A click command with the error boundary around it.

    doing:   what the command does, for "Cannot <doing>: ..." ({file} = its file's name).
    stopped: the line shown after Ctrl+C ({file} likewise).
    note:    added to the line of an unexpected error (e.g. that nothing is sent twice).
    """

    def __init__(self, *args: Any, doing: str = "{name} {file}", stopped: str = "Stopped (Ctrl+C).",
                 note: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.doing = doing
        self.stopped = stopped
        self.note = note

    def invoke(self, ctx: click.Context) -> Any:
        # Next steps are said as commands here (messages.words), naming the command's workbook.
        book = next((str(value) for value in ctx.params.values() if isinstance(value, Path)), "")
        with logging_to_file(), at_terminal(book):
            try:
                return super().invoke(ctx)
            except (click.exceptions.Exit, click.ClickException):
                raise  # an ordinary end, or click's own message about the arguments
            except click.Abort as abort:  # Ctrl+C, or the input ended, at a question
                if isinstance(abort.__context__, EOFError):
                    say("No answer was typed (the input ended), so nothing was done.", err=True, fg="red")
                    ctx.exit(EXIT_UNUSABLE)
                self._stopped(ctx)
            except KeyboardInterrupt:
                self._stopped(ctx)
            except Exception as error:
                say(report(error, doing=self._text(self.doing, ctx), note=self.note), err=True, fg="red")
                ctx.exit(EXIT_UNUSABLE)

    def _stopped(self, ctx: click.Context) -> None:
        say(self._text(self.stopped, ctx), err=True, fg="yellow")
        ctx.exit(EXIT_STOPPED)

    def _text(self, template: str, ctx: click.Context) -> str:
        file = next((value.name for value in ctx.params.values() if isinstance(value, Path)), "")
        return " ".join(template.format(name=self.name, file=file).split())
