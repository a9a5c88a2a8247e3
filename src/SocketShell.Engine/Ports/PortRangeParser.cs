using System.Globalization;
using System.Text.RegularExpressions;

namespace SocketShell.Ports;

/// <summary>
/// Parses the text each operating system gives for its port ranges. Every parser either returns a
/// range that is really there or throws <see cref="FormatException"/> naming the source: a malformed
/// source never becomes a wrong range.
/// </summary>
public static partial class PortRangeParser
{
    /// <summary>Linux <c>/proc/sys/net/ipv4/ip_local_port_range</c>: two numbers, "32768\t60999".</summary>
    public static (int Start, int End) ParseLinuxLocalPortRange(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        string[] parts = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 2)
        {
            throw new FormatException($"{source}: expected two port numbers, got '{Shorten(text)}'.");
        }

        int start = ParsePort(parts[0], source);
        int end = ParsePort(parts[1], source);
        if (end < start)
        {
            throw new FormatException($"{source}: the range {start}-{end} ends before it starts.");
        }

        return (start, end);
    }

    /// <summary>
    /// Linux <c>/proc/sys/net/ipv4/ip_local_reserved_ports</c>: a comma-separated list of ports and
    /// ranges ("8080,9000-9010"), possibly empty. Returns contiguous ranges, merged and sorted.
    /// </summary>
    public static List<(int Start, int End)> ParseLinuxReservedPorts(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ranges = new List<(int Start, int End)>();
        string t = text.Trim();
        if (t.Length == 0)
        {
            return ranges;
        }

        foreach (string raw in t.Split(','))
        {
            string token = raw.Trim();
            if (token.Length == 0)
            {
                throw new FormatException($"{source}: empty entry in '{Shorten(text)}'.");
            }

            int dash = token.IndexOf('-', StringComparison.Ordinal);
            int start = ParsePort(dash < 0 ? token : token[..dash], source);
            int end = dash < 0 ? start : ParsePort(token[(dash + 1)..], source);
            if (end < start)
            {
                throw new FormatException($"{source}: the range '{token}' ends before it starts.");
            }

            ranges.Add((start, end));
        }

        return Merge(ranges);
    }

    /// <summary>
    /// macOS sysctl values <c>net.inet.ip.portrange.first</c> and <c>.last</c>. macOS allows
    /// first &gt; last in principle; such a setting is reported as an error rather than guessed at.
    /// </summary>
    public static (int Start, int End) CheckSysctlRange(long first, long last, string source)
    {
        if (first is < 1 or > 65535 || last is < 1 or > 65535)
        {
            throw new FormatException($"{source}: values {first} and {last} are not ports.");
        }

        if (last < first)
        {
            throw new FormatException($"{source}: the range {first}-{last} ends before it starts.");
        }

        return ((int)first, (int)last);
    }

    /// <summary>
    /// The output of <c>netsh interface ipv4 show dynamicport tcp|udp</c>: a start port and a number of
    /// ports, each after a colon. The labels are localised, so the values are read by position.
    /// </summary>
    public static (int Start, int End) ParseNetshDynamicPort(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        var numbers = new List<long>();
        foreach (string line in text.Split('\n'))
        {
            Match m = LabelledNumber().Match(line);
            if (m.Success)
            {
                numbers.Add(long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
            }
        }

        if (numbers.Count != 2)
        {
            throw new FormatException($"{source}: expected a start port and a number of ports, got '{Shorten(text)}'.");
        }

        int start = ParsePort(numbers[0].ToString(CultureInfo.InvariantCulture), source);
        long count = numbers[1];
        if (count < 1 || start + count - 1 > 65535)
        {
            throw new FormatException($"{source}: {count} ports from {start} do not fit in 0-65535.");
        }

        return (start, (int)(start + count - 1));
    }

    /// <summary>
    /// The output of <c>netsh interface ipv4 show excludedportrange protocol=tcp|udp</c>: a table of
    /// "start end" rows (an asterisk marks administered exclusions). Returns merged ranges.
    /// </summary>
    public static List<(int Start, int End)> ParseNetshExcludedPortRanges(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ranges = new List<(int Start, int End)>();
        bool sawHeaderRule = false;
        foreach (string line in text.Split('\n'))
        {
            string t = line.Trim();
            if (t.StartsWith("---", StringComparison.Ordinal))
            {
                sawHeaderRule = true;
                continue;
            }

            Match m = ExcludedRow().Match(t);
            if (m.Success)
            {
                int start = ParsePort(m.Groups[1].Value, source);
                int end = ParsePort(m.Groups[2].Value, source);
                if (end < start)
                {
                    throw new FormatException($"{source}: the range {start}-{end} ends before it starts.");
                }

                ranges.Add((start, end));
            }
        }

        if (!sawHeaderRule)
        {
            throw new FormatException($"{source}: no table found in '{Shorten(text)}'.");
        }

        return Merge(ranges);
    }

    /// <summary>Sorts ranges and merges the ones that overlap or touch.</summary>
    public static List<(int Start, int End)> Merge(List<(int Start, int End)> ranges)
    {
        ArgumentNullException.ThrowIfNull(ranges);
        var sorted = ranges.OrderBy(r => r.Start).ThenBy(r => r.End).ToList();
        var merged = new List<(int Start, int End)>();
        foreach ((int start, int end) in sorted)
        {
            if (merged.Count > 0 && start <= merged[^1].End + 1)
            {
                merged[^1] = (merged[^1].Start, Math.Max(merged[^1].End, end));
            }
            else
            {
                merged.Add((start, end));
            }
        }

        return merged;
    }

    private static int ParsePort(string text, string source)
    {
        if (!int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port > 65535)
        {
            throw new FormatException($"{source}: '{Shorten(text)}' is not a port number.");
        }

        return port;
    }

    private static string Shorten(string text)
    {
        string t = text.Trim().ReplaceLineEndings(" ");
        return t.Length <= 80 ? t : t[..80] + "…";
    }

    [GeneratedRegex(@":\s*(\d{1,9})\s*$")]
    private static partial Regex LabelledNumber();

    [GeneratedRegex(@"^(\d{1,5})\s+(\d{1,5})(\s+\*)?$")]
    private static partial Regex ExcludedRow();
}
