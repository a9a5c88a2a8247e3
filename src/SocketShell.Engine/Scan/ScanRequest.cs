using System.Net;

namespace SocketShell.Scan;

/// <summary>One Add call: a name and its ports.</summary>
internal sealed class ScanRequest(string name, int[] ports)
{
    public string Name { get; } = name;

    public int[] Ports { get; } = ports;

    public long BasePair { get; set; }

    public IPAddress[]? Addresses { get; set; }

    public int Next { get; set; }
}
