using System.Globalization;
using System.Management.Automation;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;
using SocketShell.Common;
using SocketShell.Completers;
using SocketShell.Resources;
using SocketShell.Transformations;
using SocketShell.Udp;

namespace SocketShell.Commands;

/// <summary>
/// <para type="synopsis">Sends UDP datagrams (or datagrams to a Unix datagram socket), one per input item, optionally waiting for a reply to each.</para>
/// </summary>
[Cmdlet(VerbsCommunications.Send, "Datagram", DefaultParameterSetName = DefaultSet)]
[OutputType(typeof(DatagramResult), ParameterSetName = [DefaultSet, PathSet])]
public sealed class SendDatagramCommand : SocketCmdletBase
{
    private const string DefaultSet = "Default";
    private const string PathSet = "Path";

    private Unix.UnixDatagramSender? _unixSender;
    private string? _unixPath;

    // The open target: one resolved, connected socket reused for every pipeline item while ComputerName
    // and Port stay the same (they may be bound from the pipeline, by property name).
    private DatagramSender? _sender;
    private bool _senderOpened;
    private string? _senderHost;
    private int _senderPort;
    private Exception? _openFailure;

    // Strings are encoded into this buffer, reused from item to item (a datagram carries at most 65,507
    // bytes, so a string whose encoding may be longer goes through the general path and its size error).
    private const int EncodeBufferSize = 65_536;
    private byte[]? _encodeBuffer;

