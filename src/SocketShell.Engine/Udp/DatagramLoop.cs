using System.Net.Sockets;

namespace SocketShell.Udp;

/// <summary>
/// The receive loop shared by the UDP and the Unix datagram receivers: the count, the idle timeout
/// (restarted for each datagram, not running while the consumer is busy) and cancellation.
/// </summary>
internal static class DatagramLoop
{
    /// <summary>
    /// Calls <paramref name="receive"/> (with a token that also ends at the idle timeout) until
    /// <paramref name="count"/> messages were handed to <paramref name="onMessage"/> (null: no limit),
    /// nothing arrived for <paramref name="idleTimeout"/> (null: wait for ever), or
    /// <paramref name="cancellationToken"/> is cancelled (then <see cref="OperationCanceledException"/>,
    /// also when the socket was closed under the loop, as <paramref name="isClosed"/> tells).
    /// <paramref name="receive"/> returns null for a receive that yielded no datagram. The idle timeout
    /// runs on <paramref name="time"/>.
    /// </summary>
    public static async Task<DatagramReceiveEnd> RunAsync(
        Func<CancellationToken, ValueTask<SocketMessage?>> receive,
        Func<SocketMessage, ValueTask> onMessage,
        int? count,
        TimeSpan? idleTimeout,
        Func<bool> isClosed,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        int taken = 0;
        CancellationTokenSource? idle = null;
        CancellationTokenRegistration link = default;
        try
        {
            while (count is null || taken < count)
            {
                cancellationToken.ThrowIfCancellationRequested();
                CancellationToken token = cancellationToken;
                if (idleTimeout is { } timeout)
                {
                    if (idle is null || !idle.TryReset())
                    {
                        link.Dispose();
                        idle?.Dispose();

                        // The idle timer runs on the caller's clock; the caller's token cancels it too.
                        idle = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
                        link = cancellationToken.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), idle);
                    }

                    idle.CancelAfter(timeout);
                    token = idle.Token;
                }

                SocketMessage? message;
                try
                {
                    message = await receive(token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    return DatagramReceiveEnd.IdleTimeout;
                }
                catch (Exception e) when ((cancellationToken.IsCancellationRequested || isClosed()) && e is SocketException or ObjectDisposedException)
                {
                    // Closed under us (Ctrl+C, or the pipeline stopped early, e.g. Select-Object -First).
                    throw new OperationCanceledException("The receiver was closed.", e, cancellationToken);
                }

                if (message is null)
                {
                    continue;
                }

                taken++;
                await onMessage(message).ConfigureAwait(false);
            }

            return DatagramReceiveEnd.CountReached;
        }
        finally
        {
            link.Dispose();
            idle?.Dispose();
        }
    }
}
