using System.Net;
using System.Text;
using SocketShell.Common;

namespace SocketShell;

/// <summary>
/// Data that arrived on a socket: one TCP read as it was delivered, or one UDP datagram.
/// <see cref="Text"/> is decoded from <see cref="Data"/> when first read, with the encoding the
/// producer was asked for.
/// </summary>
public sealed class SocketMessage
{
    private Encoding _encoding;
    private string? _text;
    private IPEndPoint? _local;
    private IPEndPoint? _remote;
    private string? _localText;
    private string? _remoteText;

    /// <summary>Creates an empty message (for tests and deserialisation).</summary>
    public SocketMessage() : this([], Payload.Utf8NoBom) { }

    /// <summary>Creates a message over <paramref name="data"/>, decoded with <paramref name="encoding"/>.</summary>
    public SocketMessage(byte[] data, Encoding? encoding)
        : this(data, encoding, DateTimeOffset.Now)
    {
    }

    /// <summary>Creates a message that arrived at <paramref name="timestamp"/> (read from the producer's clock).</summary>
    internal SocketMessage(byte[] data, Encoding? encoding, DateTimeOffset timestamp)
    {
        Data = data ?? throw new ArgumentNullException(nameof(data));
        _encoding = encoding ?? Payload.Utf8NoBom;
        Timestamp = timestamp;
    }

    /// <summary>When the data arrived.</summary>
    public DateTimeOffset Timestamp { get; set; }

    /// <summary>Tcp, Udp or Unix.</summary>
    public TransportProtocol Protocol { get; set; }

    /// <summary>The listener that received it, if a listener did.</summary>
    public int? ListenerId { get; set; }

    /// <summary>The client connection (Connect-Socket) or socket that received it, if one did.</summary>
    public int? SocketId { get; set; }

    /// <summary>The listener's connection (TCP) or peer (UDP) number the data came from.</summary>
    public int? ConnectionId { get; set; }

    /// <summary>
    /// Who sent it: ClientToServer (what a client sent; every mode) or ServerToClient (what the upstream
    /// answered, in Forward mode). Read a whole conversation with the messages of one ConnectionId in order.
    /// </summary>
    public MessageDirection Direction { get; set; }

    /// <summary>Where it arrived, as text (<c>127.0.0.1:8080</c>, <c>[::1]:8080</c>); null for a Unix socket. <see cref="GetLocalEndPoint"/> gives the IPEndPoint.</summary>
    public string? LocalEndPoint
    {
        get => _localText ??= EndPointText.Format(_local);
        set => (_local, _localText) = (EndPointText.ParseEndPoint(value), value);
    }

    /// <summary>Where it came from, as text (<c>127.0.0.1:50123</c>); null for a Unix socket. <see cref="GetRemoteEndPoint"/> gives the IPEndPoint.</summary>
    public string? RemoteEndPoint
    {
        get => _remoteText ??= EndPointText.Format(_remote);
        set => (_remote, _remoteText) = (EndPointText.ParseEndPoint(value), value);
    }

    /// <summary>The engine's rich value behind <see cref="LocalEndPoint"/>.</summary>
    internal IPEndPoint? Local
    {
        get => _local;
        set => (_local, _localText) = (value, null);
    }

    /// <summary>The engine's rich value behind <see cref="RemoteEndPoint"/>.</summary>
    internal IPEndPoint? Remote
    {
        get => _remote;
        set => (_remote, _remoteText) = (value, null);
    }

    /// <summary>Unix sockets: the path (or '@abstract' name) it arrived on, e.g. a listener's socket file; null for IP.</summary>
    public string? LocalPath { get; set; }

    /// <summary>Unix sockets: the path it came from or was read through (a client's socket path, a datagram sender's name); null when unnamed or IP.</summary>
    public string? RemotePath { get; set; }

    /// <summary>The number of bytes.</summary>
    public int Length => Data.Length;

    /// <summary>The bytes as they arrived.</summary>
    public byte[] Data { get; set; }

    /// <summary>The bytes decoded as text.</summary>
    public string Text
    {
        get => _text ??= _encoding.GetString(Data);
        set => _text = value;
    }

    /// <summary>Where it arrived, as an IPEndPoint (null for a Unix socket).</summary>
    public IPEndPoint? GetLocalEndPoint() => _local;

    /// <summary>Where it came from, as an IPEndPoint (null for a Unix socket).</summary>
    public IPEndPoint? GetRemoteEndPoint() => _remote;

    /// <summary>The sender's address (null for a Unix socket), e.g. to reply to it.</summary>
    public IPAddress? GetRemoteAddress() => _remote?.Address;

    /// <summary>Re-decodes <see cref="Text"/> with another encoding.</summary>
    public void SetEncoding(Encoding encoding)
    {
        _encoding = encoding ?? throw new ArgumentNullException(nameof(encoding));
        _text = null;
    }

    /// <inheritdoc/>
    public override string ToString() => Text;
}
