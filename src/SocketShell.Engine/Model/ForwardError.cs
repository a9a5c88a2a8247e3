using System.Globalization;
using System.Net;

namespace SocketShell;

/// <summary>
/// Why a Forward listener could not relay a client: the upstream refused, did not answer in time,
/// did not resolve, or failed the TLS handshake. The latest one is <see cref="SocketListener.LastForwardError"/>.
/// </summary>
public sealed class ForwardError
{
    /// <summary>When it happened.</summary>
    public DateTimeOffset Time { get; set; } = DateTimeOffset.Now;

    /// <summary>What went wrong (also the ErrorId the module would use).</summary>
    public SocketErrorKind Kind { get; set; }

    /// <summary>The upstream target as given to -ForwardTo.</summary>
    public string Target { get; set; } = string.Empty;

    /// <summary>The listener's connection (TCP) or peer (UDP) number the failure belongs to.</summary>
    public int? ConnectionId { get; set; }

    private IPEndPoint? _client;
    private string? _clientText;

    /// <summary>The client that was waiting for the upstream, when known, as text (<c>127.0.0.1:50123</c>). <see cref="GetClientEndPoint"/> gives the IPEndPoint.</summary>
    public string? ClientEndPoint
    {
        get => _clientText ??= EndPointText.Format(_client);
        set => (_client, _clientText) = (EndPointText.ParseEndPoint(value), value);
    }

    /// <summary>The engine's rich value behind <see cref="ClientEndPoint"/>.</summary>
    internal IPEndPoint? Client
    {
        get => _client;
        set => (_client, _clientText) = (value, null);
    }

    /// <summary>The client as an IPEndPoint (null when not known or not IP).</summary>
    public IPEndPoint? GetClientEndPoint() => _client;

    /// <summary>The explanation.</summary>
    public string Message { get; set; } = string.Empty;

    /// <inheritdoc/>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Time.ToLocalTime():HH:mm:ss} {Kind}: {Message}");
}
