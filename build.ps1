#Requires -Version 7.4
<#
.SYNOPSIS
    Builds, documents, tests and packages SocketShell.
.DESCRIPTION
    -Task Build    dotnet build (Release): lays out the module in out/SocketShell and checks every file is there.
    -Task Docs     platyPS New-ExternalHelp docs/en-US -> out/SocketShell/en-US (installs platyPS 0.14.2 if absent).
    -Task Test     dotnet test, then the Pester suite in a fresh pwsh -NoProfile against out/SocketShell.
    -Task Package  a .nupkg of out/SocketShell, publishable to the PowerShell Gallery, in out/.
    -Task Clean    removes out/ and the build output.
    Tasks run in the order given; any failure stops the script with a non-zero exit code.
.EXAMPLE
    ./build.ps1
.EXAMPLE
    ./build.ps1 -Task Build, Docs, Test
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Docs', 'Test', 'Package', 'Clean')]
    [string[]] $Task = @('Build'),

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$root = $PSScriptRoot
$out = Join-Path $root 'out'
$moduleOut = Join-Path $out 'SocketShell'
$solution = Join-Path $root 'SocketShell.slnx'
$moduleFiles = 'SocketShell.psd1', 'SocketShell.dll', 'SocketShell.Engine.dll', 'SocketShell.format.ps1xml'

function Invoke-Native {
    param([Parameter(Mandatory)] [string] $FilePath, [string[]] $ArgumentList = @())
    Write-Host "> $FilePath $($ArgumentList -join ' ')" -ForegroundColor Cyan
    & $FilePath @ArgumentList
    if ($LASTEXITCODE -ne 0) {
        throw "'$FilePath $($ArgumentList -join ' ')' failed with exit code $LASTEXITCODE."
    }
}

function Invoke-Build {
    Invoke-Native dotnet @('build', $solution, '-c', $Configuration, '--nologo')
    $missing = $moduleFiles | Where-Object { -not (Test-Path (Join-Path $moduleOut $_)) }
    if ($missing) {
        throw "The module layout in $moduleOut is missing: $($missing -join ', ')"
    }
    $manifest = Test-ModuleManifest -Path (Join-Path $moduleOut 'SocketShell.psd1') -ErrorAction Stop
    Write-Host "Built SocketShell $($manifest.Version) in $moduleOut" -ForegroundColor Green
}

function Invoke-Docs {
    if (-not (Test-Path (Join-Path $moduleOut 'SocketShell.dll'))) { Invoke-Build }
    if (-not (Get-Module -ListAvailable platyPS | Where-Object Version -EQ '0.14.2')) {
        Write-Host 'Installing platyPS 0.14.2 for the current user' -ForegroundColor Cyan
        Install-Module platyPS -RequiredVersion 0.14.2 -Scope CurrentUser -Force -ErrorAction Stop
    }
    Import-Module platyPS -RequiredVersion 0.14.2 -ErrorAction Stop
    $helpOut = Join-Path $moduleOut 'en-US'
    New-ExternalHelp -Path (Join-Path $root 'docs' 'en-US') -OutputPath $helpOut -Force -ErrorAction Stop | Out-Null
    foreach ($file in 'SocketShell.dll-Help.xml', 'about_SocketShell.help.txt') {
        if (-not (Test-Path (Join-Path $helpOut $file))) { throw "Help was not generated: $file" }
    }
    Write-Host "Help written to $helpOut" -ForegroundColor Green
}

function Test-PesterAvailable {
    [bool](Get-Module -ListAvailable Pester | Where-Object Version -GE '5.0')
}

function Invoke-Test {
    Invoke-Native dotnet @('test', $solution, '-c', $Configuration, '--nologo')
    if (-not (Test-PesterAvailable)) {
        Write-Host 'Pester 5 is not installed: installing it for the current user' -ForegroundColor Cyan
        try {
            Install-Module Pester -MinimumVersion 5.0 -Scope CurrentUser -Force -SkipPublisherCheck -ErrorAction Stop
        }
        catch {
            throw "Pester 5 is not available and could not be installed ($_). The Pester suite was NOT run."
        }
    }
    # A fresh pwsh, so the module loads from out/ exactly as a user would load it.
    $pester = @'
Import-Module Pester -MinimumVersion 5.0 -ErrorAction Stop
$c = New-PesterConfiguration
$c.Run.Path = '{0}'
$c.Run.Exit = $true
$c.Output.Verbosity = 'Detailed'
$c.TestResult.Enabled = $true
$c.TestResult.OutputPath = '{1}'
Invoke-Pester -Configuration $c
'@ -f (Join-Path $root 'tests' 'Pester'), (Join-Path $out 'pester-results.xml')
    Invoke-Native (Join-Path $PSHOME 'pwsh') @('-NoProfile', '-NonInteractive', '-Command', $pester)
}

