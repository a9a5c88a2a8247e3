namespace SocketShell;

/// <summary>A named, contiguous range of ports, such as the IANA ranges or the OS's ephemeral range.</summary>
public sealed class PortRange
{
    /// <summary>Creates an empty range (for tests and deserialisation).</summary>
    public PortRange() { }

    /// <summary>Creates a range.</summary>
    public PortRange(string name, int start, int end, PortProtocol protocol, string source)
    {
        Name = name;
        Start = start;
        End = end;
        Protocol = protocol;
        Source = source;
    }

    /// <summary>System, User, Dynamic (IANA, RFC 6335), Ephemeral, Reserved or Excluded.</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>The first port of the range.</summary>
    public int Start { get; set; }

    /// <summary>The last port of the range (inclusive).</summary>
    public int End { get; set; }

    /// <summary>How many ports the range holds.</summary>
    public int Count => End >= Start ? End - Start + 1 : 0;

    /// <summary>Tcp, Udp or Any.</summary>
    public PortProtocol Protocol { get; set; }

    /// <summary>Where the range came from: IANA, a procfs path, a sysctl name, a command.</summary>
    public string Source { get; set; } = string.Empty;

    /// <summary>Whether <paramref name="port"/> lies in the range.</summary>
    public bool Contains(int port) => port >= Start && port <= End;

    /// <summary>Whether the range applies to <paramref name="protocol"/>.</summary>
    public bool AppliesTo(PortProtocol protocol) => Protocol == PortProtocol.Any || protocol == PortProtocol.Any || Protocol == protocol;

    /// <inheritdoc/>
    public override string ToString() => $"{Name} {Start}-{End}";
}
