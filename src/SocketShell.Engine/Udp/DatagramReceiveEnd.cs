namespace SocketShell.Udp;

/// <summary>Why <see cref="DatagramReceiver.RunAsync"/> returned.</summary>
public enum DatagramReceiveEnd
{
    /// <summary>The requested number of datagrams arrived.</summary>
    CountReached = 0,

    /// <summary>Nothing arrived for the idle timeout.</summary>
    IdleTimeout = 1,
}
