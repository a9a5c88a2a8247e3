using System.Net;

namespace SocketShell.Scan;

/// <summary>One (name, port) pair, or (name, port, address) with AllAddresses.</summary>
internal sealed class ScanJob(ScanRequest request, int portIndex, IPAddress[] addresses)
{
    public ScanRequest Request { get; } = request;

    public int Port { get; } = request.Ports[portIndex];

    public long Pair { get; } = request.BasePair + portIndex;

    public IPAddress[] Addresses { get; } = addresses;

    public int AddressIndex { get; set; }

    public PortStatus? Best { get; set; }

    public int LocalRetries { get; set; }

    public long DueTicks { get; set; }

    /// <summary>When the current attempt started (its first address).</summary>
    public long AttemptStart { get; set; }

    /// <summary>With Wait: whether the current attempt's deadline is the end of the wait, not its Timeout.</summary>
    public bool AttemptCut { get; set; }

    /// <summary>With Wait: the result of the last attempt that was not cut short by the end of the wait.</summary>
    public PortStatus? LastFullAttempt { get; set; }

    /// <summary>With Wait: when the whole wait ends (0 until the first attempt starts).</summary>
    public long WaitDeadline { get; set; }

    public void Reset()
    {
        AddressIndex = 0;
        Best = null;
    }
}
