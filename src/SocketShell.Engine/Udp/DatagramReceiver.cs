using System.Net.Sockets;
using System.Net;
using SocketShell.Common;

namespace SocketShell.Udp;

/// <summary>
/// A bound UDP socket that hands each datagram to a callback as a <see cref="SocketMessage"/> the moment
/// it arrives. Disposing it leaves the multicast group (if any) and closes the socket.
/// </summary>
public sealed class DatagramReceiver : IDisposable
{
    private const int BufferSize = 65_536;

    private readonly Socket _socket;
    private readonly DatagramReceiveOptions _options;
    private readonly object? _membership;
    private readonly bool _wildcard;
    private int _received;
    private int _disposed;

    private DatagramReceiver(Socket socket, DatagramReceiveOptions options, object? membership, bool wildcard)
    {
        _socket = socket;
        _options = options;
        _membership = membership;
        _wildcard = wildcard;
        LocalEndPoint = DatagramAddresses.Normalize((IPEndPoint)socket.LocalEndPoint!);
    }

    /// <summary>The address and port the socket is bound to.</summary>
    public IPEndPoint LocalEndPoint { get; }

    /// <summary>The multicast group joined, or null.</summary>
    public IPAddress? MulticastGroup => _options.MulticastGroup;

    /// <summary>How many datagrams have been handed out so far.</summary>
    public int Received => Volatile.Read(ref _received);

    /// <summary>Bytes waiting in the socket's receive buffer, not yet read; for tests.</summary>
    internal int PendingBytes => _socket.Available;

    /// <summary>Whether the socket has been closed.</summary>
    public bool IsClosed => Volatile.Read(ref _disposed) != 0;

