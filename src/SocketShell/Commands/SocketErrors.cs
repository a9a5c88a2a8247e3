using System.Management.Automation;
using SocketShell.Common;

namespace SocketShell.Commands;

/// <summary>
/// Builds every ErrorRecord the module writes: ErrorId is the engine's <see cref="SocketErrorKind"/>
/// name (or a specific id the cmdlet gives), with the category that kind means.
/// </summary>
internal static class SocketErrors
{
    /// <summary>The ErrorCategory for each kind of failure.</summary>
    public static ErrorCategory CategoryOf(SocketErrorKind kind) => kind switch
    {
        SocketErrorKind.ConnectionRefused => ErrorCategory.ConnectionError,
        SocketErrorKind.ConnectTimeout => ErrorCategory.OperationTimeout,
        SocketErrorKind.OperationTimeout => ErrorCategory.OperationTimeout,
        SocketErrorKind.HostNotFound => ErrorCategory.ObjectNotFound,
        SocketErrorKind.NetworkUnreachable => ErrorCategory.ConnectionError,
        SocketErrorKind.PortInUse => ErrorCategory.ResourceUnavailable,
        SocketErrorKind.AccessDenied => ErrorCategory.PermissionDenied,
        SocketErrorKind.AddressNotAvailable => ErrorCategory.InvalidArgument,
        SocketErrorKind.ConnectionReset => ErrorCategory.ConnectionError,
        SocketErrorKind.ConnectionClosed => ErrorCategory.InvalidOperation,
        SocketErrorKind.TlsHandshakeFailed => ErrorCategory.SecurityError,
        SocketErrorKind.DatagramTooLarge => ErrorCategory.InvalidArgument,
        SocketErrorKind.BroadcastNotAllowed => ErrorCategory.InvalidArgument,
        SocketErrorKind.InvalidMulticastGroup => ErrorCategory.InvalidArgument,
        SocketErrorKind.PathNotFound => ErrorCategory.ObjectNotFound,
        SocketErrorKind.NotASocket => ErrorCategory.InvalidArgument,
        SocketErrorKind.PathInUse => ErrorCategory.ResourceExists,
        SocketErrorKind.InvalidSocketPath => ErrorCategory.InvalidArgument,
        _ => ErrorCategory.NotSpecified,
    };

    /// <summary>
    /// Creates the ErrorRecord for <paramref name="exception"/>. Without <paramref name="errorId"/> the
    /// id is the classified kind's name (e.g. ConnectionRefused), or "SocketOperationFailed" when the
    /// failure is not one SocketShell knows.
    /// </summary>
    public static ErrorRecord Create(Exception exception, object? target, string? errorId = null, ErrorCategory? category = null)
    {
        ArgumentNullException.ThrowIfNull(exception);
        SocketErrorKind kind = SocketFailure.Classify(exception);
        string id = errorId ?? (kind == SocketErrorKind.Unknown ? "SocketOperationFailed" : kind.ToString());
        var record = new ErrorRecord(exception, id, category ?? CategoryOf(kind), target);
        if (target is not null)
        {
            record.ErrorDetails = new ErrorDetails($"{target}: {exception.Message}");
        }

        return record;
    }
}
