using System.Net.Sockets;
using System.Security.Authentication;

namespace SocketShell.Common;

/// <summary>Classifies exceptions from sockets, DNS and TLS into <see cref="SocketErrorKind"/>.</summary>
public static class SocketFailure
{
    /// <summary>Classifies <paramref name="exception"/> (unwrapping aggregate and inner exceptions).</summary>
    public static SocketErrorKind Classify(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case SocketShellException sse:
                    return sse.Kind;
                case AuthenticationException:
                    return SocketErrorKind.TlsHandshakeFailed;
                case TimeoutException:
                    return SocketErrorKind.OperationTimeout;
                case SocketException se:
                    return Classify(se.SocketErrorCode);
                case AggregateException ae when ae.InnerExceptions.Count == 1:
                    return Classify(ae.InnerExceptions[0]);
            }
        }

        return SocketErrorKind.Unknown;
    }

    /// <summary>Classifies an operating-system socket error code.</summary>
    public static SocketErrorKind Classify(SocketError error) => error switch
    {
        SocketError.ConnectionRefused => SocketErrorKind.ConnectionRefused,
        SocketError.TimedOut => SocketErrorKind.ConnectTimeout,
        SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain or SocketError.NoRecovery
            => SocketErrorKind.HostNotFound,
        SocketError.NetworkUnreachable or SocketError.HostUnreachable or SocketError.NetworkDown or SocketError.HostDown
            => SocketErrorKind.NetworkUnreachable,
        SocketError.AddressAlreadyInUse => SocketErrorKind.PortInUse,
        SocketError.AccessDenied => SocketErrorKind.AccessDenied,
        SocketError.AddressNotAvailable => SocketErrorKind.AddressNotAvailable,
        SocketError.ConnectionReset or SocketError.ConnectionAborted => SocketErrorKind.ConnectionReset,
        SocketError.NotConnected or SocketError.Shutdown or SocketError.OperationAborted => SocketErrorKind.ConnectionClosed,
        SocketError.MessageSize => SocketErrorKind.DatagramTooLarge,
        _ => SocketErrorKind.Unknown,
    };
}
