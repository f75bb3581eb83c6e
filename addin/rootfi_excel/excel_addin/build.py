"""Build rootfi.xlam from xlwings' own Excel-made add-in template.

Steps (each refuses to go on when its input is not as expected; nothing is published
unless the finished file passes the checks at the end):

1. Take `quickstart_addin_ribbon.xlam` from the installed xlwings wheel: its VBA project
   was saved by Excel (a ribbon module, the custom-add-in xlwings module, a Dictionary
   class, an empty ThisWorkbook and config sheet).
2. Check the ribbon (customUI.xml) and the VBA we will write against their rules.
3. Package edits (`package.py`): our customUI.xml and its relationship, the config
   sheet renamed to `rootfi.conf` with the settings, the titles Excel's Add-ins dialog
   shows, and the VBA project renamed to "RootFi".
4. Module source with pyOpenVBA: `RibbonMyAddin` renamed to `RootFiRibbon` and given the
   one callback; `xlwings` given the installed xlwings' module with PROJECT_NAME "rootfi";
   a new `xlwings_udfs` with the worksheet functions (udf_module.py), as xlwings'
   ImportPythonUDFsToAddin would have saved it into the add-in, and `RootFiFunctions`
   with their Insert Function help (function_help.py), which that import also registers.
   pyOpenVBA keeps the dir/PROJECT/PROJECTwm streams consistent and marks the compiled
   cache stale, so Excel compiles the new source when it opens the file.
5. Read the result back (pyOpenVBA's `check_file`, and every module's source) and only
   then move it into place atomically. The staging folder is removed whatever happens.
"""

from __future__ import annotations

import os
import secrets
import tempfile
import zipfile
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from rootfi_excel.errors import (
    AddinBuildError,
    FunctionHelpError,
    PackageError,
    SettingsError,
    UDFSignatureError,
    VBASourceError,
)
from rootfi_excel.excel_addin import customui, vba
from rootfi_excel.excel_addin.function_help import FUNCTION_HELP_MODULE, function_help_source
from rootfi_excel.excel_addin.package import edit_package
from rootfi_excel.excel_addin.addin_settings import CONFIG_SHEET, AddinSettings
from rootfi_excel.excel_addin.udf_module import UDF_VBA_MODULE, udf_module_source

ADDIN_FILE = "rootfi.xlam"
XLWINGS_TEMPLATE = "quickstart_addin_ribbon.xlam"
# Modules the template has and the build leaves as Excel saved them.
UNTOUCHED_MODULES = ("ThisWorkbook", "Dictionary", "Sheet2")
DOCUMENT_MODULES = ("ThisWorkbook", "Sheet2")  # must stay without code


@dataclass(frozen=True)
class BuiltAddin:
    path: Path
    xlwings_version: str
    modules: dict[str, str]  # module name -> the source the build set
    tags: list[str]  # the ribbon's buttons, in order
    settings: AddinSettings = field(default_factory=AddinSettings)


def xlwings_template() -> bytes:
    import xlwings  # slow to load: only when an add-in is built

    return resources.files(xlwings).joinpath(XLWINGS_TEMPLATE).read_bytes()


def module_sources(xlwings_version: str) -> dict[str, str]:
    """The modules whose source the build sets (the worksheet functions' one is new), and that source."""
    from rootfi_excel import udfs  # the worksheet functions and their imports: only to build

    return {vba.XLWINGS_MODULE: vba.xlwings_module(xlwings_version), vba.RIBBON_MODULE: vba.ribbon_module(),
            UDF_VBA_MODULE: udf_module_source(udfs.UDF_MODULE, udfs.UDFS),
            FUNCTION_HELP_MODULE: function_help_source(udfs.UDFS, udfs.CATEGORY, udfs.ARGUMENT_HELP)}


# Modules the build adds to the template's project (the others are the template's own).
NEW_MODULES = (UDF_VBA_MODULE, FUNCTION_HELP_MODULE)


