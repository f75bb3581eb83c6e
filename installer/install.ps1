<#
.SYNOPSIS
    Install, upgrade or remove RootFi for Excel for the current Windows user (no admin rights).

.DESCRIPTION
    Thin on purpose: it finds (or installs) a python.org Python that matches Excel's bitness,
    makes an isolated environment in a new folder in your profile, installs the rootfi-excel
    package into it, and hands over to `rootfi-excel install` (or upgrade, uninstall), which
    puts the add-in into Excel. It removes nothing itself: `rootfi-excel uninstall` removes
    what the install wrote and then the environment, each only when it can show that the
    install made it. -DryRun says every step, in the order a real run takes them, and
    changes nothing. The Microsoft Store Python is never used: Excel cannot start it reliably.

.EXAMPLE
    powershell -ExecutionPolicy Bypass -File install.ps1
.EXAMPLE
    powershell -ExecutionPolicy Bypass -File install.ps1 -Upgrade
.EXAMPLE
    powershell -ExecutionPolicy Bypass -File install.ps1 -Uninstall
.EXAMPLE
    powershell -ExecutionPolicy Bypass -File install.ps1 -Uninstall -DryRun
#>
[CmdletBinding()]
param(
    # What pip installs: default the newest rootfi_excel-*.whl beside this script.
    [string]$Package = "",
    # The isolated environment (one per user; no admin rights needed): a new folder, or one
    # this script made (it holds made-by-rootfi-installer.txt).
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
    # Say every step in the order a real run takes it; change nothing.
    [switch]$DryRun,
    # Passed on to `rootfi-excel install`, e.g. -InstallArgs "--templates-dir","S:\Finance\RootFi"
    [string[]]$InstallArgs = @()
)

$ErrorActionPreference = "Stop"
Set-StrictMode -Version 2
$MinimumPython = [version]"3.11"
$Marker = "made-by-rootfi-installer.txt"

function Say([string]$Text) { Write-Host "RootFi: $Text" }

# A step: said as it is taken, or with -DryRun said as "would ..." and not taken.
function Step([string]$Text) { if ($DryRun) { Say "would $Text" } else { Say $Text } }

function Stop-WithMessage([string]$Text) {
    Write-Host "RootFi: $Text" -ForegroundColor Red
    exit 1
}

