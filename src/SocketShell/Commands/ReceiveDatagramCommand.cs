using System.Globalization;
using System.Management.Automation;
using System.Net;
using System.Text;
using System.Threading.Channels;
using SocketShell.Common;
using SocketShell.Completers;
using SocketShell.Resources;
using SocketShell.Transformations;
using SocketShell.Udp;

namespace SocketShell.Commands;

/// <summary>
/// <para type="synopsis">Receives UDP datagrams on a local port and writes each one as it arrives.</para>
/// </summary>
[Cmdlet(VerbsCommunications.Receive, "Datagram", DefaultParameterSetName = DefaultSet)]
[OutputType(typeof(SocketMessage), ParameterSetName = [DefaultSet, PathSet])]
public sealed class ReceiveDatagramCommand : SocketCmdletBase
{
    private const string DefaultSet = "Default";
    private const string PathSet = "Path";

    // Datagrams handed over but not yet written; beyond it the receive loop waits (see ProcessRecord).
    private const int QueueCapacity = 1024;

    /// <summary>The local port.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = DefaultSet,
        HelpMessage = "The local UDP port to receive on (1-65535).")]
    [ValidateRange(1, 65535)]
    [ArgumentCompleter(typeof(PortCompleter))]
    public int Port { get; set; }

    /// <summary>The Unix datagram socket to create and receive on.</summary>
    [Parameter(Mandatory = true, ParameterSetName = PathSet,
        HelpMessage = "A Unix datagram socket to create and receive on (SOCK_DGRAM): a file path, relative to the current location, or '@name' for a Linux abstract name. The socket file is removed when the command ends.")]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = string.Empty;

    /// <summary>Replace a stale socket file.</summary>
    [Parameter(ParameterSetName = PathSet, HelpMessage = "Replace a stale socket file at -Path (a socket file nothing is bound to). Anything else at the path is never replaced.")]
    public SwitchParameter Force { get; set; }

    /// <summary>The socket file's mode.</summary>
    [Parameter(ParameterSetName = PathSet, HelpMessage = "The file mode of the socket file, as chmod takes it: an octal string such as '0662', or UnixFileMode names. Not on Windows.")]
    [FileModeTransformation]
    public UnixFileMode Permission { get; set; }

    /// <summary>The local address.</summary>
    [Parameter(ParameterSetName = DefaultSet, HelpMessage = "The local address to receive on: 127.0.0.1 (default), an IPv4/IPv6 literal, or Any for every interface.")]
    [ValidateNotNullOrEmpty]
    public string Address { get; set; } = "127.0.0.1";

    /// <summary>Stop after this many datagrams.</summary>
    [Parameter(HelpMessage = "Stop after this many datagrams; without it, receive until -Timeout or Ctrl+C.")]
    [ValidateRange(1, int.MaxValue)]
    public int Count { get; set; }

    /// <summary>Stop when nothing arrives for this long.</summary>
    [Parameter(HelpMessage = "Stop when no datagram arrives for this long (an idle timeout): seconds, '500ms', '1m' or a TimeSpan.")]
    [TimeoutTransformation]
    public TimeSpan Timeout { get; set; }

    /// <summary>A multicast group to join.</summary>
    [Parameter(ParameterSetName = DefaultSet, HelpMessage = "A multicast group to join while receiving (left when the command ends), e.g. 239.1.2.3 or ff15::1234.")]
    [ValidateNotNullOrEmpty]
    public string? MulticastGroup { get; set; }

    /// <summary>How the text of each datagram is decoded.</summary>
    [Parameter(HelpMessage = "How each datagram's Text is decoded (default utf8); Data always holds the bytes.")]
    [EncodingTransformation]
    [ArgumentCompleter(typeof(EncodingCompleter))]
    [ValidateNotNull]
    public Encoding Encoding { get; set; } = Payload.Utf8NoBom;

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        if (ParameterSetName == PathSet)
        {
            ReceiveOnPath();
            return;
        }

        IPAddress address;
        try
        {
            address = DatagramAddresses.ParseBindAddress(Address);
        }
        catch (SocketShellException e)
        {
            ThrowSocketError(e, Address);
            return;
        }

        IPAddress? group = null;
        if (MulticastGroup is not null && !HostResolver.TryParseLiteral(MulticastGroup, out group))
        {
            string message = string.Format(CultureInfo.CurrentCulture, Messages.MulticastGroupNotAnAddress, MulticastGroup);
            ThrowSocketError(new SocketShellException(SocketErrorKind.InvalidMulticastGroup, message, MulticastGroup), MulticastGroup);
            return;
        }

        var options = new DatagramReceiveOptions { Address = address, Port = Port, MulticastGroup = group, Encoding = Encoding };
        DatagramReceiver receiver;
        try
        {
            receiver = DatagramReceiver.Open(options);
        }
        catch (SocketShellException e)
        {
            ThrowSocketError(e, e.Target ?? EndPointText.Format(address, Port));
            return;
        }

        using (receiver)
        {
            string inGroup = group is null ? string.Empty : string.Format(CultureInfo.CurrentCulture, Messages.DatagramReceivingGroup, group);
            WriteVerbose(string.Format(CultureInfo.CurrentCulture, Messages.DatagramReceiving, receiver.LocalEndPoint, inGroup));

            DatagramReceiveEnd end = Pump((write, count, idle) => receiver.RunAsync(write, count, idle, CancellationToken), receiver.LocalEndPoint.ToString());
            WriteVerbose(string.Format(CultureInfo.CurrentCulture, Messages.DatagramReceiveEnded, receiver.LocalEndPoint, receiver.Received, end));
        }
    }

    private void ReceiveOnPath()
    {
        string path = UnixPaths.Resolve(this, Path);
        Unix.UnixDatagramReceiver receiver;
        try
        {
            receiver = Unix.UnixDatagramReceiver.Open(path, Force, MyInvocation.BoundParameters.ContainsKey(nameof(Permission)) ? Permission : null, Encoding);
        }
        catch (SocketShellException e)
        {
            ThrowSocketError(e, path);
            return;
        }

        using (receiver)
        {
            WriteVerbose(string.Format(CultureInfo.CurrentCulture, Messages.DatagramReceiving, path, string.Empty));
            DatagramReceiveEnd end = Pump((write, count, idle) => receiver.RunAsync(write, count, idle, CancellationToken), path);
            WriteVerbose(string.Format(CultureInfo.CurrentCulture, Messages.DatagramReceiveEnded, path, receiver.Received, end));
        }
    }

    /// <summary>
    /// Runs a receive loop and writes each datagram on the pipeline thread the moment it is handed over.
    /// A bounded hand-over: when the pipeline is slower than the sender, the receive loop waits and
    /// datagrams stay in the socket's buffer (the OS drops what does not fit), so memory stays bounded.
    /// </summary>
    private DatagramReceiveEnd Pump(Func<Func<SocketMessage, ValueTask>, int?, TimeSpan?, Task<DatagramReceiveEnd>> start, string target)
    {
        var arrived = Channel.CreateBounded<SocketMessage>(new BoundedChannelOptions(QueueCapacity)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        int? count = MyInvocation.BoundParameters.ContainsKey(nameof(Count)) ? Count : null;
        TimeSpan? idle = MyInvocation.BoundParameters.ContainsKey(nameof(Timeout)) ? Timeout : null;
        Task<DatagramReceiveEnd> run = start(m => arrived.Writer.WriteAsync(m, CancellationToken), count, idle);
        _ = run.ContinueWith(
            t => arrived.Writer.TryComplete(t.IsFaulted ? t.Exception!.InnerException : null),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        try
        {
            while (WaitFor(arrived.Reader.WaitToReadAsync(CancellationToken).AsTask()))
            {
                while (arrived.Reader.TryRead(out SocketMessage? message))
                {
                    WriteObject(message);
                }
            }

            return WaitFor(run);
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or SocketShellException)
        {
            ThrowSocketError(e, target);
            throw; // not reached: ThrowSocketError throws
        }
    }
}
