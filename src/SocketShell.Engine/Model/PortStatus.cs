using System.Globalization;
using System.Net;

namespace SocketShell;

/// <summary>The result of one TCP connect probe (Test-Port).</summary>
public sealed class PortStatus
{
    /// <summary>The name or address as it was given.</summary>
    public string ComputerName { get; set; } = string.Empty;

    /// <summary>The address that was probed (null for <see cref="PortState.HostNotFound"/>).</summary>
    public IPAddress? RemoteAddress { get; set; }

    /// <summary>The TCP port that was probed (0 for a Unix socket).</summary>
    public int Port { get; set; }

    /// <summary>The Unix socket path that was probed (Test-Port -Path; ComputerName is the path too); null for TCP.</summary>
    public string? Path { get; set; }

    /// <summary>Whether the handshake completed (<see cref="Status"/> is <see cref="PortState.Open"/>).</summary>
    public bool Open => Status == PortState.Open;

    /// <summary>What the probe found.</summary>
    public PortState Status { get; set; }

    /// <summary>How long the handshake (Open) or the refusal (Closed) took; null otherwise.</summary>
    public TimeSpan? Latency { get; set; }

    /// <summary>The service name the services database gives for the port over TCP, if any.</summary>
    public string? Service { get; set; }

    /// <summary>The remote end point as text, e.g. <c>127.0.0.1:22</c> or <c>[::1]:22</c>.</summary>
    public override string ToString() => Path is not null
        ? $"{Path} {Status}"
        : RemoteAddress is null
        ? string.Create(CultureInfo.InvariantCulture, $"{EndPointText.Format(ComputerName, Port)} {Status}")
        : string.Create(CultureInfo.InvariantCulture, $"{EndPointText.Format(RemoteAddress, Port)} {Status}");
}