# Files unpacked from a download carry the Mark of the Web; Excel blocks their macros.
function Unblock-Here {
    if ($PSScriptRoot) {
        Step "unblock the files in $PSScriptRoot (remove the 'downloaded from the internet' mark)"
        if (-not $DryRun) { Get-ChildItem -Path $PSScriptRoot -Recurse -File | Unblock-File }
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

# The item at a path, links included (Test-Path says False for a link to nothing).
function Get-ItemHere([string]$Path) {
    return Get-Item -LiteralPath $Path -Force -ErrorAction SilentlyContinue
}

function Test-Link($Item) {
    return [bool]($Item.Attributes -band [IO.FileAttributes]::ReparsePoint)
}

# True when $Dir is a folder this installer made: it holds the marker with an id.
function Test-MadeByUs([string]$Dir) {
    $folder = Get-ItemHere $Dir
    if (-not $folder -or -not $folder.PSIsContainer -or (Test-Link $folder)) { return $false }
    $file = Get-ItemHere (Join-Path $Dir $Marker)
    if (-not $file -or $file.PSIsContainer -or (Test-Link $file)) { return $false }
    return [bool](Get-Content -LiteralPath $file.FullName | Where-Object { $_ -match "^id = [0-9a-f]{32}$" })
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
    $target = Join-Path $env:LOCALAPPDATA "RootFi\Python"
    Step "install Python $PythonVersion ($Arch) from python.org for this user only, in $target"
    if ($DryRun) { return $null }
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
    Stop-WithMessage "No rootfi_excel-*.whl beside this script: put the package there (installer/make-bundle makes the folder), or give -Package. Nothing was changed."
}

# ---------------------------------------------------------------------------- main

$EnvDir = [IO.Path]::GetFullPath($EnvDir).TrimEnd("\")
$rootfi = Join-Path $EnvDir "Scripts\rootfi-excel.exe"
$envPython = Join-Path $EnvDir "Scripts\python.exe"
$handOver = @($InstallArgs)
if ($DryRun) {
    Say "Dry run: nothing is changed. A real run takes these steps:"
    if ($handOver -notcontains "--dry-run") { $handOver = @("--dry-run") + $handOver }
}

if ($Uninstall) {
    $envItem = Get-ItemHere $EnvDir
    if (-not $envItem) {
        Stop-WithMessage "There is no environment at $EnvDir, so no rootfi-excel to hand the uninstall to (give -EnvDir if RootFi was installed elsewhere). Nothing was changed."
    }
    if (Test-Link $envItem) { Stop-WithMessage "$EnvDir is a link, not RootFi's environment. Nothing was changed." }
    if (-not (Test-Path -LiteralPath $rootfi)) {
        Stop-WithMessage "$EnvDir has no rootfi-excel (was an install interrupted?), so nothing can do the uninstall. Nothing was changed: run this script without -Uninstall to finish the install, then with -Uninstall."
    }
    Step "hand over to $rootfi uninstall"
    & $rootfi uninstall @handOver
    exit $LASTEXITCODE
}

$Package = Get-PackageToInstall
Unblock-Here

if ($Architecture -eq "auto") {
    $excel = Get-ExcelBitness
    if ($excel) { $Architecture = $excel } else { $Architecture = "x64" }
    Say "Excel is $(if ($excel) { $excel } else { 'not found; assuming x64' }): using a matching Python."
}

$profileDir = [IO.Path]::GetFullPath($env:USERPROFILE).TrimEnd("\")
if ($EnvDir -eq $profileDir -or $EnvDir -eq [IO.Path]::GetPathRoot($EnvDir).TrimEnd("\")) {
    Stop-WithMessage "$EnvDir cannot be the environment: give -EnvDir a new folder. Nothing was changed."
}
$newEnv = $false
if (Get-ItemHere $EnvDir) {
    if (-not (Test-MadeByUs $EnvDir)) {
        Stop-WithMessage "$EnvDir is there already and the RootFi installer did not make it (no $Marker in it), so it is not used: give -EnvDir a new folder. Nothing was changed."
    }
} elseif ($Upgrade) {
    Stop-WithMessage "RootFi is not installed at ${EnvDir}: run this script without -Upgrade. Nothing was changed."
} else {
    $newEnv = $true
}

if ($newEnv -or -not (Test-SuitablePython $envPython $Architecture)) {
    $python = Find-PythonOrgPython $Architecture
    if (-not $python) { $python = Install-PythonOrgPython $Architecture }
    if (-not $DryRun -and -not (Test-SuitablePython $python $Architecture)) {
        Stop-WithMessage "No Python $MinimumPython or newer ($Architecture, from python.org) could be found or installed."
    }
    if ($newEnv) {
        # The folders above the environment that are missing, outermost first (named in the
        # marker, so uninstall removes them again when they are empty).
        $parents = @()
        $parent = Split-Path -Parent $EnvDir
        while ($parent -and -not (Get-ItemHere $parent)) {
            $parents = @($parent) + $parents
            $parent = Split-Path -Parent $parent
        }
        foreach ($folder in $parents) {
            Step "create folder $folder"
            if (-not $DryRun) { New-Item -ItemType Directory -Path $folder -ErrorAction Stop | Out-Null }
        }
        Step "create folder $EnvDir  (the environment; $Marker in it says that this installer made it)"
        if (-not $DryRun) {
            # New-Item fails if anything appeared there meanwhile: nothing is ever taken over.
            New-Item -ItemType Directory -Path $EnvDir -ErrorAction Stop | Out-Null
            $lines = @("# This Python environment was made by the RootFi for Excel installer.",
                       "# rootfi-excel uninstall removes it when the install record names this id.",
                       "id = $([guid]::NewGuid().ToString('N'))")
            foreach ($folder in $parents) { $lines += "parent = $folder" }
            New-Item -ItemType File -Path (Join-Path $EnvDir $Marker) -Value (($lines -join "`n") + "`n") -ErrorAction Stop | Out-Null
        }
    }
    Step "make the Python environment in $EnvDir with $(if ($python) { $python } else { 'the Python installed above' })"
    if (-not $DryRun) { Invoke-Checked $python @("-m", "venv", $EnvDir) "Making the environment" }
}

Step "install $Package into $EnvDir  (pip)"
if (-not $DryRun) {
    Invoke-Checked $envPython @("-m", "pip", "install", "--quiet", "--no-cache-dir", "--disable-pip-version-check",
                                "--upgrade", $Package) "Installing $Package"
}

$command = if ($Upgrade) { "upgrade" } else { "install" }
Step "hand over to $rootfi $command"
if ($DryRun -and -not (Test-Path -LiteralPath $rootfi)) {
    Say "(its own steps are listed by 'rootfi-excel $command --dry-run', which needs the environment: what it writes is in installer/README.md)"
    exit 0
}
& $rootfi $command @handOver
exit $LASTEXITCODE
