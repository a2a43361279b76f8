#!/usr/bin/env pwsh
# NeuroNative's entry point on Windows; the twin of build.sh, with the same verbs:
#   ./build.ps1 deps | build | test | run | bench | pack
# On Linux and macOS it hands over to build.sh, so each platform has one implementation.
[CmdletBinding()]
param(
    [Parameter(Position = 0, Mandatory = $true)]
    [ValidateSet('deps', 'build', 'test', 'run', 'bench', 'pack')]
    [string]$Verb
)
$ErrorActionPreference = 'Stop'
Set-Location $PSScriptRoot

if (-not $IsWindows) {
    & bash ./build.sh $Verb
    exit $LASTEXITCODE
}

$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'
$env:DOTNET_NOLOGO = '1'

function Invoke-Tool([string]$Tool, [string[]]$Arguments) {
    & $Tool @Arguments
    if ($LASTEXITCODE -ne 0) { throw "$Tool $($Arguments -join ' ') failed with exit code $LASTEXITCODE" }
}

function Test-Command([string]$Name) { [bool](Get-Command $Name -ErrorAction SilentlyContinue) }

function Install-WingetPackage([string]$Id, [string[]]$Extra = @()) {
    if (-not (Test-Command winget)) { throw "build.ps1: $Id is missing and winget is not available; install it by hand" }
    Write-Host "build.ps1: installing $Id"
    Invoke-Tool winget (@('install', '--id', $Id, '--exact', '--silent',
        '--accept-source-agreements', '--accept-package-agreements') + $Extra)
}

function Invoke-Deps {
    if (-not (Test-Command cmake)) { Install-WingetPackage 'Kitware.CMake' }
    # CMake builds the native core with MSVC, found through the Visual Studio installer.
    $vswhere = Join-Path ${env:ProgramFiles(x86)} 'Microsoft Visual Studio\Installer\vswhere.exe'
    $msvc = (Test-Path $vswhere) -and
        [bool](& $vswhere -products * -requires Microsoft.VisualStudio.Component.VC.Tools.x86.x64 -property installationPath)
    if (-not $msvc) {
        Install-WingetPackage 'Microsoft.VisualStudio.2022.BuildTools' @('--override',
            '--quiet --wait --norestart --add Microsoft.VisualStudio.Workload.VCTools --includeRecommended')
    }
    $sdks = if (Test-Command dotnet) { & dotnet --list-sdks } else { @() }
    if (-not ($sdks | Where-Object { $_ -match '^10\.' })) { Install-WingetPackage 'Microsoft.DotNet.SDK.10' }
    # Brian 2 is only needed by the benchmarks and the reference regeneration.
    $brian = if (Test-Command python) { & python -c 'import importlib.util as u; print(u.find_spec("brian2") is not None)' }
    if ($null -eq $brian) { Write-Warning 'build.ps1: no python found; the benchmarks need Python with brian2' }
    elseif ($brian -eq 'False') { Invoke-Tool python @('-m', 'pip', 'install', '--user', 'brian2') }
}

function Invoke-Build { Invoke-Tool dotnet @('build', 'NeuroNative.sln', '-c', 'Release') }

switch ($Verb) {
    'deps' { Invoke-Deps }
    'build' { Invoke-Deps; Invoke-Build }
    'test' {
        Invoke-Deps
        Invoke-Build
        # The generator uses Debian's libclang; CI runs bindings/check.sh on Linux.
        Write-Host 'build.ps1: the generated-bindings check (bindings/check.sh) runs on Linux only'
        # Slurm (slurm-wlm, munge) is a Linux cluster's scheduler: Windows installs neither.
        Write-Host 'build.ps1: the real-Slurm test (tests/slurm/slurm_e2e.sh) runs on Linux only'
        Invoke-Tool ctest @('--test-dir', 'build/native', '-C', 'Release', '--output-on-failure', '--no-tests=ignore')
        Invoke-Tool dotnet @('test', 'NeuroNative.sln', '-c', 'Release', '--no-build')
    }
    'run' {
        Invoke-Deps
        Invoke-Build
        if (-not (Test-Path 'managed/NeuroNative.Cli')) { throw 'build.ps1: managed/NeuroNative.Cli does not exist yet' }
        Invoke-Tool dotnet @('run', '--project', 'managed/NeuroNative.Cli', '-c', 'Release', '--',
            'run', 'examples/hh_exploration.yaml', '--out', 'out/hh_exploration')
    }
    'bench' {
        Invoke-Deps
        Invoke-Build
        if (-not (Test-Path 'benchmarks/run.sh')) { throw 'build.ps1: benchmarks/run.sh does not exist yet' }
        Invoke-Tool bash @('benchmarks/run.sh')
    }
    'pack' {
        Invoke-Deps
        Invoke-Tool dotnet @('pack', 'NeuroNative.sln', '-c', 'Release', '-o', 'artifacts')
    }
}
