<#
  Import-Module time (issue 15, item 6), in the pwsh that runs this script (bench/import.sh starts the tool
  manifest's pwsh). Times are taken inside the process around Import-Module only (pwsh's own start-up excluded).
    -Part MakeEmpty -Path <dir>   compiles the anchor: an empty binary module (one trivial cmdlet, a manifest)
    -Part Cold -Path <psd1>       the first Import-Module in this fresh process, ms
    -Part Warm -Path <psd1>       after a first import: median of -Repeat (Remove-Module; Import-Module) and of
                                  -Repeat imports into a fresh runspace of this process, ms
#>
param([ValidateSet('MakeEmpty', 'Cold', 'Warm')] [string] $Part, [string] $Path, [int] $Repeat = 5)
if ($Part -ne 'MakeEmpty') { $Path = (Resolve-Path -LiteralPath $Path).ProviderPath }
$ErrorActionPreference = 'Stop'
function Median([double[]] $v) { $s = $v | Sort-Object; if ($s.Count % 2) { $s[[int][math]::Floor($s.Count / 2)] } else { ($s[$s.Count / 2 - 1] + $s[$s.Count / 2]) / 2 } }
switch ($Part) {
    'MakeEmpty' {
        $null = New-Item -ItemType Directory -Force $Path
        $source = @'
using System.Management.Automation;
namespace EmptyBench
{
    [Cmdlet(VerbsCommon.Get, "EmptyThing")]
    [OutputType(typeof(int))]
    public sealed class GetEmptyThingCommand : PSCmdlet
    {
        [Parameter(Position = 0)]
        public string Name { get; set; } = string.Empty;

        protected override void ProcessRecord() => WriteObject(1);
    }
}
'@
        Add-Type -TypeDefinition $source -OutputAssembly (Join-Path $Path 'EmptyBench.dll') -OutputType Library
        New-ModuleManifest (Join-Path $Path 'EmptyBench.psd1') -RootModule 'EmptyBench.dll' -CmdletsToExport 'Get-EmptyThing' -ModuleVersion '1.0.0' -CompatiblePSEditions Core -FunctionsToExport @() -AliasesToExport @() -VariablesToExport @()
    }
    'Cold' {
        $sw = [Diagnostics.Stopwatch]::StartNew()
        Import-Module $Path
        '{0:F1}' -f $sw.Elapsed.TotalMilliseconds
    }
    'Warm' {
        Import-Module $Path
        $name = [IO.Path]::GetFileNameWithoutExtension($Path)
        $again = foreach ($i in 1..$Repeat) {
            Remove-Module $name
            $sw = [Diagnostics.Stopwatch]::StartNew()
            Import-Module $Path
            $sw.Elapsed.TotalMilliseconds
        }
        $runspace = foreach ($i in 1..$Repeat) {
            $ps = [powershell]::Create()   # a new runspace in this process: the assemblies are loaded already
            try {
                $null = $ps.AddScript('$sw = [Diagnostics.Stopwatch]::StartNew(); Import-Module $args[0]; $sw.Elapsed.TotalMilliseconds').AddArgument($Path)
                $ps.Invoke() | Select-Object -Last 1
            }
            finally { $ps.Dispose() }
        }
        '{0:F1} {1:F1}' -f (Median $again), (Median $runspace)
    }
}