    /// <summary>Binds the socket (and joins the multicast group). Nothing is received until <see cref="RunAsync"/>.</summary>
    /// <exception cref="SocketShellException">PortInUse, AccessDenied, AddressNotAvailable, InvalidMulticastGroup.</exception>
    public static DatagramReceiver Open(DatagramReceiveOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.Address);
        ArgumentNullException.ThrowIfNull(options.TimeProvider);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.Port, 65535);

        IPAddress address = options.Address;
        IPAddress? group = options.MulticastGroup;
        string target = EndPointText.Format(address, options.Port);
        bool wildcard = address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any);
        if (group is not null)
        {
            ValidateGroup(group, address, wildcard);
        }

        AddressFamily family = group?.AddressFamily ?? address.AddressFamily;
        var socket = new Socket(family, SocketType.Dgram, ProtocolType.Udp);
        object? membership = null;
        try
        {
            IPEndPoint bindTo;
            if (group is null)
            {
                if (address.Equals(IPAddress.IPv6Any))
                {
                    socket.DualMode = true;
                }

                bindTo = new IPEndPoint(address, options.Port);
            }
            else
            {
                // Several receivers may share a group's port. Outside Windows the socket is bound to the
                // group address itself, so only datagrams sent to the group arrive (not unicast ones to the
                // port); Windows cannot bind a multicast address, so it binds the interface address.
                socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                IPAddress local = OperatingSystem.IsWindows() ? (wildcard ? AnyOf(family) : address) : GroupBindAddress(group, address, wildcard);
                bindTo = new IPEndPoint(local, options.Port);
                wildcard = local.Equals(IPAddress.Any) || local.Equals(IPAddress.IPv6Any);
            }

            try
            {
                socket.Bind(bindTo);
            }
            catch (SocketException e)
            {
                SocketErrorKind kind = SocketFailure.Classify(e);
                string message = kind switch
                {
                    SocketErrorKind.PortInUse => $"UDP port {options.Port} on {address} is already in use.",
                    SocketErrorKind.AccessDenied => $"Binding UDP port {options.Port} on {address} was denied: {e.Message}",
                    SocketErrorKind.AddressNotAvailable => $"{address} is not an address of this machine: {e.Message}",
                    _ => $"Binding UDP port {options.Port} on {address} failed: {e.Message}",
                };
                throw new SocketShellException(kind, message, target, e);
            }

            if (group is not null)
            {
                membership = Join(socket, group, address, wildcard: address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any), target);
            }

            return new DatagramReceiver(socket, options, membership, wildcard);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Receives until <paramref name="count"/> datagrams arrived (null: no limit), nothing arrived for
    /// <paramref name="idleTimeout"/> (null: wait for ever), or <paramref name="cancellationToken"/> is
    /// cancelled (then <see cref="OperationCanceledException"/>). Each datagram is passed to
    /// <paramref name="onMessage"/> as soon as it arrives, on a thread-pool thread.
    /// </summary>
    public Task<DatagramReceiveEnd> RunAsync(Action<SocketMessage> onMessage, int? count, TimeSpan? idleTimeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(onMessage);
        return RunAsync(
            m =>
            {
                onMessage(m);
                return ValueTask.CompletedTask;
            },
            count,
            idleTimeout,
            cancellationToken);
    }

    /// <summary>
    /// As <see cref="RunAsync(Action{SocketMessage}, int?, TimeSpan?, CancellationToken)"/>, but the next
    /// datagram is not read until <paramref name="onMessage"/>'s task completes: a slow consumer leaves
    /// datagrams in the socket's receive buffer (where the OS drops what does not fit, as UDP does) instead
    /// of in memory without bound. The idle timeout does not run while the consumer is busy.
    /// </summary>
    public async Task<DatagramReceiveEnd> RunAsync(Func<SocketMessage, ValueTask> onMessage, int? count, TimeSpan? idleTimeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(onMessage);
        ObjectDisposedException.ThrowIf(IsClosed, this);
        if (count is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, "Count must be at least 1.");
        }

        if (idleTimeout is { } t && (t <= TimeSpan.Zero || t > DurationParser.Maximum))
        {
            throw new ArgumentOutOfRangeException(nameof(idleTimeout), idleTimeout, "The idle timeout must be greater than zero.");
        }

        byte[] buffer = new byte[BufferSize];
        EndPoint any = new IPEndPoint(AnyOf(_socket.AddressFamily), 0);
        return await DatagramLoop.RunAsync(
            async token =>
            {
                int length;
                IPEndPoint from;
                IPEndPoint local;
                try
                {
                    if (_wildcard)
                    {
                        // On a wildcard socket the packet information tells which local address was hit.
                        SocketReceiveMessageFromResult r = await _socket.ReceiveMessageFromAsync(buffer, SocketFlags.None, any, token).ConfigureAwait(false);
                        length = r.ReceivedBytes;
                        from = (IPEndPoint)r.RemoteEndPoint;
                        local = r.PacketInformation.Address is { } hit && !hit.Equals(IPAddress.None)
                            ? new IPEndPoint(hit, LocalEndPoint.Port)
                            : LocalEndPoint;
                    }
                    else
                    {
                        SocketReceiveFromResult r = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, any, token).ConfigureAwait(false);
                        length = r.ReceivedBytes;
                        from = (IPEndPoint)r.RemoteEndPoint;
                        local = LocalEndPoint;
                    }
                }
                catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionRefused)
                {
                    // Windows reports ICMP errors for earlier sends on a UDP socket; nothing was received.
                    return null;
                }

                Interlocked.Increment(ref _received);
                return new SocketMessage(buffer.AsSpan(0, length).ToArray(), _options.Encoding, LocalClock.Now(_options.TimeProvider))
                {
                    Protocol = TransportProtocol.Udp,
                    Local = DatagramAddresses.Normalize(local),
                    Remote = DatagramAddresses.Normalize(from),
                };
            },
            onMessage,
            count,
            idleTimeout,
            () => IsClosed,
            _options.TimeProvider,
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Leaves the multicast group and closes the socket.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (_membership is not null)
        {
            try
            {
                if (_membership is MulticastOption v4)
                {
                    _socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.DropMembership, v4);
                }
                else if (_membership is IPv6MulticastOption v6)
                {
                    _socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.DropMembership, v6);
                }
            }
            catch (SocketException)
            {
                // Closing the socket leaves the group anyway.
            }
        }

        _socket.Dispose();
    }

    // Outside Windows a group socket is bound to the group address. An IPv6 group of interface- or
    // link-local scope (ffx1::, ffx2::) can only be bound with the interface as its scope id; with no
    // interface named (Any) the socket is bound to [::] instead.
    private static IPAddress GroupBindAddress(IPAddress group, IPAddress address, bool wildcard)
    {
        if (group.AddressFamily != AddressFamily.InterNetworkV6 || (group.GetAddressBytes()[1] & 0x0F) > 2)
        {
            return group;
        }

        int index = wildcard ? 0 : DatagramAddresses.InterfaceIndexOf(address);
        return index > 0 ? new IPAddress(group.GetAddressBytes(), index) : IPAddress.IPv6Any;
    }

    private static IPAddress AnyOf(AddressFamily family) =>
        family == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any;

    private static void ValidateGroup(IPAddress group, IPAddress address, bool wildcard)
    {
        string g = group.ToString();
        if (!DatagramAddresses.IsMulticast(group))
        {
            string hint = group.AddressFamily == AddressFamily.InterNetworkV6
                ? "IPv6 multicast addresses start with ff (ff00::/8)"
                : "IPv4 multicast addresses are 224.0.0.0 to 239.255.255.255";
            throw new SocketShellException(SocketErrorKind.InvalidMulticastGroup, $"{g} is not a multicast address: {hint}.", g);
        }

        if (!wildcard && address.AddressFamily != group.AddressFamily)
        {
            throw new SocketShellException(
                SocketErrorKind.InvalidMulticastGroup,
                $"The multicast group {g} and the interface address {address} are of different address families.",
                g);
        }
    }

    private static object Join(Socket socket, IPAddress group, IPAddress address, bool wildcard, string target)
    {
        try
        {
            if (group.AddressFamily == AddressFamily.InterNetwork)
            {
                var option = new MulticastOption(group, wildcard ? IPAddress.Any : address);
                socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.AddMembership, option);
                return option;
            }

            var v6 = new IPv6MulticastOption(group, wildcard ? 0 : DatagramAddresses.InterfaceIndexOf(address));
            socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.AddMembership, v6);
            return v6;
        }
        catch (SocketException e)
        {
            SocketErrorKind kind = SocketFailure.Classify(e);
            throw new SocketShellException(
                kind == SocketErrorKind.Unknown ? SocketErrorKind.InvalidMulticastGroup : kind,
                $"Joining the multicast group {group} on {(wildcard ? "the default interface" : address.ToString())} failed: {e.Message}",
                target,
                e);
        }
    }
}
