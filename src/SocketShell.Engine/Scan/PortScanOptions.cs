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

    /// <summary>How long one connection attempt may wait for an answer (default 1 s).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How many probes may be in flight at once (each holds one socket).</summary>
    public int ThrottleLimit { get; set; } = DefaultThrottleLimit;

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

    /// <summary>Throws when a value is out of range.</summary>
    public void Validate()
    {
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
    }
}
