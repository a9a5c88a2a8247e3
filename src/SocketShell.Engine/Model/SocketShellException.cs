namespace SocketShell;

/// <summary>An engine failure that already knows its <see cref="SocketErrorKind"/> and target.</summary>
public class SocketShellException : Exception
{
    /// <summary>Creates an exception of the given kind.</summary>
    public SocketShellException(SocketErrorKind kind, string message, string? target = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
        Target = target;
    }

    /// <summary>Creates an <see cref="SocketErrorKind.Unknown"/> exception.</summary>
    public SocketShellException() : this(SocketErrorKind.Unknown, "A socket operation failed.") { }

    /// <summary>Creates an <see cref="SocketErrorKind.Unknown"/> exception with a message.</summary>
    public SocketShellException(string message) : this(SocketErrorKind.Unknown, message) { }

    /// <summary>Creates an <see cref="SocketErrorKind.Unknown"/> exception with a message and cause.</summary>
    public SocketShellException(string message, Exception innerException) : this(SocketErrorKind.Unknown, message, null, innerException) { }

    /// <summary>What went wrong.</summary>
    public SocketErrorKind Kind { get; }

    /// <summary>What it went wrong with, e.g. <c>host:port</c>.</summary>
    public string? Target { get; }
}
