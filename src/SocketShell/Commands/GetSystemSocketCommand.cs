using System.Globalization;
using System.Management.Automation;
using System.Net;
using SocketShell.Completers;
using SocketShell.Resources;
using SocketShell.SystemSockets;
using SocketShell.Transformations;

namespace SocketShell.Commands;

/// <summary>
/// <para type="synopsis">Gets the machine's TCP, UDP and Unix domain sockets with the processes that hold them.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "SystemSocket", DefaultParameterSetName = FilterSet)]
[OutputType(typeof(SystemSocket), typeof(UnixSystemSocket), ParameterSetName = [FilterSet])]
public sealed class GetSystemSocketCommand : SocketCmdletBase
{
    private const string FilterSet = "Filter";

    private readonly List<SystemSocketFilter> _filters = [];
    private readonly List<UnixSocketFilter> _unixFilters = [];

    /// <summary>Local ports to keep.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true,
        HelpMessage = "Local ports to keep: numbers, lists or ranges such as '8000-8100'. Binds the Port property of piped objects.")]
    [Alias("Port")]
    [PortListTransformation]
    [ValidateRange(0, 65535)]
    [ArgumentCompleter(typeof(PortCompleter))]
    public int[]? LocalPort { get; set; }

    /// <summary>Remote ports to keep.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true,
        HelpMessage = "Remote ports to keep: numbers, lists or ranges.")]
    [PortListTransformation]
    [ValidateRange(0, 65535)]
    [ArgumentCompleter(typeof(PortCompleter))]
    public int[]? RemotePort { get; set; }

    /// <summary>Protocols to keep.</summary>
    [Parameter(HelpMessage = "Tcp, Udp, Unix (Unix domain sockets, Linux): the protocols to list. Default Tcp and Udp, or Unix when -Path is given.")]
    [ValidateNotNullOrEmpty]
    public TransportProtocol[]? Protocol { get; set; }

    /// <summary>Unix socket paths to keep; wildcards allowed.</summary>
    [Parameter(HelpMessage = "Unix sockets whose path (or '@abstract' name) matches; wildcards allowed. Implies -Protocol Unix when -Protocol is not given.")]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Path { get; set; }

    /// <summary>States to keep.</summary>
    [Parameter(HelpMessage = "States to keep: Listen, Established, TimeWait, CloseWait, ... for TCP; Bound or Connected for UDP; Listen, Established, Connected, Bound or Unconnected for Unix sockets.")]
    [ValidateNotNullOrEmpty]
    public SystemSocketState[]? State { get; set; }

    /// <summary>Only TCP listeners and bound UDP sockets.</summary>
    [Parameter(HelpMessage = "Keep only listeners: TCP and Unix stream sockets in Listen, bound (unconnected) UDP sockets and named unconnected Unix datagram sockets.")]
    public SwitchParameter Listening { get; set; }

    /// <summary>Local addresses to keep.</summary>
    [Parameter(HelpMessage = "Local addresses to keep (an IPv4 address also matches its IPv4-mapped IPv6 form).")]
    [ValidateNotNullOrEmpty]
    public IPAddress[]? LocalAddress { get; set; }

    /// <summary>Remote addresses to keep.</summary>
    [Parameter(HelpMessage = "Remote addresses to keep (an IPv4 address also matches its IPv4-mapped IPv6 form).")]
    [ValidateNotNullOrEmpty]
    public IPAddress[]? RemoteAddress { get; set; }

    /// <summary>Process ids to keep.</summary>
    [Parameter(HelpMessage = "Ids of the processes whose sockets to keep.")]
    [ValidateNotNullOrEmpty]
    [ValidateRange(0, int.MaxValue)]
    public int[]? ProcessId { get; set; }

    /// <summary>Process names to keep; wildcards allowed.</summary>
    [Parameter(HelpMessage = "Names of the processes whose sockets to keep; wildcards allowed.")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(ProcessNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? ProcessName { get; set; }

    /// <summary>The address family to keep.</summary>
    [Parameter(HelpMessage = "Any (default), IPv4 or IPv6: the address family to list.")]
    public IPFamily AddressFamily { get; set; } = IPFamily.Any;

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        // Each pipeline record adds a filter; the table is read once, in EndProcessing.
        WildcardPattern[]? names = ProcessName?.Select(n => WildcardPattern.Get(n, WildcardOptions.IgnoreCase)).ToArray();
        Func<string, bool>? nameMatch = names is null ? null : name => names.Any(p => p.IsMatch(name));
        TransportProtocol[] protocols = Protocol ?? (Path is null ? [TransportProtocol.Tcp, TransportProtocol.Udp] : [TransportProtocol.Unix]);

        // Filters that cannot match anything in the table asked for are refused, not answered with silence.
        if (Path is not null && !protocols.Contains(TransportProtocol.Unix))
        {
            ThrowTerminatingError(SocketErrors.Record(
                new ArgumentException(string.Format(CultureInfo.CurrentCulture, Messages.SocketTablePathWithoutUnix, string.Join(",", protocols))),
                ErrorIds.ParameterConflict, null));
        }

        if (protocols.All(p => p == TransportProtocol.Unix) && IpOnlyFilters() is string ipOnly)
        {
            ThrowTerminatingError(SocketErrors.Record(
                new ArgumentException(string.Format(CultureInfo.CurrentCulture, Messages.SocketTableFilterMatchesNothing, ipOnly, Protocol is null ? "-Path" : "-Protocol Unix")),
                ErrorIds.ParameterConflict, null));
        }
        if (protocols.Contains(TransportProtocol.Unix))
        {
            // Unix paths are case-sensitive file names; wildcards still apply (WildcardPattern.Escape for literal [ ]).
            WildcardPattern[]? paths = Path?.Select(p => WildcardPattern.Get(p, WildcardOptions.None)).ToArray();
            _unixFilters.Add(new UnixSocketFilter
            {
                Path = paths is null ? null : path => paths.Any(p => p.IsMatch(path)),
                LiteralPaths = Path?.Where(p => !WildcardPattern.ContainsWildcardCharacters(p)).Select(p => UnixPaths.Resolve(this, p)).ToArray(),
                State = State,
                Listening = Listening.IsPresent,
                ProcessId = ProcessId is null ? null : new HashSet<int>(ProcessId),
                ProcessName = nameMatch,
                ExcludesAll = LocalPort is not null || RemotePort is not null || LocalAddress is not null || RemoteAddress is not null || AddressFamily != IPFamily.Any,
            });
        }

        TransportProtocol[] ipProtocols = protocols.Where(p => p != TransportProtocol.Unix).ToArray();
        if (ipProtocols.Length == 0 || Path is not null)
        {
            return; // -Path matches no TCP or UDP socket.
        }

        _filters.Add(new SystemSocketFilter
        {
            Protocol = ipProtocols,
            AddressFamily = AddressFamily,
            State = State,
            Listening = Listening.IsPresent,
            LocalPort = LocalPort is null ? null : new HashSet<int>(LocalPort),
            RemotePort = RemotePort is null ? null : new HashSet<int>(RemotePort),
            LocalAddress = LocalAddress,
            RemoteAddress = RemoteAddress,
            ProcessId = ProcessId is null ? null : new HashSet<int>(ProcessId),
            ProcessName = nameMatch,
        });
    }

    /// <summary>The TCP/UDP-only filters given, for the message (null when none).</summary>
    private string? IpOnlyFilters()
    {
        var given = new List<string>();
        foreach ((string name, bool set) in new[]
        {
            ("-LocalPort", LocalPort is not null), ("-RemotePort", RemotePort is not null), ("-LocalAddress", LocalAddress is not null),
            ("-RemoteAddress", RemoteAddress is not null), ("-AddressFamily", MyInvocation.BoundParameters.ContainsKey(nameof(AddressFamily))),
        })
        {
            if (set)
            {
                given.Add(name);
            }
        }

        return given.Count == 0 ? null : string.Join(", ", given);
    }

    /// <inheritdoc/>
    protected override void EndProcessing()
    {
        if (_filters.Count > 0)
        {
            WriteIpSockets();
        }

        if (_unixFilters.Count > 0)
        {
            WriteUnixSockets();
        }
    }

    private void WriteUnixSockets()
    {
        IUnixSocketSource source;
        try
        {
            source = UnixSocketSource.ForCurrentOS();
        }
        catch (SocketShellException e)
        {
            ThrowTableError(e);
            return;
        }

        CancellationToken token = CancellationToken;
        (IReadOnlyList<UnixSystemSocket> Sockets, SocketTable<UnixSystemSocket> Table) result;
        try
        {
            result = WaitFor(Task.Run(() => UnixSocketQuery.Run(source, _unixFilters, resolveProcesses: true, token), token));
        }
        catch (SocketShellException e)
        {
            ThrowTableError(e);
            return;
        }

        WriteTable(result.Sockets, result.Table.Sockets.Count, result.Table.Source, result.Table.SkippedEntries, result.Table.Notes);
    }

    private void WriteIpSockets()
    {
        ISystemSocketSource source;
        try
        {
            source = SystemSocketSource.ForCurrentOS();
        }
        catch (SocketShellException e)
        {
            ThrowTableError(e);
            return;
        }

        CancellationToken token = CancellationToken;
        SystemSocketResult result;
        try
        {
            result = WaitFor(Task.Run(() => SystemSocketQuery.Run(source, _filters, resolveProcesses: true, token), token));
        }
        catch (SocketShellException e)
        {
            ThrowTableError(e);
            return;
        }

        WriteTable(result.Sockets, result.Table.Sockets.Count, result.Table.Source, result.Table.SkippedEntries, result.Table.Notes);
    }

    /// <summary>SocketTableNotSupported or SocketTableUnavailable (the engine's kinds), as one terminating error.</summary>
    private void ThrowTableError(SocketShellException e) =>
        ThrowTerminatingError(SocketErrors.Record(e, e.Kind.ToString(), e.Target));

    /// <summary>Says (verbose) what the table held and what it noted, then writes the sockets that matched.</summary>
    private void WriteTable<TSocket>(IReadOnlyList<TSocket> matched, int listed, string source, int skipped, IReadOnlyList<string> notes)
    {
        WriteVerbose(string.Format(CultureInfo.CurrentCulture, Messages.SocketTableRead, listed, source, skipped, matched.Count));
        foreach (string note in notes)
        {
            WriteVerbose(note);
        }

        foreach (TSocket socket in matched)
        {
            WriteObject(socket);
        }
    }
}
