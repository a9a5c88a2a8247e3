namespace SocketShell.Client;

/// <summary>One framed piece of received data and when its last byte arrived.</summary>
internal readonly record struct ReceivedFrame(byte[] Data, DateTimeOffset Arrived);
