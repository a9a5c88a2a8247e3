using System.Globalization;
using System.Reflection;

namespace SocketShell.Bench;

/// <summary>One benchmark scenario. Scenarios are found by reflection: add a class, nothing else.</summary>
public interface IBenchScenario
{
    /// <summary>The name used on the command line, e.g. "port-ranges".</summary>
    string Name { get; }

    /// <summary>One line on what it measures and its options.</summary>
    string Description { get; }

    /// <summary>Runs the scenario and prints its figures; returns the process exit code.</summary>
    Task<int> RunAsync(BenchArgs args, CancellationToken cancellationToken);
}

/// <summary>"--key value" options after the scenario name.</summary>
public sealed class BenchArgs
{
    private readonly Dictionary<string, string> _values = new(StringComparer.OrdinalIgnoreCase);

    public BenchArgs(IEnumerable<string> args)
    {
        string? key = null;
        foreach (string a in args)
        {
            if (a.StartsWith("--", StringComparison.Ordinal))
            {
                if (key is not null)
                {
                    _values[key] = "true";
                }

                key = a[2..];
            }
            else if (key is not null)
            {
                _values[key] = a;
                key = null;
            }
        }

        if (key is not null)
        {
            _values[key] = "true";
        }
    }

    public string Get(string key, string fallback) => _values.TryGetValue(key, out string? v) ? v : fallback;

    public int GetInt(string key, int fallback) => _values.TryGetValue(key, out string? v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public double GetDouble(string key, double fallback) => _values.TryGetValue(key, out string? v) ? double.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public bool Has(string key) => _values.ContainsKey(key);
}

public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var scenarios = typeof(Program).Assembly.GetTypes()
            .Where(t => typeof(IBenchScenario).IsAssignableFrom(t) && t is { IsClass: true, IsAbstract: false })
            .Select(t => (IBenchScenario)Activator.CreateInstance(t)!)
            .OrderBy(s => s.Name, StringComparer.Ordinal)
            .ToList();

        IBenchScenario? scenario = args.Length > 0 ? scenarios.FirstOrDefault(s => s.Name == args[0]) : null;
        if (scenario is null)
        {
            Console.WriteLine("usage: SocketShell.Bench <scenario> [--option value ...]");
            foreach (IBenchScenario s in scenarios)
            {
                Console.WriteLine($"  {s.Name,-24} {s.Description}");
            }

            return args.Length == 0 ? 0 : 2;
        }

        using var cts = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
        return await scenario.RunAsync(new BenchArgs(args.Skip(1)), cts.Token);
    }
}
