using System.Globalization;
using SocketShell.Common;
using System.Management.Automation;
using System.Text;
using SocketShell.Completers;
using SocketShell.Resources;
using SocketShell.Transformations;

namespace SocketShell.Commands;

/// <summary>
/// <para type="synopsis">Gets the data a background listener captured, or reads from a client connection, as SocketMessage objects.</para>
/// </summary>
[Cmdlet(VerbsCommunications.Receive, "SocketData", DefaultParameterSetName = ListenerSet)]
[OutputType(typeof(SocketMessage), ParameterSetName = [ListenerSet, SocketSet])]
public sealed class ReceiveSocketDataCommand : SocketCmdletBase
{
    private const string ListenerSet = "Listener";
    private const string SocketSet = "Socket";

    /// <summary>The listener whose capture to read.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ListenerSet, ValueFromPipeline = true,
        HelpMessage = "The listener to read from: a SocketListener (from Start- or Get-SocketListener), or its name or id.")]
    [ListenerTransformation]
    [ArgumentCompleter(typeof(ListenerNameCompleter))]
    [ValidateNotNull]
    public SocketListener Listener { get; set; } = null!;

    /// <summary>Wait for data.</summary>
    [Parameter(ParameterSetName = ListenerSet, HelpMessage = "Wait up to -Timeout until at least one message (or -Count messages) has arrived.")]
    public SwitchParameter Wait { get; set; }

    /// <summary>How many messages at most.</summary>
    [Parameter(ParameterSetName = ListenerSet, HelpMessage = "The most messages to return; with -Wait, how many to wait for. By default every kept message.")]
    [ValidateRange(1, int.MaxValue)]
    public int Count { get; set; } = int.MaxValue;

    /// <summary>Only one connection's messages.</summary>
    [Parameter(ParameterSetName = ListenerSet, HelpMessage = "Only messages from this connection (TCP) or peer (UDP) number, the ConnectionId of the messages.")]
    [ValidateRange(1, int.MaxValue)]
    public int Connection { get; set; }

    /// <summary>Leave the messages in the capture.</summary>
    [Parameter(ParameterSetName = ListenerSet, HelpMessage = "Return the messages but leave them in the capture.")]
    public SwitchParameter Peek { get; set; }

    /// <summary>The client connection to read from.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = SocketSet, ValueFromPipeline = true,
        HelpMessage = "The client connection to read from (from Connect-Socket or Get-Socket).")]
    [ValidateNotNull]
    [SocketConnectionTransformation]
    public SocketConnection Socket { get; set; } = null!;

    /// <summary>Read one line.</summary>
    [Parameter(ParameterSetName = SocketSet, HelpMessage = "Read one line, ended by LF or CR LF; the line end is removed.")]
    public SwitchParameter Line { get; set; }

    /// <summary>Read up to a delimiter.</summary>
    [Parameter(ParameterSetName = SocketSet, HelpMessage = "Read up to this delimiter (encoded with -Encoding); the delimiter is consumed and not returned.")]
    [ValidateNotNullOrEmpty]
    public string? Until { get; set; }

    /// <summary>Read exactly this many bytes.</summary>
    [Parameter(ParameterSetName = SocketSet, HelpMessage = "Read exactly this many bytes (fewer only if the stream ends first).")]
    [ValidateRange(1, 1024 * 1024 * 1024)]
    public int ByteCount { get; set; }

    /// <summary>How long -Wait waits.</summary>
    [Parameter(HelpMessage = "How long to wait for data (default 5 seconds): seconds, '250ms', '1m' or a TimeSpan. With -Socket, how long to wait for what was asked.")]
    [TimeoutTransformation]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Encoding of the messages' Text.</summary>
    [Parameter(HelpMessage = "The encoding to decode the Text of the messages with (default: the listener's encoding, UTF-8 without BOM unless set).")]
    [EncodingTransformation]
    [ArgumentCompleter(typeof(EncodingCompleter))]
    public Encoding Encoding { get; set; } = Payload.Utf8NoBom;

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        if (ParameterSetName == ListenerSet)
        {
            ReceiveFromListener();
        }
        else if (ParameterSetName == SocketSet)
        {
            ReceiveFromSocket();
        }
    }

    /// <inheritdoc/>
    protected override void BeginProcessing()
    {
        int modes = (Line ? 1 : 0) + (Until is null ? 0 : 1) + (MyInvocation.BoundParameters.ContainsKey(nameof(ByteCount)) ? 1 : 0);
        if (modes > 1)
        {
            ThrowTerminatingError(SocketErrors.Record(
                new ArgumentException(Messages.ReceiveModeConflict), ErrorIds.ReceiveModeConflict, null));
        }
    }

    private void ReceiveFromSocket()
    {
        SocketConnection socket = Socket;
        SocketMessage? message;
        try
        {
            // The blocking forms: the pipeline thread sleeps until the connection's reader hands the message
            // over (no Task.Wait spin, no extra thread hop); Ctrl+C cancels the receive itself.
            message = Line ? socket.ReceiveLine(Timeout, Encoding, CancellationToken)
                : Until is not null ? socket.ReceiveUntil(Until, Timeout, Encoding, CancellationToken)
                : ByteCount > 0 ? socket.ReceiveBytes(ByteCount, Timeout, Encoding, CancellationToken)
                : socket.ReceiveAvailable(Timeout, Encoding, CancellationToken);
        }
        catch (OperationCanceledException) when (CancellationToken.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
        catch (SocketShellException e) when (e.Kind == SocketErrorKind.OperationTimeout)
        {
            // What arrived so far stays buffered for the next read.
            WriteSocketError(e, socket.Target, ErrorIds.ReceiveTimeout);
            return;
        }
        catch (SocketShellException e)
        {
            WriteSocketError(e, socket.Target);
            return;
        }

        if (message is not null)
        {
            WriteObject(message);
        }
        else if (socket.State == SocketConnectionState.Open)
        {
            string text = string.Format(CultureInfo.CurrentCulture, Messages.SocketReceiveTimedOut, socket.Target, DurationText.Format(Timeout));
            WriteError(SocketErrors.Record(new TimeoutException(text), ErrorIds.ReceiveTimeout, socket.Target));
        }
        else
        {
            // A normal end of stream: no error; the connection's State says Closed.
            WriteVerbose(string.Format(CultureInfo.CurrentCulture, Messages.SocketEndOfStream, socket.Target, socket.State));
        }
    }

    private void ReceiveFromListener()
    {
        bool setEncoding = MyInvocation.BoundParameters.ContainsKey(nameof(Encoding));
        int? connection = MyInvocation.BoundParameters.ContainsKey(nameof(Connection)) ? Connection : null;
        bool wait = Wait.IsPresent;
        if (!wait && MyInvocation.BoundParameters.ContainsKey(nameof(Timeout)))
        {
            WriteWarning(Messages.ReceiveTimeoutWithoutWait);
        }

        int waitFor = !wait ? 0 : Count == int.MaxValue ? 1 : Count;
        IReadOnlyList<SocketMessage> messages = WaitFor(Listener.ReceiveAsync(Count, waitFor, connection, Peek, Timeout, CancellationToken));
        foreach (SocketMessage m in messages)
        {
            if (setEncoding)
            {
                m.SetEncoding(Encoding);
            }

            WriteObject(m);
        }

        if (!wait)
        {
            return;
        }

        bool fewer = messages.Count == 0 || (Count != int.MaxValue && messages.Count < Count);
        if (fewer && Listener.State != ListenerState.Listening)
        {
            // The wait ended because the listener stopped, not because time ran out: say so.
            string message = string.Format(CultureInfo.CurrentCulture, Messages.ListenerStoppedWhileWaiting, Listener.Name, Listener.State, messages.Count);
            WriteError(SocketErrors.Record(new InvalidOperationException(message), ErrorIds.ListenerStopped, Listener.Name));
        }
        else if (messages.Count == 0)
        {
            string message = string.Format(CultureInfo.CurrentCulture, Messages.ReceiveTimedOut, Listener.Name, DurationText.Format(Timeout));
            WriteError(SocketErrors.Record(new TimeoutException(message), ErrorIds.ReceiveTimeout, Listener.Name));
        }
        else if (Count != int.MaxValue && messages.Count < Count)
        {
            string message = string.Format(CultureInfo.CurrentCulture, Messages.ReceiveFewerThanCount, messages.Count, Count, Listener.Name, DurationText.Format(Timeout));
            WriteError(SocketErrors.Record(new TimeoutException(message), ErrorIds.ReceiveTimeout, Listener.Name));
        }
    }
}
