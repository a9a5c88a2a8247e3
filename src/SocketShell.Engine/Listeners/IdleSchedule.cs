namespace SocketShell.Listeners;

/// <summary>
/// A listener's idle timeout on its options' clock (<see cref="ListenerOptions.TimeProvider"/>), in that
/// clock's timestamps: a connection is idle once nothing has arrived for the timeout. Both serving paths
/// look for idle connections with one timer of that clock, armed for the earliest deadline of their
/// connections but no sooner than <see cref="Period"/> (a quarter of the timeout, 10 ms to 1 s) after the
/// previous look, so connections with staggered deadlines cost one pass per period at most; with no
/// connection nothing is armed. A connection is thus closed at its deadline, or at most a period after it.
/// (A system timer may fire a little before the clock's timestamp reaches its deadline: that look finds the
/// deadline it was armed for still ahead and looks again exactly then, not a period later.)
/// </summary>
internal sealed class IdleSchedule
{
    public IdleSchedule(TimeSpan idle, TimeProvider time)
    {
        Time = time;
        Limit = Math.Max(1, ToTimestamp(idle));
        Period = ToTimestamp(TimeSpan.FromMilliseconds(Math.Clamp(idle.TotalMilliseconds / 4, 10, 1000)));
    }

    /// <summary>The clock.</summary>
    public TimeProvider Time { get; }

    /// <summary>The idle timeout in the clock's timestamp ticks.</summary>
    public long Limit { get; }

    /// <summary>The shortest time between two looks, in the clock's timestamp ticks.</summary>
    public long Period { get; }

    /// <summary>The idle schedule of <paramref name="options"/>, or null without an idle timeout.</summary>
    public static IdleSchedule? Of(ListenerOptions options) =>
        options.IdleTimeout is { } idle ? new IdleSchedule(idle, options.TimeProvider) : null;

    /// <summary>Whether a connection last active at <paramref name="lastActivity"/> is idle at <paramref name="now"/>.</summary>
    public bool IsIdle(long now, long lastActivity) => now - lastActivity >= Limit;

    /// <summary>When a connection last active at <paramref name="lastActivity"/> becomes idle.</summary>
    public long Deadline(long lastActivity) => lastActivity + Limit;

    /// <summary>
    /// When to look next (a timestamp), given the earliest deadline of the connections and the time the look
    /// now running was armed for (<see cref="long.MinValue"/> when none runs).
    /// </summary>
    public long NextLook(long now, long earliestDeadline, long lookedFor) =>
        earliestDeadline == lookedFor ? earliestDeadline : Math.Max(earliestDeadline, now + Period);

    /// <summary>The timer's due time from <paramref name="now"/> to <paramref name="at"/> (rounded up to the timer's resolution).</summary>
    public TimeSpan DueIn(long now, long at) =>
        TimeSpan.FromTicks((long)Math.Ceiling(Math.Max(0, at - now) * (double)TimeSpan.TicksPerSecond / Time.TimestampFrequency));

    private long ToTimestamp(TimeSpan span) => (long)Math.Ceiling(span.Ticks * (double)Time.TimestampFrequency / TimeSpan.TicksPerSecond);
}
