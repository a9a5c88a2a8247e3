using System.Management.Automation;
using SocketShell.Completers;
using SocketShell.Client;
using SocketShell.Resources;
using SocketShell.Transformations;

namespace SocketShell.Commands;

/// <summary>
/// <para type="synopsis">Opens a TCP (or TLS) client connection, or a connection to a Unix domain socket, and returns it as a live SocketShell.SocketConnection.</para>
/// </summary>
[Cmdlet(VerbsCommunications.Connect, "Socket", DefaultParameterSetName = HostSet)]
[OutputType(typeof(SocketConnection), ParameterSetName = [HostSet, PathSet])]
public sealed class ConnectSocketCommand : SocketCmdletBase
{
    private const string HostSet = "ComputerName";
    private const string PathSet = "Path";

    /// <summary>The host to connect to.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = HostSet,
        HelpMessage = "The host to connect to: a DNS name or an IPv4/IPv6 literal.")]
    [Alias("HostName", "TargetName", "IPAddress", "LocalAddress")]
    [ListeningAddressTransformation]
    [ValidateNotNullOrEmpty]
    public string ComputerName { get; set; } = string.Empty;

    /// <summary>The TCP port.</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true, ParameterSetName = HostSet, HelpMessage = "The TCP port to connect to (1-65535).")]
    [Alias("LocalPort")]
    [PortTransformation]
    [ValidateRange(1, 65535)]
    [ArgumentCompleter(typeof(PortCompleter))]
    public int Port { get; set; }

    /// <summary>The Unix domain socket to connect to.</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = PathSet,
        HelpMessage = "The Unix domain socket to connect to (a stream socket): a file path such as /var/run/docker.sock, relative to the current location, or '@name' for a Linux abstract name.")]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = string.Empty;

    /// <summary>The time allowed for the whole connect.</summary>
    [Parameter(HelpMessage = "The time allowed to resolve, connect (trying every address) and finish the TLS handshake: seconds, '250ms', '5s' or a TimeSpan (default 5 s).")]
    [TimeoutTransformation]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Which resolved addresses to try.</summary>
    [Parameter(ParameterSetName = HostSet, HelpMessage = "Which resolved addresses to try: Any (default, every address in turn), IPv4 or IPv6.")]
    public IPFamily AddressFamily { get; set; } = IPFamily.Any;

    /// <summary>Negotiate TLS once connected.</summary>
    [Parameter(HelpMessage = "Negotiate TLS once connected; the server's certificate is validated unless -SkipCertificateCheck.")]
    public SwitchParameter UseTls { get; set; }

    /// <summary>The TLS server name.</summary>
    [Parameter(HelpMessage = "The name sent as SNI and checked against the server's certificate (default: ComputerName). Needs -UseTls.")]
    [ValidateNotNullOrEmpty]
    public string? ServerName { get; set; }

    /// <summary>Accept any server certificate.</summary>
    [Parameter(HelpMessage = "Accept any server certificate: the data is still encrypted, but the server is not authenticated. Needs -UseTls.")]
    public SwitchParameter SkipCertificateCheck { get; set; }

    /// <summary>Disable Nagle's algorithm.</summary>
    [Parameter(ParameterSetName = HostSet, HelpMessage = "Send small writes at once (disable Nagle's algorithm, TCP_NODELAY).")]
    public SwitchParameter NoDelay { get; set; }

    /// <summary>Enable TCP keep-alive.</summary>
    [Parameter(ParameterSetName = HostSet, HelpMessage = "Enable TCP keep-alive probes on the connection (SO_KEEPALIVE).")]
    public SwitchParameter KeepAlive { get; set; }

    /// <inheritdoc/>
    protected override void BeginProcessing()
    {
        if (!UseTls && (ServerName is not null || SkipCertificateCheck))
        {
            WriteWarning(Messages.TlsOptionWithoutTls);
        }
    }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        var options = new SocketConnectOptions
        {
            ComputerName = ComputerName,
            Port = Port,
            Timeout = Timeout,
            AddressFamily = AddressFamily,
            UseTls = UseTls,
            ServerName = ServerName,
            SkipCertificateCheck = SkipCertificateCheck,
            NoDelay = NoDelay,
            KeepAlive = KeepAlive,
            Path = ParameterSetName == PathSet ? UnixPaths.Resolve(this, Path) : null,
        };
        string target = options.Target;
        WriteVerbose($"Connecting to {target}{(UseTls ? " with TLS" : string.Empty)} (timeout {SocketShell.Common.DurationText.Format(Timeout)}).");
        Task<SocketConnection> connect = SocketClient.ConnectAsync(options, RunspaceSessions.Current.Connections, CancellationToken);
        SocketConnection connection;
        try
        {
            connection = WaitFor(connect);
        }
        catch (PipelineStoppedException)
        {
            // Ctrl+C: the engine closes what it was opening; a connect that won the race is closed here.
            connect.ContinueWith(
                t => t.Result.Dispose(),
                CancellationToken.None,
                TaskContinuationOptions.OnlyOnRanToCompletion | TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
            throw;
        }
        catch (SocketShellException e)
        {
            WriteSocketError(e, target);
            return;
        }

        WriteObject(connection);
    }
}
