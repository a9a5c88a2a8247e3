using System.Net.Sockets;
using System.Net;
using SocketShell.Common;

namespace SocketShell.Listeners;

/// <summary>The socket work behind a <see cref="SocketListener"/>: TCP or UDP.</summary>
internal abstract class ListenerWorker
{
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    protected ListenerWorker(ListenerOptions options) => Options = options;

    protected ListenerOptions Options { get; }

    protected SocketListener Listener { get; private set; } = null!;

    protected CancellationTokenSource Stopping { get; } = new();

    /// <summary>Completes when every socket of the listener is closed.</summary>
    public Task Completion => _completion.Task;

    /// <summary>Binds the socket; throws <see cref="SocketShellException"/> (PortInUse, AccessDenied, PathInUse, ...) when it cannot. Null for a Unix socket path.</summary>
    public abstract IPEndPoint? Bind();

    /// <summary>Starts the background loops.</summary>
    public void Start(SocketListener listener)
    {
        Listener = listener;
        _ = RunAsync();
    }

    /// <summary>Closes every socket and waits for the loops to end.</summary>
    public async Task StopAsync()
    {
        try
        {
            Stopping.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }

        CloseAll();
        await Completion.ConfigureAwait(false);
    }

    /// <summary>Datagrams the operating system dropped for a full receive queue (UDP on Linux), or null when it does not say.</summary>
    public virtual long? SystemDrops => null;

    /// <summary>Closes the bound socket (used when registration fails after Bind).</summary>
    public abstract void CloseAll();

    protected abstract Task LoopAsync();

    private async Task RunAsync()
    {
        try
        {
            await LoopAsync().ConfigureAwait(false);
            if (Listener.State == ListenerState.Listening)
            {
                // The loop ended without a stop request: the socket failed under us.
                _ = Listener.StopCoreAsync(new SocketShellException(SocketErrorKind.ConnectionClosed, "The listening socket closed unexpectedly."));
            }
        }
        catch (Exception e) when (Listener.State == ListenerState.Listening)
        {
            CloseAll();
            _ = Listener.StopCoreAsync(e);
        }
        catch (Exception) when (Listener.State != ListenerState.Listening)
        {
            // Stopping: errors from closing sockets are expected.
        }
        finally
        {
            CloseAll();
            _completion.TrySetResult();
        }
    }

    /// <summary>Creates a socket bound to the options' address and port, classifying bind failures.</summary>
    protected Socket CreateBoundSocket(SocketType type, ProtocolType protocol)
    {
        IPAddress? address = Options.Address;
        Socket socket;
        IPEndPoint endPoint;
        if (address is null)
        {
            if (Socket.OSSupportsIPv6)
            {
                socket = new Socket(AddressFamily.InterNetworkV6, type, protocol) { DualMode = true };
                endPoint = new IPEndPoint(IPAddress.IPv6Any, Options.Port);
            }
            else
            {
                socket = new Socket(AddressFamily.InterNetwork, type, protocol);
                endPoint = new IPEndPoint(IPAddress.Any, Options.Port);
            }
        }
        else
        {
            socket = new Socket(address.AddressFamily, type, protocol);
            endPoint = new IPEndPoint(address, Options.Port);
        }

        try
        {
            if (OperatingSystem.IsWindows())
            {
                socket.ExclusiveAddressUse = true;
            }

            socket.Bind(endPoint);
            return socket;
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw BindFailure(e, endPoint);
        }
    }

    private SocketShellException BindFailure(SocketException e, IPEndPoint endPoint)
    {
        string target = EndPointText.Format(endPoint.Address, endPoint.Port);
        string proto = Options.Protocol.ToString().ToUpperInvariant();
        SocketErrorKind kind = SocketFailure.Classify(e.SocketErrorCode);
        string message = kind switch
        {
            SocketErrorKind.PortInUse => $"{proto} port {endPoint.Port} on {endPoint.Address} is already in use.",
            SocketErrorKind.AccessDenied => $"Permission denied to listen on {proto} port {endPoint.Port} on {endPoint.Address} (ports below 1024 may need elevated rights).",
            SocketErrorKind.AddressNotAvailable => $"The address {endPoint.Address} is not an address of this machine; cannot listen on {target}.",
            _ => $"Cannot listen on {proto} {target}: {e.Message}",
        };
        return new SocketShellException(kind, message, target, e);
    }

    /// <summary>Formats a remote endpoint of a dual-mode socket the way users expect (IPv4 not mapped).</summary>
    protected static IPEndPoint Normalize(IPEndPoint endPoint) =>
        endPoint.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(endPoint.Address.MapToIPv4(), endPoint.Port) : endPoint;
}
