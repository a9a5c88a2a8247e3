using System.Text.RegularExpressions;

namespace SocketShell.Tests;

/// <summary>`dotnet build` lays out a loadable module in out/SocketShell with only what it needs.</summary>
public class ModuleLayoutTests
{
    private static string OutDir => Path.Combine(ModuleMetadata.RepoRoot, "out", "SocketShell");

    [Fact]
    public void The_build_lays_out_exactly_the_module_files()
    {
        string[] files = Directory.GetFiles(OutDir).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;
        Assert.Equal(["SocketShell.Engine.dll", "SocketShell.dll", "SocketShell.format.ps1xml", "SocketShell.psd1"], files);
        string[] dirs = Directory.GetDirectories(OutDir).Select(Path.GetFileName).ToArray()!;
        Assert.Equal(["en-US"], dirs);
        string[] help = Directory.GetFiles(Path.Combine(OutDir, "en-US")).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;
        Assert.Equal(["SocketShell.dll-Help.xml", "about_SocketShell.help.txt"], help); // every build ships the help
    }

    [Fact]
    public void The_laid_out_manifest_carries_the_assembly_version()
    {
        string manifest = File.ReadAllText(Path.Combine(OutDir, "SocketShell.psd1"));
        Version version = ModuleMetadata.ModuleAssembly.GetName().Version!;
        Match m = Regex.Match(manifest, @"ModuleVersion\s*=\s*'([^']+)'");
        Assert.True(m.Success);
        Assert.Equal($"{version.Major}.{version.Minor}.{version.Build}", m.Groups[1].Value);
    }

    [Fact]
    public void The_engine_has_no_PowerShell_reference()
    {
        string engine = Path.Combine(AppContext.BaseDirectory, "SocketShell.Engine.dll");
        using var stream = File.OpenRead(engine);
        using var pe = new System.Reflection.PortableExecutable.PEReader(stream);
        var md = System.Reflection.Metadata.PEReaderExtensions.GetMetadataReader(pe);
        var refs = md.AssemblyReferences.Select(h => md.GetString(md.GetAssemblyReference(h).Name)).ToList();
        Assert.DoesNotContain("System.Management.Automation", refs);
        Assert.Contains("System.Management.Automation", ModuleMetadata.ModuleAssembly.GetReferencedAssemblies().Select(a => a.Name));
    }
}
