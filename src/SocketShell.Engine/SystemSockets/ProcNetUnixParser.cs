using System.Globalization;

namespace SocketShell.SystemSockets;

/// <summary>
/// Parses /proc/net/unix (the fallback when netlink is refused):
/// <c>Num RefCount Protocol Flags Type St Inode [Path]</c>. It gives no peer inode, queue lengths or
/// owner. A line that does not parse is skipped and counted.
/// </summary>
internal static class ProcNetUnixParser
{
    private const uint AcceptConnection = 0x10000; // __SO_ACCEPTCON: a listener

    public static void Parse(string text, List<UnixSystemSocket> into, ref int skipped)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (ReadOnlySpan<char> line in text.AsSpan().EnumerateLines())
        {
            if (line.IsWhiteSpace() || line.StartsWith("Num ", StringComparison.Ordinal))
            {
                continue;
            }

            UnixSystemSocket? socket = ParseLine(line);
            if (socket is null)
            {
                skipped++;
            }
            else
            {
                into.Add(socket);
            }
        }
    }

    /// <summary>Parses one data line; null when it is not well formed.</summary>
    public static UnixSystemSocket? ParseLine(ReadOnlySpan<char> line)
    {
        // Seven fields separated by single spaces, then the path: everything after one more space
        // (a path may itself contain spaces).
        ReadOnlySpan<char> rest = line.TrimStart();
        Span<Range> fields = stackalloc Range[7];
        int start = 0;
        for (int i = 0; i < 7; i++)
        {
            while (start < rest.Length && rest[start] == ' ')
            {
                start++;
            }

            int end = start;
            while (end < rest.Length && rest[end] != ' ')
            {
                end++;
            }

            if (end == start)
            {
                return null;
            }

            fields[i] = start..end;
            start = end;
        }

        if (rest[fields[0]][^1] != ':'
            || !uint.TryParse(rest[fields[3]], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out uint flags)
            || !int.TryParse(rest[fields[4]], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int type)
            || !int.TryParse(rest[fields[5]], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int st)
            || !long.TryParse(rest[fields[6]], NumberStyles.None, CultureInfo.InvariantCulture, out long inode))
        {
            return null;
        }

        string? path = start + 1 < rest.Length ? rest[(start + 1)..].ToString() : null;
        var socketType = (UnixSocketType)type;
        socketType = Enum.IsDefined(socketType) ? socketType : UnixSocketType.Unknown;

        // St is the socket_state: 1 unconnected, 2 connecting, 3 connected, 4 disconnecting.
        int kernelState = (flags & AcceptConnection) != 0 ? 10 : st switch { 2 => 2, 3 => 1, 1 => 7, _ => 0 };
        return new UnixSystemSocket
        {
            Type = socketType,
            State = UnixSocketDiag.MapState(kernelState, socketType, path is not null),
            Path = path,
            Inode = inode,
        };
    }
}
