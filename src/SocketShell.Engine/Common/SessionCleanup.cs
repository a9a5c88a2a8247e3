using System.Collections.Concurrent;

namespace SocketShell.Common;

/// <summary>
/// What must be closed when the module is removed from the session (Remove-Module): each engine
/// registry (listeners, connections, …) registers its shutdown once, the first time it is used.
/// </summary>
public static class SessionCleanup
{
    private static readonly ConcurrentDictionary<string, Action> s_actions = new(StringComparer.Ordinal);

    /// <summary>Registers <paramref name="shutdown"/> under <paramref name="name"/> (once per name).</summary>
    public static void Register(string name, Action shutdown) => s_actions.TryAdd(name, shutdown);

    /// <summary>The names registered so far.</summary>
    public static IReadOnlyCollection<string> Registered => s_actions.Keys.ToArray();

    /// <summary>Runs every registered shutdown; one failing does not stop the others.</summary>
    /// <returns>The failures, if any.</returns>
    public static IReadOnlyList<Exception> RunAll()
    {
        var failures = new List<Exception>();
        foreach (KeyValuePair<string, Action> pair in s_actions)
        {
            try
            {
                pair.Value();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                failures.Add(e);
            }
        }

        return failures;
    }
}
