namespace SocketShell;

/// <summary>What a listener does with the data clients send.</summary>
public enum ListenerMode
{
    /// <summary>Keep what clients send, for Receive-SocketData (up to the capture limit).</summary>
    Capture = 0,

    /// <summary>Send every byte back to its sender, and keep it (up to the capture limit).</summary>
    Echo = 1,

    /// <summary>Send the configured response for each message received, and keep the message.</summary>
    Reply = 2,

    /// <summary>Count the bytes only; nothing is kept.</summary>
    Discard = 3,
}
