using System.Management.Automation;
using SocketShell.Common;

namespace SocketShell;

/// <summary>
/// Remove-Module SocketShell stops every listener and closes every connection the session opened,
/// so no socket outlives the module.
/// </summary>
public sealed class ModuleLifetime : IModuleAssemblyCleanup
{
    /// <inheritdoc/>
    public void OnRemove(PSModuleInfo psModuleInfo) => SessionCleanup.RunAll();
}