    /// <summary>The target host.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = DefaultSet,
        HelpMessage = "The host to send to: a DNS name or an IPv4/IPv6 literal.")]
    [Alias("HostName", "TargetName", "IPAddress", "LocalAddress")]
    [ListeningAddressTransformation]
    [ValidateNotNullOrEmpty]
    public string ComputerName { get; set; } = string.Empty;

    /// <summary>The target port.</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true, ParameterSetName = DefaultSet,
        HelpMessage = "The UDP port to send to (1-65535).")]
    [PortTransformation]
    [ValidateRange(1, 65535)]
    [ArgumentCompleter(typeof(PortCompleter))]
    public int Port { get; set; }

    /// <summary>The Unix datagram socket to send to.</summary>
    [Parameter(Mandatory = true, ParameterSetName = PathSet,
        HelpMessage = "A Unix datagram socket to send to (SOCK_DGRAM, such as /dev/log): a file path, relative to the current location, or '@name' for a Linux abstract name.")]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = string.Empty;

    /// <summary>The payload of one datagram.</summary>
    [Parameter(Mandatory = true, Position = 2, ValueFromPipeline = true,
        HelpMessage = "The payload: a string (encoded with -Encoding) or a byte array. Each pipeline item is one datagram.")]
    [AllowEmptyString]
    [AllowEmptyCollection]
    public object Data { get; set; } = string.Empty;

    /// <summary>How strings are encoded, and replies decoded.</summary>
    [Parameter(HelpMessage = "How strings are encoded and replies decoded (default utf8, without a byte order mark).")]
    [EncodingTransformation]
    [ArgumentCompleter(typeof(EncodingCompleter))]
    [ValidateNotNull]
    public Encoding Encoding { get; set; } = Payload.Utf8NoBom;

    /// <summary>Wait for one reply to each datagram.</summary>
    [Parameter(ParameterSetName = DefaultSet, HelpMessage = "Wait up to -Timeout for one reply to each datagram; the result is Replied, NoReply or PortUnreachable.")]
    public SwitchParameter Wait { get; set; }

    /// <summary>How long to wait for a reply.</summary>
    [Parameter(ParameterSetName = DefaultSet, HelpMessage = "With -Wait, how long to wait for each reply (default 2 seconds): seconds, '250ms', '5s' or a TimeSpan.")]
    [TimeoutTransformation]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Which resolved addresses may be used.</summary>
    [Parameter(ParameterSetName = DefaultSet, HelpMessage = "Any (default), IPv4 or IPv6: which of the resolved addresses may be used.")]
    public IPFamily AddressFamily { get; set; } = IPFamily.Any;

    /// <summary>The source port.</summary>
    [Parameter(ParameterSetName = DefaultSet, HelpMessage = "The local (source) port to send from; 0 or omitted lets the operating system pick one.")]
    [ValidateRange(0, 65535)]
    public int LocalPort { get; set; }

    /// <summary>Allow a broadcast target.</summary>
    [Parameter(ParameterSetName = DefaultSet, HelpMessage = "Allow a broadcast address (255.255.255.255 or a subnet broadcast) as the target.")]
    public SwitchParameter Broadcast { get; set; }

    /// <summary>The IP time to live (hop limit).</summary>
    [Parameter(ParameterSetName = DefaultSet, HelpMessage = "The IP time to live (IPv6 hop limit) of the datagrams, 1-255; the system default when omitted.")]
    [ValidateRange(1, 255)]
    public int Ttl { get; set; }

    /// <summary>Write no result per datagram.</summary>
    [Parameter(HelpMessage = "Write no DatagramResult per datagram, for sending many: failures are still errors, and datagrams refused as port unreachable are counted in one warning at the end. Not with -Wait.")]
    public SwitchParameter NoResult { get; set; }

    // With -NoResult: what was sent, and what came back refused, for the closing verbose line and warning.
    private long _sentCount;
    private long _unreachableCount;

    /// <inheritdoc/>
    protected override void BeginProcessing()
    {
        if (NoResult.IsPresent && Wait.IsPresent)
        {
            ThrowTerminatingError(SocketErrors.Record(new ArgumentException(Messages.NoResultWithWait), ErrorIds.ParameterConflict, null));
        }

        if (MyInvocation.BoundParameters.ContainsKey(nameof(Timeout)) && !Wait.IsPresent)
        {
            WriteWarning(Messages.DatagramTimeoutWithoutWait);
        }
    }

    /// <inheritdoc/>
    protected override void EndProcessing()
    {
        if (!NoResult.IsPresent)
        {
            return;
        }

        WriteVerbose(string.Format(CultureInfo.CurrentCulture, Messages.NoResultSummary, _sentCount + _unreachableCount, _unreachableCount));
        if (_unreachableCount > 0)
        {
            WriteWarning(string.Format(CultureInfo.CurrentCulture, Messages.NoResultUnreachable, _unreachableCount, _sentCount + _unreachableCount));
        }
    }

    // Writes the result of one datagram, or with -NoResult only counts it.
    private void Report(DatagramResult result)
    {
        if (!NoResult.IsPresent)
        {
            WriteObject(result);
        }
        else if (result.Status == DatagramStatus.PortUnreachable)
        {
            _unreachableCount++;
        }
        else
        {
            _sentCount++;
        }
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override void ProcessRecord()
    {
        ReadOnlyMemory<byte> payload;
        try
        {
            payload = PayloadOf(PortListTransformationAttribute.Unwrap(Data));
        }
        catch (SocketShellException e) when (e.Kind == SocketErrorKind.InvalidPayload)
        {
            string message = string.Format(CultureInfo.CurrentCulture, Messages.DatagramPayloadInvalid, e.Message);
            WriteError(SocketErrors.Record(new ArgumentException(message, e), ErrorIds.InvalidPayload, Data));
            return;
        }

        if (ParameterSetName == PathSet)
        {
            SendToPath(payload);
            return;
        }

        DatagramSender? sender = SenderFor();
        if (sender is null)
        {
            return;
        }

        try
        {
            // Without -Wait the send does not wait for anything: no task per datagram, no wait loop.
            Report(Wait.IsPresent
                ? WaitFor(sender.SendAsync(payload, true, Timeout, CancellationToken))
                : sender.Send(payload.Span));
        }
        catch (Exception e) when (e is SocketShellException or SocketException)
        {
            WriteSocketError(e, EndPointText.Format(ComputerName, Port));
        }
    }

    // The bytes of one datagram. A string is encoded into the reused buffer (valid until the next item);
    // anything else goes through Payload.ToBytes.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private ReadOnlyMemory<byte> PayloadOf(object? value)
    {
        switch (value)
        {
            case SocketMessage message:
                return message.Data; // relay: the bytes as received, not their text
            case null:
                return ReadOnlyMemory<byte>.Empty;
            case string s when s.Length <= EncodeBufferSize && Encoding.GetMaxByteCount(s.Length) <= EncodeBufferSize:
                _encodeBuffer ??= new byte[EncodeBufferSize];
                int length = Encoding.GetBytes(s, _encodeBuffer);
                return new ReadOnlyMemory<byte>(_encodeBuffer, 0, length);
            default:
                return Payload.ToBytes(value, Encoding);
        }
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _sender?.Dispose();
            _sender = null;
            _unixSender?.Dispose();
            _unixSender = null;
        }

        base.Dispose(disposing);
    }

    // One connected socket for the whole pipeline; a path that cannot be opened is tried again for the
    // next datagram (a receiver may have started meanwhile).
    private void SendToPath(ReadOnlyMemory<byte> payload)
    {
        string path = UnixPaths.Resolve(this, Path);
        try
        {
            if (_unixSender is null || _unixPath != path)
            {
                _unixSender?.Dispose();
                _unixSender = null;
                _unixPath = path;
                _unixSender = Unix.UnixDatagramSender.Open(path);
            }

            Report(WaitFor(_unixSender.SendAsync(payload, CancellationToken)));
        }
        catch (SocketShellException e)
        {
            if (e.Kind is SocketErrorKind.ConnectionRefused)
            {
                _unixSender?.Dispose();
                _unixSender = null;
            }

            WriteSocketError(e, path);
        }
    }

    // One socket per target for the whole pipeline: opened on the first datagram, reopened only when
    // ComputerName or Port (bound from the pipeline) change. A target that cannot be opened gives its
    // error for every datagram meant for it, without resolving again.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private DatagramSender? SenderFor()
    {
        if (!_senderOpened || _senderPort != Port || !string.Equals(_senderHost, ComputerName, StringComparison.Ordinal))
        {
            _sender?.Dispose();
            _sender = null;
            _openFailure = null;
            _senderOpened = true;
            _senderHost = ComputerName;
            _senderPort = Port;
            var options = new DatagramSendOptions
            {
                ComputerName = ComputerName,
                Port = Port,
                AddressFamily = AddressFamily,
                LocalPort = LocalPort,
                Broadcast = Broadcast.IsPresent,
                Ttl = MyInvocation.BoundParameters.ContainsKey(nameof(Ttl)) ? Ttl : null,
                Encoding = Encoding,
            };
            try
            {
                _sender = WaitFor(DatagramSender.OpenAsync(options, CancellationToken));
            }
            catch (Exception e) when (e is SocketShellException or SocketException)
            {
                _openFailure = e;
            }
        }

        if (_openFailure is not null)
        {
            WriteSocketError(_openFailure, EndPointText.Format(ComputerName, Port));
        }

        return _sender;
    }
}
