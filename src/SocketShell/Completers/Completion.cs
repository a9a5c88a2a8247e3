using System.Management.Automation;

namespace SocketShell.Completers;

/// <summary>Shared by the completers: the values that start with what was typed (quotes ignored).</summary>
internal static class Completion
{
    public static IEnumerable<CompletionResult> FromValues(IEnumerable<string> values, string? wordToComplete, Func<string, string>? tooltip = null)
    {
        string prefix = (wordToComplete ?? string.Empty).Trim('\'', '"');
        foreach (string value in values)
        {
            if (value.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                string text = value.Contains(' ', StringComparison.Ordinal) ? $"'{value}'" : value;
                yield return new CompletionResult(text, value, CompletionResultType.ParameterValue, tooltip?.Invoke(value) ?? value);
            }
        }
    }
}
