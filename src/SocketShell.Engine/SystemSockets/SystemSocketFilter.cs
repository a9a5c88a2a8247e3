using System.Net;

namespace SocketShell.SystemSockets;

/// <summary>
/// Which sockets to keep. Every property left null (or Any/false) keeps everything; a list keeps
/// sockets matching any of its values; different properties must all match.
/// </summary>
public sealed class SystemSocketFilter
{
    /// <summary>Protocols to keep.</summary>
    public IReadOnlyCollection<TransportProtocol>? Protocol { get; init; }

    /// <summary>The family to keep (Any keeps both).</summary>
    public IPFamily AddressFamily { get; init; } = IPFamily.Any;

    /// <summary>States to keep.</summary>
    public IReadOnlyCollection<SystemSocketState>? State { get; init; }

    /// <summary>Keep TCP listeners and bound (unconnected) UDP sockets only.</summary>
    public bool Listening { get; init; }

    /// <summary>Local ports to keep.</summary>
    public IReadOnlyCollection<int>? LocalPort { get; init; }

    /// <summary>Remote ports to keep.</summary>
    public IReadOnlyCollection<int>? RemotePort { get; init; }

    /// <summary>Local addresses to keep (an IPv4 address also matches its IPv4-mapped IPv6 form).</summary>
    public IReadOnlyCollection<IPAddress>? LocalAddress { get; init; }

    /// <summary>Remote addresses to keep (an IPv4 address also matches its IPv4-mapped IPv6 form).</summary>
    public IReadOnlyCollection<IPAddress>? RemoteAddress { get; init; }

    /// <summary>Process ids to keep (a socket matches when any process holding it has one of them).</summary>
    public IReadOnlyCollection<int>? ProcessId { get; init; }

    /// <summary>Process names to keep (the module passes wildcard matching here).</summary>
    public Func<string, bool>? ProcessName { get; init; }

    /// <summary>True when this filter needs the owning processes to decide.</summary>
    public bool NeedsProcesses => ProcessId is not null || ProcessName is not null;

    /// <summary>The part of the table this filter can match.</summary>
    public SystemSocketScope Scope
    {
        get
        {
            bool tcp = Protocol is null || Protocol.Contains(TransportProtocol.Tcp);
            bool udp = Protocol is null || Protocol.Contains(TransportProtocol.Udp);
            return new SystemSocketScope(tcp, udp, AddressFamily != IPFamily.IPv6, AddressFamily != IPFamily.IPv4);
        }
    }

    /// <summary>True when <paramref name="socket"/> matches everything but the process filters.</summary>
    public bool MatchesSocket(SystemSocket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        return (Protocol is null || Protocol.Contains(socket.Protocol))
            && (AddressFamily == IPFamily.Any || AddressFamily == socket.AddressFamily)
            && (State is null || State.Contains(socket.State))
            && (!Listening || socket.IsListening)
            && (LocalPort is null || LocalPort.Contains(socket.LocalPort))
            && (RemotePort is null || RemotePort.Contains(socket.RemotePort))
            && (LocalAddress is null || LocalAddress.Any(a => SameAddress(a, socket.LocalIP)))
            && (RemoteAddress is null || RemoteAddress.Any(a => SameAddress(a, socket.RemoteIP)));
    }

    /// <summary>True when the process filters match (call after the processes were resolved).</summary>
    public bool MatchesProcess(SystemSocket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        return (ProcessId is null || socket.ProcessIds.Any(ProcessId.Contains))
            && (ProcessName is null || (socket.ProcessName is not null && ProcessName(socket.ProcessName)));
    }

    /// <summary>Address equality that also treats an IPv4 address and its IPv4-mapped IPv6 form as equal.</summary>
    public static bool SameAddress(IPAddress wanted, IPAddress actual)
    {
        ArgumentNullException.ThrowIfNull(wanted);
        ArgumentNullException.ThrowIfNull(actual);
        if (wanted.Equals(actual))
        {
            return true;
        }

        IPAddress w = wanted.IsIPv4MappedToIPv6 ? wanted.MapToIPv4() : wanted;
        IPAddress a = actual.IsIPv4MappedToIPv6 ? actual.MapToIPv4() : actual;
        return w.Equals(a);
    }
}
