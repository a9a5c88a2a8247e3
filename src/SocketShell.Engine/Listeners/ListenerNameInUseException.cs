namespace SocketShell.Listeners;

/// <summary>A listener name that another running listener already has (kind <see cref="SocketErrorKind.ListenerNameInUse"/>).</summary>
public sealed class ListenerNameInUseException : SocketShellException
{
    /// <summary>Creates the exception for <paramref name="name"/>.</summary>
    public ListenerNameInUseException(string name)
        : base(SocketErrorKind.ListenerNameInUse, $"A listener named '{name}' is already running; choose another -Name or stop it first.", name) => Name = name;

    /// <summary>Creates the exception.</summary>
    public ListenerNameInUseException() : this(string.Empty) { }

    /// <summary>Creates the exception with a message and cause.</summary>
    public ListenerNameInUseException(string message, Exception innerException)
        : base(SocketErrorKind.ListenerNameInUse, message, null, innerException) => Name = string.Empty;

    /// <summary>The name asked for.</summary>
    public string Name { get; }
}
