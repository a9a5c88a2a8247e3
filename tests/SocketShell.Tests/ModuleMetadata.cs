using System.Collections.ObjectModel;
using System.Reflection;
using System.Runtime.InteropServices;

namespace SocketShell.Tests;

/// <summary>A parameter's declaration in one parameter set.</summary>
public sealed record ParameterSetEntry(string SetName, bool Mandatory, int Position, bool FromPipeline, bool FromPipelineByPropertyName, string? HelpMessage);

/// <summary>A cmdlet parameter as declared in SocketShell.dll.</summary>
public sealed record ParameterMetadata(string Name, Type Type, IReadOnlyList<ParameterSetEntry> Sets, IReadOnlyList<string> Aliases, IReadOnlyList<string> AttributeNames);

/// <summary>A cmdlet as declared in SocketShell.dll.</summary>
public sealed record CmdletMetadata(
    Type Type,
    string Verb,
    string Noun,
    string? DefaultParameterSetName,
    bool SupportsShouldProcess,
    IReadOnlyList<ParameterMetadata> Parameters,
    IReadOnlyList<(string TypeName, IReadOnlyList<string> Sets)> OutputTypes)
{
    public const string AllSets = "__AllParameterSets";

    public string Name => $"{Verb}-{Noun}";

    /// <summary>The parameter set names (a cmdlet with no named sets has one: __AllParameterSets).</summary>
    public IReadOnlyList<string> ParameterSetNames
    {
        get
        {
            var names = Parameters.SelectMany(p => p.Sets).Select(s => s.SetName).Where(n => n != AllSets).Distinct().ToList();
            if (names.Count == 0)
            {
                names.Add(DefaultParameterSetName ?? AllSets);
            }
            else if (DefaultParameterSetName is not null && !names.Contains(DefaultParameterSetName))
            {
                names.Add(DefaultParameterSetName);
            }

            return names;
        }
    }

    /// <summary>The parameters that belong to <paramref name="set"/> (including those in every set).</summary>
    public IEnumerable<ParameterMetadata> ParametersIn(string set) =>
        Parameters.Where(p => p.Sets.Any(s => s.SetName == set || s.SetName == AllSets));
}

/// <summary>Reads SocketShell.dll with MetadataLoadContext: no code of it runs.</summary>
public static class ModuleMetadata
{
    private static readonly Lazy<(MetadataLoadContext Context, Assembly Module, Assembly Sma)> s_loaded = new(Load);
    private static readonly Lazy<IReadOnlyList<CmdletMetadata>> s_cmdlets = new(ReadCmdlets);

    public static Assembly ModuleAssembly => s_loaded.Value.Module;

    public static Assembly Sma => s_loaded.Value.Sma;

    /// <summary>SocketShell.Engine.dll, read as metadata beside the module.</summary>
    public static Assembly EngineAssembly => s_loaded.Value.Context.LoadFromAssemblyName("SocketShell.Engine");

    public static IReadOnlyList<CmdletMetadata> Cmdlets => s_cmdlets.Value;

    /// <summary>The repository root (where SocketShell.slnx is).</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>Cmdlet names for xunit theories.</summary>
    public static TheoryData<string> CmdletNames()
    {
        var data = new TheoryData<string>();
        foreach (CmdletMetadata c in Cmdlets)
        {
            data.Add(c.Name);
        }

        return data;
    }

    public static CmdletMetadata Get(string name) => Cmdlets.Single(c => c.Name == name);

    /// <summary>The approved verbs: the constants of SMA's Verbs* classes.</summary>
    public static IReadOnlySet<string> ApprovedVerbs()
    {
        string[] classes = ["VerbsCommon", "VerbsCommunications", "VerbsData", "VerbsDiagnostic", "VerbsLifecycle", "VerbsOther", "VerbsSecurity"];
        var verbs = new HashSet<string>(StringComparer.Ordinal);
        foreach (string c in classes)
        {
            Type t = Sma.GetType($"System.Management.Automation.{c}", throwOnError: true)!;
            foreach (FieldInfo f in t.GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral))
            {
                verbs.Add((string)f.GetRawConstantValue()!);
            }
        }

