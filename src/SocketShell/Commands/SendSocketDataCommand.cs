using System.Globalization;
using System.Management.Automation;
using System.Text;
using SocketShell.Common;
using SocketShell.Completers;
using SocketShell.Resources;
using SocketShell.Transformations;

namespace SocketShell.Commands;

/// <summary>
/// <para type="synopsis">Sends strings or bytes on a client connection made by Connect-Socket.</para>
/// </summary>
[Cmdlet(VerbsCommunications.Send, "SocketData")]
[OutputType(typeof(SocketConnection))]
public sealed class SendSocketDataCommand : SocketCmdletBase
{
    private readonly List<byte> _pendingBytes = [];

    /// <summary>The connection to send on.</summary>
    [Parameter(Mandatory = true, Position = 0, HelpMessage = "The connection to send on (from Connect-Socket or Get-Socket).")]
    [ValidateNotNull]
    public SocketConnection Socket { get; set; } = null!;

    /// <summary>What to send.</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipeline = true,
        HelpMessage = "What to send: strings (encoded with -Encoding, each followed by -NewLine) or bytes (byte[] or byte values, sent as they are).")]
    [AllowEmptyString]
    [AllowNull]
    [Alias("Data")]
    public object? InputObject { get; set; }

    /// <summary>The text encoding.</summary>
    [Parameter(HelpMessage = "The encoding for strings: utf8 (default, no BOM), ascii, unicode, latin1, a .NET name or a code page.")]
    [EncodingTransformation]
    [ArgumentCompleter(typeof(EncodingCompleter))]
    public Encoding Encoding { get; set; } = Payload.Utf8NoBom;

    /// <summary>What follows each string.</summary>
    [Parameter(HelpMessage = "What is sent after each string (default \"`n\", as ncat sends a typed line); e.g. \"`r`n\" for HTTP or SMTP.")]
    [AllowEmptyString]
    [ValidateNotNull]
    public string NewLine { get; set; } = "\n";

    /// <summary>Send strings without a line end.</summary>
    [Parameter(HelpMessage = "Send strings exactly as they are, with no line end after each.")]
    public SwitchParameter NoNewline { get; set; }

    /// <summary>Write the connection when done.</summary>
    [Parameter(HelpMessage = "Write the connection to the pipeline when the data is sent.")]
    public SwitchParameter PassThru { get; set; }

    /// <inheritdoc/>
    protected override void BeginProcessing()
    {
        if (NoNewline && MyInvocation.BoundParameters.ContainsKey(nameof(NewLine)))
        {
            ThrowTerminatingError(SocketErrors.Record(
                new ArgumentException(Messages.NewLineConflict), ErrorIds.NewLineConflict, NewLine));
        }
    }

    /// <inheritdoc/>
    protected override void ProcessRecord() => Process(InputObject);

    // An array given as an argument is sent item by item exactly as the same items piped in
    // (PowerShell unrolls a piped array): Send-SocketData $c 'a','b' equals 'a','b' | Send-SocketData $c.
    private void Process(object? input)
    {
        object? item = input is PSObject pso ? pso.BaseObject : input;
        if (item is byte b)
        {
            // A byte[] piped in arrives one byte at a time: keep them together and send them as one write.
            _pendingBytes.Add(b);
            return;
        }

        if (item is System.Collections.IEnumerable items and not string and not byte[] and not char[] and not System.Collections.IDictionary)
        {
            foreach (object? element in items)
            {
                Process(element);
            }

            return;
        }

        FlushBytes();
        if (item is null)
        {
            return;
        }

        byte[] data;
        try
        {
            data = item switch
            {
                byte[] bytes => bytes,
                string s => Encoding.GetBytes(NoNewline ? s : s + NewLine),
                char[] chars => Encoding.GetBytes(NoNewline ? new string(chars) : new string(chars) + NewLine),
                IFormattable f => Encoding.GetBytes(f.ToString(null, CultureInfo.InvariantCulture) + (NoNewline ? string.Empty : NewLine)),
                _ => Payload.ToBytes(item, Encoding),
            };
        }
        catch (SocketShellException e) when (e.Kind == SocketErrorKind.InvalidPayload)
        {
            WriteError(SocketErrors.Record(e, ErrorIds.InvalidPayload, item));
            return;
        }

        Send(data);
    }

    /// <inheritdoc/>
    protected override void EndProcessing()
    {
        FlushBytes();
        if (PassThru)
        {
            WriteObject(Socket);
        }
    }

    private void FlushBytes()
    {
        if (_pendingBytes.Count > 0)
        {
            byte[] data = _pendingBytes.ToArray();
            _pendingBytes.Clear();
            Send(data);
        }
    }

    private void Send(byte[] data)
    {
        try
        {
            WaitFor(Socket.SendAsync(data, CancellationToken));
            WriteVerbose($"Sent {data.Length} byte(s) to {Socket.Target}.");
        }
        catch (SocketShellException e)
        {
            // The connection is the one target of the call: once it is closed nothing more can be sent.
            ThrowSocketError(e, Socket.Target);
        }
    }
}
