using System.Collections;
using System.Globalization;
using System.Management.Automation.Language;
using System.Management.Automation;
using SocketShell.Listeners;

namespace SocketShell.Completers;

/// <summary>Completes the names of this session's running listeners.</summary>
public sealed class ListenerNameCompleter : IArgumentCompleter
{
    /// <inheritdoc/>
    public IEnumerable<CompletionResult> CompleteArgument(
        string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        IReadOnlyList<SocketListener> all = RunspaceSessions.Current.Listeners.All;
        return Completion.FromValues(
            all.Select(l => l.Name),
            wordToComplete,
            name => all.FirstOrDefault(l => l.Name == name) is { } l
                ? string.Format(CultureInfo.InvariantCulture, "{0} {1} {2} ({3})", l.Protocol, l.LocalEndPoint, l.Mode, l.State)
                : name);
    }
}

/// <summary>Completes -Address of a listener: loopback, Any and this machine's addresses.</summary>
public sealed class ListenAddressCompleter : IArgumentCompleter
{
    /// <inheritdoc/>
    public IEnumerable<CompletionResult> CompleteArgument(
        string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        => Completion.FromValues(["127.0.0.1", "::1", "Any", "0.0.0.0", "::"], wordToComplete);
}
