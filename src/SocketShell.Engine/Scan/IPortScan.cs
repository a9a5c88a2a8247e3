namespace SocketShell.Scan;

/// <summary>
/// A running scan that takes targets while it runs (pipeline input) and reports each result through
/// the callback it was made with: <see cref="PortScanner"/> (TCP) and <see cref="UdpPortScanner"/> (UDP).
/// </summary>
public interface IPortScan : IDisposable
{
    /// <summary>Ends when every probe has ended and <see cref="Complete"/> was called; cancelled or faulted like the scan.</summary>
    Task Completion { get; }

    /// <summary>How many probes this scan really runs at once.</summary>
    int ThrottleLimit { get; }

    /// <summary>The sockets currently open by this scan (for tests: zero once it has finished).</summary>
    int OpenSockets { get; }

    /// <summary>Adds <paramref name="computerName"/> × <paramref name="ports"/>; returns the index of the first (name, port) pair.</summary>
    long Add(string computerName, IReadOnlyList<int> ports);

    /// <summary>Says no more targets will be added.</summary>
    void Complete();
}
