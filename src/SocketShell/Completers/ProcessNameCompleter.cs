using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using SocketShell.SystemSockets;

namespace SocketShell.Completers;

/// <summary>
/// Completes -ProcessName of Get-SystemSocket with the names of the processes that own sockets now
/// (read from the socket table, as the filter will match them): never kernel threads or processes
/// that hold no socket, which -ProcessName could not match anyway.
/// </summary>
public sealed class ProcessNameCompleter : IArgumentCompleter
{
    private static readonly TimeSpan s_budget = TimeSpan.FromSeconds(2);

    /// <inheritdoc/>
    public IEnumerable<CompletionResult> CompleteArgument(
        string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var names = new SortedSet<string>(StringComparer.OrdinalIgnoreCase);
        try
        {
            using var budget = new CancellationTokenSource(s_budget);
            ISystemSocketSource source = SystemSocketSource.ForCurrentOS();
            SystemSocketResult result = SystemSocketQuery.Run(source, [new SystemSocketFilter { ProcessName = _ => true }], resolveProcesses: true, budget.Token);
            foreach (SystemSocket s in result.Sockets)
            {
                if (!string.IsNullOrEmpty(s.ProcessName))
                {
                    names.Add(s.ProcessName);
                }
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Completion must never fail the prompt: no table, no suggestions.
        }

        return Completion.FromValues(names, wordToComplete);
    }
}
