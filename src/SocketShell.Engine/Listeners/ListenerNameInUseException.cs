namespace SocketShell.Listeners;

/// <summary>A listener name that another running listener already has.</summary>
public sealed class ListenerNameInUseException : InvalidOperationException
{
    /// <summary>Creates the exception for <paramref name="name"/>.</summary>
    public ListenerNameInUseException(string name) : base($"A listener named '{name}' is already running; choose another -Name or stop it first.") => Name = name;

    /// <summary>Creates the exception.</summary>
    public ListenerNameInUseException() : this(string.Empty) { }

    /// <summary>Creates the exception with a message and cause.</summary>
    public ListenerNameInUseException(string message, Exception innerException) : base(message, innerException) => Name = string.Empty;

    /// <summary>The name asked for.</summary>
    public string Name { get; }
}
