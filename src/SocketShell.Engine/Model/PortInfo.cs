namespace SocketShell;

/// <summary>What is known about one port on this machine.</summary>
public sealed class PortInfo
{
    /// <summary>The port number.</summary>
    public int Port { get; set; }

    /// <summary>The IANA range (RFC 6335): System, User or Dynamic.</summary>
    public string Range { get; set; } = string.Empty;

    /// <summary>Whether the OS hands this port out for outgoing connections.</summary>
    public bool IsEphemeral { get; set; }

    /// <summary>Whether the OS reserves or excludes this port.</summary>
    public bool IsReserved { get; set; }

    private ServiceNameList _services = ServiceNameList.None;

    /// <summary>Service names for the port from the services database (empty when none); "http, www" as text (Export-Csv).</summary>
    public IReadOnlyList<string> Services
    {
        get => _services;
        set => _services = value as ServiceNameList ?? new ServiceNameList(value ?? []);
    }

    /// <summary>The protocol the facts (services, availability) were taken for.</summary>
    public PortProtocol Protocol { get; set; }

    /// <inheritdoc/>
    public override string ToString() => Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
