namespace SocketShell.Common;

/// <summary>
/// The local time of a <see cref="TimeProvider"/> for timestamps taken per message: for the system clock
/// <see cref="DateTimeOffset.Now"/> itself (its cached local offset is cheaper than
/// <see cref="TimeProvider.GetLocalNow"/>'s time zone lookup), for any other clock (a test's) its local time.
/// </summary>
internal static class LocalClock
{
    public static DateTimeOffset Now(TimeProvider time) =>
        ReferenceEquals(time, TimeProvider.System) ? DateTimeOffset.Now : time.GetLocalNow();
}