function Invoke-Package {
    if (-not (Test-Path (Join-Path $moduleOut 'en-US' 'SocketShell.dll-Help.xml'))) { Invoke-Docs }
    $manifest = Import-PowerShellDataFile (Join-Path $moduleOut 'SocketShell.psd1')
    $version = $manifest.ModuleVersion
    $nupkg = Join-Path $out "SocketShell.$version.nupkg"
    Remove-Item $nupkg -ErrorAction Ignore
    if (Get-Command Publish-PSResource -ErrorAction Ignore) {
        $repo = Join-Path $out 'repo'
        New-Item -ItemType Directory -Force $repo | Out-Null
        Register-PSResourceRepository -Name SocketShellLocal -Uri $repo -Trusted -Force
        try {
            Publish-PSResource -Path $moduleOut -Repository SocketShellLocal -ErrorAction Stop
            Move-Item (Join-Path $repo "socketshell.$version.nupkg") $nupkg -Force
        }
        finally {
            Unregister-PSResourceRepository -Name SocketShellLocal
        }
    }
    else {
        # No PSResourceGet: write the package by hand (a zip with the nuspec the Gallery expects).
        Add-Type -AssemblyName System.IO.Compression, System.IO.Compression.FileSystem
        $psData = $manifest.PrivateData.PSData
        $tags = ($psData.Tags + 'PSModule' + ($manifest.CmdletsToExport | ForEach-Object { "PSCmdlet_$_" }) + ($manifest.CmdletsToExport | ForEach-Object { "PSCommand_$_" })) -join ' '
        $nuspec = @"
<?xml version="1.0" encoding="utf-8"?>
<package xmlns="http://schemas.microsoft.com/packaging/2011/08/nuspec.xsd">
  <metadata>
    <id>SocketShell</id>
    <version>$version</version>
    <authors>$([Security.SecurityElement]::Escape($manifest.Author))</authors>
    <description>$([Security.SecurityElement]::Escape($manifest.Description))</description>
    <copyright>$([Security.SecurityElement]::Escape($manifest.Copyright))</copyright>
    <projectUrl>$($psData.ProjectUri)</projectUrl>
    <license type="expression">MIT</license>
    <releaseNotes>$([Security.SecurityElement]::Escape($psData.ReleaseNotes))</releaseNotes>
    <tags>$tags</tags>
  </metadata>
</package>
"@
        $zip = [System.IO.Compression.ZipFile]::Open($nupkg, 'Create')
        try {
            $extensions = @('rels', 'nuspec') + (Get-ChildItem $moduleOut -Recurse -File | ForEach-Object { $_.Extension.TrimStart('.') }) | Sort-Object -Unique
            $contentTypes = '<?xml version="1.0" encoding="utf-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
                (($extensions | ForEach-Object {
                    $type = if ($_ -eq 'rels') { 'application/vnd.openxmlformats-package.relationships+xml' } else { 'application/octet' }
                    "<Default Extension=`"$_`" ContentType=`"$type`" />"
                }) -join '') + '</Types>'
            $rels = '<?xml version="1.0" encoding="utf-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
                '<Relationship Type="http://schemas.microsoft.com/packaging/2010/07/manifest" Target="/SocketShell.nuspec" Id="R1" /></Relationships>'
            foreach ($part in @(@('SocketShell.nuspec', $nuspec), @('[Content_Types].xml', $contentTypes), @('_rels/.rels', $rels))) {
                $writer = [System.IO.StreamWriter]::new($zip.CreateEntry($part[0]).Open())
                $writer.Write($part[1])
                $writer.Dispose()
            }
            Get-ChildItem $moduleOut -Recurse -File | ForEach-Object {
                $relative = [System.IO.Path]::GetRelativePath($moduleOut, $_.FullName).Replace('\', '/')
                [System.IO.Compression.ZipFileExtensions]::CreateEntryFromFile($zip, $_.FullName, $relative) | Out-Null
            }
        }
        finally {
            $zip.Dispose()
        }
    }
    if (-not (Test-Path $nupkg)) { throw "Packaging did not produce $nupkg" }
    Write-Host "Package: $nupkg" -ForegroundColor Green
}

function Invoke-Clean {
    Remove-Item $out -Recurse -Force -ErrorAction Ignore
    Invoke-Native dotnet @('clean', $solution, '-c', $Configuration, '--nologo', '-v', 'quiet')
}

foreach ($t in $Task) {
    Write-Host "=== $t ===" -ForegroundColor Yellow
    switch ($t) {
        'Build' { Invoke-Build }
        'Docs' { Invoke-Docs }
        'Test' { Invoke-Test }
        'Package' { Invoke-Package }
        'Clean' { Invoke-Clean }
    }
}
