using System.Net.Sockets;
using System.Security.Authentication;

namespace SocketShell.Forward;

/// <summary>
/// Relays two connected sides both ways until both have finished, whatever their address family or
/// TLS. An end of stream is passed on as an end of stream (client FIN → server shutdown(Send), and the
/// reverse), so half-closed conversations work; a reset on one side resets the other (linger 0 close);
/// any other failure, or <see cref="Close"/>, closes both gracefully.
/// Each direction holds a pooled 64 KB buffer only while data flows (an idle pair waits with zero-byte
/// reads and holds none); nothing is allocated or locked per read.
/// </summary>
internal sealed class Relay
{
    private readonly RelaySide _client;
    private readonly RelaySide _server;
    private readonly IRelayObserver? _observer;
    private int _tornDown;

    public Relay(RelaySide client, RelaySide server, IRelayObserver? observer)
    {
        _client = client;
        _server = server;
        _observer = observer;
    }

    /// <summary>How the relay ended: both ways finished, reset, or closed (by a failure or <see cref="Close"/>).</summary>
    public RelayEnd End { get; private set; } = RelayEnd.Running;

    /// <summary>Pumps both ways; completes when both are done and both sides are closed. Never throws for network failures.</summary>
    public async Task RunAsync()
    {
        Task toServer = PumpAsync(_client, _server, MessageDirection.ClientToServer);
        Task toClient = PumpAsync(_server, _client, MessageDirection.ServerToClient);
        await Task.WhenAll(toServer, toClient).ConfigureAwait(false);
        if (Interlocked.Exchange(ref _tornDown, 1) == 0)
        {
            End = RelayEnd.Finished;
        }

        _client.Dispose();
        _server.Dispose();
    }

    /// <summary>Closes both sides gracefully now (stop, idle timeout); the pumps end.</summary>
    public void Close()
    {
        if (Interlocked.Exchange(ref _tornDown, 1) == 0)
        {
            End = RelayEnd.Closed;
        }

        _client.Dispose();
        _server.Dispose();
    }

    private async Task PumpAsync(RelaySide from, RelaySide to, MessageDirection direction)
    {
        byte[]? buffer = null;
        try
        {
            while (true)
            {
                int n;
                try
                {
                    if (buffer is null)
                    {
                        // Wait for data without holding a buffer.
                        await from.ReceiveAsync(Memory<byte>.Empty).ConfigureAwait(false);
                        buffer = RelayBufferPool.Rent();
                    }

                    n = await from.ReceiveAsync(buffer).ConfigureAwait(false);
                }
                catch (Exception e) when (IsNetworkFailure(e))
                {
                    Fail(from, to, e);
                    return;
                }

                if (n == 0)
                {
                    break;
                }

                _observer?.Received(direction, buffer.AsSpan(0, n));
                try
                {
                    await to.SendAsync(buffer.AsMemory(0, n)).ConfigureAwait(false);
                }
                catch (Exception e) when (IsNetworkFailure(e))
                {
                    Fail(to, from, e);
                    return;
                }

                _observer?.Forwarded(direction, n);
                if (n < buffer.Length)
                {
                    // Drained what was there: give the buffer back while waiting for more.
                    RelayBufferPool.Return(buffer);
                    buffer = null;
                }
            }

            // End of stream from 'from': pass it on; the other direction goes on (half-close).
            try
            {
                await to.ShutdownSendAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (IsNetworkFailure(e))
            {
                Fail(to, from, e);
            }
        }
        finally
        {
            if (buffer is not null)
            {
                RelayBufferPool.Return(buffer);
            }
        }
    }

    /// <summary><paramref name="failed"/> broke: a reset is passed on to <paramref name="other"/> as a reset; anything else closes both.</summary>
    private void Fail(RelaySide failed, RelaySide other, Exception e)
    {
        if (Interlocked.Exchange(ref _tornDown, 1) != 0)
        {
            // Already torn down (by the other direction, Close or a stop): nothing more to do.
            failed.Dispose();
            other.Dispose();
            return;
        }

        if (IsReset(e))
        {
            End = RelayEnd.Reset;
            other.Reset();
            failed.Reset();
        }
        else
        {
            End = RelayEnd.Closed;
            failed.Dispose();
            other.Dispose();
        }
    }

    internal static bool IsNetworkFailure(Exception e) =>
        e is SocketException or IOException or ObjectDisposedException or OperationCanceledException or AuthenticationException or InvalidOperationException;

    /// <summary>The peer reset the connection (RST received, or a write into a connection it had reset).</summary>
    internal static bool IsReset(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            if (x is SocketException se)
            {
                return se.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown;
            }
        }

        return false;
    }
}
