namespace SocketShell.Forward;

/// <summary>What a <see cref="Relay"/> tells its owner about the bytes it moves (counters, recording, activity).</summary>
internal interface IRelayObserver
{
    /// <summary>
    /// <paramref name="data"/> was read from one side and is about to be written to the other. Called
    /// before the write, so a request is recorded before the answer it provokes. Must not block.
    /// </summary>
    void Received(MessageDirection direction, ReadOnlySpan<byte> data);

    /// <summary><paramref name="count"/> bytes were written to the receiving side.</summary>
    void Forwarded(MessageDirection direction, int count);
}
