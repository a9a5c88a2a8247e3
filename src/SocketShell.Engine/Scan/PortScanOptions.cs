using SocketShell.Common;

namespace SocketShell.Scan;

/// <summary>How a <see cref="PortScanner"/> probes.</summary>
public sealed class PortScanOptions
{
    /// <summary>
    /// Concurrent probes when none is given. Chosen by measurement on loopback (docs/performance.md,
    /// Test-Port): beyond a few hundred the rate stops growing while file descriptors and ephemeral
    /// ports in use keep growing.
    /// </summary>
    public const int DefaultThrottleLimit = 512;

    /// <summary>
    /// The default throttle limit for this process: <see cref="DefaultThrottleLimit"/>, or half the
    /// soft open-file limit when that is lower (Linux, /proc/self/limits), so a scan never runs the
    /// process out of file descriptors with a default setting.
    /// </summary>
    public static int SuggestedThrottleLimit() => Math.Min(DefaultThrottleLimit, MaxThrottleLimit());

    /// <summary>
    /// The most probes a scan runs at once in this process, whatever it is asked: half the soft
    /// open-file limit on Linux (at least 16), unlimited elsewhere. A process that runs out of
    /// descriptors fails in places no caller can catch (thread creation), so this is a hard ceiling.
    /// </summary>
    public static int MaxThrottleLimit()
    {
        long? soft = ReadSoftOpenFileLimit();
        return soft is long n ? (int)Math.Clamp(n / 2, 16, int.MaxValue) : int.MaxValue;
    }

    /// <summary>How long one connection attempt may wait for an answer (default 1 s).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How many probes may be in flight at once (each holds one socket).</summary>
    public int ThrottleLimit { get; set; } = SuggestedThrottleLimit();

    /// <summary>Which addresses of a name to use.</summary>
    public IPFamily AddressFamily { get; set; } = IPFamily.Any;

    /// <summary>
    /// Probe every address a name resolves to (one result per address). Without it each port is tried
    /// on the addresses in the resolver's order until one completes the handshake (one result per port).
    /// </summary>
    public bool AllAddresses { get; set; }

    /// <summary>Keep probing each port until it is open or <see cref="WaitTimeout"/> has passed.</summary>
    public bool Wait { get; set; }

    /// <summary>The whole wait for one port (with <see cref="Wait"/>); each attempt still ends after <see cref="Timeout"/>.</summary>
    public TimeSpan WaitTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>With <see cref="Wait"/>: the least time between the starts of two attempts on one port.</summary>
    public TimeSpan RetryInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// What to do after a TCP handshake completes (TLS facts, a banner); null or inactive: close at once.
    /// The probe's slot stays busy until the stage ends, so <see cref="ThrottleLimit"/> bounds it too.
    /// </summary>
    public PostConnectOptions? PostConnect { get; set; }

    /// <summary>
    /// A latency series: how many attempts per (host, port), each a new connection and a result of its
    /// own (default 1). Ignored with <see cref="Continuous"/>.
    /// </summary>
    public int Count { get; set; } = 1;

    /// <summary>A latency series without end: attempts go on until the scan is cancelled.</summary>
    public bool Continuous { get; set; }

    /// <summary>In a series: the least time between the starts of two attempts on one (host, port) (default 1 s).</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>UDP (<see cref="UdpPortScanner"/>): the datagram sent to each port; null or empty sends an empty datagram.</summary>
    public byte[]? Payload { get; set; }

    /// <summary>Whether each (host, port) is probed more than once (<see cref="Count"/> above 1 or <see cref="Continuous"/>).</summary>
    public bool IsSeries => Continuous || Count > 1;

    /// <summary>
    /// Turns the name into addresses, in the order to try them (default: <see cref="HostResolver.ResolveAsync"/>,
    /// the operating system's resolver). Tests give fixed addresses here and take the same path as users.
    /// </summary>
    public HostResolve Resolver { get; set; } = HostResolver.ResolveAsync;

    /// <summary>
    /// Where time comes from for the TCP scan: probe deadlines (Timeout), the -Wait deadline and its retry
    /// interval, a latency series' Interval and the measured latencies (default <see cref="TimeProvider.System"/>;
    /// its timestamps are Stopwatch ticks). The deadline sweep runs on its own thread and reads this clock,
    /// so tests with a manual clock take the same path as users.
    /// </summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    private static long? ReadSoftOpenFileLimit()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        try
        {
            foreach (string line in File.ReadLines("/proc/self/limits"))
            {
                if (line.StartsWith("Max open files", StringComparison.Ordinal))
                {
                    string[] fields = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    return fields.Length > 0 && long.TryParse(fields[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long soft) ? soft : null;
                }
            }
        }
        catch (IOException)
        {
            // Not readable: keep the default.
        }
        catch (UnauthorizedAccessException)
        {
            // Not readable: keep the default.
        }

        return null;
    }

    /// <summary>Throws when a value is out of range.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Resolver);
        ArgumentNullException.ThrowIfNull(TimeProvider);
        if (Timeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(Timeout), Timeout, "The timeout must be positive.");
        }

        if (ThrottleLimit < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(ThrottleLimit), ThrottleLimit, "The throttle limit must be at least 1.");
        }

        if (Wait && WaitTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(WaitTimeout), WaitTimeout, "The wait timeout must be positive.");
        }

        if (RetryInterval < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(RetryInterval), RetryInterval, "The retry interval must not be negative.");
        }

        if (Count < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Count), Count, "The count must be at least 1.");
        }

        if (Interval < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(Interval), Interval, "The interval must not be negative.");
        }

        if (IsSeries && Wait)
        {
            throw new ArgumentException("A latency series (Count, Continuous) and Wait do not combine.", nameof(Wait));
        }

        PostConnect?.Validate();
    }
}
