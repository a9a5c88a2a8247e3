using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using SocketShell.Listeners;

namespace SocketShell.Forward;

/// <summary>Forward mode for one accepted TCP (or TLS) client: connect its upstream, then relay until both are done.</summary>
internal static class TcpForwardSession
{
    /// <summary>
    /// Relays <paramref name="client"/> to the listener's ForwardTo. When the upstream cannot be reached
    /// the failure is counted on the listener and this returns at once; the caller closes the client.
    /// The client's socket (and TLS stream) are closed when this returns. <paramref name="started"/> gets the
    /// relay once it exists, so the idle timer can close both sides (closing only the client's socket would
    /// pass on an end of stream and leave the upstream's direction open).
    /// </summary>
    public static async Task RunAsync(
        SocketListener listener, Socket client, SslStream? clientTls, int connectionId, IPEndPoint? remote, Action touch, Action<Relay> started, CancellationToken stop)
    {
        ListenerOptions options = listener.Options;
        RelaySide upstream;
        try
        {
            upstream = await ForwardConnector.ConnectAsync(options.ForwardTo!, options.ForwardTls, options.SkipCertificateCheck, options.ConnectTimeout, options.TimeProvider, stop).ConfigureAwait(false);
        }
        catch (SocketShellException e)
        {
            if (!stop.IsCancellationRequested)
            {
                listener.RecordForwardFailure(e, connectionId, remote);
            }

            return;
        }
        catch (OperationCanceledException)
        {
            return; // stopping
        }

        Interlocked.Increment(ref listener._activePairs);
        try
        {
            var relay = new Relay(new RelaySide(client, clientTls), upstream, new ListenerRelayObserver(listener, connectionId, remote, touch));
            started(relay);
            if (stop.IsCancellationRequested)
            {
                relay.Close();
            }

            await relay.RunAsync().ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref listener._activePairs);
        }
    }
}
