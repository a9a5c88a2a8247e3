using System.Text.RegularExpressions;

namespace SocketShell.Tests;

/// <summary>A platyPS (schema 2.0.0) markdown help page, parsed just enough to check it against the cmdlet.</summary>
public sealed partial class HelpDocument
{
    private HelpDocument(string path, string text)
    {
        Path = path;
        Text = text.ReplaceLineEndings("\n");
        string body = Text;
        if (body.StartsWith("---\n", StringComparison.Ordinal))
        {
            int end = body.IndexOf("\n---\n", 4, StringComparison.Ordinal);
            foreach (string line in body[4..end].Split('\n'))
            {
                int colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon > 0)
                {
                    FrontMatter[line[..colon].Trim()] = line[(colon + 1)..].Trim();
                }
            }

            body = body[(end + 5)..];
        }

        Title = TitleLine().Match(body) is { Success: true } m ? m.Groups[1].Value.Trim() : string.Empty;
        foreach (Match section in SectionHeading().Matches(body))
        {
            int start = section.Index + section.Length;
            Match next = SectionHeading().Match(body, start);
            Sections[section.Groups[1].Value.Trim()] = body[start..(next.Success ? next.Index : body.Length)];
        }
    }

    public string Path { get; }

    public string Text { get; }

    public string Title { get; }

    public Dictionary<string, string> FrontMatter { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, string> Sections { get; } = new(StringComparer.Ordinal);

    public static HelpDocument Load(string path) => new(path, File.ReadAllText(path));

    public string Section(string name) => Sections.TryGetValue(name, out string? s) ? s : string.Empty;

    /// <summary>The ### subsections of a section: heading → content.</summary>
    public Dictionary<string, string> Subsections(string section)
    {
        string s = Section(section);
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        MatchCollection heads = SubHeading().Matches(s);
        for (int i = 0; i < heads.Count; i++)
        {
            int start = heads[i].Index + heads[i].Length;
            int end = i + 1 < heads.Count ? heads[i + 1].Index : s.Length;
            result[heads[i].Groups[1].Value.Trim()] = s[start..end];
        }

        return result;
    }

    /// <summary>The "key: value" lines of the first yaml block in <paramref name="content"/>.</summary>
    public static Dictionary<string, string> Yaml(string content)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        Match block = YamlBlock().Match(content);
        if (!block.Success)
        {
            return result;
        }

        foreach (string line in block.Groups[1].Value.Split('\n'))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                result[line[..colon].Trim()] = line[(colon + 1)..].Trim();
            }
        }

        return result;
    }

    /// <summary>The first fenced code block in <paramref name="content"/>.</summary>
    public static string FirstCodeBlock(string content) =>
        CodeBlock().Match(content) is { Success: true } m ? m.Groups[1].Value : string.Empty;

    [GeneratedRegex(@"^# (.+)$", RegexOptions.Multiline)]
    private static partial Regex TitleLine();

    [GeneratedRegex(@"^## (.+)$", RegexOptions.Multiline)]
    private static partial Regex SectionHeading();

    [GeneratedRegex(@"^### (.+)$", RegexOptions.Multiline)]
    private static partial Regex SubHeading();

    [GeneratedRegex(@"```yaml\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex YamlBlock();

    [GeneratedRegex(@"```[a-z]*\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex CodeBlock();
}
