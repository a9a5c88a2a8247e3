using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using SocketShell.Common;

namespace SocketShell.Forward;

/// <summary>
/// The one way a relay reaches its upstream: a TCP connection to a host and port (every resolved
/// address tried in the resolver's order) or a Unix domain stream socket for a path, then optionally
/// a TLS client handshake validated against the target's host name. All within one timeout, measured on
/// the listener's clock (<see cref="Listeners.ListenerOptions.TimeProvider"/>).
/// </summary>
internal static class ForwardConnector
{
    /// <exception cref="SocketShellException">
    /// ConnectionRefused, ConnectTimeout, HostNotFound, NetworkUnreachable, TlsHandshakeFailed, ... with the target as <c>host:port</c> or path.
    /// </exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (the listener is stopping).</exception>
    public static async Task<RelaySide> ConnectAsync(
        ForwardTarget target, bool tls, bool skipCertificateCheck, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        string text = target.ToString();
        using var deadline = new Deadline(timeout, time, cancellationToken);
        Socket? socket = null;
        SslStream? ssl = null;
        try
        {
            socket = await ConnectSocketAsync(target, text, deadline.Token).ConfigureAwait(false);
            if (tls)
            {
                ssl = new SslStream(new NetworkStream(socket, ownsSocket: false), leaveInnerStreamOpen: false);
                var options = new SslClientAuthenticationOptions
                {
                    TargetHost = target.Host ?? "localhost",
                    RemoteCertificateValidationCallback = skipCertificateCheck ? static (_, _, _, _) => true : null,
                };
                await ssl.AuthenticateAsClientAsync(options, deadline.Token).ConfigureAwait(false);
            }

            var side = new RelaySide(socket, ssl);
            socket = null;
            ssl = null;
            return side;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new SocketShellException(
                SocketErrorKind.ConnectTimeout,
                string.Create(CultureInfo.InvariantCulture, $"The upstream {text} did not {(socket is null ? "accept the connection" : "complete the TLS handshake")} within {timeout.TotalSeconds:0.###} s."),
                text);
        }
        catch (AuthenticationException e)
        {
            throw new SocketShellException(SocketErrorKind.TlsHandshakeFailed, $"The TLS handshake with the upstream {text} failed: {e.Message}", text, e);
        }
        catch (IOException e) when (ssl is not null && !cancellationToken.IsCancellationRequested)
        {
            throw new SocketShellException(SocketErrorKind.TlsHandshakeFailed, $"The TLS handshake with the upstream {text} failed: {e.Message}", text, e);
        }
        finally
        {
            ssl?.Dispose();
            socket?.Dispose();
        }
    }

    private static async Task<Socket> ConnectSocketAsync(ForwardTarget target, string text, CancellationToken deadline)
    {
        if (target.Path is { } path)
        {
            var unix = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await unix.ConnectAsync(new UnixDomainSocketEndPoint(path), deadline).ConfigureAwait(false);
                return unix;
            }
            catch (SocketException e)
            {
                unix.Dispose();
                throw Failure(e, text);
            }
            catch
            {
                unix.Dispose();
                throw;
            }
        }

        IPAddress[] addresses;
        if (target.Address is { } literal)
        {
            addresses = [literal];
        }
        else
        {
            try
            {
                addresses = await HostResolver.ResolveAsync(target.Host!, IPFamily.Any, deadline).ConfigureAwait(false);
            }
            catch (SocketShellException e)
            {
                throw new SocketShellException(e.Kind, $"The upstream host of {text} could not be resolved: {e.Message}", text, e);
            }
        }

        // Every resolved address in the resolver's order (AddressFallback, the rule Test-Port and
        // Connect-Socket share); when none accepts, the most telling failure is reported.
        SocketException? reported = null;
        for (int i = 0; i < addresses.Length; i++)
        {
            IPAddress address = addresses[i];
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                socket.NoDelay = true;
                await socket.ConnectAsync(new IPEndPoint(address, target.Port), deadline).ConfigureAwait(false);
                return socket;
            }
            catch (SocketException e)
            {
                socket.Dispose();
                reported = AddressFallback.MoreTelling(reported, Rank(reported), e, Rank(e), FallbackTie.Earlier);
                if (!AddressFallback.TriesNext(answered: false, i, addresses.Length))
                {
                    break;
                }
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw Failure(reported!, text);
    }

    /// <summary>How telling a connect failure is: a refusal (something answered) says more than silence or unreachability.</summary>
    private static int Rank(SocketException? e) => e?.SocketErrorCode switch
    {
        null => -1,
        SocketError.ConnectionRefused => 2,
        SocketError.TimedOut => 0,
        _ => 1,
    };

    private static SocketShellException Failure(SocketException e, string text)
    {
        SocketErrorKind kind = SocketFailure.Classify(e.SocketErrorCode);
        string message = kind switch
        {
            SocketErrorKind.ConnectionRefused => $"The upstream {text} refused the connection.",
            SocketErrorKind.NetworkUnreachable => $"The upstream {text} is unreachable.",
            SocketErrorKind.ConnectTimeout => $"The upstream {text} did not answer.",
            _ => $"Cannot connect to the upstream {text}: {e.Message}",
        };
        return new SocketShellException(kind, message, text, e);
    }
}
