using SocketShell.Common;

namespace SocketShell.Client;

/// <summary>
/// The bytes a connection has received but nobody has read yet, with the time each read delivered
/// them. Not thread-safe: <see cref="ConnectionReader"/> guards it with its own lock.
/// </summary>
internal sealed class ReceiveBuffer(TimeProvider time)
{
    private const int InitialSize = 4096;
    private const int ShrinkAbove = 1024 * 1024;

    private readonly Queue<(long End, DateTimeOffset Time)> _arrivals = new();
    private byte[] _data = new byte[InitialSize];
    private int _start;
    private int _length;
    private long _consumed;

    /// <summary>The number of unread bytes.</summary>
    public int Length => _length;

    /// <summary>The unread bytes.</summary>
    public ReadOnlySpan<byte> Span => _data.AsSpan(_start, _length);

    /// <summary>Appends what one read delivered, stamped with <paramref name="arrived"/>.</summary>
    public void Append(ReadOnlySpan<byte> bytes, DateTimeOffset arrived)
    {
        if (bytes.IsEmpty)
        {
            return;
        }

        if (_start + _length + bytes.Length > _data.Length)
        {
            if (_length + bytes.Length <= _data.Length)
            {
                Buffer.BlockCopy(_data, _start, _data, 0, _length);
            }
            else
            {
                var bigger = new byte[Math.Max(_data.Length * 2, _length + bytes.Length)];
                Buffer.BlockCopy(_data, _start, bigger, 0, _length);
                _data = bigger;
            }

            _start = 0;
        }

        bytes.CopyTo(_data.AsSpan(_start + _length));
        _length += bytes.Length;
        _arrivals.Enqueue((_consumed + _length, arrived));
    }

    /// <summary>
    /// Removes the first <paramref name="count"/> bytes and returns them, then discards
    /// <paramref name="skip"/> more (a delimiter). <paramref name="arrived"/> is when the last returned
    /// byte arrived.
    /// </summary>
    public byte[] Take(int count, int skip, out DateTimeOffset arrived)
    {
        if (count < 0 || skip < 0 || count + skip > _length)
        {
            throw new ArgumentOutOfRangeException(nameof(count));
        }

        byte[] result = _data.AsSpan(_start, count).ToArray();
        long lastByteEnd = _consumed + Math.Max(count, 1);
        arrived = LocalClock.Now(time);
        foreach ((long end, DateTimeOffset time) in _arrivals)
        {
            if (end >= lastByteEnd)
            {
                arrived = time;
                break;
            }
        }

        int n = count + skip;
        _start += n;
        _length -= n;
        _consumed += n;
        while (_arrivals.Count > 0 && _arrivals.Peek().End <= _consumed)
        {
            _arrivals.Dequeue();
        }

        if (_length == 0)
        {
            _start = 0;
            if (_data.Length > ShrinkAbove)
            {
                _data = new byte[InitialSize];
            }
        }

        return result;
    }
}
