using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using SocketShell.Common;

namespace SocketShell.Listeners;

/// <summary>How to start a listener.</summary>
public sealed class ListenerOptions
{
    /// <summary>The default of <see cref="MaxConnections"/>.</summary>
    public const int DefaultMaxConnections = 1000;

    /// <summary>The default of <see cref="ConnectTimeout"/>: 5 seconds.</summary>
    public static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(5);

    /// <summary>How long a UDP Forward listener keeps a peer's upstream socket without traffic when <see cref="IdleTimeout"/> is not set.</summary>
    public static readonly TimeSpan DefaultUdpForwardIdleTimeout = TimeSpan.FromSeconds(60);

    /// <summary>The default of <see cref="CaptureLimit"/>: 16 MiB.</summary>
    public const long DefaultCaptureLimit = 16L * 1024 * 1024;

    /// <summary>Tcp or Udp (Unix when <see cref="Path"/> is set).</summary>
    public TransportProtocol Protocol { get; set; } = TransportProtocol.Tcp;

    /// <summary>
    /// A Unix domain socket path (or '@name', a Linux abstract name): when set the listener is a Unix
    /// stream listener there and <see cref="Address"/> and <see cref="Port"/> do not apply. The socket
    /// file is created on start and removed when the listener stops.
    /// </summary>
    public string? Path { get; set; }

    /// <summary>Replace a stale socket file at <see cref="Path"/> (one nothing listens on); never anything else.</summary>
    public bool Force { get; set; }

    /// <summary>The file mode of the socket file at <see cref="Path"/> (e.g. 0660); null keeps what the umask gives.</summary>
    public UnixFileMode? Permission { get; set; }

    /// <summary>The local address; null means every interface of both families (dual-mode IPv6 "any", or IPv4 "any" without IPv6).</summary>
    public IPAddress? Address { get; set; } = IPAddress.Loopback;

    /// <summary>The local port; 0 lets the operating system choose.</summary>
    public int Port { get; set; }

    /// <summary>What to do with received data.</summary>
    public ListenerMode Mode { get; set; } = ListenerMode.Capture;

    /// <summary>A name for the listener; null derives one from the protocol and port (e.g. tcp-8080).</summary>
    public string? Name { get; set; }

    /// <summary>Bytes sent to each client when it connects (TCP only).</summary>
    public byte[]? Banner { get; set; }

    /// <summary>Bytes sent for each message received in <see cref="ListenerMode.Reply"/> mode.</summary>
    public byte[]? Response { get; set; }

    /// <summary>Close the connection after the first reply (TCP, Reply mode).</summary>
    public bool CloseAfterReply { get; set; }

    /// <summary>Connections served at once (TCP); more are accepted, closed at once and counted.</summary>
    public int MaxConnections { get; set; } = DefaultMaxConnections;

    /// <summary>Close a connection that has received nothing for this long (TCP); null never closes.</summary>
    public TimeSpan? IdleTimeout { get; set; }

    /// <summary>Bytes kept for Receive-SocketData at most; beyond it data is dropped and counted.</summary>
    public long CaptureLimit { get; set; } = DefaultCaptureLimit;

    /// <summary>A certificate with a private key: the listener speaks TLS (TCP only).</summary>
    public X509Certificate2? Certificate { get; set; }

    /// <summary>The encoding captured messages decode their Text with.</summary>
    public Encoding Encoding { get; set; } = Payload.Utf8NoBom;

    /// <summary>
    /// Serve plain TCP/Unix connections with the asynchronous per-connection loops even where the event
    /// loop is available (tests run both paths with it; users have no switch).
    /// </summary>
    internal bool AsynchronousConnections { get; set; }

    /// <summary>Event loops for this listener; 0 (the default) means one per core, at most 4 (benchmarks compare counts with it).</summary>
    internal int EventLoops { get; set; }

    /// <summary>Forward mode: where each client is relayed to.</summary>
    public ForwardTarget? ForwardTo { get; set; }

    /// <summary>Forward mode: speak TLS to the upstream (validated against the ForwardTo host unless <see cref="SkipCertificateCheck"/>).</summary>
    public bool ForwardTls { get; set; }

    /// <summary>Forward mode: accept any upstream certificate with <see cref="ForwardTls"/>.</summary>
    public bool SkipCertificateCheck { get; set; }

    /// <summary>Forward mode: the time allowed to connect to the upstream (resolution, connect and TLS handshake).</summary>
    public TimeSpan ConnectTimeout { get; set; } = DefaultConnectTimeout;

