namespace SocketShell.Forward;

/// <summary>
/// The relay's buffers: large (64 KB, so bulk transfers take few system calls), held only while data
/// flows, and kept in a fixed array of slots taken and given back with one interlocked exchange each —
/// no lock, no allocation once warm, whichever thread returns a buffer.
/// </summary>
internal static class RelayBufferPool
{
    internal const int BufferSize = 64 * 1024;
    private const int Slots = 256; // at most 16 MB kept idle

    private static readonly byte[]?[] s_slots = new byte[Slots][];

    public static byte[] Rent()
    {
        int start = Environment.CurrentManagedThreadId & (Slots - 1);
        for (int i = 0; i < Slots; i++)
        {
            int at = (start + i) & (Slots - 1);
            if (Volatile.Read(ref s_slots[at]) is not null && Interlocked.Exchange(ref s_slots[at], null) is { } buffer)
            {
                return buffer;
            }
        }

        return GC.AllocateUninitializedArray<byte>(BufferSize);
    }

    public static void Return(byte[] buffer)
    {
        int start = Environment.CurrentManagedThreadId & (Slots - 1);
        for (int i = 0; i < Slots; i++)
        {
            int at = (start + i) & (Slots - 1);
            if (Volatile.Read(ref s_slots[at]) is null && Interlocked.CompareExchange(ref s_slots[at], buffer, null) is null)
            {
                return;
            }
        }

        // Full: let the collector have it.
    }
}