def build_addin(out_dir: Path, settings: AddinSettings | None = None) -> BuiltAddin:
    """Write OUT_DIR/rootfi.xlam (replacing an older one) and say what is in it."""
    import xlwings  # slow to load: only when an add-in is built (install/ imports this module)
    from pyopenvba import ExcelFile, PyOpenVBAError  # (the same)

    from rootfi_excel.ribbon import BUTTONS  # the ribbon imports the whole application: only to build

    settings = settings or AddinSettings()
    version = xlwings.__version__
    custom_ui = customui.source()
    problems = customui.problems(custom_ui, BUTTONS)
    try:
        modules = module_sources(version)
        rows = settings.sheet_rows()
    except (VBASourceError, SettingsError, UDFSignatureError, FunctionHelpError) as error:
        raise AddinBuildError(str(error)) from None
    for name, text in modules.items():
        problems += vba.rule_problems(name, text)
    if problems:
        raise AddinBuildError("The add-in was not built:\n  " + "\n  ".join(problems))

    try:
        staged = edit_package(xlwings_template(), custom_ui=custom_ui, custom_ui_part=customui.PART_NAME,
                              custom_ui_relationship=customui.RELATIONSHIP_TYPE, config_rows=rows,
                              config_sheet=CONFIG_SHEET, project_name=vba.PROJECT,
                              template_project_name=vba.TEMPLATE_PROJECT_NAME, new_modules=NEW_MODULES)
        with tempfile.TemporaryDirectory(prefix="rootfi-addin-build-") as work:
            package, finished = Path(work) / "package.xlam", Path(work) / ADDIN_FILE
            package.write_bytes(staged)
            with ExcelFile(package) as book:
                project = book.vba_project()
                project.rename_module(vba.TEMPLATE_RIBBON_MODULE, vba.RIBBON_MODULE)
                for name, text in modules.items():
                    if name in project.module_names():
                        book.set_module(name, text)
                    else:
                        project.add_module(name, text)
                book.save(finished)
            problems = read_back_problems(finished, modules)
            if problems:
                raise AddinBuildError("The built add-in did not read back as written:\n  " + "\n  ".join(problems))
            data = finished.read_bytes()
    except (PackageError, PyOpenVBAError, ValueError, KeyError, zipfile.BadZipFile) as error:
        raise AddinBuildError(f"xlwings {version}'s add-in template could not be turned into {ADDIN_FILE}: "
                              f"{error}") from None
    except OSError as error:
        raise AddinBuildError(f"Could not build {ADDIN_FILE} in a temporary folder: {error}") from None
    path = _publish(Path(out_dir), data)
    tags = [button["tag"] for button in customui.buttons(custom_ui)]
    return BuiltAddin(path, version, modules, tags, settings)


def read_back_problems(path: Path, modules: dict[str, str]) -> list[str]:
    """pyOpenVBA's integrity check of the file, and its modules as the build meant them."""
    from pyopenvba import ExcelFile, check_file  # only when an add-in is built or checked

    report = check_file(path)
    found = [f"{issue.code} at {issue.location}: {issue.message}" for issue in report.errors]
    if not report.complete:
        found.append("pyOpenVBA could not check every part: " + "; ".join(i.message for i in report.warnings))
    with ExcelFile(path) as book:
        project = book.vba_project()
        if project.name != vba.PROJECT:
            found.append(f"the VBA project is called {project.name!r}, not {vba.PROJECT!r}")
        names = book.module_names()
        expected = sorted([*modules, *UNTOUCHED_MODULES])
        if sorted(names) != expected:
            found.append(f"modules {sorted(names)}, expected {expected}")
        for name, text in modules.items():
            if name in names and book.get_module(name) != text:
                found.append(f"module {name} does not hold the source the build set")
        for name in DOCUMENT_MODULES:
            if name in names and not vba.is_empty_module(book.get_module(name)):
                found.append(f"{name} has code: code belongs in standard modules")
    return found


def _publish(out_dir: Path, data: bytes) -> Path:
    """Put the finished add-in in place in one step: never a half-written file."""
    target = out_dir / ADDIN_FILE
    partial = out_dir / f".{ADDIN_FILE}.{os.getpid()}.{secrets.token_hex(4)}.partial"
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        # os.open, not mkstemp: the file gets the usual permissions (0666 less the umask).
        handle = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    except OSError as error:
        raise AddinBuildError(f"Cannot write to {out_dir}: {error.strerror or error}") from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(partial, target)
    except OSError as error:
        raise AddinBuildError(f"Cannot write {target}: {error.strerror or error}. If the add-in is open in "
                              "Excel, close Excel (or unload the add-in) and build again.") from None
    finally:
        partial.unlink(missing_ok=True)
    return target
