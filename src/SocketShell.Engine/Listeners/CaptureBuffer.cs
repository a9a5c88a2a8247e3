namespace SocketShell.Listeners;

/// <summary>
/// The messages a listener keeps for Receive-SocketData: a queue bounded by bytes (each message's
/// length plus a fixed overhead counts against the limit, so many tiny messages stay bounded too).
/// Every byte offered is either kept (<see cref="CapturedBytes"/>) or dropped (<see cref="DroppedBytes"/>).
/// </summary>
internal sealed class CaptureBuffer
{
    /// <summary>What one kept message costs besides its bytes (object headers, fields, array header).</summary>
    internal const int MessageOverhead = 160;

    private readonly object _gate = new();
    private readonly LinkedList<SocketMessage> _messages = new();
    private readonly long _limit;
    private long _pendingCost;
    private long _pendingBytes;
    private long _captured;
    private long _dropped;
    private TaskCompletionSource? _arrival;

    public CaptureBuffer(long limit) => _limit = limit;

    public long Limit => _limit;

    public long CapturedBytes => Interlocked.Read(ref _captured);

    public long DroppedBytes => Interlocked.Read(ref _dropped);

    public long PendingBytes => Interlocked.Read(ref _pendingBytes);

    public int PendingCount
    {
        get
        {
            lock (_gate)
            {
                return _messages.Count;
            }
        }
    }

    /// <summary>
    /// How many of <paramref name="length"/> bytes fit now (all, some, or none when <paramref name="whole"/>
    /// and they do not all fit). Counts the rest as dropped. Cheap when the capture is full.
    /// </summary>
    public int Reserve(int length, bool whole)
    {
        if (length == 0)
        {
            return 0;
        }

        long room = _limit - Interlocked.Read(ref _pendingCost) - MessageOverhead;
        if (room <= 0 || (whole && room < length))
        {
            Interlocked.Add(ref _dropped, length);
            return -1;
        }

        return (int)Math.Min(length, room);
    }

    /// <summary>Keeps <paramref name="message"/> if it still fits (<paramref name="offered"/> bytes were offered; the rest of them count as dropped).</summary>
    public void Add(SocketMessage message, int offered)
    {
        int length = message.Length;
        TaskCompletionSource? wake;
        lock (_gate)
        {
            long cost = length + MessageOverhead;
            if (_pendingCost + cost > _limit)
            {
                // Another connection took the room meanwhile.
                Interlocked.Add(ref _dropped, offered);
                return;
            }

            _messages.AddLast(message);
            Interlocked.Add(ref _pendingCost, cost);
            Interlocked.Add(ref _pendingBytes, length);
            Interlocked.Add(ref _captured, length);
            if (offered > length)
            {
                Interlocked.Add(ref _dropped, offered - length);
            }

            wake = _arrival;
            _arrival = null;
        }

        wake?.TrySetResult();
    }

    /// <summary>Counts <paramref name="length"/> bytes as dropped.</summary>
    public void Drop(int length) => Interlocked.Add(ref _dropped, length);

    /// <summary>How many kept messages match <paramref name="connectionId"/> (all when null).</summary>
    public int CountMatching(int? connectionId)
    {
        lock (_gate)
        {
            return connectionId is null ? _messages.Count : _messages.Count(m => m.ConnectionId == connectionId);
        }
    }

    /// <summary>Takes (or, with <paramref name="peek"/>, copies the list of) up to <paramref name="max"/> kept messages, oldest first.</summary>
    public List<SocketMessage> Take(int max, int? connectionId, bool peek)
    {
        var result = new List<SocketMessage>();
        lock (_gate)
        {
            LinkedListNode<SocketMessage>? node = _messages.First;
            while (node is not null && result.Count < max)
            {
                LinkedListNode<SocketMessage>? next = node.Next;
                if (connectionId is null || node.Value.ConnectionId == connectionId)
                {
                    result.Add(node.Value);
                    if (!peek)
                    {
                        _messages.Remove(node);
                        Interlocked.Add(ref _pendingCost, -(node.Value.Length + MessageOverhead));
                        Interlocked.Add(ref _pendingBytes, -node.Value.Length);
                    }
                }

                node = next;
            }
        }

        return result;
    }

    /// <summary>A task that completes when the next message is kept.</summary>
    public Task NextArrival()
    {
        lock (_gate)
        {
            _arrival ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _arrival.Task;
        }
    }

    /// <summary>Wakes every waiter (the listener stopped).</summary>
    public void WakeAll()
    {
        TaskCompletionSource? wake;
        lock (_gate)
        {
            wake = _arrival;
            _arrival = null;
        }

        wake?.TrySetResult();
    }
}
