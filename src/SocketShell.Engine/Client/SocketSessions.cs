using System.Collections.Concurrent;
using SocketShell.Common;

namespace SocketShell.Client;

/// <summary>
/// The client connections one session has made and not yet disconnected (what Get-Socket lists); the
/// module keeps one per PowerShell runspace. A connection the peer closed stays listed, with State
/// Closed or Faulted, until it is disconnected. Remove-Module or the runspace closing closes them all.
/// </summary>
public sealed class SocketSessions
{
    private readonly ConcurrentDictionary<int, SocketConnection> _connections = new();
    private int _lastId;

    /// <summary>Every listed connection, oldest first.</summary>
    public IReadOnlyList<SocketConnection> GetAll() => _connections.Values.OrderBy(c => c.Id).ToArray();

    /// <summary>The listed connection with <paramref name="id"/>, or null.</summary>
    public SocketConnection? Get(int id) => _connections.TryGetValue(id, out SocketConnection? c) ? c : null;

    /// <summary>Closes every listed connection at once (no drain) and empties the list.</summary>
    public void CloseAll()
    {
        foreach (SocketConnection connection in _connections.Values)
        {
            connection.Dispose();
        }
    }

    internal int NextId() => Interlocked.Increment(ref _lastId);

    internal void Add(SocketConnection connection) => _connections[connection.Id] = connection;

    internal void Remove(SocketConnection connection)
        => _connections.TryRemove(new KeyValuePair<int, SocketConnection>(connection.Id, connection));
}
