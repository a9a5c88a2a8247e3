#Requires -Version 7.4
<#
.SYNOPSIS
    Builds, documents, tests and packages SocketShell, or opens a pwsh with it imported.
.DESCRIPTION
    -Task Build    dotnet build (Release): lays out the module, help included, in out/SocketShell and checks every file is there.
    -Task Shell    Build, then a new pwsh with out/SocketShell imported (interactive; or runs -Command and exits).
    -Task Docs     platyPS 0.14.2 New-ExternalHelp docs/en-US -> docs/en-US/SocketShell.dll-Help.xml and
                   about_SocketShell.help.txt (kept in the repository; every build ships them), then Build.
    -Task Test     dotnet test (xunit), then the whole Pester suite in a fresh pwsh against out/SocketShell, with
                   Pester 5.9.1 restored from NuGet (tests/Pester/Pester.Restore.csproj). Ends with one line
                   "tests: N passed, N failed, N skipped" summing both, and fails when any test failed or the
                   Pester suite could not run.
    -Task Package  a .nupkg of out/SocketShell, publishable to the PowerShell Gallery, in out/.
    -Task Clean    removes out/ and the build output.
    Tasks run in the order given; any failure stops the script with a non-zero exit code.
    pwsh itself is the dotnet tool pinned in .config/dotnet-tools.json: `dotnet tool restore`, then
    `dotnet pwsh ./build.ps1 ...`. Any pwsh 7.4+ runs this script as well; the child pwsh it starts is the
    one running it.
.EXAMPLE
    dotnet pwsh ./build.ps1 -Task Shell
.EXAMPLE
    dotnet pwsh ./build.ps1 -Task Test
.EXAMPLE
    ./build.ps1 -Task Test -PesterPath (Get-Module -ListAvailable Pester | Sort-Object Version | Select-Object -Last 1).Path
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Shell', 'Docs', 'Test', 'Package', 'Clean')]
    [string[]] $Task = @('Build'),

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    # Shell: a command to run in the new pwsh (after Import-Module) instead of an interactive session.
    [string] $Command,

    # Test: a Pester 5 module (a Pester.psd1 path, or a name) to use instead of the one restored from NuGet.
    [string] $PesterPath
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$root = $PSScriptRoot
$out = Join-Path $root 'out'
$moduleOut = Join-Path $out 'SocketShell'
$docs = Join-Path $root 'docs' 'en-US'
$solution = Join-Path $root 'SocketShell.slnx'
$moduleFiles = 'SocketShell.psd1', 'SocketShell.dll', 'SocketShell.Engine.dll', 'SocketShell.format.ps1xml',
    (Join-Path 'en-US' 'SocketShell.dll-Help.xml'), (Join-Path 'en-US' 'about_SocketShell.help.txt')
$pesterVersion = '5.9.1'
$platyPSVersion = '0.14.2'

# Get-PwshCommand: the running pwsh as a command line (pwsh under the dotnet tool is `dotnet pwsh.dll`).
. (Join-Path $root 'tests' 'Pester' 'PwshCommand.ps1')

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

function Invoke-Shell {
    Invoke-Build
    $import = "Import-Module '$((Join-Path $moduleOut 'SocketShell.psd1').Replace("'", "''"))' -ErrorAction Stop"
    if ($Command) {
        Invoke-Pwsh -NoLogo -NoProfile -NonInteractive -Command "$import; $Command"
        if ($LASTEXITCODE -ne 0) { throw "The command failed in pwsh (exit code $LASTEXITCODE)." }
    }
    else {
        Write-Host 'A new pwsh with SocketShell imported: try Get-Help about_SocketShell, Get-PortRange, Test-Port 127.0.0.1 22. exit returns here.' -ForegroundColor Green
        Invoke-Pwsh -NoLogo -NoExit -Command $import
    }
}

function Invoke-Docs {
    $platyPS = Get-Module -ListAvailable platyPS | Where-Object Version -EQ $platyPSVersion | Select-Object -First 1
    if (-not $platyPS) {
        throw ("platyPS $platyPSVersion is not installed, and no registry serves it. Build and install it from its public " +
            "source (../shared/tools/platyps/build.sh), then run -Task Docs again. The help kept in docs/en-US still ships with every build.")
    }
    Import-Module $platyPS -ErrorAction Stop
    New-ExternalHelp -Path $docs -OutputPath $docs -Force -ErrorAction Stop | Out-Null
    foreach ($file in 'SocketShell.dll-Help.xml', 'about_SocketShell.help.txt') {
        if (-not (Test-Path (Join-Path $docs $file))) { throw "Help was not generated: $file" }
    }
    Write-Host "Help regenerated in $docs (commit it with the pages); the build lays it out in out/SocketShell/en-US" -ForegroundColor Green
    Invoke-Build
}

