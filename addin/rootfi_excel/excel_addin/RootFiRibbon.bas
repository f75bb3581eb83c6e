Attribute VB_Name = "RootFiRibbon"
Option Explicit

' The one callback of every button on the RootFi ribbon tab (customUI.xml).
' The button's tag names a Python function in rootfi_excel.ribbon.BUTTONS, so a new
' button is an entry in customUI.xml plus a Python function: never new VBA.
'
' xlwings' RunPython reads the active workbook (its sheets, name and path) before Python
' starts. With no workbook to read (Excel just started, every workbook closed, the file
' in front open in Protected View) it stops in run-time error 91, so that case is
' handled here first: the buttons that need no workbook get a blank one to run in (Python
' closes it again), every other button says what to do in one message.
Public Sub OnRibbonButton(control As IRibbonControl)
    If ActiveWorkbook Is Nothing Or InProtectedView() Then
        If control.Tag = "new_workbook" Or control.Tag = "open_log" Then
            Workbooks.Add
            RunPython "import rootfi_excel.ribbon as r; r.dispatch('" & control.Tag & "', scratch=True)"
        ElseIf InProtectedView() Then
            MsgBox "This workbook is open in Protected View. Click Enable Editing in the yellow bar at the top, then press the button again.", vbInformation, "RootFi"
        Else
            MsgBox "Open a RootFi workbook first (or press New workbook), then press the button again.", vbInformation, "RootFi"
        End If
        Exit Sub
    End If
    If NameReachesShellOnMac() Then
        MsgBox "RootFi cannot start on a Mac for a workbook whose name or folder holds $, `, "" or \ (the Mac would read them as a command). Save the workbook under a plain name in a plain folder (File > Save As), then press the button again.", vbInformation, "RootFi"
        Exit Sub
    End If
    RunPython "import rootfi_excel.ribbon as r; r.dispatch('" & control.Tag & "')"
End Sub

' On a Mac, xlwings starts Python through a shell command that holds the workbook's name
' and folder inside double quotes, where $, ` and \ (and a closing ") would run a command
' of whoever named the file or folder: a shared workbook must never run code, so such a
' workbook is refused before RunPython (docs/security.md). Windows names cannot do this.
Private Function NameReachesShellOnMac() As Boolean
    #If Mac Then
        Dim unsafe As Variant
        For Each unsafe In Array("$", "`", Chr(34), "\")
            If InStr(ActiveWorkbook.FullName, unsafe) > 0 Then NameReachesShellOnMac = True
        Next unsafe
    #Else
        NameReachesShellOnMac = False
    #End If
End Function

' Is the window in front a Protected View window (a file from the internet or an e-mail,
' not yet enabled for editing)? Excel for Mac has no such windows in its object model.
Private Function InProtectedView() As Boolean
    #If Mac Then
        InProtectedView = False
    #Else
        InProtectedView = Not Application.ActiveProtectedViewWindow Is Nothing
    #End If
End Function
