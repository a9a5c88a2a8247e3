using System.Globalization;
using System.Management.Automation;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using SocketShell.Common;
using SocketShell.Completers;
using SocketShell.Listeners;
using SocketShell.Resources;
using SocketShell.Transformations;

namespace SocketShell.Commands;

/// <summary>
/// <para type="synopsis">Starts a background TCP, UDP or Unix domain socket listener that captures, echoes, replies to, discards or forwards what clients send.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "SocketListener", SupportsShouldProcess = true, DefaultParameterSetName = DefaultSet)]
[OutputType(typeof(SocketListener), ParameterSetName = [DefaultSet, PathSet])]
public sealed class StartSocketListenerCommand : SocketCmdletBase
{
    private const string DefaultSet = "Default";
    private const string PathSet = "Path";

    /// <summary>The port to listen on.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = DefaultSet, HelpMessage = "The port to listen on; 0 lets the operating system choose (the chosen port is in the result).")]
    [ValidateRange(0, 65535)]
    [ArgumentCompleter(typeof(PortCompleter))]
    public int Port { get; set; }

    /// <summary>The Unix socket path to listen on.</summary>
    [Parameter(Mandatory = true, ParameterSetName = PathSet,
        HelpMessage = "A Unix domain socket path to listen on (a stream socket), relative to the current location, or '@name' for a Linux abstract name. The socket file is created now and removed when the listener stops.")]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = string.Empty;

    /// <summary>Replace a stale socket file.</summary>
    [Parameter(ParameterSetName = PathSet, HelpMessage = "Replace a stale socket file at -Path (a socket file nothing listens on). Anything else at the path is never replaced.")]
    public SwitchParameter Force { get; set; }

    /// <summary>The socket file's mode.</summary>
    [Parameter(ParameterSetName = PathSet, HelpMessage = "The file mode of the socket file, as chmod takes it: an octal string such as '0660' or '0600', or UnixFileMode names. Set before the first client can connect. Not on Windows.")]
    [FileModeTransformation]
    public UnixFileMode Permission { get; set; }

    /// <summary>Tcp or Udp.</summary>
    [Parameter(ParameterSetName = DefaultSet, HelpMessage = "Tcp (default) or Udp.")]
    public TransportProtocol Protocol { get; set; } = TransportProtocol.Tcp;

    /// <summary>The local address.</summary>
    [Parameter(ParameterSetName = DefaultSet, HelpMessage = "The local address to listen on (default 127.0.0.1): an IPv4 or IPv6 literal, or Any for every interface of both families.")]
    [ArgumentCompleter(typeof(ListenAddressCompleter))]
    [ValidateNotNullOrEmpty]
    public string Address { get; set; } = "127.0.0.1";

    /// <summary>What to do with received data.</summary>
    [Parameter(HelpMessage = "Capture (default: keep what clients send), Echo (send it back and keep it), Reply (send -Response for each message and keep it), Discard (count bytes only) or Forward (relay each client to -ForwardTo and keep both directions).")]
    public ListenerMode Mode { get; set; } = ListenerMode.Capture;

    /// <summary>Sent to each client on connect.</summary>
    [Parameter(HelpMessage = "Data sent to each TCP client when it connects: a string (encoded with -Encoding) or byte[].")]
    [ValidateNotNull]
    public object? Banner { get; set; }

    /// <summary>Sent for each message in Reply mode.</summary>
    [Parameter(HelpMessage = "Data sent for each message received in Reply mode: a string (encoded with -Encoding) or byte[].")]
    [ValidateNotNull]
    public object? Response { get; set; }

    /// <summary>Close the connection after the first reply.</summary>
    [Parameter(HelpMessage = "In Reply mode, close each TCP connection after its first reply.")]
    public SwitchParameter CloseAfterReply { get; set; }

    /// <summary>The listener's name.</summary>
    [Parameter(HelpMessage = "A unique name for the listener; by default the protocol and port, e.g. tcp-8080.")]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    /// <summary>Connections served at once.</summary>
    [Parameter(HelpMessage = "TCP connections served at once (default 1000); more are accepted, closed at once and counted in RejectedConnections.")]
    [ValidateRange(1, int.MaxValue)]
    public int MaxConnections { get; set; } = ListenerOptions.DefaultMaxConnections;

    /// <summary>Close silent connections after this long.</summary>
    [Parameter(HelpMessage = "Close a TCP connection that sends nothing for this long: seconds, '500ms', '1m' or a TimeSpan. By default connections may stay idle.")]
    [TimeoutTransformation]
    public TimeSpan IdleTimeout { get; set; }

