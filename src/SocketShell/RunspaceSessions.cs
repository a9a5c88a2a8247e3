using System.Collections.Concurrent;
using System.Management.Automation.Runspaces;
using SocketShell.Sessions;

namespace SocketShell;

/// <summary>
/// One <see cref="SessionScope"/> per PowerShell runspace, as jobs and variables are per runspace:
/// a cmdlet sees only the listeners and connections its own runspace made. Remove-Module closes the
/// removing runspace's scope; a runspace that closes (a thread job ending, a ForEach-Object -Parallel
/// runspace disposed) closes its own. Objects handed to another runspace ($using:) keep working there,
/// because they carry their own state.
/// </summary>
internal static class RunspaceSessions
{
    private static readonly TimeSpan s_stopWait = TimeSpan.FromSeconds(5);
    private static readonly ConcurrentDictionary<Guid, SessionScope> s_scopes = new();
    private static readonly object s_gate = new();

    /// <summary>The scope of the runspace running the calling cmdlet (created on first use).</summary>
    public static SessionScope Current
    {
        get
        {
            Runspace? runspace = Runspace.DefaultRunspace;
            if (runspace is null)
            {
                // No runspace on this thread (not reachable from a cmdlet); a throwaway scope keeps it harmless.
                return new SessionScope();
            }

            if (s_scopes.TryGetValue(runspace.InstanceId, out SessionScope? scope))
            {
                return scope;
            }

            lock (s_gate)
            {
                if (!s_scopes.TryGetValue(runspace.InstanceId, out scope))
                {
                    scope = new SessionScope();
                    s_scopes[runspace.InstanceId] = scope;
                    runspace.StateChanged += OnStateChanged;
                }

                return scope;
            }
        }
    }

    /// <summary>Closes the calling runspace's scope (Remove-Module): only its own listeners and connections.</summary>
    public static void CloseCurrent()
    {
        if (Runspace.DefaultRunspace is { } runspace)
        {
            Close(runspace);
        }
    }

    private static void OnStateChanged(object? sender, RunspaceStateEventArgs e)
    {
        if (sender is Runspace runspace && e.RunspaceStateInfo.State is RunspaceState.Closing or RunspaceState.Closed or RunspaceState.Broken)
        {
            Close(runspace);
        }
    }

    private static void Close(Runspace runspace)
    {
        runspace.StateChanged -= OnStateChanged;
        if (s_scopes.TryRemove(runspace.InstanceId, out SessionScope? scope))
        {
            scope.CloseAll(s_stopWait);
        }
    }
}
