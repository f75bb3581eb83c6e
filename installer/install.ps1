<#
.SYNOPSIS
    Install, upgrade or remove RootFi for Excel for the current Windows user (no admin rights).

.DESCRIPTION
    Thin on purpose: it finds (or installs) a python.org Python that matches Excel's bitness,
    creates an isolated environment in your profile, installs the rootfi-excel package into
    it, and hands over to `rootfi-excel install`, which puts the add-in into Excel.
    The Microsoft Store Python is never used: Excel cannot start it reliably.

.EXAMPLE
    powershell -ExecutionPolicy Bypass -File install.ps1
.EXAMPLE
    powershell -ExecutionPolicy Bypass -File install.ps1 -Upgrade
.EXAMPLE
    powershell -ExecutionPolicy Bypass -File install.ps1 -Uninstall
#>
[CmdletBinding()]
param(
    # What pip installs: default the newest rootfi_excel-*.whl beside this script, else
    # "rootfi-excel" from the package index pip is set up for.
    [string]$Package = "",
    # The isolated environment (one per user; no admin rights needed).
    [string]$EnvDir = (Join-Path $env:LOCALAPPDATA "RootFi\env"),
    # python.org version installed when no suitable Python is found.
    [string]$PythonVersion = "3.12.8",
    # x64 or x86; "auto" follows Excel's bitness (read from the registry), else x64.
    [ValidateSet("auto", "x64", "x86")]
    [string]$Architecture = "auto",
    # A python.org installer already downloaded (offline installs, IT departments).
    [string]$PythonInstaller = "",
    [switch]$Upgrade,
    [switch]$Uninstall,
    # Passed on to `rootfi-excel install`, e.g. -InstallArgs "--templates-dir","S:\Finance\RootFi"
    [string[]]$InstallArgs = @()
)

$ErrorActionPreference = "Stop"
Set-StrictMode -Version 2
$MinimumPython = [version]"3.11"

function Say([string]$Text) { Write-Host "RootFi: $Text" }

function Stop-WithMessage([string]$Text) {
    Write-Host "RootFi: $Text" -ForegroundColor Red
    exit 1
}

# Files unpacked from a download carry the Mark of the Web; Excel blocks their macros.
function Unblock-Here {
    if ($PSScriptRoot) {
        Get-ChildItem -Path $PSScriptRoot -Recurse -File | Unblock-File
    }
}

function Get-ExcelBitness {
    $places = @(
        @{ Key = "HKLM:\SOFTWARE\Microsoft\Office\ClickToRun\Configuration"; Name = "Platform" },
        @{ Key = "HKLM:\SOFTWARE\Microsoft\Office\16.0\Outlook"; Name = "Bitness" },
        @{ Key = "HKLM:\SOFTWARE\WOW6432Node\Microsoft\Office\16.0\Outlook"; Name = "Bitness" }
    )
    foreach ($place in $places) {
        $item = Get-ItemProperty -Path $place.Key -Name $place.Name -ErrorAction SilentlyContinue
        if ($item) {
            $value = $item.($place.Name)
            if ($value -eq "x64" -or $value -eq "x86") { return $value }
        }
    }
    return $null
}

# True when the folder may be deleted: missing, empty, or a Python environment (pyvenv.cfg).
# -EnvDir $HOME must never take the profile folder with it.
function Test-Removable([string]$Dir) {
    if (-not (Test-Path -LiteralPath $Dir)) { return $true }
    if (-not (Test-Path -LiteralPath $Dir -PathType Container)) { return $false }
    if (Test-Path -LiteralPath (Join-Path $Dir "pyvenv.cfg")) { return $true }
    return $null -eq (Get-ChildItem -LiteralPath $Dir -Force | Select-Object -First 1)
}

function Test-SuitablePython([string]$Exe, [string]$Arch) {
    if (-not $Exe -or -not (Test-Path -LiteralPath $Exe)) { return $false }
    if ($Exe -match "\\WindowsApps\\") { return $false }  # Microsoft Store Python: refused
    $bits = if ($Arch -eq "x86") { "32" } else { "64" }
    $probe = "import sys, struct; print('%d.%d %d' % (sys.version_info[0], sys.version_info[1], struct.calcsize('P') * 8))"
    try {
        $answer = & $Exe -c $probe 2>$null
    } catch {
        return $false
    }
    if (-not $answer) { return $false }
    $parts = "$answer".Trim().Split(" ")
    return ([version]$parts[0] -ge $MinimumPython) -and ($parts[1] -eq $bits)
}

# python.org installs register themselves under Software\Python\PythonCore (PEP 514).
function Find-PythonOrgPython([string]$Arch) {
    foreach ($hive in @("HKCU:", "HKLM:")) {
        $root = "$hive\Software\Python\PythonCore"
        if (-not (Test-Path $root)) { continue }
        $versions = Get-ChildItem $root | Sort-Object { $_.PSChildName } -Descending
        foreach ($entry in $versions) {
            $installPath = Get-ItemProperty -Path (Join-Path $entry.PSPath "InstallPath") -ErrorAction SilentlyContinue
            if (-not $installPath) { continue }
            $exe = $installPath.ExecutablePath
            if (-not $exe) { $exe = Join-Path $installPath."(default)" "python.exe" }
            if (Test-SuitablePython $exe $Arch) { return $exe }
        }
    }
    return $null
}