    /// <summary>Bytes kept for Receive-SocketData.</summary>
    [Parameter(HelpMessage = "Bytes kept for Receive-SocketData (default 16MB); beyond it data is dropped and counted in DroppedBytes. 0 keeps nothing.")]
    [ValidateRange(0L, long.MaxValue)]
    public long CaptureLimit { get; set; } = ListenerOptions.DefaultCaptureLimit;

    /// <summary>TLS certificate.</summary>
    [Parameter(HelpMessage = "A certificate with its private key: the TCP listener speaks TLS with it.")]
    [ValidateNotNull]
    public X509Certificate2? Certificate { get; set; }

    /// <summary>Forward mode: where each client is relayed.</summary>
    [Parameter(HelpMessage = "Relay each client to this upstream (implies -Mode Forward): host:port, [IPv6]:port, an IPEndPoint or DnsEndPoint, or a Unix socket path.")]
    [ForwardTargetTransformation]
    [ValidateNotNull]
    public ForwardTarget? ForwardTo { get; set; }

    /// <summary>Forward mode: TLS to the upstream.</summary>
    [Parameter(HelpMessage = "Speak TLS to the upstream (TCP), validating its certificate against the -ForwardTo host name unless -SkipCertificateCheck.")]
    public SwitchParameter ForwardTls { get; set; }

    /// <summary>Forward mode: accept any upstream certificate.</summary>
    [Parameter(HelpMessage = "With -ForwardTls, accept any upstream certificate (still encrypted, but the upstream is not authenticated).")]
    public SwitchParameter SkipCertificateCheck { get; set; }

    /// <summary>Forward mode: time allowed to reach the upstream.</summary>
    [Parameter(HelpMessage = "Forward mode: the time allowed to reach the upstream for each client (resolution, connect, TLS handshake): seconds, '500ms', '1m' or a TimeSpan. Default 5 seconds.")]
    [TimeoutTransformation]
    public TimeSpan ConnectTimeout { get; set; } = ListenerOptions.DefaultConnectTimeout;

    /// <summary>Encoding of -Banner/-Response strings and of captured Text.</summary>
    [Parameter(HelpMessage = "The encoding of -Banner and -Response strings and of the Text of captured messages (default UTF-8 without BOM).")]
    [EncodingTransformation]
    [ArgumentCompleter(typeof(EncodingCompleter))]
    public Encoding Encoding { get; set; } = Payload.Utf8NoBom;

    private ListenerMode _mode;

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        if (ParameterSetName != PathSet && Protocol == TransportProtocol.Unix)
        {
            WriteError(SocketErrors.Record(new ArgumentException("A Unix listener needs -Path (the socket file to create)."), ErrorIds.InvalidListenerOptions, Protocol));
            return;
        }

        IPAddress? address = null;
        if (ParameterSetName == PathSet)
        {
            // Address and Port do not apply.
        }
        else if (string.Equals(Address.Trim(), "Any", StringComparison.OrdinalIgnoreCase) || Address.Trim() == "*")
        {
            address = null;
        }
        else if (!HostResolver.TryParseLiteral(Address, out address))
        {
            string message = string.Format(CultureInfo.CurrentCulture, Messages.ListenAddressInvalid, Address);
            WriteError(SocketErrors.Record(new ArgumentException(message), ErrorIds.InvalidListenAddress, Address));
            return;
        }

        // -ForwardTo alone means Forward mode; with another -Mode it is a conflict, below.
        _mode = ForwardTo is not null && !MyInvocation.BoundParameters.ContainsKey(nameof(Mode)) ? ListenerMode.Forward : Mode;

        // Options that would do nothing in the chosen mode are refused rather than silently ignored.
        if (Response is not null && _mode != ListenerMode.Reply)
        {
            WriteConflict(string.Format(CultureInfo.CurrentCulture, Messages.ListenerResponseWithoutReply, _mode));
            return;
        }

        if (CloseAfterReply && _mode != ListenerMode.Reply)
        {
            WriteConflict(string.Format(CultureInfo.CurrentCulture, Messages.ListenerCloseAfterReplyWithoutReply, _mode));
            return;
        }

        string? forwardOnly = ForwardTo is not null ? "-ForwardTo" : ForwardTls ? "-ForwardTls" : SkipCertificateCheck ? "-SkipCertificateCheck"
            : MyInvocation.BoundParameters.ContainsKey(nameof(ConnectTimeout)) ? "-ConnectTimeout" : null;
        if (forwardOnly is not null && _mode != ListenerMode.Forward)
        {
            WriteConflict(string.Format(CultureInfo.CurrentCulture, Messages.ListenerForwardOptionWithoutForward, forwardOnly, _mode));
            return;
        }

