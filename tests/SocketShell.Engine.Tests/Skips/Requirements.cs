using System.Net;
using System.Net.Sockets;
using SocketShell.SystemSockets;

namespace SocketShell.Engine.Tests.Skips;

/// <summary>Checks <see cref="Requirement"/>s once per test run.</summary>
public static class Requirements
{
    private static readonly Lazy<bool> s_netlink = new(NetlinkWorks);
    private static readonly Lazy<bool> s_ipv6Loopback = new(Ipv6LoopbackWorks);

    /// <summary>Whether netlink sock_diag answers here.</summary>
    public static bool Netlink => s_netlink.Value;

    /// <summary>Null when <paramref name="requirement"/> is met, else why the test cannot run here.</summary>
    public static string? WhyNot(Requirement requirement) => requirement switch
    {
        Requirement.Linux when !OperatingSystem.IsLinux() => "Linux only: reads this machine's /proc; other systems are covered by their parsers' tests",
        Requirement.NotWindows when OperatingSystem.IsWindows() => "not on Windows: creating symbolic links needs privilege there (the code under test is Linux-only)",
        Requirement.LinuxNetlink when !OperatingSystem.IsLinux() => "Linux only: netlink sock_diag",
        Requirement.LinuxNetlink when !Netlink => "netlink sock_diag is refused on this machine (a sandbox); the /proc/net cases still run",
        Requirement.IPv6 when !Socket.OSSupportsIPv6 => "the OS does not support IPv6",
        Requirement.IPv6Loopback when !s_ipv6Loopback.Value => "no UDP socket can be bound on ::1 here",
        Requirement.LoopbackBroadcast when !SocketShell.Udp.DatagramAddresses.IsBroadcast(IPAddress.Parse("127.255.255.255")) => "this OS does not report a netmask for the loopback interface, so 127.255.255.255 is not known as its broadcast address (the limited broadcast case still runs)",
        Requirement.UnixDomainSockets when !Socket.OSSupportsUnixDomainSockets => "the OS does not support Unix domain sockets",
        Requirement.RootToActAsNobody when !SocketShell.Engine.Tests.Unix.ThreadCredentials.CanRunAsOtherUser => "needs root on Linux x86-64/arm64 to run one thread as user nobody (root itself may connect to any socket file)",
        _ => null,
    };

    private static bool NetlinkWorks()
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        try
        {
            _ = new LinuxSystemSocketSource(reader: LinuxTableReader.Netlink).ReadTable(new SystemSocketScope(true, false, true, false), CancellationToken.None);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static bool Ipv6LoopbackWorks()
    {
        if (!Socket.OSSupportsIPv6)
        {
            return false;
        }

        try
        {
            using var s = new Socket(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp);
            s.Bind(new IPEndPoint(IPAddress.IPv6Loopback, 0));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
