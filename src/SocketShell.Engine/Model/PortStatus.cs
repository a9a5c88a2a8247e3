using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace SocketShell;

/// <summary>The result of one probe of Test-Port: a TCP connect (optionally with TLS and a banner read) or a UDP datagram.</summary>
public sealed class PortStatus
{
    /// <summary>The name or address as it was given.</summary>
    public string ComputerName { get; set; } = string.Empty;

    private IPAddress? _remote;
    private string? _remoteText;
    private X509Certificate2? _certificate;

    /// <summary>
    /// The address that was probed, as text (<c>127.0.0.1</c>, <c>::1</c>); null for
    /// <see cref="PortState.HostNotFound"/> and Unix sockets. <see cref="GetRemoteAddress"/> gives the IPAddress.
    /// </summary>
    public string? RemoteAddress
    {
        get => _remoteText ??= EndPointText.Format(_remote);
        set => (_remote, _remoteText) = (EndPointText.ParseAddress(value), value);
    }

    /// <summary>The engine's rich value behind <see cref="RemoteAddress"/>.</summary>
    internal IPAddress? RemoteIP
    {
        get => _remote;
        set => (_remote, _remoteText) = (value, null);
    }

    /// <summary>The address and port probed, as text (<c>127.0.0.1:22</c>, <c>[::1]:22</c>); null when no address was probed.</summary>
    public string? RemoteEndPoint => _remote is null ? null : EndPointText.Format(_remote, Port);

    /// <summary>The port that was probed (0 for a Unix socket).</summary>
    public int Port { get; set; }

    /// <summary>The transport probed: Tcp (a connect) or Udp (a datagram).</summary>
    public TransportProtocol Protocol { get; set; } = TransportProtocol.Tcp;

    /// <summary>
    /// The attempt this result belongs to: 1, 2, ... in a latency series (-Count, -Continuous); with
    /// -Wait, how many attempts it took; otherwise 1.
    /// </summary>
    public int Attempt { get; set; } = 1;

    /// <summary>The Unix socket path that was probed (Test-Port -Path; ComputerName is the path too); null for TCP.</summary>
    public string? Path { get; set; }

    /// <summary>Whether the handshake completed (<see cref="Status"/> is <see cref="PortState.Open"/>).</summary>
    public bool Open => Status == PortState.Open;

    /// <summary>What the probe found.</summary>
    public PortState Status { get; set; }

    /// <summary>
    /// How long the TCP handshake (Open) or the refusal (Closed) took, or for UDP the time to the reply or
    /// the ICMP report; null otherwise. Only the handshake is timed, never TLS or a banner read.
    /// </summary>
    public TimeSpan? Latency { get; set; }

    /// <summary>
    /// <see cref="Latency"/> in milliseconds, to the microsecond (for <c>Measure-Object -Property LatencyMs</c>,
    /// which cannot average TimeSpans); null when <see cref="Latency"/> is.
    /// </summary>
    public double? LatencyMs => Latency is TimeSpan t ? Math.Round(t.Ticks / (double)TimeSpan.TicksPerMillisecond, 3) : null;

    /// <summary>
    /// In a latency series on Linux: the kernel's own measurement of the handshake round trip (SYN to
    /// SYN-ACK, TCP_INFO tcpi_rtt, microseconds), free of the thread scheduling that <see cref="Latency"/>,
    /// timed in user space, includes; null elsewhere.
    /// </summary>
    public TimeSpan? KernelRtt { get; set; }

    /// <summary>The service name the services database gives for the port over the probed protocol, if any.</summary>
    public string? Service { get; set; }

    /// <summary>With -Tls: the TLS version the handshake agreed on (None when it failed).</summary>
    public SslProtocols? TlsProtocol { get; set; }

    /// <summary>With -Tls: the cipher suite the handshake agreed on.</summary>
    public TlsCipherSuite? CipherSuite { get; set; }

    /// <summary>The engine's value behind <see cref="GetCertificate"/> (and the certificate facts beside it).</summary>
    internal X509Certificate2? Certificate
    {
        get => _certificate;
        set
        {
            _certificate = value;
            CertificateThumbprint = value?.Thumbprint;
        }
    }

    /// <summary>With -Tls: the SHA-1 thumbprint of the server's certificate (hex), as Windows' certificate store shows it.</summary>
    public string? CertificateThumbprint { get; set; }

    /// <summary>With -Tls: the certificate's subject distinguished name.</summary>
    public string? Subject { get; set; }

    /// <summary>With -Tls: the certificate's issuer distinguished name.</summary>
    public string? Issuer { get; set; }

    /// <summary>With -Tls: the certificate's NotAfter (when it expires).</summary>
    public DateTimeOffset? CertificateExpires { get; set; }

    /// <summary>With -Tls: whole days until <see cref="CertificateExpires"/> (negative once expired).</summary>
    public int? CertificateDaysLeft { get; set; }

    /// <summary>
    /// With -Tls: whether the certificate chain and the name (-ServerName, else the name given) validate.
    /// A failed validation never fails the probe: see <see cref="CertificateError"/>.
    /// </summary>
    public bool? CertificateValid { get; set; }

    /// <summary>With -Tls: why the certificate does not validate (the SslPolicyErrors and chain status), else null.</summary>
    public string? CertificateError { get; set; }

    /// <summary>
    /// With -Tls: why the TLS handshake failed on an open port (not TLS, protocol mismatch, timeout),
    /// else null. The port stays Open: the TCP handshake did complete.
    /// </summary>
    public string? TlsError { get; set; }

    /// <summary>
    /// With -ReadBanner: what the service sent first, decoded as UTF-8 (trailing line ends removed), or
    /// empty when it sent nothing in time. With -Protocol Udp: the reply datagram's text.
    /// </summary>
    public string? Banner { get; set; }

    /// <summary>The raw bytes behind <see cref="Banner"/>.</summary>
    public byte[]? BannerBytes { get; set; }

    /// <summary>The address probed, as an IPAddress (null when none was).</summary>
    public IPAddress? GetRemoteAddress() => _remote;

    /// <summary>The address and port probed, as an IPEndPoint (null when no address was).</summary>
    public IPEndPoint? GetRemoteEndPoint() => _remote is null ? null : new IPEndPoint(_remote, Port);

    /// <summary>With -Tls: the server's certificate, whether or not it validates (null without -Tls or when none was sent).</summary>
    public X509Certificate2? GetCertificate() => _certificate;

    /// <summary>The remote end point as text, e.g. <c>127.0.0.1:22</c> or <c>[::1]:22</c>.</summary>
    public override string ToString() => Path is not null
        ? $"{Path} {Status}"
        : _remote is null
        ? string.Create(CultureInfo.InvariantCulture, $"{EndPointText.Format(ComputerName, Port)} {Status}")
        : string.Create(CultureInfo.InvariantCulture, $"{EndPointText.Format(_remote, Port)} {Status}");
}
