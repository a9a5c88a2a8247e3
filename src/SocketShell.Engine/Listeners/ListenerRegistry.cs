using System.Collections.Concurrent;
using System.Globalization;
using SocketShell.Common;

namespace SocketShell.Listeners;

/// <summary>
/// The listeners of one session (the module keeps one per PowerShell runspace): started here, found
/// by id or name, stopped together when the module is removed or the runspace closes. A stopped
/// listener leaves its registry; the object keeps its final counters and can still be stopped or
/// read from anywhere it is handed to.
/// </summary>
public sealed class ListenerRegistry
{
    private readonly ConcurrentDictionary<int, SocketListener> _listeners = new();
    private readonly object _nameGate = new();
    private int _nextId;

    /// <summary>The listeners running now, by id.</summary>
    public IReadOnlyList<SocketListener> All => _listeners.Values.OrderBy(l => l.Id).ToArray();

    /// <summary>Binds and starts a listener; it is running when this returns.</summary>
    /// <exception cref="SocketShellException">PortInUse, AccessDenied, AddressNotAvailable, or a name already taken (kind Unknown, target the name).</exception>
    /// <exception cref="ArgumentException">The options contradict each other.</exception>
    public SocketListener Start(ListenerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        ListenerWorker worker = options.Protocol == TransportProtocol.Udp ? new UdpListenerWorker(options) : new TcpListenerWorker(options);
        System.Net.IPEndPoint? local = worker.Bind();
        SocketListener listener;
        lock (_nameGate)
        {
            string name;
            if (options.Name is { } requested)
            {
                if (_listeners.Values.Any(l => string.Equals(l.Name, requested, StringComparison.OrdinalIgnoreCase)))
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

            listener = new SocketListener(Interlocked.Increment(ref _nextId), name, options, worker, this);
            listener.SetLocalEndPoint(local);
            _listeners[listener.Id] = listener;
        }

        worker.Start(listener);
        return listener;
    }

    /// <summary>The running listener with this id, or null.</summary>
    public SocketListener? Find(int id) => _listeners.TryGetValue(id, out SocketListener? l) ? l : null;

    /// <summary>The running listener with this name (case-insensitive), or null.</summary>
    public SocketListener? Find(string name) =>
        _listeners.Values.FirstOrDefault(l => string.Equals(l.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>Stops every listener; waits up to <paramref name="timeout"/> for their sockets to close.</summary>
    public bool StopAll(TimeSpan timeout)
    {
        Task[] stops = _listeners.Values.Select(l => l.StopAsync()).ToArray();
        return Task.WaitAll(stops, timeout);
    }

    internal void Unregister(SocketListener listener) => _listeners.TryRemove(new KeyValuePair<int, SocketListener>(listener.Id, listener));

    private string UniqueName(TransportProtocol protocol, int port) =>
        UniqueName(string.Create(CultureInfo.InvariantCulture, $"{(protocol == TransportProtocol.Udp ? "udp" : "tcp")}-{port}"));

    /// <summary>The file name of a socket path (app.sock for /run/app.sock), or an abstract name without '@'.</summary>
    private static string UnixName(string path)
    {
        string name = path.StartsWith('@') ? path[1..] : System.IO.Path.GetFileName(path.TrimEnd('/'));
        return name.Length == 0 ? "socket" : name;
    }

    private string UniqueName(string baseName)
    {
        string name = baseName;
        for (int i = 2; _listeners.Values.Any(l => string.Equals(l.Name, name, StringComparison.OrdinalIgnoreCase)); i++)
        {
            name = string.Create(CultureInfo.InvariantCulture, $"{baseName}-{i}");
        }

        return name;
    }
}