function Get-PesterModulePath {
    if ($PesterPath) { return $PesterPath }
    Invoke-Native dotnet @('restore', (Join-Path $root 'tests' 'Pester' 'Pester.Restore.csproj'), '--nologo', '-v', 'quiet')
    $packages = if ($env:NUGET_PACKAGES) { $env:NUGET_PACKAGES } else {
        $line = dotnet nuget locals global-packages --list | Select-String 'global-packages:\s*(.+)$'
        if (-not $line) { throw 'Cannot find the NuGet global packages folder (dotnet nuget locals global-packages --list).' }
        $line.Matches[0].Groups[1].Value.Trim()
    }
    $path = Join-Path $packages 'pester' $pesterVersion 'tools' 'Pester.psd1'
    if (-not (Test-Path $path)) { throw "Pester $pesterVersion was restored, but $path is not there." }
    $path
}

function Get-TrxCounts([string] $Directory) {
    $counts = [pscustomobject]@{ Passed = 0; Failed = 0; Skipped = 0; Files = 0 }
    foreach ($trx in Get-ChildItem $Directory -Filter *.trx -ErrorAction Ignore) {
        $c = ([xml](Get-Content -Raw $trx.FullName)).TestRun.ResultSummary.Counters
        $counts.Passed += [int]$c.passed
        $counts.Failed += [int]$c.failed + [int]$c.error + [int]$c.timeout + [int]$c.aborted
        $counts.Skipped += [int]$c.total - [int]$c.executed
        $counts.Files++
    }
    $counts
}

