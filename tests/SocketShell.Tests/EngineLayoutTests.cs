using System.Reflection;
using System.Text.RegularExpressions;

namespace SocketShell.Tests;

/// <summary>
/// The engine's layout rule: folder = namespace, file = type. The objects users see (pipeline output,
/// enums, parameter value types, SocketShellException) are in namespace SocketShell under Model/;
/// every other engine type is in the namespace of its folder (SocketShell.Scan, SocketShell.Interop,
/// ...); each file holds one top-level type and is named after it.
/// </summary>
public partial class EngineLayoutTests
{
    private static readonly string EngineDir = Path.Combine(ModuleMetadata.RepoRoot, "src", "SocketShell.Engine");

    private static Assembly Engine => ModuleMetadata.EngineAssembly;

    [GeneratedRegex(@"^namespace ([\w.]+);", RegexOptions.Multiline)]
    private static partial Regex NamespaceLine();

    // A top-level declaration starts in column 0 (nested types are indented and belong to their parent).
    [GeneratedRegex(@"^(?:public |internal |file )?(?:(?:static|sealed|abstract|readonly|partial|unsafe) )*(?:record struct|record class|class|struct|enum|interface|record|delegate [\w<>\[\]?, ]+?) (\w+)", RegexOptions.Multiline)]
    private static partial Regex TopLevelType();

    /// <summary>Engine source files, relative to src/SocketShell.Engine, with '/' separators.</summary>
    public static TheoryData<string> SourceFiles()
    {
        var data = new TheoryData<string>();
        foreach (string path in Directory.EnumerateFiles(EngineDir, "*.cs", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            string rel = Path.GetRelativePath(EngineDir, path).Replace('\\', '/');
            if (!rel.StartsWith("bin/", StringComparison.Ordinal) && !rel.StartsWith("obj/", StringComparison.Ordinal))
            {
                data.Add(rel);
            }
        }

        return data;
    }

    private static string NamespaceOfFolder(string folder) =>
        folder == "Model" ? "SocketShell" : "SocketShell." + folder.Replace('/', '.');

    [Theory]
    [MemberData(nameof(SourceFiles))]
    public void Each_file_declares_one_type_named_after_it_in_its_folders_namespace(string file)
    {
        string text = File.ReadAllText(Path.Combine(EngineDir, file));
        string folder = Path.GetDirectoryName(file)!.Replace('\\', '/');
        Assert.False(string.IsNullOrEmpty(folder), $"{file}: engine files live in a folder (Model/ or a concern's folder)");

        Match ns = NamespaceLine().Match(text);
        Assert.True(ns.Success, $"{file}: one file-scoped namespace");
        Assert.Equal(NamespaceOfFolder(folder), ns.Groups[1].Value);

        string[] types = TopLevelType().Matches(text).Select(m => m.Groups[1].Value).ToArray();
        Assert.Equal([Path.GetFileNameWithoutExtension(file)], types);
    }

    [Fact]
    public void Every_engine_type_is_in_the_file_its_namespace_and_name_give()
    {
        var missing = new List<string>();
        foreach (Type t in Engine.GetTypes().Where(t => !t.IsNested && t.Namespace?.StartsWith("SocketShell", StringComparison.Ordinal) == true))
        {
            string name = t.Name.Split('`')[0];
            string folder = t.Namespace == "SocketShell" ? "Model" : t.Namespace!["SocketShell.".Length..].Replace('.', '/');
            if (!File.Exists(Path.Combine(EngineDir, folder, name + ".cs")))
            {
                missing.Add($"{t.FullName} (expected {folder}/{name}.cs)");
            }
        }

        Assert.Empty(missing);
    }

    [Fact]
    public void The_Model_namespace_holds_only_public_types()
    {
        string[] notPublic = Engine.GetTypes()
            .Where(t => !t.IsNested && t.Namespace == "SocketShell" && !t.IsPublic)
            .Select(t => t.FullName!)
            .ToArray();
        Assert.Empty(notPublic);
    }

    [Fact]
    public void What_users_see_is_in_the_SocketShell_namespace()
    {
        // Cmdlet parameter types and OutputTypes from the engine, and the engine types reachable
        // from their public properties, are the object model: namespace SocketShell, Model/.
        var seen = new HashSet<Type>();
        var queue = new Queue<Type>(
            ModuleMetadata.Cmdlets.SelectMany(c => c.Parameters).Select(p => p.Type)
                .Concat(ModuleMetadata.Cmdlets.SelectMany(c => c.OutputTypes).Select(o => Engine.GetType(o.TypeName)).OfType<Type>()));
        var wrong = new List<string>();
        while (queue.TryDequeue(out Type? raw))
        {
            Type t = Unwrap(raw);
            if (t.Assembly.GetName().Name != "SocketShell.Engine" || !seen.Add(t))
            {
                continue;
            }

            if (t.Namespace != "SocketShell")
            {
                wrong.Add(t.FullName!);
            }

            foreach (PropertyInfo p in t.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                queue.Enqueue(p.PropertyType);
            }
        }

        Assert.NotEmpty(seen);
        Assert.Empty(wrong);
    }

    [Fact]
    public void The_format_file_names_only_Model_types()
    {
        string format = File.ReadAllText(Path.Combine(ModuleMetadata.RepoRoot, "src", "SocketShell", "SocketShell.format.ps1xml"));
        string[] names = Regex.Matches(format, @"<TypeName>(?:Deserialized\.)?([\w.]+)</TypeName>").Select(m => m.Groups[1].Value).Distinct().ToArray();
        Assert.NotEmpty(names);
        Assert.All(names, n => Assert.True(File.Exists(Path.Combine(EngineDir, "Model", n["SocketShell.".Length..] + ".cs")), $"{n}: Model/ file"));
    }

    [Fact]
    public void Engine_types_the_format_file_calls_exist_under_those_names()
    {
        // Views run script blocks such as [SocketShell.EndPointText]::Format(...): a type moved to
        // another namespace would leave an empty column, not an error.
        string format = File.ReadAllText(Path.Combine(ModuleMetadata.RepoRoot, "src", "SocketShell", "SocketShell.format.ps1xml"));
        string[] literals = Regex.Matches(format, @"\[(SocketShell\.[\w.]+)\]").Select(m => m.Groups[1].Value).Distinct().ToArray();
        Assert.NotEmpty(literals);
        Assert.All(literals, n => Assert.True(Engine.GetType(n) is { IsPublic: true }, $"{n} is called by the format file but is not a public engine type"));
    }

    private static Type Unwrap(Type t)
    {
        while (true)
        {
            if (t.HasElementType)
            {
                t = t.GetElementType()!;
            }
            else if (t.IsGenericType)
            {
                Type[] args = t.GetGenericArguments();
                Type? engineArg = args.FirstOrDefault(a => Unwrap(a).Assembly.GetName().Name == "SocketShell.Engine");
                if (engineArg is null)
                {
                    return t;
                }

                t = engineArg;
            }
            else
            {
                return t;
            }
        }
    }
}
