using System.ComponentModel;

namespace SocketShell.SystemSockets;

/// <summary>The socket table's own failures, typed once: a table that cannot be read, an OS without a source.</summary>
internal static class SocketTableFailure
{
    /// <summary>Whether <paramref name="e"/> is a failure to read the table (permissions, I/O, a missing system library).</summary>
    public static bool IsReadFailure(Exception e) =>
        e is IOException or UnauthorizedAccessException or Win32Exception or DllNotFoundException or EntryPointNotFoundException;

    /// <summary>The <see cref="SocketErrorKind.SocketTableUnavailable"/> failure for <paramref name="e"/>.</summary>
    public static SocketShellException Unavailable(Exception e, string sourceName) =>
        new(SocketErrorKind.SocketTableUnavailable, $"The socket table could not be read: {e.Message}", sourceName, e);

    /// <summary>The <see cref="SocketErrorKind.SocketTableNotSupported"/> failure.</summary>
    public static SocketShellException NotSupported(string message, string target) =>
        new(SocketErrorKind.SocketTableNotSupported, message, target);
}
