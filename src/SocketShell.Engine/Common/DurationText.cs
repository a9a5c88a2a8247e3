using System.Globalization;

namespace SocketShell.Common;

/// <summary>The one way messages write a duration: seconds, up to three decimals, e.g. "0.2 s", "60 s".</summary>
public static class DurationText
{
    /// <summary>Formats <paramref name="duration"/> as "0.2 s" (invariant culture).</summary>
    public static string Format(TimeSpan duration) =>
        duration == Timeout.InfiniteTimeSpan ? "no time limit" : duration.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s";
}
