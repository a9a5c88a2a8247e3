using System.Collections;
using System.Management.Automation.Language;
using System.Management.Automation;
using SocketShell.Common;

namespace SocketShell.Completers;

/// <summary>Completes -Encoding with the names <see cref="Payload.GetEncoding"/> knows.</summary>
public sealed class EncodingCompleter : IArgumentCompleter
{
    /// <inheritdoc/>
    public IEnumerable<CompletionResult> CompleteArgument(
        string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        => Completion.FromValues(Payload.EncodingNames, wordToComplete);
}