function Install-PythonOrgPython([string]$Arch) {
    $suffix = if ($Arch -eq "x86") { "" } else { "-amd64" }
    $installer = $PythonInstaller
    if (-not $installer) {
        $installer = Join-Path $env:TEMP "python-$PythonVersion$suffix.exe"
        $url = "https://www.python.org/ftp/python/$PythonVersion/python-$PythonVersion$suffix.exe"
        Say "Downloading Python $PythonVersion ($Arch) from python.org ..."
        [Net.ServicePointManager]::SecurityProtocol = [Net.SecurityProtocolType]::Tls12
        Invoke-WebRequest -Uri $url -OutFile $installer -UseBasicParsing
    }
    $signature = Get-AuthenticodeSignature -FilePath $installer
    if ($signature.Status -ne "Valid" -or $signature.SignerCertificate.Subject -notmatch "Python Software Foundation") {
        Stop-WithMessage "The Python installer $installer is not signed by the Python Software Foundation. Nothing was installed."
    }
    $target = Join-Path $env:LOCALAPPDATA "RootFi\Python"
    Say "Installing Python $PythonVersion for this user only, in $target ..."
    $arguments = @("/quiet", "InstallAllUsers=0", "PrependPath=0", "Include_launcher=0", "Include_test=0",
                   "Shortcuts=0", "TargetDir=`"$target`"")
    $process = Start-Process -FilePath $installer -ArgumentList $arguments -Wait -PassThru
    if ($process.ExitCode -ne 0) {
        Stop-WithMessage "The Python installer failed (exit code $($process.ExitCode)). Ask your IT department to install Python $PythonVersion ($Arch) from python.org, then run this script again."
    }
    return (Join-Path $target "python.exe")
}

function Invoke-Checked([string]$Exe, [string[]]$Arguments, [string]$What) {
    & $Exe @Arguments
    if ($LASTEXITCODE -ne 0) { Stop-WithMessage "$What failed (exit code $LASTEXITCODE). Run this script again; if it fails again, send this window's text to support." }
}

function Get-PackageToInstall {
    if ($Package) { return $Package }
    if ($PSScriptRoot) {
        $wheel = Get-ChildItem -Path $PSScriptRoot -Filter "rootfi_excel-*.whl" -File -ErrorAction SilentlyContinue |
            Sort-Object LastWriteTime -Descending | Select-Object -First 1
        if ($wheel) { return $wheel.FullName }
    }
    return "rootfi-excel"
}

# ---------------------------------------------------------------------------- main

Unblock-Here
$Package = Get-PackageToInstall
$rootfi = Join-Path $EnvDir "Scripts\rootfi-excel.exe"
$envPython = Join-Path $EnvDir "Scripts\python.exe"

if ($Uninstall) {
    if (Test-Path -LiteralPath $rootfi) {
        & $rootfi uninstall @InstallArgs
        if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
    }
    if ((Test-Path -LiteralPath $EnvDir) -and (Test-Removable $EnvDir)) {
        Say "Removing the environment $EnvDir ..."
        Remove-Item -LiteralPath $EnvDir -Recurse -Force
    } elseif (Test-Path -LiteralPath $EnvDir) {
        Say "Kept ${EnvDir}: it is not a Python environment (no pyvenv.cfg), so it is not RootFi's to remove."
    }
    Say "RootFi for Excel is removed. Python itself stays (remove it under Settings > Apps if nothing else uses it)."
    exit 0
}

if ($Architecture -eq "auto") {
    $excel = Get-ExcelBitness
    if ($excel) { $Architecture = $excel } else { $Architecture = "x64" }
    Say "Excel is $(if ($excel) { $excel } else { 'not found; assuming x64' }): using a matching Python."
}

if (-not (Test-SuitablePython $envPython $Architecture)) {
    $python = Find-PythonOrgPython $Architecture
    if (-not $python) { $python = Install-PythonOrgPython $Architecture }
    if (-not (Test-SuitablePython $python $Architecture)) {
        Stop-WithMessage "No Python $MinimumPython or newer ($Architecture, from python.org) could be found or installed."
    }
    if (-not (Test-Removable $EnvDir)) {
        Stop-WithMessage "$EnvDir holds other files and is not a Python environment: give -EnvDir a new or empty folder. Nothing was removed."
    }
    if (Test-Path -LiteralPath $EnvDir) { Remove-Item -LiteralPath $EnvDir -Recurse -Force }
    Say "Creating the RootFi environment in $EnvDir ..."
    Invoke-Checked $python @("-m", "venv", $EnvDir) "Creating the environment"
}

Say "Installing $Package ..."
Invoke-Checked $envPython @("-m", "pip", "install", "--quiet", "--upgrade", "pip") "Updating pip"
Invoke-Checked $envPython @("-m", "pip", "install", "--quiet", "--upgrade", $Package) "Installing $Package"

$command = if ($Upgrade) { "upgrade" } else { "install" }
& $rootfi $command @InstallArgs
exit $LASTEXITCODE
