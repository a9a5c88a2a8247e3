using System.Collections;
using System.Diagnostics;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace SocketShell.Completers;

/// <summary>Completes the names of the processes running now (for Get-SystemSocket -ProcessName).</summary>
public sealed class ProcessNameCompleter : IArgumentCompleter
{
    /// <inheritdoc/>
    public IEnumerable<CompletionResult> CompleteArgument(
        string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var names = new SortedSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (Process p in Process.GetProcesses())
        {
            using (p)
            {
                try
                {
                    names.Add(p.ProcessName);
                }
                catch (InvalidOperationException)
                {
                    // exited meanwhile
                }
            }
        }

        return Completion.FromValues(names, wordToComplete);
    }
}
