using System.Diagnostics;
using SocketShell.Interop;

namespace SocketShell.SystemSockets;

/// <summary>
/// Windows: GetExtendedTcpTable (TCP_TABLE_OWNER_PID_ALL) and GetExtendedUdpTable (UDP_TABLE_OWNER_PID)
/// for AF_INET and AF_INET6; process names from the process list. Not run on the build machine (Linux):
/// the parsing of the tables is unit-tested with hand-built buffers.
/// </summary>
public sealed partial class WindowsSystemSocketSource : ISystemSocketSource
{
    private const int AfInet = 2;
    private const int AfInet6 = 23;
    private const int TcpTableOwnerPidAll = 5;
    private const int UdpTableOwnerPid = 1;
    private const uint ErrorInsufficientBuffer = 122;

    /// <inheritdoc/>
    public string Name => "windows";

    /// <inheritdoc/>
    public SocketTable<SystemSocket> ReadTable(SystemSocketScope scope, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var sockets = new List<SystemSocket>();
        int skipped = 0;
        foreach ((TransportProtocol protocol, IPFamily family) in new[]
        {
            (TransportProtocol.Tcp, IPFamily.IPv4), (TransportProtocol.Tcp, IPFamily.IPv6),
            (TransportProtocol.Udp, IPFamily.IPv4), (TransportProtocol.Udp, IPFamily.IPv6),
        })
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!scope.Includes(protocol, family))
            {
                continue;
            }

            bool v6 = family == IPFamily.IPv6;
            byte[] table = ReadRaw(protocol, v6 ? AfInet6 : AfInet);
            sockets.AddRange(protocol == TransportProtocol.Tcp
                ? WindowsSocketTables.ParseTcp(table, v6, ref skipped)
                : WindowsSocketTables.ParseUdp(table, v6, ref skipped));
        }

        return new SocketTable<SystemSocket>("GetExtendedTcpTable + GetExtendedUdpTable", sockets, skipped, []);
    }

    /// <inheritdoc/>
    public void ResolveProcesses(IReadOnlyList<SystemSocket> sockets, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sockets);
        var names = new Dictionary<int, string>();
        foreach (Process p in Process.GetProcesses())
        {
            using (p)
            {
                names[p.Id] = p.ProcessName;
            }
        }

        foreach (SystemSocket s in sockets)
        {
            if (s.ProcessId is int pid)
            {
                s.ProcessIds = [pid];
                s.ProcessName = names.TryGetValue(pid, out string? name) ? name : null;
            }
        }
    }

    private static unsafe byte[] ReadRaw(TransportProtocol protocol, int family)
    {
        int size = 0;
        for (int attempt = 0; attempt < 8; attempt++)
        {
            byte[] buffer = new byte[Math.Max(size, 4)];
            uint result;
            fixed (byte* b = buffer)
            {
                size = buffer.Length;
                result = protocol == TransportProtocol.Tcp
                    ? IpHlpApi.GetExtendedTcpTable(b, ref size, 0, family, TcpTableOwnerPidAll, 0)
                    : IpHlpApi.GetExtendedUdpTable(b, ref size, 0, family, UdpTableOwnerPid, 0);
            }

            if (result == 0)
            {
                return buffer;
            }

            if (result != ErrorInsufficientBuffer)
            {
                throw new IOException($"GetExtended{protocol}Table failed with error {result}.");
            }

            size += 4096; // the table may grow between the two calls.
        }

        throw new IOException($"GetExtended{protocol}Table kept growing; try again.");
    }
}