    /// <summary>
    /// Where time comes from: the idle timeout (both serving paths, and a Forward pair's), the TLS handshake
    /// and upstream connect timeouts, StartTime/StopTime, the timestamps of kept messages and forward errors,
    /// and the waits of Receive-SocketData and Stop (default <see cref="TimeProvider.System"/>). Tests give a
    /// manual clock here and take the same path as users.
    /// </summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Throws <see cref="SocketShellException"/> (InvalidListenerOptions, TcpOnlyParameter) when the options contradict each other.</summary>
    public void Validate()
    {
        if (TimeProvider is null)
        {
            throw Invalid("The listener needs a clock (TimeProvider).");
        }

        if (Port is < 0 or > PortListParser.MaxPort)
        {
            throw Invalid($"The port {Port} is outside the range 0 to {PortListParser.MaxPort}.");
        }

        if (MaxConnections < 1)
        {
            throw Invalid("A listener must serve at least one connection at a time.");
        }

        if (CaptureLimit < 0)
        {
            throw Invalid("The capture limit must be zero or more bytes.");
        }

        if (IdleTimeout is { } idle && (idle <= TimeSpan.Zero || idle > DurationParser.Maximum))
        {
            throw Invalid("The idle timeout must be greater than zero.");
        }

        if (Mode == ListenerMode.Reply && Response is null)
        {
            throw Invalid("Reply mode needs a response to send.");
        }

        if (Certificate is not null && !Certificate.HasPrivateKey)
        {
            throw Invalid($"The certificate '{Certificate.Subject}' has no private key; a TLS listener needs one.");
        }

        ValidateForward();

        if (Path is not null)
        {
            if (Protocol == TransportProtocol.Udp)
            {
                throw Invalid("A listener on a Unix socket path is a stream listener; Udp does not apply (use Receive-Datagram -Path for Unix datagrams).");
            }

            if (Permission is not null && OperatingSystem.IsWindows())
            {
                throw Invalid("Windows has no file modes for Unix socket files; leave out -Permission.");
            }
        }
        else if (Force || Permission is not null)
        {
            throw Invalid($"{(Force ? "Force" : "Permission")} applies to listeners on a Unix socket path only.");
        }
        else if (Protocol == TransportProtocol.Unix)
        {
            throw Invalid("A Unix listener needs a socket path.");
        }

        if (Protocol == TransportProtocol.Udp)
        {
            string? tcpOnly = Banner is not null ? "A banner" : CloseAfterReply ? "Closing after the reply" : Certificate is not null ? "TLS (a certificate)"
                : IdleTimeout is not null && Mode != ListenerMode.Forward ? "An idle timeout" : ForwardTls ? "TLS to the upstream (ForwardTls)" : null;
            if (tcpOnly is not null)
            {
                throw new SocketShellException(SocketErrorKind.TcpOnlyParameter, $"{tcpOnly} applies to TCP listeners only; UDP has no connections.");
            }
        }
    }

    private void ValidateForward()
    {
        if (Mode != ListenerMode.Forward)
        {
            string? forwardOnly = ForwardTo is not null ? nameof(ForwardTo) : ForwardTls ? nameof(ForwardTls) : SkipCertificateCheck ? nameof(SkipCertificateCheck) : null;
            if (forwardOnly is not null)
            {
                throw Invalid($"{forwardOnly} applies to Forward mode only (the mode is {Mode}).");
            }

            return;
        }

        if (ForwardTo is null || (ForwardTo.Path is null && (string.IsNullOrWhiteSpace(ForwardTo.Host) || ForwardTo.Port is < 1 or > PortListParser.MaxPort)))
        {
            throw Invalid("Forward mode needs a target to relay to (ForwardTo host:port, [IPv6]:port or a socket path).");
        }

        string? notWithForward = Banner is not null ? nameof(Banner) : Response is not null ? nameof(Response) : CloseAfterReply ? nameof(CloseAfterReply) : null;
        if (notWithForward is not null)
        {
            throw Invalid($"{notWithForward} does not apply to Forward mode: the upstream server answers.");
        }

        if (ConnectTimeout <= TimeSpan.Zero || ConnectTimeout > DurationParser.Maximum)
        {
            throw Invalid("The connect timeout must be greater than zero.");
        }

        if (Protocol == TransportProtocol.Udp && ForwardTo.Path is not null)
        {
            throw Invalid($"A UDP listener cannot forward to the socket path '{ForwardTo.Path}'; Unix sockets are stream sockets here.");
        }

        if (SkipCertificateCheck && !ForwardTls)
        {
            throw Invalid("SkipCertificateCheck applies only with ForwardTls.");
        }

        if (Path is not null && ForwardTo.Path is not null
            && string.Equals(System.IO.Path.GetFullPath(Path), System.IO.Path.GetFullPath(ForwardTo.Path), StringComparison.Ordinal))
        {
            throw Invalid($"ForwardTo {ForwardTo} is this listener's own socket path: every client would be relayed back to it without end.");
        }
    }

    private static SocketShellException Invalid(string message) => new(SocketErrorKind.InvalidListenerOptions, message);
}
