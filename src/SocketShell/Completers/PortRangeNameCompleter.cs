using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace SocketShell.Completers;

/// <summary>Completes the range names Get-PortRange writes.</summary>
public sealed class PortRangeNameCompleter : IArgumentCompleter
{
    internal static readonly string[] Names = ["System", "User", "Dynamic", "Ephemeral", "Reserved", "Excluded"];

    /// <inheritdoc/>
    public IEnumerable<CompletionResult> CompleteArgument(
        string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        => Completion.FromValues(Names, wordToComplete);
}
