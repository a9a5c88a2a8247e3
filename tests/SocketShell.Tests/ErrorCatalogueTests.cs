using System.Reflection;
using System.Text.RegularExpressions;

namespace SocketShell.Tests;

/// <summary>
/// One catalogue of ErrorIds (issue 10, rule 4): every id the module can raise is a SocketErrorKind name
/// or an ErrorIds constant, has a category in the catalogue, and is documented in about_SocketShell's
/// "Errors" list; no cmdlet builds an ErrorRecord with an id of its own.
/// </summary>
public partial class ErrorCatalogueTests
{
    private static string ModuleSource => Path.Combine(ModuleMetadata.RepoRoot, "src", "SocketShell");

    private static string CatalogueSource => File.ReadAllText(Path.Combine(ModuleSource, "Commands", "ErrorIds.cs"));

    /// <summary>The ErrorIds constants, read from SocketShell.dll's metadata.</summary>
    private static IReadOnlyList<string> ModuleIds() =>
        ModuleMetadata.ModuleAssembly.GetType("SocketShell.Commands.ErrorIds", throwOnError: true)!
            .GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral)
            .Select(f => (string)f.GetRawConstantValue()!)
            .ToList();

    /// <summary>The engine's failure kinds (each is an ErrorId), read from SocketShell.Engine.dll's metadata.</summary>
    private static IReadOnlyList<string> KindIds() =>
        ModuleMetadata.EngineAssembly.GetType("SocketShell.SocketErrorKind", throwOnError: true)!
            .GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(f => f.Name)
            .Where(n => n != "Unknown") // raised as SocketOperationFailed
            .ToList();

    private static IReadOnlyList<string> AllIds() => ModuleIds().Concat(KindIds()).Distinct().Order(StringComparer.Ordinal).ToList();

    /// <summary>The ids listed in about_SocketShell's Errors section (lines "- `Id` (Category): ...").</summary>
    private static Dictionary<string, string> DocumentedIds()
    {
        string about = File.ReadAllText(Path.Combine(ModuleMetadata.RepoRoot, "docs", "en-US", "about_SocketShell.md"));
        int start = about.IndexOf("\n## Errors", StringComparison.Ordinal);
        Assert.True(start >= 0, "about_SocketShell.md has no '## Errors' section");
        int end = about.IndexOf("\n#", start + 5, StringComparison.Ordinal);
        string section = end < 0 ? about[start..] : about[start..end];
        return DocumentedLine().Matches(section).ToDictionary(m => m.Groups["id"].Value, m => m.Groups["category"].Value);
    }

    [Fact]
    public void Every_id_that_can_be_raised_is_documented_in_about_SocketShell_with_its_category()
    {
        Dictionary<string, string> documented = DocumentedIds();
        foreach (string id in AllIds())
        {
            Assert.True(documented.ContainsKey(id), $"ErrorId '{id}' can be raised but is not in about_SocketShell's Errors list");
            Match declared = Regex.Match(CatalogueSource, $@"\[(?:nameof\(SocketErrorKind\.)?{id}\)?\] = ErrorCategory\.(?<c>\w+)");
            Assert.True(declared.Success, $"ErrorId '{id}' has no category in ErrorIds.cs");
            Assert.Equal(declared.Groups["c"].Value, documented[id]);
        }
    }

    [Fact]
    public void Every_documented_id_exists()
    {
        IReadOnlyList<string> all = AllIds();
        foreach (string id in DocumentedIds().Keys)
        {
            Assert.True(all.Contains(id), $"about_SocketShell documents '{id}', which nothing raises");
        }
    }

    [Fact]
    public void No_cmdlet_builds_an_ErrorRecord_with_an_id_outside_the_catalogue()
    {
        foreach (string file in Directory.EnumerateFiles(ModuleSource, "*.cs", SearchOption.AllDirectories)
                     .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)))
        {
            string text = File.ReadAllText(file);
            string name = Path.GetFileName(file);
            if (name is "SocketErrors.cs")
            {
                continue; // the one place that constructs ErrorRecords
            }

            Assert.False(text.Contains("new ErrorRecord(", StringComparison.Ordinal), $"{name} constructs an ErrorRecord itself; use SocketErrors.Record/Create with an ErrorIds id");
            foreach ((string call, int idIndex) in new[] { ("SocketErrors.Record(", 1), ("WriteSocketError(", 2), ("ThrowSocketError(", 2), ("SocketErrors.Create(", 2) })
            {
                for (int at = text.IndexOf(call, StringComparison.Ordinal); at >= 0; at = text.IndexOf(call, at + 1, StringComparison.Ordinal))
                {
                    List<string> args = Arguments(text, at + call.Length);
                    if (args.Count > idIndex)
                    {
                        string id = args[idIndex].Trim();
                        Assert.False(id.StartsWith('"'), $"{name}: {call} passes the literal ErrorId {id}; add it to ErrorIds");
                    }
                }
            }
        }
    }

    [Fact]
    public void Cmdlets_tell_failures_apart_by_kind_never_by_the_dotnet_exception_type()
    {
        // Rule 4: the engine throws SocketShellException(kind); a cmdlet that catches InvalidOperationException,
        // TimeoutException, PlatformNotSupportedException or an I/O exception to pick an ErrorId is guessing.
        string[] guesses = ["catch (InvalidOperationException", "catch (TimeoutException", "catch (PlatformNotSupportedException",
            "catch (IOException", "catch (ListenerNameInUseException", "e is IOException", "e is InvalidOperationException"];
        foreach (string file in Directory.EnumerateFiles(Path.Combine(ModuleSource, "Commands"), "*.cs"))
        {
            string text = File.ReadAllText(file);
            foreach (string guess in guesses)
            {
                Assert.False(text.Contains(guess, StringComparison.Ordinal), $"{Path.GetFileName(file)} has '{guess}': throw a SocketErrorKind from the engine instead");
            }
        }
    }

    [Fact]
    public void An_id_that_names_an_engine_kind_is_declared_through_the_kind()
    {
        // ListenerNotFound, StopTimeout, NotEnoughFreePorts, ...: one spelling, the kind's, so the two cannot drift apart.
        IReadOnlyList<string> kinds = KindIds();
        foreach (string id in ModuleIds().Where(kinds.Contains))
        {
            Assert.Matches($@"public const string {id} = nameof\(SocketErrorKind\.{id}\);", CatalogueSource);
        }

        foreach (string required in new[] { "ListenerNameInUse", "ListenerNotFound", "SocketNotFound", "StopTimeout", "NotEnoughFreePorts", "PortRangeUnavailable", "SocketTableUnavailable", "SocketTableNotSupported" })
        {
            Assert.Contains(required, kinds);
        }
    }

    /// <summary>The top-level arguments of a call whose '(' ends just before <paramref name="start"/>.</summary>
    private static List<string> Arguments(string text, int start)
    {
        var args = new List<string>();
        int depth = 1;
        int from = start;
        bool inString = false;
        for (int i = start; i < text.Length && depth > 0; i++)
        {
            char c = text[i];
            if (c == '"' && text[i - 1] != '\\')
            {
                inString = !inString;
            }
            else if (inString)
            {
                continue;
            }
            else if (c is '(' or '[' or '{')
            {
                depth++;
            }
            else if (c is ')' or ']' or '}')
            {
                if (--depth == 0)
                {
                    args.Add(text[from..i]);
                }
            }
            else if (c == ',' && depth == 1)
            {
                args.Add(text[from..i]);
                from = i + 1;
            }
        }

        return args;
    }

    [GeneratedRegex(@"^- `(?<id>[A-Za-z]+)` \((?<category>[A-Za-z]+)\):", RegexOptions.Multiline)]
    private static partial Regex DocumentedLine();
}
