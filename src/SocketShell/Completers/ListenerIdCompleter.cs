using System.Collections;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace SocketShell.Completers;

/// <summary>Completes -Id of Get-/Stop-SocketListener with the ids of this session's running listeners.</summary>
public sealed class ListenerIdCompleter : IArgumentCompleter
{
    /// <inheritdoc/>
    public IEnumerable<CompletionResult> CompleteArgument(
        string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        IReadOnlyList<SocketListener> all = RunspaceSessions.Current.Listeners.All;
        return Completion.FromValues(
            all.Select(l => l.Id.ToString(CultureInfo.InvariantCulture)),
            wordToComplete,
            id => all.FirstOrDefault(l => l.Id.ToString(CultureInfo.InvariantCulture) == id) is { } l
                ? string.Format(CultureInfo.InvariantCulture, "{0} {1} {2} {3} ({4})", l.Name, l.Protocol, l.LocalEndPoint, l.Mode, l.State)
                : id);
    }
}