        return verbs;
    }

    private static (MetadataLoadContext, Assembly, Assembly) Load()
    {
        string bin = AppContext.BaseDirectory;
        string runtimeDir = RuntimeEnvironment.GetRuntimeDirectory();
        var paths = Directory.GetFiles(runtimeDir, "*.dll")
            .Concat(Directory.GetFiles(bin, "*.dll"))
            .GroupBy(Path.GetFileName, StringComparer.OrdinalIgnoreCase)
            .Select(g => g.Last()) // the test's bin wins (System.Management.Automation is only there)
            .ToList();
        var context = new MetadataLoadContext(new PathAssemblyResolver(paths), "System.Private.CoreLib");
        Assembly module = context.LoadFromAssemblyPath(Path.Combine(bin, "SocketShell.dll"));
        Assembly sma = context.LoadFromAssemblyName("System.Management.Automation");
        return (context, module, sma);
    }

    private static IReadOnlyList<CmdletMetadata> ReadCmdlets()
    {
        var list = new List<CmdletMetadata>();
        foreach (Type type in ModuleAssembly.GetTypes())
        {
            CustomAttributeData? cmdlet = Attr(type.GetCustomAttributesData(), "System.Management.Automation.CmdletAttribute");
            if (cmdlet is null)
            {
                continue;
            }

            var outputs = new List<(string, IReadOnlyList<string>)>();
            foreach (CustomAttributeData o in type.GetCustomAttributesData().Where(a => a.AttributeType.FullName == "System.Management.Automation.OutputTypeAttribute"))
            {
                IEnumerable<string> types = o.ConstructorArguments.SelectMany(Values).Select(v => v is Type t ? t.FullName! : v?.ToString() ?? "");
                IReadOnlyList<string> sets = Named(o, "ParameterSetName") is ReadOnlyCollection<CustomAttributeTypedArgument> s
                    ? s.Select(x => (string)x.Value!).ToList()
                    : [CmdletMetadata.AllSets];
                outputs.AddRange(types.Select(t => (t, sets)));
            }

            list.Add(new CmdletMetadata(
                type,
                (string)cmdlet.ConstructorArguments[0].Value!,
                (string)cmdlet.ConstructorArguments[1].Value!,
                Named(cmdlet, "DefaultParameterSetName") as string,
                Named(cmdlet, "SupportsShouldProcess") is true,
                ReadParameters(type),
                outputs));
        }

        return list.OrderBy(c => c.Name, StringComparer.Ordinal).ToList();
    }

    private static List<ParameterMetadata> ReadParameters(Type type)
    {
        var parameters = new List<ParameterMetadata>();
        foreach (PropertyInfo p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            IList<CustomAttributeData> attrs = p.GetCustomAttributesData();
            var sets = attrs.Where(a => a.AttributeType.FullName == "System.Management.Automation.ParameterAttribute")
                .Select(a => new ParameterSetEntry(
                    Named(a, "ParameterSetName") as string ?? CmdletMetadata.AllSets,
                    Named(a, "Mandatory") is true,
                    Named(a, "Position") is int pos ? pos : int.MinValue,
                    Named(a, "ValueFromPipeline") is true,
                    Named(a, "ValueFromPipelineByPropertyName") is true,
                    Named(a, "HelpMessage") as string))
                .ToList();
            if (sets.Count == 0)
            {
                continue;
            }

            List<string> aliases = attrs.Where(a => a.AttributeType.FullName == "System.Management.Automation.AliasAttribute")
                .SelectMany(a => a.ConstructorArguments.SelectMany(Values)).Select(v => (string)v!).ToList();
            parameters.Add(new ParameterMetadata(p.Name, p.PropertyType, sets, aliases, attrs.Select(a => a.AttributeType.Name).ToList()));
        }

        return parameters;
    }

    private static CustomAttributeData? Attr(IList<CustomAttributeData> attrs, string fullName) =>
        attrs.FirstOrDefault(a => a.AttributeType.FullName == fullName);

    private static object? Named(CustomAttributeData a, string name) =>
        a.NamedArguments.Where(n => n.MemberName == name).Select(n => n.TypedValue.Value).FirstOrDefault();

    private static IEnumerable<object?> Values(CustomAttributeTypedArgument arg) =>
        arg.Value is ReadOnlyCollection<CustomAttributeTypedArgument> items ? items.Select(i => i.Value) : [arg.Value];

    private static string FindRepoRoot()
    {
        for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "SocketShell.slnx")))
            {
                return d.FullName;
            }
        }

        throw new InvalidOperationException("SocketShell.slnx not found above " + AppContext.BaseDirectory);
    }
}
