Attribute VB_Name = "RootFiRibbon"
Option Explicit

' The one callback of every button on the RootFi ribbon tab (customUI.xml).
' The button's tag names a Python function in rootfi_excel.ribbon.BUTTONS, so a new
' button is an entry in customUI.xml plus a Python function: never new VBA.
Public Sub OnRibbonButton(control As IRibbonControl)
    RunPython "import rootfi_excel.ribbon as r; r.dispatch('" & control.Tag & "')"
End Sub
