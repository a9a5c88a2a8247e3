using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace SocketShell.Tests;

/// <summary>
/// Keeps every cmdlet honest: approved verb, shape of the class, OutputType per parameter set,
/// HelpMessage per parameter, manifest export, help page in step with the declaration, a default view
/// for every output type, a Pester file. New cmdlets are picked up by reflection.
/// </summary>
public partial class CmdletConventionsTests
{
    private static readonly string[] s_stateChangingVerbs =
        ["Start", "Stop", "Remove", "Set", "New", "Disconnect", "Clear", "Reset", "Restart", "Register", "Unregister", "Enable", "Disable"];

    public static TheoryData<string> Cmdlets => ModuleMetadata.CmdletNames();

    private static string DocsPath(string cmdlet) => Path.Combine(ModuleMetadata.RepoRoot, "docs", "en-US", cmdlet + ".md");

    [Fact]
    public void The_module_has_cmdlets()
    {
        Assert.Contains(ModuleMetadata.Cmdlets, c => c.Name == "Get-PortRange");
        Assert.Contains(ModuleMetadata.Cmdlets, c => c.Name == "Get-AvailablePort");
    }

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void Uses_an_approved_verb(string cmdlet)
    {
        Assert.Contains(ModuleMetadata.Get(cmdlet).Verb, ModuleMetadata.ApprovedVerbs());
    }

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void Is_a_sealed_VerbNounCommand_on_the_base_class_in_its_own_file(string cmdlet)
    {
        CmdletMetadata c = ModuleMetadata.Get(cmdlet);
        Assert.True(c.Type.IsSealed, $"{c.Type.Name} must be sealed");
        Assert.Equal($"{c.Verb}{c.Noun}Command", c.Type.Name);
        Assert.Equal("SocketShell.Commands", c.Type.Namespace);
        Assert.Equal("SocketShell.Commands.SocketCmdletBase", c.Type.BaseType?.FullName);
        Assert.True(File.Exists(Path.Combine(ModuleMetadata.RepoRoot, "src", "SocketShell", "Commands", c.Type.Name + ".cs")), $"Commands/{c.Type.Name}.cs");
    }

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void Declares_an_OutputType_for_every_parameter_set(string cmdlet)
    {
        CmdletMetadata c = ModuleMetadata.Get(cmdlet);
        Assert.NotEmpty(c.OutputTypes);
        foreach (string set in c.ParameterSetNames)
        {
            Assert.True(
                c.OutputTypes.Any(o => o.Sets.Contains(set) || o.Sets.Contains(CmdletMetadata.AllSets)),
                $"{cmdlet}: no OutputType for parameter set '{set}'");
        }
    }

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void Names_its_parameter_sets_and_a_default_when_it_has_several(string cmdlet)
    {
        CmdletMetadata c = ModuleMetadata.Get(cmdlet);
        if (c.ParameterSetNames.Count > 1)
        {
            Assert.NotNull(c.DefaultParameterSetName);
            Assert.Contains(c.DefaultParameterSetName, c.ParameterSetNames);
        }
    }

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void Every_parameter_has_a_HelpMessage(string cmdlet)
    {
        foreach (ParameterMetadata p in ModuleMetadata.Get(cmdlet).Parameters)
        {
            Assert.All(p.Sets, s => Assert.False(string.IsNullOrWhiteSpace(s.HelpMessage), $"{cmdlet} -{p.Name} ({s.SetName}) has no HelpMessage"));
        }
    }

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void Shared_parameters_follow_the_shared_rules(string cmdlet)
    {
        foreach (ParameterMetadata p in ModuleMetadata.Get(cmdlet).Parameters)
        {
            if (p.Type.FullName == "System.TimeSpan")
            {
                Assert.Contains("TimeoutTransformationAttribute", p.AttributeNames);
            }

            if (p.Name == "Encoding")
            {
                Assert.Equal("System.Text.Encoding", p.Type.FullName);
                Assert.Contains("EncodingTransformationAttribute", p.AttributeNames);
            }

            if (p.Name == "ComputerName")
            {
                Assert.Subset(p.Aliases.ToHashSet(), new HashSet<string> { "HostName", "TargetName", "IPAddress" });
            }

            if (p.Name == "Port" && p.Type.FullName == "System.Int32[]")
            {
                Assert.Contains("PortListTransformationAttribute", p.AttributeNames);
            }

            if (p.Name == "Port" && p.Type.FullName is "System.Int32[]" or "System.Int32")
            {
                Assert.Contains("ArgumentCompleterAttribute", p.AttributeNames); // PortCompleter: well-known ports
            }

            if (p.Name == "AddressFamily")
            {
                Assert.Equal("SocketShell.IPFamily", p.Type.FullName);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void Supports_ShouldProcess_when_it_changes_state(string cmdlet)
    {
        CmdletMetadata c = ModuleMetadata.Get(cmdlet);
        if (s_stateChangingVerbs.Contains(c.Verb))
        {
            Assert.True(c.SupportsShouldProcess, $"{cmdlet} changes state and must support -WhatIf/-Confirm");
        }
    }

    [Fact]
    public void The_manifest_exports_exactly_the_cmdlets()
    {
        string manifest = File.ReadAllText(Path.Combine(ModuleMetadata.RepoRoot, "SocketShell.psd1"));
        Match block = ExportBlock().Match(manifest);
        Assert.True(block.Success, "CmdletsToExport = @( … ) not found");
        string[] exported = QuotedName().Matches(block.Groups[1].Value).Select(m => m.Groups[1].Value).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(ModuleMetadata.Cmdlets.Select(c => c.Name).Order(StringComparer.Ordinal), exported);
        Assert.Matches(@"FunctionsToExport\s*=\s*@\(\)", manifest);
        Assert.Matches(@"RootModule\s*=\s*'SocketShell.dll'", manifest);
        Assert.Matches(@"CompatiblePSEditions\s*=\s*@\('Core'\)", manifest);
        Assert.Matches(@"PowerShellVersion\s*=\s*'7.4'", manifest);
    }

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void Has_a_help_page_in_step_with_its_declaration(string cmdlet)
    {
        CmdletMetadata c = ModuleMetadata.Get(cmdlet);
        string path = DocsPath(cmdlet);
        Assert.True(File.Exists(path), $"docs/en-US/{cmdlet}.md is missing");
        HelpDocument doc = HelpDocument.Load(path);

        Assert.Equal("SocketShell.dll-Help.xml", doc.FrontMatter.GetValueOrDefault("external help file"));
        Assert.Equal("SocketShell", doc.FrontMatter.GetValueOrDefault("Module Name"));
        Assert.Equal("2.0.0", doc.FrontMatter.GetValueOrDefault("schema"));
        Assert.Equal(cmdlet, doc.Title);
        foreach (string section in new[] { "SYNOPSIS", "SYNTAX", "DESCRIPTION", "EXAMPLES", "PARAMETERS", "INPUTS", "OUTPUTS" })
        {
            Assert.False(string.IsNullOrWhiteSpace(doc.Section(section)), $"{cmdlet}: section {section} is empty");
        }

        Assert.True(doc.Subsections("EXAMPLES").Count >= 3, $"{cmdlet}: needs at least three examples");
        Assert.All(doc.Subsections("EXAMPLES").Values, e => Assert.Contains(cmdlet, e, StringComparison.Ordinal));

        // PARAMETERS: one entry per declared parameter (plus the common ones), type and sets as declared.
        Dictionary<string, string> documented = doc.Subsections("PARAMETERS");
        var expected = c.Parameters.Select(p => "-" + p.Name).ToHashSet();
        if (c.SupportsShouldProcess)
        {
            expected.UnionWith(["-WhatIf", "-Confirm"]);
        }

        expected.Add("CommonParameters");
        Assert.Equal(expected.Order(StringComparer.Ordinal), documented.Keys.Order(StringComparer.Ordinal));
        foreach (ParameterMetadata p in c.Parameters)
        {
            string entry = documented["-" + p.Name];
            Assert.False(string.IsNullOrWhiteSpace(entry.Split("```")[0]), $"{cmdlet} -{p.Name}: no description");
            Dictionary<string, string> yaml = HelpDocument.Yaml(entry);
            Assert.Equal(p.Type.Name, yaml.GetValueOrDefault("Type"));
            string[] sets = p.Sets.Select(s => s.SetName == CmdletMetadata.AllSets ? "(All)" : s.SetName).Order(StringComparer.Ordinal).ToArray();
            string[] docSets = Regex.Matches(entry, @"Parameter Sets:\s*(.*)").SelectMany(m => m.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).Order(StringComparer.Ordinal).ToArray();
            Assert.True(sets.SequenceEqual(docSets), $"{cmdlet} -{p.Name}: sets {string.Join(",", sets)} documented as {string.Join(",", docSets)}");
            Assert.Equal(string.Join(", ", p.Aliases), yaml.GetValueOrDefault("Aliases", ""));
        }

        // SYNTAX: one block per parameter set, naming every parameter of the set.
        Dictionary<string, string> syntax = doc.Subsections("SYNTAX");
        Assert.Equal(c.ParameterSetNames.Count, syntax.Count);
        foreach (string set in c.ParameterSetNames)
        {
            string key = syntax.Keys.SingleOrDefault(k => k == set || k == set + " (Default)")
                ?? throw new Xunit.Sdk.XunitException($"{cmdlet}: no SYNTAX block for set '{set}'");
            string line = HelpDocument.FirstCodeBlock(syntax[key]);
            Assert.StartsWith(cmdlet, line.Trim(), StringComparison.Ordinal);
            foreach (ParameterMetadata p in c.ParametersIn(set))
            {
                Assert.Matches(new Regex($@"-{p.Name}\b"), line);
            }
        }

        // OUTPUTS: every declared output type.
        string outputs = doc.Section("OUTPUTS");
        foreach ((string typeName, _) in c.OutputTypes)
        {
            Assert.Contains(typeName, outputs, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Every_SocketShell_output_type_has_a_default_view()
    {
        XDocument format = XDocument.Load(Path.Combine(ModuleMetadata.RepoRoot, "src", "SocketShell", "SocketShell.format.ps1xml"));
        var viewed = format.Descendants("TypeName").Select(e => e.Value.Trim()).ToHashSet();
        foreach (string type in ModuleMetadata.Cmdlets.SelectMany(c => c.OutputTypes).Select(o => o.TypeName).Where(t => t.StartsWith("SocketShell.", StringComparison.Ordinal)).Distinct())
        {
            Assert.Contains(type, viewed);
        }
    }

    [Fact]
    public void The_module_page_and_about_topic_list_every_cmdlet()
    {
        string modulePage = File.ReadAllText(Path.Combine(ModuleMetadata.RepoRoot, "docs", "en-US", "SocketShell.md"));
        string about = File.ReadAllText(Path.Combine(ModuleMetadata.RepoRoot, "docs", "en-US", "about_SocketShell.md"));
        foreach (CmdletMetadata c in ModuleMetadata.Cmdlets)
        {
            Assert.Contains($"### [{c.Name}]({c.Name}.md)", modulePage, StringComparison.Ordinal);
            Assert.Contains(c.Name, about, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void Has_a_Pester_file(string cmdlet)
    {
        string path = Path.Combine(ModuleMetadata.RepoRoot, "tests", "Pester", cmdlet + ".Tests.ps1");
        Assert.True(File.Exists(path), $"tests/Pester/{cmdlet}.Tests.ps1 is missing");
        Assert.Contains($"Describe '{cmdlet}'", File.ReadAllText(path), StringComparison.Ordinal);
    }

    [GeneratedRegex(@"CmdletsToExport\s*=\s*@\((.*?)\)", RegexOptions.Singleline)]
    private static partial Regex ExportBlock();

    [GeneratedRegex(@"'([A-Za-z]+-[A-Za-z]+)'")]
    private static partial Regex QuotedName();
}
