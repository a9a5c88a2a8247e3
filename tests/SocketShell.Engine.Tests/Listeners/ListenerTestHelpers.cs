using System.Net.Sockets;
using System.Net;
using SocketShell.Listeners;

namespace SocketShell.Engine.Tests.Listeners;

/// <summary>Shared pieces of the listener tests: starting on loopback port 0, bounded waits, socket counts.</summary>
internal static class ListenerTestHelpers
{
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    /// <summary>Starts a listener in <paramref name="registry"/>, or in a registry of its own.</summary>
    public static SocketListener Start(ListenerMode mode = ListenerMode.Capture, TransportProtocol protocol = TransportProtocol.Tcp, Action<ListenerOptions>? configure = null, ListenerRegistry? registry = null)
    {
        var options = new ListenerOptions { Protocol = protocol, Mode = mode, Address = IPAddress.Loopback, Port = 0, Name = "test-" + Guid.NewGuid().ToString("N") };
        configure?.Invoke(options);
        return (registry ?? new ListenerRegistry()).Start(options);
    }

    public static async Task<Socket> ConnectAsync(SocketListener listener)
    {
        var socket = new Socket(listener.GetLocalEndPoint()!.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(listener.GetLocalEndPoint()!).WaitAsync(Bound);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public static async Task<byte[]> ReadExactlyAsync(Socket socket, int count)
    {
        byte[] buffer = new byte[count];
        int got = 0;
        while (got < count)
        {
            int n = await socket.ReceiveAsync(buffer.AsMemory(got), SocketFlags.None).AsTask().WaitAsync(Bound);
            if (n == 0)
            {
                throw new EndOfStreamException($"end of stream after {got} of {count} bytes");
            }

            got += n;
        }

        return buffer;
    }

    /// <summary>Reads until the peer closes; returns what was read.</summary>
    public static async Task<byte[]> ReadToEndAsync(Socket socket)
    {
        var all = new MemoryStream();
        byte[] buffer = new byte[8192];
        while (true)
        {
            int n = await socket.ReceiveAsync(buffer, SocketFlags.None).WaitAsync(Bound);
            if (n == 0)
            {
                return all.ToArray();
            }

            all.Write(buffer, 0, n);
        }
    }

    /// <summary>Polls <paramref name="condition"/> (a counter reaching a value) until true or the bound passes.</summary>
    public static async Task<bool> EventuallyAsync(Func<bool> condition, TimeSpan? within = null)
    {
        DateTime deadline = DateTime.UtcNow + (within ?? Bound);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(10);
        }

        return true;
    }
}