function Invoke-Test {
    $failures = [System.Collections.Generic.List[string]]::new()

    # 1. xunit: the engine on real loopback sockets, and the module's declarations and help. One results
    #    folder per test project, so each project's counts are read from its own .trx.
    Invoke-Build
    $trxDir = Join-Path $out 'test-results'
    Remove-Item $trxDir -Recurse -Force -ErrorAction Ignore
    $projects = @(Get-ChildItem (Join-Path $root 'tests') -Recurse -Filter '*.Tests.csproj')
    $xunit = [pscustomobject]@{ Passed = 0; Failed = 0; Skipped = 0 }
    foreach ($project in $projects) {
        $results = Join-Path $trxDir $project.BaseName
        Write-Host "> dotnet test $($project.Name) -c $Configuration --no-build" -ForegroundColor Cyan
        dotnet test $project.FullName -c $Configuration --nologo --no-build --logger trx --results-directory $results
        if ($LASTEXITCODE -ne 0) { $failures.Add("dotnet test $($project.Name) exited with $LASTEXITCODE") }
        $counts = Get-TrxCounts $results
        if ($counts.Files -ne 1) { $failures.Add("dotnet test $($project.Name) left $($counts.Files) result files, expected 1") }
        $xunit.Passed += $counts.Passed; $xunit.Failed += $counts.Failed; $xunit.Skipped += $counts.Skipped
    }
    if ($projects.Count -lt 2) { $failures.Add("found $($projects.Count) xunit project(s) under tests/, expected at least 2") }

    # 2. Pester, in a fresh pwsh (the same PowerShell as this one), against the module laid out in out/.
    $pester = [pscustomobject]@{ Passed = 0; Failed = 0; Skipped = 0 }
    try {
        $pesterModule = Get-PesterModulePath
        $summary = Join-Path $out 'pester-summary.json'
        Remove-Item $summary -ErrorAction Ignore
        $script = @'
$ErrorActionPreference = 'Stop'
Import-Module '{0}' -MinimumVersion 5.0 -ErrorAction Stop
$c = New-PesterConfiguration
$c.Run.Path = '{1}'
$c.Run.PassThru = $true
$c.Output.Verbosity = 'Detailed'
$c.TestResult.Enabled = $true
$c.TestResult.OutputPath = '{2}'
$r = Invoke-Pester -Configuration $c
[ordered]@{{
    Version = (Get-Module Pester).Version.ToString(); PSVersion = $PSVersionTable.PSVersion.ToString()
    Passed = $r.PassedCount; Failed = $r.FailedCount; Skipped = $r.SkippedCount; NotRun = $r.NotRunCount
    FailedBlocks = $r.FailedBlocksCount; FailedContainers = $r.FailedContainersCount
    Containers = @($r.Containers | ForEach-Object {{ [ordered]@{{ Path = "$($_.Item)"; Result = "$($_.Result)" }} }})
}} | ConvertTo-Json -Depth 4 | Set-Content -LiteralPath '{3}'
'@ -f $pesterModule.Replace("'", "''"), (Join-Path $root 'tests' 'Pester').Replace("'", "''"),
            (Join-Path $out 'pester-results.xml').Replace("'", "''"), $summary.Replace("'", "''")
        Write-Host "> pwsh -NoProfile: Invoke-Pester tests/Pester (Pester from $pesterModule)" -ForegroundColor Cyan
        Invoke-Pwsh -NoProfile -NonInteractive -Command $script
        $pesterExit = $LASTEXITCODE
        if (-not (Test-Path $summary)) {
            throw "the Pester run ended (exit code $pesterExit) without writing its summary"
        }
        $r = Get-Content -Raw $summary | ConvertFrom-Json
        $pester = [pscustomobject]@{ Passed = $r.Passed; Failed = $r.Failed + $r.FailedBlocks; Skipped = $r.Skipped + $r.NotRun }
        $files = @(Get-ChildItem (Join-Path $root 'tests' 'Pester') -Filter *.Tests.ps1).FullName | Sort-Object
        $ran = @($r.Containers | Where-Object Result -NE 'NotRun' | ForEach-Object Path) | Sort-Object
        $notRun = @($files | Where-Object { $_ -notin $ran })
        Write-Host "Pester $($r.Version) in pwsh $($r.PSVersion): $($ran.Count) of $($files.Count) files ran" -ForegroundColor Cyan
        if ($notRun) { $failures.Add("Pester files that did not run: $($notRun -join ', ')") }
        if ($r.FailedContainers -gt 0) { $failures.Add("$($r.FailedContainers) Pester file(s) failed outside a test") }
        if ($pesterExit -ne 0) { $failures.Add("the Pester pwsh exited with $pesterExit") }
        if ($r.Passed -eq 0) { $failures.Add('the Pester suite passed no test') }
    }
    catch {
        $failures.Add("the Pester suite could not run: $_")
    }

    Write-Host ("xunit:  {0} passed, {1} failed, {2} skipped" -f $xunit.Passed, $xunit.Failed, $xunit.Skipped)
    Write-Host ("Pester: {0} passed, {1} failed, {2} skipped" -f $pester.Passed, $pester.Failed, $pester.Skipped)
    foreach ($f in $failures) { Write-Host "FAILED: $f" -ForegroundColor Red }
    $failed = $xunit.Failed + $pester.Failed
    Write-Host ("tests: {0} passed, {1} failed, {2} skipped" -f ($xunit.Passed + $pester.Passed), $failed, ($xunit.Skipped + $pester.Skipped))
    if ($failed -gt 0 -or $failures.Count -gt 0) { exit 1 }
}

function Invoke-Package {
    Invoke-Build
    $manifest = Import-PowerShellDataFile (Join-Path $moduleOut 'SocketShell.psd1')
    $version = $manifest.ModuleVersion
    $nupkg = Join-Path $out "SocketShell.$version.nupkg"
    Remove-Item $nupkg -ErrorAction Ignore
    if (Get-Command Publish-PSResource -ErrorAction Ignore) {
        $repo = Join-Path $out 'repo'
        Remove-Item $repo -Recurse -Force -ErrorAction Ignore
        New-Item -ItemType Directory -Force $repo | Out-Null
        Register-PSResourceRepository -Name SocketShellLocal -Uri $repo -Trusted -Force
        try {
            Publish-PSResource -Path $moduleOut -Repository SocketShellLocal -ErrorAction Stop
            # The file's case differs between PSResourceGet versions (socketshell. or SocketShell.): match it case-insensitively.
            $published = Get-ChildItem $repo -Filter '*.nupkg' | Where-Object Name -Like "socketshell.$version.nupkg" | Select-Object -First 1
            if (-not $published) { throw "Publish-PSResource wrote no socketshell.$version.nupkg into $repo" }
            Move-Item $published.FullName $nupkg -Force
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
        'Shell' { Invoke-Shell }
        'Docs' { Invoke-Docs }
        'Test' { Invoke-Test }
        'Package' { Invoke-Package }
        'Clean' { Invoke-Clean }
    }
}
