"""Python processes started as a person's terminal starts them, where Ctrl+C stops them.

A process started in the background of a non-interactive shell (`pytest … &`, some CI
runners) inherits SIGINT ignored, and Python then never turns Ctrl+C into
KeyboardInterrupt: a test that presses Ctrl+C would see the command run to its end. The
child here puts Python's own Ctrl+C handler back first, as at a terminal.
"""

from __future__ import annotations

import sys

_CTRL_C_AS_AT_A_TERMINAL = "import signal; signal.signal(signal.SIGINT, signal.default_int_handler); "


def python_code(code: str) -> list[str]:
    """`python -c code`, with Ctrl+C as at a terminal."""
    return [sys.executable, "-c", _CTRL_C_AS_AT_A_TERMINAL + code]


def rootfi_excel(*args: str) -> list[str]:
    """`python -m rootfi_excel ARGS`, with Ctrl+C as at a terminal."""
    return python_code("import runpy, sys; sys.argv[0] = 'rootfi-excel'; "
                       "runpy.run_module('rootfi_excel', run_name='__main__', alter_sys=True)") + list(args)
