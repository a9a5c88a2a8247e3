# The running PowerShell as a command line, for starting a child pwsh that is the same PowerShell: works for
# a package install or a source build (the process is pwsh itself) and for the dotnet tool (the process is
# the dotnet host running pwsh.dll, so (Get-Process -Id $PID).Path is dotnet, not pwsh).
# Dot-sourced by build.ps1 and tests/Pester/TestHelpers.ps1.

function Get-PwshCommand {
    # Returns the executable first, then the arguments that must precede pwsh's own.
    $exe = [Environment]::ProcessPath
    if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'pwsh') {
        return , @($exe)
    }
    $dll = Join-Path $PSHOME 'pwsh.dll'
    if (Test-Path -LiteralPath $dll) {
        return , @($exe, $dll)   # the dotnet host: `dotnet <PSHOME>/pwsh.dll`
    }
    throw "Cannot tell how to start this PowerShell again: the process is '$exe' and '$dll' does not exist."
}

function Invoke-Pwsh {
    # Runs a child pwsh (the same PowerShell as this one) with the given arguments; $LASTEXITCODE is its exit code.
    param([Parameter(Mandatory, ValueFromRemainingArguments)] [string[]] $ArgumentList)
    $pwsh = Get-PwshCommand
    $prefix = @($pwsh | Select-Object -Skip 1)
    & $pwsh[0] @prefix @ArgumentList
}
