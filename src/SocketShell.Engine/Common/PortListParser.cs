using System.Collections;
using System.Globalization;

namespace SocketShell.Common;

/// <summary>
/// Turns what users type for ports into a list of port numbers: integers, strings such as
/// <c>'22,80,8000-8100'</c> (or <c>'1..1024'</c>), and arrays of either. Order is kept; duplicates are kept (callers that
/// must not repeat a port remove them).
/// </summary>
public static class PortListParser
{
    /// <summary>The highest port number.</summary>
    public const int MaxPort = 65535;

    /// <summary>Parses <paramref name="value"/>.</summary>
    /// <exception cref="FormatException">A token is not a port or a range; the message names it.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A port is outside 0–65535; the message names it.</exception>
    public static List<int> Parse(object? value)
    {
        var ports = new List<int>();
        Add(value, ports);
        return ports;
    }

    private static void Add(object? value, List<int> ports)
    {
        switch (value)
        {
            case null:
                throw new FormatException("A port is required; got nothing.");
            case string s:
                AddText(s, ports);
                break;
            case int or long or short or byte or sbyte or uint or ulong or ushort:
                ports.Add(Check(Convert.ToInt64(value, CultureInfo.InvariantCulture), value));
                break;
            case double or float or decimal:
                double d = Convert.ToDouble(value, CultureInfo.InvariantCulture);
                if (d != Math.Floor(d) || double.IsInfinity(d))
                {
                    throw new FormatException($"'{value}' is not a port number (a whole number from 0 to {MaxPort}).");
                }

                ports.Add(Check((long)d, value));
                break;
            case IEnumerable items:
                foreach (object? item in items)
                {
                    Add(item, ports);
                }

                break;
            default:
                AddText(value.ToString() ?? string.Empty, ports);
                break;
        }
    }

    private static void AddText(string text, List<int> ports)
    {
        string[] tokens = text.Split([',', ' ', ';', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (tokens.Length == 0)
        {
            throw new FormatException("An empty string ('') is not a port.");
        }

        foreach (string token in tokens)
        {
            // "8000-8100", and "1..1024" as PowerShell's range operator reads when it arrives as text
            // (in argument mode `Test-Port host 1..1024` passes the string '1..1024').
            int dots = token.IndexOf("..", StringComparison.Ordinal);
            int dash = dots > 0 ? dots : token.IndexOf('-', 1);
            int separator = dots > 0 ? 2 : 1;
            if (dash > 0)
            {
                int first = ParseOne(token[..dash], token);
                int last = ParseOne(token[(dash + separator)..], token);
                if (last < first)
                {
                    throw new FormatException($"'{token}' is not a port range: the end is below the start.");
                }

                for (int p = first; p <= last; p++)
                {
                    ports.Add(p);
                }
            }
            else
            {
                ports.Add(ParseOne(token, token));
            }
        }
    }

    private static int ParseOne(string text, string token)
    {
        if (!long.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out long n))
        {
            throw new FormatException($"'{token}' is not a port number or range (e.g. 80 or 8000-8100).");
        }

        return Check(n, token);
    }

    private static int Check(long port, object original)
    {
        if (port is < 0 or > MaxPort)
        {
            throw new ArgumentOutOfRangeException(nameof(port), port, $"Port {original} is outside the range 0 to {MaxPort}.");
        }

        return (int)port;
    }
}
