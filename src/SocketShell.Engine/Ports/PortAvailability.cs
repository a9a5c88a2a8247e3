using System.Net;
using System.Net.Sockets;

namespace SocketShell.Ports;

/// <summary>
/// Finds ports that are free right now by really binding them. The sockets found free are held until
/// the search ends, so the ports returned are distinct and were all free at the same moment. Another
/// process may still take a port after the call returns.
/// </summary>
public static class PortAvailability
{
    /// <summary>
    /// Looks for <paramref name="count"/> free ports in <paramref name="start"/>..<paramref name="end"/> on
    /// <paramref name="address"/>, beginning at a random port of the range and wrapping around, so two
    /// callers at once rarely race for the same port. Ports <paramref name="skip"/> returns true for
    /// (e.g. reserved ones) are not tried.
    /// </summary>
    /// <returns>The free ports found, at most <paramref name="count"/>; fewer when fewer are free.</returns>
    public static List<int> FindFree(
        IPAddress address,
        AvailabilityProtocol protocol,
        int start,
        int end,
        int count,
        Func<int, bool>? skip,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(end, 65535);
        ArgumentOutOfRangeException.ThrowIfLessThan(end, start);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);

        int size = end - start + 1;
        int offset = Random.Shared.Next(size);
        var found = new List<int>(Math.Min(count, size));
        var held = new List<Socket>();
        try
        {
            for (int i = 0; i < size && found.Count < count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int port = start + ((offset + i) % size);
                if (port == 0 || (skip is not null && skip(port)))
                {
                    continue; // port 0 means "any port" to bind(); it is never itself free.
                }

                if (TryHold(address, port, protocol, held))
                {
                    found.Add(port);
                }
            }
        }
        finally
        {
            foreach (Socket s in held)
            {
                s.Dispose();
            }
        }

        return found;
    }

    /// <summary>Whether <paramref name="port"/> can be bound on <paramref name="address"/> for <paramref name="protocol"/> right now.</summary>
    public static bool IsFree(IPAddress address, int port, AvailabilityProtocol protocol)
    {
        var held = new List<Socket>();
        try
        {
            return TryHold(address, port, protocol, held);
        }
        finally
        {
            foreach (Socket s in held)
            {
                s.Dispose();
            }
        }
    }

    private static bool TryHold(IPAddress address, int port, AvailabilityProtocol protocol, List<Socket> held)
    {
        Socket? tcp = null;
        Socket? udp = null;
        try
        {
            if (protocol is AvailabilityProtocol.Tcp or AvailabilityProtocol.Both)
            {
                tcp = Bind(address, port, SocketType.Stream, ProtocolType.Tcp);
                if (tcp is null)
                {
                    return false;
                }
            }

            if (protocol is AvailabilityProtocol.Udp or AvailabilityProtocol.Both)
            {
                udp = Bind(address, port, SocketType.Dgram, ProtocolType.Udp);
                if (udp is null)
                {
                    tcp?.Dispose();
                    tcp = null;
                    return false;
                }
            }

            if (tcp is not null)
            {
                held.Add(tcp);
            }

            if (udp is not null)
            {
                held.Add(udp);
            }

            tcp = null;
            udp = null;
            return true;
        }
        finally
        {
            tcp?.Dispose();
            udp?.Dispose();
        }
    }

    private static Socket? Bind(IPAddress address, int port, SocketType type, ProtocolType protocolType)
    {
        var socket = new Socket(address.AddressFamily, type, protocolType);
        try
        {
            if (address.AddressFamily == AddressFamily.InterNetworkV6 && address.Equals(IPAddress.IPv6Any))
            {
                socket.DualMode = true; // "any" on IPv6 must be free on IPv4 too.
            }

            // No SO_REUSEADDR (which .NET's own Bind turns on for TCP on Unix): a port held by anyone, even
            // by a connection in TIME_WAIT, is not reported free, because a non-.NET server could not bind it.
            Interop.StrictBind.Bind(socket, new IPEndPoint(address, port));
            return socket;
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.AddressAlreadyInUse or SocketError.AccessDenied)
        {
            socket.Dispose();
            return null;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