        if (MyInvocation.BoundParameters.ContainsKey(nameof(CaptureLimit)) && _mode == ListenerMode.Discard)
        {
            WriteConflict(Messages.ListenerCaptureLimitWithDiscard);
            return;
        }

        if (Banner is not null && _mode == ListenerMode.Forward)
        {
            WriteConflict(Messages.ListenerBannerWithForward);
            return;
        }

        if (SkipCertificateCheck && !ForwardTls)
        {
            WriteConflict(Messages.ListenerSkipCheckWithoutForwardTls);
            return;
        }

        if (Name is not null && WildcardPattern.ContainsWildcardCharacters(Name))
        {
            string message = string.Format(CultureInfo.CurrentCulture, Messages.ListenerNameWildcard, Name);
            WriteError(SocketErrors.Record(new ArgumentException(message), ErrorIds.InvalidListenerName, Name));
            return;
        }

        byte[]? banner = null, response = null;
        string what = "-Banner";
        try
        {
            banner = Banner is null ? null : Payload.ToBytes(Unwrap(Banner), Encoding);
            what = "-Response";
            response = Response is null ? null : Payload.ToBytes(Unwrap(Response), Encoding);
        }
        catch (SocketShellException e) when (e.Kind == SocketErrorKind.InvalidPayload)
        {
            string message = string.Format(CultureInfo.CurrentCulture, Messages.ListenerPayloadInvalid, what, e.Message);
            WriteError(SocketErrors.Record(new ArgumentException(message, e), ErrorIds.InvalidPayload, Unwrap(what == "-Banner" ? Banner : Response)));
            return;
        }

        string target = EndPointText.Format(address?.ToString() ?? "Any", Port);
        ListenerMode mode = _mode;
        var options = new ListenerOptions
        {
            Protocol = Protocol,
            Address = address,
            Port = Port,
            Mode = mode,
            Name = Name,
            Banner = banner,
            Response = response,
            CloseAfterReply = CloseAfterReply,
            MaxConnections = MaxConnections,
            IdleTimeout = MyInvocation.BoundParameters.ContainsKey(nameof(IdleTimeout)) ? IdleTimeout : null,
            CaptureLimit = CaptureLimit,
            Certificate = Certificate,
            Encoding = Encoding,
            ForwardTo = ForwardTo,
            ForwardTls = ForwardTls,
            SkipCertificateCheck = SkipCertificateCheck,
            ConnectTimeout = ConnectTimeout,
        };

        if (ParameterSetName == PathSet)
        {
            StartOnPath(options);
            return;
        }

        if (Protocol == TransportProtocol.Udp && MyInvocation.BoundParameters.ContainsKey(nameof(MaxConnections)))
        {
            WriteError(SocketErrors.Record(new ArgumentException(Messages.MaxConnectionsTcpOnly), ErrorIds.TcpOnlyParameter, target));
            return;
        }

        string action = mode == ListenerMode.Forward && ForwardTo is not null
            ? string.Format(CultureInfo.CurrentCulture, Messages.StartForwardAction, Protocol, ForwardTo)
            : string.Format(CultureInfo.CurrentCulture, Messages.StartListenerAction, Protocol, mode);
        if (!ShouldProcess($"{Protocol.ToString().ToUpperInvariant()} {target}", action))
        {
            return;
        }

        Start(options, target);
    }

    private void StartOnPath(ListenerOptions options)
    {
        string path = UnixPaths.Resolve(this, Path);
        options.Protocol = TransportProtocol.Unix;
        options.Address = null;
        options.Port = 0;
        options.Path = path;
        options.Force = Force;
        options.Permission = MyInvocation.BoundParameters.ContainsKey(nameof(Permission)) ? Permission : null;
        string action = options.Mode == ListenerMode.Forward && ForwardTo is not null
            ? string.Format(CultureInfo.CurrentCulture, Messages.StartForwardAction, TransportProtocol.Unix, ForwardTo)
            : string.Format(CultureInfo.CurrentCulture, Messages.StartListenerAction, TransportProtocol.Unix, options.Mode);
        if (!ShouldProcess($"Unix {path}", action))
        {
            return;
        }

        Start(options, path);
    }

    private void Start(ListenerOptions options, string target)
    {
        try
        {
            WriteObject(RunspaceSessions.Current.Listeners.Start(options));
        }
        catch (SocketShellException e)
        {
            // Every engine failure, ListenerNameInUse included, carries its kind: the id and category come from the catalogue.
            WriteSocketError(e, e.Target ?? target);
        }
    }

    private void WriteConflict(string message) =>
        WriteError(SocketErrors.Record(new ArgumentException(message), ErrorIds.ListenerOptionConflict, _mode));

    private static object? Unwrap(object? value) => value is PSObject pso ? pso.BaseObject : value;
}
