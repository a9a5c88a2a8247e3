using System.Buffers.Binary;
using System.Globalization;
using System.Net;

namespace SocketShell.SystemSockets;

/// <summary>
/// Parses /proc/net/{tcp,tcp6,udp,udp6}. Each line stands alone: a line that does not parse (a
/// malformed line, or one cut short because the table changed while it was read) is skipped and counted.
/// Addresses are printed as host-order 32-bit words, so their bytes depend on the machine's byte order.
/// </summary>
internal static class ProcNetParser
{
    public static void Parse(string text, TransportProtocol protocol, IPFamily family, List<SystemSocket> into, ref int skipped, bool littleEndian)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (ReadOnlySpan<char> rawLine in text.AsSpan().EnumerateLines())
        {
            ReadOnlySpan<char> line = rawLine.Trim();
            if (line.IsEmpty || line.StartsWith("sl ", StringComparison.Ordinal) || line.Contains("local_address", StringComparison.Ordinal))
            {
                continue;
            }

            SystemSocket? socket = ParseLine(line, protocol, family, littleEndian);
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
    public static SystemSocket? ParseLine(ReadOnlySpan<char> line, TransportProtocol protocol, IPFamily family, bool littleEndian)
    {
        // sl local rem st tx:rx tr:when retrnsmt uid timeout inode ...
        Span<Range> f = stackalloc Range[11];
        int n = line.SplitAny(f, " \t", StringSplitOptions.RemoveEmptyEntries);
        if (n < 10 || line[f[0]][^1] != ':')
        {
            return null;
        }

        int addressHex = family == IPFamily.IPv6 ? 32 : 8;
        if (!TryEndPoint(line[f[1]], addressHex, littleEndian, out IPAddress? local, out int localPort)
            || !TryEndPoint(line[f[2]], addressHex, littleEndian, out IPAddress? remote, out int remotePort)
            || line[f[3]].Length != 2
            || !int.TryParse(line[f[3]], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int state)
            || !TryQueues(line[f[4]], out uint tx, out uint rx)
            || !int.TryParse(line[f[7]], NumberStyles.None, CultureInfo.InvariantCulture, out int uid)
            || !long.TryParse(line[f[9]], NumberStyles.None, CultureInfo.InvariantCulture, out long inode))
        {
            return null;
        }

        return new SystemSocket
        {
            Protocol = protocol,
            AddressFamily = family,
            LocalIP = local!,
            LocalPort = localPort,
            RemoteIP = remote!,
            RemotePort = remotePort,
            State = LinuxStates.Map(protocol, state),
            ReceiveQueue = rx,
            SendQueue = tx,
            UserId = uid,
            Inode = inode,
        };
    }

    private static bool TryQueues(ReadOnlySpan<char> text, out uint tx, out uint rx)
    {
        rx = 0;
        int colon = text.IndexOf(':');
        tx = 0;
        return colon == 8 && text.Length == 17
            && uint.TryParse(text[..colon], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out tx)
            && uint.TryParse(text[(colon + 1)..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out rx);
    }

    private static bool TryEndPoint(ReadOnlySpan<char> text, int addressHex, bool littleEndian, out IPAddress? address, out int port)
    {
        address = null;
        port = 0;
        if (text.Length != addressHex + 5 || text[addressHex] != ':'
            || !int.TryParse(text[(addressHex + 1)..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out port))
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[addressHex / 2];
        for (int word = 0; word < addressHex / 8; word++)
        {
            if (!uint.TryParse(text.Slice(word * 8, 8), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out uint value))
            {
                return false;
            }

            // The kernel printed the word as a host-order integer; its bytes in memory are the address bytes.
            if (littleEndian)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(bytes[(word * 4)..], value);
            }
            else
            {
                BinaryPrimitives.WriteUInt32BigEndian(bytes[(word * 4)..], value);
            }
        }

        address = new IPAddress(bytes);
        return true;
    }
}
