using System.Collections;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Language;
using SocketShell.Ports;

namespace SocketShell.Completers;

/// <summary>
/// Completes -Port with well-known ports from the services database: typing digits completes port
/// numbers, typing letters completes service names to their port (`ht` → 80 http, 443 https …).
/// </summary>
public sealed class PortCompleter : IArgumentCompleter
{
    private const int MaxResults = 50;

    /// <inheritdoc/>
    public IEnumerable<CompletionResult> CompleteArgument(
        string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        => Complete(ServiceDatabase.System, wordToComplete);

    internal static IEnumerable<CompletionResult> Complete(ServiceDatabase services, string? wordToComplete)
    {
        string typed = (wordToComplete ?? string.Empty).Trim('\'', '"');
        bool byNumber = typed.Length > 0 && char.IsAsciiDigit(typed[0]);
        return services.Entries()
            .Where(e => byNumber
                ? e.Port.ToString(CultureInfo.InvariantCulture).StartsWith(typed, StringComparison.Ordinal)
                : e.Name.StartsWith(typed, StringComparison.OrdinalIgnoreCase))
            .GroupBy(e => e.Port)
            .Take(MaxResults)
            .Select(g =>
            {
                string port = g.Key.ToString(CultureInfo.InvariantCulture);
                string names = string.Join(", ", g.Select(e => $"{e.Name}/{e.Protocol.ToString().ToLowerInvariant()}").Distinct());
                return new CompletionResult(port, $"{port} ({g.First().Name})", CompletionResultType.ParameterValue, $"{port}: {names}");
            });
    }
}
