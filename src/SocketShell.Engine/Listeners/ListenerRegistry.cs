using System.Collections.Concurrent;
using System.Globalization;
using SocketShell.Common;

namespace SocketShell.Listeners;

/// <summary>
/// The listeners of this session: started here, found by id or name, stopped together when the
/// module is removed. A stopped listener leaves the registry; the object keeps its final counters.
/// </summary>
public static class ListenerRegistry
{
    private static readonly ConcurrentDictionary<int, SocketListener> s_listeners = new();
    private static readonly object s_nameGate = new();
    private static int s_nextId;

    /// <summary>The listeners running now, by id.</summary>
    public static IReadOnlyList<SocketListener> All => s_listeners.Values.OrderBy(l => l.Id).ToArray();

    /// <summary>Binds and starts a listener; it is running when this returns.</summary>
    /// <exception cref="SocketShellException">PortInUse, AccessDenied, AddressNotAvailable, or a name already taken (kind Unknown, target the name).</exception>
    /// <exception cref="ArgumentException">The options contradict each other.</exception>
    public static SocketListener Start(ListenerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        SessionCleanup.Register("listeners", StopAllForCleanup);
        ListenerWorker worker = options.Protocol == TransportProtocol.Udp ? new UdpListenerWorker(options) : new TcpListenerWorker(options);
        System.Net.IPEndPoint? local = worker.Bind();
        SocketListener listener;
        lock (s_nameGate)
        {
            string name;
            if (options.Name is { } requested)
            {
                if (s_listeners.Values.Any(l => string.Equals(l.Name, requested, StringComparison.OrdinalIgnoreCase)))
                {
                    worker.CloseAll();
                    throw new ListenerNameInUseException(requested);
                }

                name = requested;
            }
            else
            {
                name = options.Path is { } path ? UniqueName("unix-" + UnixName(path)) : UniqueName(options.Protocol, local!.Port);
            }

            listener = new SocketListener(Interlocked.Increment(ref s_nextId), name, options, worker);
            listener.SetLocalEndPoint(local);
            s_listeners[listener.Id] = listener;
        }

        worker.Start(listener);
        return listener;
    }

    /// <summary>The running listener with this id, or null.</summary>
    public static SocketListener? Find(int id) => s_listeners.TryGetValue(id, out SocketListener? l) ? l : null;

    /// <summary>The running listener with this name (case-insensitive), or null.</summary>
    public static SocketListener? Find(string name) =>
        s_listeners.Values.FirstOrDefault(l => string.Equals(l.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>Stops every listener; waits up to <paramref name="timeout"/> for their sockets to close.</summary>
    public static bool StopAll(TimeSpan timeout)
    {
        Task[] stops = s_listeners.Values.Select(l => l.StopAsync()).ToArray();
        return Task.WaitAll(stops, timeout);
    }

    internal static void Unregister(SocketListener listener) => s_listeners.TryRemove(listener.Id, out _);

    private static void StopAllForCleanup() => StopAll(TimeSpan.FromSeconds(5));

    private static string UniqueName(TransportProtocol protocol, int port) =>
        UniqueName(string.Create(CultureInfo.InvariantCulture, $"{(protocol == TransportProtocol.Udp ? "udp" : "tcp")}-{port}"));

    /// <summary>The file name of a socket path (app.sock for /run/app.sock), or an abstract name without '@'.</summary>
    private static string UnixName(string path)
    {
        string name = path.StartsWith('@') ? path[1..] : System.IO.Path.GetFileName(path.TrimEnd('/'));
        return name.Length == 0 ? "socket" : name;
    }

    private static string UniqueName(string baseName)
    {
        string name = baseName;
        for (int i = 2; s_listeners.Values.Any(l => string.Equals(l.Name, name, StringComparison.OrdinalIgnoreCase)); i++)
        {
            name = string.Create(CultureInfo.InvariantCulture, $"{baseName}-{i}");
        }

        return name;
    }
}
