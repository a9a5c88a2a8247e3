using System.Globalization;
using System.Management.Automation;
using SocketShell.Listeners;
using SocketShell.Resources;

namespace SocketShell.Commands;

/// <summary>
/// Finds registered listeners by id or by name (wildcards), the same way for every cmdlet that takes
/// -Id or -Name: each listener once, in registry order; an id, or a name without wildcards, that matches
/// nothing is a ListenerNotFound error (ObjectNotFound) and the others are still found.
/// </summary>
internal static class ListenerSelection
{
    public static List<SocketListener> ById(IEnumerable<int> ids, Action<ErrorRecord> writeError)
    {
        var found = new List<SocketListener>();
        foreach (int id in ids)
        {
            SocketListener? listener = RunspaceSessions.Current.Listeners.Find(id);
            if (listener is null)
            {
                writeError(NotFound(string.Format(CultureInfo.CurrentCulture, Messages.ListenerIdNotFound, id), id));
            }
            else if (!found.Contains(listener))
            {
                found.Add(listener);
            }
        }

        return found;
    }

    /// <summary>Without names, every listener.</summary>
    public static List<SocketListener> ByName(IEnumerable<string>? names, Action<ErrorRecord> writeError)
    {
        IReadOnlyList<SocketListener> all = RunspaceSessions.Current.Listeners.All;
        if (names is null)
        {
            return all.ToList();
        }

        var found = new List<SocketListener>();
        foreach (string name in names)
        {
            var pattern = WildcardPattern.Get(name, WildcardOptions.IgnoreCase);
            List<SocketListener> matches = all.Where(l => pattern.IsMatch(l.Name)).ToList();
            if (matches.Count == 0 && !WildcardPattern.ContainsWildcardCharacters(name))
            {
                writeError(NotFound(string.Format(CultureInfo.CurrentCulture, Messages.ListenerNameNotFound, name), name));
            }

            found.AddRange(matches.Where(m => !found.Contains(m)));
        }

        return found;
    }

    private static ErrorRecord NotFound(string message, object target) =>
        SocketErrors.Record(new SocketShellException(SocketErrorKind.ListenerNotFound, message, Convert.ToString(target, CultureInfo.InvariantCulture)), ErrorIds.ListenerNotFound, target);
}
