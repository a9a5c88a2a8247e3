namespace SocketShell.Ports;

/// <summary>The machine's port ranges: IANA's three, and the OS's ephemeral and reserved ranges.</summary>
public sealed class PortCatalog
{
    /// <summary>The IANA ranges under their RFC 6335 names.</summary>
    public static readonly IReadOnlyList<PortRange> IanaRanges =
    [
        new("System", 0, 1023, PortProtocol.Any, "IANA"),
        new("User", 1024, 49151, PortProtocol.Any, "IANA"),
        new("Dynamic", 49152, 65535, PortProtocol.Any, "IANA"),
    ];

    private PortCatalog(List<PortRange> ephemeral, List<PortRange> reserved, List<PortRangeProblem> problems, ServiceDatabase services)
    {
        Ephemeral = ephemeral;
        Reserved = reserved;
        Problems = problems;
        Services = services;
    }

    /// <summary>The OS's ephemeral ranges (empty when they could not be read; see <see cref="Problems"/>).</summary>
    public IReadOnlyList<PortRange> Ephemeral { get; }

    /// <summary>The OS's reserved or excluded ranges.</summary>
    public IReadOnlyList<PortRange> Reserved { get; }

    /// <summary>What could not be read.</summary>
    public IReadOnlyList<PortRangeProblem> Problems { get; }

    /// <summary>The services database used for names.</summary>
    public ServiceDatabase Services { get; }

    /// <summary>Every range: IANA's, then ephemeral, then reserved.</summary>
    public IEnumerable<PortRange> All => IanaRanges.Concat(Ephemeral).Concat(Reserved);

    /// <summary>Reads the catalog of the running OS.</summary>
    public static PortCatalog Read() => Read(PortRangeSource.ForCurrentOS(), ServiceDatabase.System);

    /// <summary>Reads the catalog from <paramref name="source"/>; a failing source is recorded, never guessed at.</summary>
    public static PortCatalog Read(IPortRangeSource source, ServiceDatabase services)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(services);
        var problems = new List<PortRangeProblem>();
        List<PortRange> ephemeral = Try(source.GetEphemeralRanges, "ephemeral", problems);
        List<PortRange> reserved = Try(source.GetReservedRanges, "reserved", problems);
        return new PortCatalog(ephemeral, reserved, problems, services);
    }

    /// <summary>The IANA range name (System, User, Dynamic) of <paramref name="port"/>.</summary>
    public static string IanaRangeOf(int port) => IanaRanges.First(r => r.Contains(port)).Name;

    /// <summary>Describes <paramref name="port"/> for <paramref name="protocol"/>.</summary>
    public PortInfo Describe(int port, PortProtocol protocol)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        return new PortInfo
        {
            Port = port,
            Range = IanaRangeOf(port),
            IsEphemeral = Ephemeral.Any(r => r.Contains(port) && r.AppliesTo(protocol)),
            IsReserved = IsReserved(port, protocol),
            Services = Services.Lookup(port, protocol),
            Protocol = protocol,
        };
    }

    /// <summary>Whether the OS reserves or excludes <paramref name="port"/> for <paramref name="protocol"/>.</summary>
    public bool IsReserved(int port, PortProtocol protocol) => Reserved.Any(r => r.Contains(port) && r.AppliesTo(protocol));

    private static List<PortRange> Try(Func<IReadOnlyList<PortRange>> read, string what, List<PortRangeProblem> problems)
    {
        try
        {
            return read().ToList();
        }
        catch (Exception e) when (e is FormatException or IOException or UnauthorizedAccessException or PlatformNotSupportedException
                                      or System.ComponentModel.Win32Exception or EntryPointNotFoundException or DllNotFoundException)
        {
            string message = $"The {what} port range could not be read: {e.Message}";
            problems.Add(new PortRangeProblem(message, new SocketShellException(SocketErrorKind.PortRangeUnavailable, message, what, e)));
            return [];
        }
    }
}
