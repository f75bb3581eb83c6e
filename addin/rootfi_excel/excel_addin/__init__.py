"""The Excel add-in, rootfi.xlam: its ribbon, its VBA, its settings, and how it is built.

    build.py          build_addin(): rootfi.xlam from xlwings' own Excel-made template
    customUI.xml      the RootFi ribbon tab (one <button> per entry of ribbon.BUTTONS)
    customui.py       the rules the ribbon XML must keep (checked by the build and tests)
    RootFiRibbon.bas  the one VBA callback: passes a button's tag to ribbon.dispatch()
                      (and answers itself when no workbook is there for Python to start in)
    vba.py            the VBA sources the build sets (xlwings' GetConfig without its workbook
                      layers), and the rules every module keeps
    udf_module.py     the worksheet functions' VBA wrappers (what xlwings' import writes)
    function_help.py  their Insert Function help (MacroOptions, at Auto_Open)
    package.py        edits to the .xlam zip: ribbon, config sheet, titles, project name
    addin_settings.py the add-in's settings (interpreter, PYTHONPATH) and the user's file

A new ribbon button is a <button> in customUI.xml plus a function in
rootfi_excel.ribbon.BUTTONS: no VBA changes. An installer calls build_addin() (with
AddinSettings) and/or write_user_config().
"""

from rootfi_excel.excel_addin.build import ADDIN_FILE, BuiltAddin, build_addin
from rootfi_excel.excel_addin.addin_settings import AddinSettings, user_config_path, write_user_config

__all__ = ["ADDIN_FILE", "AddinSettings", "BuiltAddin", "build_addin", "user_config_path",
           "write_user_config"]
