namespace SocketShell.Engine.Tests.Skips;

/// <summary>What a test needs from the machine; without it the test is reported as skipped, with the reason.</summary>
public enum Requirement
{
    /// <summary>Linux: /proc, netlink, this machine's procfs facts.</summary>
    Linux,

    /// <summary>Not Windows (symbolic links without privilege).</summary>
    NotWindows,

    /// <summary>Linux with netlink sock_diag answering (some sandboxes refuse it).</summary>
    LinuxNetlink,

    /// <summary>The OS supports IPv6.</summary>
    IPv6,

    /// <summary>A UDP socket can be bound on ::1.</summary>
    IPv6Loopback,

    /// <summary>The OS reports lo's netmask, so 127.255.255.255 is known as lo's directed broadcast address.</summary>
    LoopbackBroadcast,

    /// <summary>The OS supports Unix domain sockets.</summary>
    UnixDomainSockets,

    /// <summary>Root on Linux x86-64/arm64: a test thread can run as user nobody (permission cases).</summary>
    RootToActAsNobody,
}
