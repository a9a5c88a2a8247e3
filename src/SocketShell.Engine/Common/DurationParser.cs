using System.Globalization;

namespace SocketShell.Common;

/// <summary>
/// Parses durations as users type them: a number of seconds (<c>5</c>, <c>0.25</c>), a number with a
/// unit (<c>250ms</c>, <c>5s</c>, <c>1m</c>, <c>2h</c>), or a TimeSpan (<c>00:00:05</c>).
/// </summary>
public static class DurationParser
{
    /// <summary>The longest duration accepted: what timers and Task.Delay take (about 24.8 days).</summary>
    public static readonly TimeSpan Maximum = TimeSpan.FromMilliseconds(int.MaxValue);

    /// <summary>Converts <paramref name="value"/> (TimeSpan, number of seconds, or string) to a TimeSpan.</summary>
    /// <returns>False with an explanation in <paramref name="error"/> when the value is not a valid duration.</returns>
    public static bool TryConvert(object? value, out TimeSpan duration, out string? error)
    {
        duration = default;
        error = null;
        switch (value)
        {
            case null:
                error = "A duration is required.";
                return false;
            case TimeSpan ts:
                return Check(ts, value, out duration, out error);
            case string s:
                return TryParse(s, out duration, out error);
            case double or float or decimal or int or long or short or byte or sbyte or uint or ulong or ushort:
                double seconds = Convert.ToDouble(value, CultureInfo.InvariantCulture);
                if (double.IsNaN(seconds) || double.IsInfinity(seconds) || seconds * 1000 > int.MaxValue)
                {
                    error = $"'{value}' is not a valid number of seconds.";
                    return false;
                }

                return Check(TimeSpan.FromSeconds(seconds), value, out duration, out error);
            default:
                error = $"'{value}' is not a duration: use a number of seconds, a number with a unit (250ms, 5s, 1m, 2h) or a TimeSpan.";
                return false;
        }
    }

    /// <summary>Parses a duration string.</summary>
    public static bool TryParse(string text, out TimeSpan duration, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        duration = default;
        error = null;
        string t = text.Trim();
        if (t.Length == 0)
        {
            error = "An empty string is not a duration.";
            return false;
        }

        (string suffix, double scaleToMs)[] units = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000)];
        foreach ((string suffix, double scale) in units)
        {
            if (t.EndsWith(suffix, StringComparison.OrdinalIgnoreCase) &&
                // "ms" must not be read as "m" + "s": only take "s" when it is not the tail of "ms".
                !(suffix == "s" && t.EndsWith("ms", StringComparison.OrdinalIgnoreCase)))
            {
                string number = t[..^suffix.Length].Trim();
                if (double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out double n) &&
                    !double.IsNaN(n) && !double.IsInfinity(n) && n * scale <= int.MaxValue)
                {
                    return Check(TimeSpan.FromMilliseconds(n * scale), text, out duration, out error);
                }

                error = $"'{text}' is not a valid duration.";
                return false;
            }
        }

        if (double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double secs))
        {
            return TryConvert(secs, out duration, out error) || Fail(text, out error);
        }

        if (t.Contains(':', StringComparison.Ordinal) && TimeSpan.TryParse(t, CultureInfo.InvariantCulture, out TimeSpan ts))
        {
            return Check(ts, text, out duration, out error);
        }

        error = $"'{text}' is not a duration: use a number of seconds, a number with a unit (250ms, 5s, 1m, 2h) or a TimeSpan.";
        return false;
    }

    private static bool Fail(string text, out string? error)
    {
        error = $"'{text}' is not a valid duration.";
        return false;
    }

    private static bool Check(TimeSpan value, object original, out TimeSpan duration, out string? error)
    {
        duration = default;
        if (value < TimeSpan.Zero)
        {
            error = $"'{original}' is negative; a duration must be zero or more.";
            return false;
        }

        if (value > Maximum)
        {
            error = $"'{original}' is longer than the maximum of {Maximum}.";
            return false;
        }

        error = null;
        duration = value;
        return true;
    }
}
