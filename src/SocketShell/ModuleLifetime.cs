using System.Management.Automation;
using SocketShell.Common;

namespace SocketShell;

/// <summary>
/// Remove-Module SocketShell stops every listener and closes every connection that the removing
/// runspace opened, so no socket of that session outlives the module; other runspaces keep theirs.
/// </summary>
public sealed class ModuleLifetime : IModuleAssemblyCleanup
{
    /// <inheritdoc/>
    public void OnRemove(PSModuleInfo psModuleInfo) => RunspaceSessions.CloseCurrent();
}
