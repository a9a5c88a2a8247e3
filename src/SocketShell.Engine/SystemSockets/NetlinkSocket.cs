using System.Runtime.InteropServices;
using SocketShell.Interop;

namespace SocketShell.SystemSockets;

/// <summary>
/// A NETLINK_SOCK_DIAG socket through libc (the way ss reads the socket table). Failures are
/// <see cref="IOException"/> with the errno, so the caller can fall back to /proc/net.
/// </summary>
internal sealed partial class NetlinkSocket : IDisposable
{
    private const int AfNetlink = 16;
    private const int SockDgram = 2;
    private const int SockCloexec = 0x80000;
    private const int NetlinkSockDiagProtocol = 4;
    private const short PollIn = 0x1;
    private const int ReceiveTimeoutMs = 5000;
    private const int BufferSize = 64 * 1024;
    private const int Eintr = 4;

    private readonly int _fd;
    private readonly byte[] _buffer = GC.AllocateUninitializedArray<byte>(BufferSize, pinned: true);
    private uint _sequence;

    private NetlinkSocket(int fd)
    {
        _fd = fd;
    }

    public static NetlinkSocket Open()
    {
        int fd = Libc.Socket(AfNetlink, SockDgram | SockCloexec, NetlinkSockDiagProtocol);
        if (fd < 0)
        {
            throw Failure("socket(AF_NETLINK, NETLINK_SOCK_DIAG)");
        }

        return new NetlinkSocket(fd);
    }

    /// <summary>Dumps every socket of one family and protocol into <paramref name="into"/>.</summary>
    public void Dump(IPFamily family, TransportProtocol protocol, List<SystemSocket> into, ref int skipped, CancellationToken cancellationToken)
    {
        Span<byte> request = stackalloc byte[NetlinkSockDiag.RequestSize];
        NetlinkSockDiag.WriteRequest(
            request,
            family == IPFamily.IPv6 ? NetlinkSockDiag.AfInet6 : NetlinkSockDiag.AfInet,
            protocol == TransportProtocol.Tcp ? NetlinkSockDiag.IpProtoTcp : NetlinkSockDiag.IpProtoUdp,
            ++_sequence);
        var counter = new SkipCounter();
        Exchange(request, (ReadOnlySpan<byte> d, out int error) => NetlinkSockDiag.Parse(d, protocol, into, ref counter.Value, out error), cancellationToken);
        skipped += counter.Value;
    }

    /// <summary>Dumps every Unix domain socket (UNIX_DIAG) into <paramref name="into"/>.</summary>
    public void DumpUnix(List<UnixSystemSocket> into, ref int skipped, CancellationToken cancellationToken)
    {
        Span<byte> request = stackalloc byte[UnixSocketDiag.RequestSize];
        UnixSocketDiag.WriteRequest(request, ++_sequence);
        var counter = new SkipCounter();
        Exchange(request, (ReadOnlySpan<byte> d, out int error) => UnixSocketDiag.Parse(d, into, ref counter.Value, out error), cancellationToken);
        skipped += counter.Value;
    }

    private delegate NetlinkDumpStatus DatagramParser(ReadOnlySpan<byte> datagram, out int error);

    private sealed class SkipCounter
    {
        public int Value;
    }

    /// <summary>Sends one dump request and parses the answers until NLMSG_DONE.</summary>
    private unsafe void Exchange(ReadOnlySpan<byte> request, DatagramParser parse, CancellationToken cancellationToken)
    {
        fixed (byte* r = request)
        {
            if (Libc.Send(_fd, r, request.Length, 0) != request.Length)
            {
                throw Failure("send(sock_diag request)");
            }
        }

        fixed (byte* b = _buffer)
        {
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var pfd = new Libc.PollFd { Fd = _fd, Events = PollIn };
                int ready = Libc.Poll(&pfd, 1, ReceiveTimeoutMs);
                if (ready < 0)
                {
                    if (Marshal.GetLastPInvokeError() == Eintr)
                    {
                        continue;
                    }

                    throw Failure("poll(netlink)");
                }

                if (ready == 0)
                {
                    throw new IOException($"the kernel did not answer the sock_diag request within {ReceiveTimeoutMs} ms");
                }

                nint n = Libc.Recv(_fd, b, _buffer.Length, 0);
                if (n < 0)
                {
                    if (Marshal.GetLastPInvokeError() == Eintr)
                    {
                        continue;
                    }

                    throw Failure("recv(netlink)");
                }

                NetlinkDumpStatus status = parse(_buffer.AsSpan(0, (int)n), out int error);
                if (status == NetlinkDumpStatus.Done)
                {
                    return;
                }

                if (status == NetlinkDumpStatus.Error)
                {
                    throw new IOException($"the kernel refused the sock_diag request: {Marshal.GetPInvokeErrorMessage(error)} (errno {error})");
                }
            }
        }
    }

    public void Dispose() => _ = Libc.Close(_fd);

    private static IOException Failure(string what)
    {
        int errno = Marshal.GetLastPInvokeError();
        return new IOException($"{what}: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
    }
}
