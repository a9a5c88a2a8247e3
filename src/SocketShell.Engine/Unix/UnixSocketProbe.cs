using System.Net.Sockets;

namespace SocketShell.Unix;

/// <summary>Test-Port -Path: whether something accepts connections (or datagrams) at a Unix socket path.</summary>
public static class UnixSocketProbe
{
    /// <summary>
    /// Probes <paramref name="path"/> until it is Open or <paramref name="waitTimeout"/> has passed (a
    /// service that is starting: the socket file appears, then it listens), each attempt bounded by
    /// <paramref name="timeout"/>, 100 ms between attempts growing to 1 s. <paramref name="onAttempt"/>
    /// sees every attempt that is not Open (for -Verbose). Returns the last result. The wait, the pauses and
    /// each attempt's timeout run on <paramref name="timeProvider"/> (default <see cref="TimeProvider.System"/>).
    /// </summary>
    public static async Task<PortStatus> WaitAsync(string path, TimeSpan timeout, TimeSpan waitTimeout, Action<PortStatus>? onAttempt, CancellationToken cancellationToken, TimeProvider? timeProvider = null)
    {
        TimeProvider time = timeProvider ?? TimeProvider.System;
        long started = time.GetTimestamp();
        TimeSpan pause = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            PortStatus status = await ProbeAsync(path, timeout, cancellationToken, time).ConfigureAwait(false);
            TimeSpan left = waitTimeout - time.GetElapsedTime(started);
            if (status.Open || left <= TimeSpan.Zero)
            {
                return status;
            }

            onAttempt?.Invoke(status);
            await Task.Delay(pause < left ? pause : left, time, cancellationToken).ConfigureAwait(false);
            pause = TimeSpan.FromMilliseconds(Math.Min(pause.TotalMilliseconds * 2, 1000));
        }
    }

    /// <summary>
    /// Connects to <paramref name="path"/> (a stream socket; when the socket is of another type,
    /// seqpacket then datagram) and closes at once. Open: it connected; Closed: refused (a stale
    /// socket file); NotFound: nothing there, or not a socket; AccessDenied; TimedOut: a listener
    /// whose backlog stayed full for <paramref name="timeout"/> (on <paramref name="timeProvider"/>, default
    /// <see cref="TimeProvider.System"/>).
    /// </summary>
    /// <exception cref="SocketShellException">InvalidSocketPath: the path cannot be a socket path at all.</exception>
    public static async Task<PortStatus> ProbeAsync(string path, TimeSpan timeout, CancellationToken cancellationToken, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        TimeProvider time = timeProvider ?? TimeProvider.System;
        UnixDomainSocketEndPoint endPoint = UnixSocketPath.EndPoint(path);
        var status = new PortStatus { ComputerName = path, Path = path };
        long started = time.GetTimestamp();
        using var deadline = new Common.Deadline(timeout, time, cancellationToken);
        foreach (SocketType type in new[] { SocketType.Stream, SocketType.Seqpacket, SocketType.Dgram })
        {
            using var socket = new Socket(AddressFamily.Unix, type, ProtocolType.Unspecified);
            try
            {
                await socket.ConnectAsync(endPoint, deadline.Token).ConfigureAwait(false);
                status.Status = PortState.Open;
                status.Latency = time.GetElapsedTime(started);
                return status;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                status.Status = PortState.TimedOut;
                return status;
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ProtocolType or SocketError.ProtocolNotSupported or SocketError.SocketNotSupported)
            {
                continue; // a socket of another type
            }
            catch (SocketException e)
            {
                SocketShellException failure = UnixSocketPath.ConnectFailure(path, e);
                (status.Status, status.Latency) = failure.Kind switch
                {
                    SocketErrorKind.PathNotFound or SocketErrorKind.NotASocket => (PortState.NotFound, (TimeSpan?)null),
                    SocketErrorKind.AccessDenied => (PortState.AccessDenied, null),
                    _ => (PortState.Closed, time.GetElapsedTime(started)),
                };
                return status;
            }
        }

        status.Status = PortState.Closed;
        return status;
    }
}
