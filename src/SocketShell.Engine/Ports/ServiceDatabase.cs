using System.Globalization;

namespace SocketShell.Ports;

/// <summary>
/// Service names by port, read from the OS services database (/etc/services, or
/// %SystemRoot%\System32\drivers\etc\services), with a small built-in IANA table as fallback when the
/// file is missing or unreadable.
/// </summary>
public sealed class ServiceDatabase
{
    private static readonly Lazy<ServiceDatabase> s_system = new(LoadSystem);

    // (port, protocol) -> names in file order, primary names first then aliases.
    private readonly Dictionary<(int Port, PortProtocol Protocol), List<string>> _byPort = [];

    private ServiceDatabase(string source)
    {
        Source = source;
    }

    /// <summary>Where the names came from: a file path, or "built-in".</summary>
    public string Source { get; }

    /// <summary>How many port/protocol entries the database holds.</summary>
    public int Count => _byPort.Count;

    /// <summary>The database of this machine, read once.</summary>
    public static ServiceDatabase System => s_system.Value;

    /// <summary>The path of the OS services file on this platform.</summary>
    public static string SystemPath => OperatingSystem.IsWindows()
        ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.System), "drivers", "etc", "services")
        : "/etc/services";

    /// <summary>Parses a services file ("name port/proto [aliases…] [# comment]"). Malformed lines are skipped.</summary>
    public static ServiceDatabase Parse(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        var db = new ServiceDatabase(source);
        foreach (string rawLine in text.Split('\n'))
        {
            string line = rawLine;
            int hash = line.IndexOf('#', StringComparison.Ordinal);
            if (hash >= 0)
            {
                line = line[..hash];
            }

            string[] fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 2)
            {
                continue;
            }

            string[] portProto = fields[1].Split('/');
            if (portProto.Length != 2 ||
                !int.TryParse(portProto[0], NumberStyles.None, CultureInfo.InvariantCulture, out int port) ||
                port > 65535)
            {
                continue;
            }

            PortProtocol protocol = portProto[1].ToUpperInvariant() switch
            {
                "TCP" => PortProtocol.Tcp,
                "UDP" => PortProtocol.Udp,
                _ => (PortProtocol)(-1),
            };
            if (protocol < 0)
            {
                continue; // sctp, ddp and others: not ours.
            }

            db.Add(port, protocol, fields[0]);
        }

        return db;
    }

    /// <summary>The built-in table: a small set of IANA-registered services, for machines without a services file.</summary>
    public static ServiceDatabase BuiltIn()
    {
        var db = new ServiceDatabase("built-in");
        (int Port, string Name, bool Tcp, bool Udp)[] table =
        [
            (7, "echo", true, true), (9, "discard", true, true), (13, "daytime", true, true),
            (20, "ftp-data", true, false), (21, "ftp", true, false), (22, "ssh", true, false),
            (23, "telnet", true, false), (25, "smtp", true, false), (53, "domain", true, true),
            (67, "bootps", false, true), (68, "bootpc", false, true), (69, "tftp", false, true),
            (80, "http", true, true), (88, "kerberos", true, true), (110, "pop3", true, false),
            (119, "nntp", true, false), (123, "ntp", false, true), (135, "epmap", true, true),
            (137, "netbios-ns", true, true), (138, "netbios-dgm", false, true), (139, "netbios-ssn", true, false),
            (143, "imap", true, false), (161, "snmp", true, true), (162, "snmptrap", true, true),
            (179, "bgp", true, false), (389, "ldap", true, true), (443, "https", true, true),
            (445, "microsoft-ds", true, false), (465, "submissions", true, false), (500, "isakmp", false, true),
            (514, "syslog", false, true), (515, "printer", true, false), (587, "submission", true, false),
            (636, "ldaps", true, false), (853, "domain-s", true, true), (873, "rsync", true, false),
            (993, "imaps", true, false), (995, "pop3s", true, false), (1433, "ms-sql-s", true, false),
            (1521, "ncube-lm", true, false), (1812, "radius", false, true), (1813, "radius-acct", false, true),
            (2049, "nfs", true, true), (3306, "mysql", true, false), (3389, "ms-wbt-server", true, true),
            (5060, "sip", true, true), (5353, "mdns", false, true), (5432, "postgresql", true, false),
            (5672, "amqp", true, false), (5985, "wsman", true, false), (5986, "wsmans", true, false),
            (6379, "redis", true, false), (8080, "http-alt", true, false), (9200, "wap-wsp", false, true),
            (11211, "memcache", true, true), (27017, "mongodb", true, false),
        ];
        foreach ((int port, string name, bool tcp, bool udp) in table)
        {
            if (tcp)
            {
                db.Add(port, PortProtocol.Tcp, name);
            }

            if (udp)
            {
                db.Add(port, PortProtocol.Udp, name);
            }
        }

        return db;
    }

    /// <summary>Reads the OS services file, or falls back to <see cref="BuiltIn"/> when it is missing, unreadable or empty.</summary>
    public static ServiceDatabase Load(string path)
    {
        try
        {
            ServiceDatabase db = Parse(File.ReadAllText(path), path);
            return db.Count > 0 ? db : BuiltIn();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return BuiltIn();
        }
    }

    /// <summary>The service names for <paramref name="port"/> (for Any: TCP's, then UDP's, without repeats).</summary>
    public string[] Lookup(int port, PortProtocol protocol)
    {
        var names = new List<string>();
        foreach (PortProtocol p in protocol == PortProtocol.Any ? [PortProtocol.Tcp, PortProtocol.Udp] : new[] { protocol })
        {
            if (_byPort.TryGetValue((port, p), out List<string>? list))
            {
                foreach (string n in list)
                {
                    if (!names.Contains(n, StringComparer.OrdinalIgnoreCase))
                    {
                        names.Add(n);
                    }
                }
            }
        }

        return names.ToArray();
    }

    /// <summary>Every (port, protocol, name) entry, ordered by port then protocol.</summary>
    public IEnumerable<(int Port, PortProtocol Protocol, string Name)> Entries() =>
        _byPort.OrderBy(e => e.Key.Port).ThenBy(e => e.Key.Protocol)
            .SelectMany(e => e.Value.Select(name => (e.Key.Port, e.Key.Protocol, name)));

    /// <summary>The first service name for the port, or null.</summary>
    public string? LookupFirst(int port, PortProtocol protocol)
    {
        string[] names = Lookup(port, protocol);
        return names.Length > 0 ? names[0] : null;
    }

    private static ServiceDatabase LoadSystem() => Load(SystemPath);

    private void Add(int port, PortProtocol protocol, string name)
    {
        if (!_byPort.TryGetValue((port, protocol), out List<string>? list))
        {
            list = [];
            _byPort[(port, protocol)] = list;
        }

        if (!list.Contains(name, StringComparer.OrdinalIgnoreCase))
        {
            list.Add(name);
        }
    }
}
