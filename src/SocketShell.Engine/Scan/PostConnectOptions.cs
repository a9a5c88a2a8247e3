using System.Security.Authentication;

namespace SocketShell.Scan;

/// <summary>
/// What a TCP probe does after its handshake completes (Test-Port -Tls, -ReadBanner, -Send): a TLS
/// handshake whose facts are recorded (never failing the probe), then optionally a payload sent and
/// the first bytes the service sends read. The connection is then closed with RST.
/// </summary>
public sealed class PostConnectOptions
{
    /// <summary>The most bytes a banner read keeps.</summary>
    public const int DefaultBannerLimit = 1024;

    /// <summary>Negotiate TLS after the handshake and record the certificate and the session's facts.</summary>
    public bool Tls { get; set; }

    /// <summary>The name sent as SNI and checked against the certificate; default: the name given.</summary>
    public string? ServerName { get; set; }

    /// <summary>The TLS versions allowed; <see cref="SslProtocols.None"/> lets the system choose.</summary>
    public SslProtocols TlsProtocol { get; set; } = SslProtocols.None;

    /// <summary>How long the TLS handshake may take; null: the probe's Timeout.</summary>
    public TimeSpan? TlsTimeout { get; set; }

    /// <summary>Read what the service sends first into the result's Banner.</summary>
    public bool ReadBanner { get; set; }

    /// <summary>Sent (inside TLS when <see cref="Tls"/>) before the banner is read; null sends nothing.</summary>
    public byte[]? Send { get; set; }

    /// <summary>How long to wait for the banner; null: the probe's Timeout.</summary>
    public TimeSpan? BannerTimeout { get; set; }

    /// <summary>The most bytes of banner kept (1..65536).</summary>
    public int BannerLimit { get; set; } = DefaultBannerLimit;

    /// <summary>Whether there is anything to do after the handshake.</summary>
    public bool IsActive => Tls || ReadBanner || Send is not null;

    /// <summary>Throws when a value is out of range.</summary>
    public void Validate()
    {
        if (TlsTimeout is TimeSpan t && t <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(TlsTimeout), t, "The TLS timeout must be positive.");
        }

        if (BannerTimeout is TimeSpan b && b <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(BannerTimeout), b, "The banner timeout must be positive.");
        }

        if (BannerLimit is < 1 or > 65536)
        {
            throw new ArgumentOutOfRangeException(nameof(BannerLimit), BannerLimit, "The banner limit must be from 1 to 65536 bytes.");
        }
    }

    internal PostConnectOptions Clone() => (PostConnectOptions)MemberwiseClone();
}
