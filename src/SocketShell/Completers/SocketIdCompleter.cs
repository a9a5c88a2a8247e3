using System.Collections;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Language;
using SocketShell.Client;

namespace SocketShell.Completers;

/// <summary>Completes the Ids of this session's client connections, with their target as the tooltip.</summary>
public sealed class SocketIdCompleter : IArgumentCompleter
{
    /// <inheritdoc/>
    public IEnumerable<CompletionResult> CompleteArgument(
        string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        Dictionary<string, SocketConnection> byId = RunspaceSessions.Current.Connections.GetAll().ToDictionary(c => c.Id.ToString(CultureInfo.InvariantCulture));
        return Completion.FromValues(byId.Keys, wordToComplete, id => byId[id].ToString());
    }
}
