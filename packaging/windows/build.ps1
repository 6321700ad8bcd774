# Builds dist\windows\Sockstray.exe and its installer,
# dist\Sockstray-VERSION-windows-amd64-setup.exe, on Windows (it cannot run
# on Linux: the GUI needs cgo). Run from any directory:
#   powershell -ExecutionPolicy Bypass -File packaging\windows\build.ps1
#
# Needs: Go 1.26+, a gcc for cgo (MSYS2 mingw-w64-x86_64-gcc on PATH), and
# Inno Setup 6.3 or newer (iscc.exe on PATH, or ISCC set to its path).
#
# Optional, from the environment (code signing with signtool from the
# Windows SDK; SIGNTOOL may name its path):
#   SOCKSTRAY_SIGN_CERT       a .pfx file: signs Sockstray.exe, the
#                             installer and the uninstaller
#   SOCKSTRAY_SIGN_PASSWORD   the .pfx password
#   SOCKSTRAY_SIGN_TIMESTAMP  an RFC 3161 timestamp server
#                             (default http://timestamp.digicert.com)
$ErrorActionPreference = 'Stop'
$root = (Resolve-Path "$PSScriptRoot\..\..").Path
Set-Location $root

$toml = Get-Content FyneApp.toml -Raw
$version = [regex]::Match($toml, '(?m)^Version\s*=\s*"([^"]+)"').Groups[1].Value
$build = [regex]::Match($toml, '(?m)^Build\s*=\s*(\d+)').Groups[1].Value
if (-not $version -or -not $build) { throw 'FyneApp.toml: Version or Build not found' }

function Invoke-Checked([string]$exe, [string[]]$arguments) {
    & $exe @arguments
    if ($LASTEXITCODE -ne 0) { throw "$exe exited $LASTEXITCODE" }
}

$tools = "$root\dist\tools\fyne-v1.7.4"
$env:GOBIN = $tools
Invoke-Checked go @('install', 'fyne.io/tools/cmd/fyne@v1.7.4')
Remove-Item Env:GOBIN

# fyne must build the exe itself, to link in the icon and manifest it
# generates; it builds the main package in --src, so the app's details are
# passed as flags rather than read from FyneApp.toml. It adds -H=windowsgui
# (no console window) to the version set here.
$env:GOFLAGS = "-ldflags=-X=main.version=$version"
Invoke-Checked "$tools\fyne.exe" @('package', '-os', 'windows', '--release', '--src', "$root\app",
    '--name', 'Sockstray', '--app-id', 'io.github.sockstray.Sockstray',
    '--app-version', $version, '--app-build', $build, '--icon', "$root\assets\icon.png")
Remove-Item Env:GOFLAGS
New-Item -ItemType Directory -Force dist\windows | Out-Null
Move-Item -Force app\Sockstray.exe dist\windows\Sockstray.exe

$isccArgs = @("/DAppVersion=$version", "/DSourceDir=$root\dist\windows", "/O$root\dist")
if ($env:SOCKSTRAY_SIGN_CERT) {
    $signtool = if ($env:SIGNTOOL) { $env:SIGNTOOL } else { 'signtool.exe' }
    $ts = if ($env:SOCKSTRAY_SIGN_TIMESTAMP) { $env:SOCKSTRAY_SIGN_TIMESTAMP } else { 'http://timestamp.digicert.com' }
    $sign = @('sign', '/fd', 'SHA256', '/tr', $ts, '/td', 'SHA256', '/f', $env:SOCKSTRAY_SIGN_CERT, '/p', $env:SOCKSTRAY_SIGN_PASSWORD)
    Invoke-Checked $signtool ($sign + @('dist\windows\Sockstray.exe'))
    # Inno Setup signs the installer and uninstaller through a named sign
    # tool: $q stands for a quote and $f for the quoted file to sign.
    $innoSign = '$q' + $signtool + '$q sign /fd SHA256 /tr ' + $ts + ' /td SHA256 /f $q' +
        $env:SOCKSTRAY_SIGN_CERT + '$q /p $q' + $env:SOCKSTRAY_SIGN_PASSWORD + '$q $f'
    $isccArgs += @('/DSign', "/Ssockstray=$innoSign")
}
$iscc = if ($env:ISCC) { $env:ISCC } else { 'iscc.exe' }
Invoke-Checked $iscc ($isccArgs + @("$PSScriptRoot\sockstray.iss"))
Write-Host "built dist\windows\Sockstray.exe and dist\Sockstray-$version-windows-amd64-setup.exe"
