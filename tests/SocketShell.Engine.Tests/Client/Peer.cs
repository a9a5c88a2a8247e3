using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SocketShell.Client;

namespace SocketShell.Engine.Tests.Client;

/// <summary>Loopback peers for the client tests: raw listeners, accepted sockets, certificates, bounded waits.</summary>
internal static class Peer
{
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    public static TcpListener Listen(IPAddress address, int backlog = 16)
    {
        var listener = new TcpListener(address, 0);
        listener.Start(backlog);
        return listener;
    }

    public static int PortOf(TcpListener listener) => ((IPEndPoint)listener.LocalEndpoint).Port;

    public static async Task<Socket> AcceptAsync(TcpListener listener) => await listener.AcceptSocketAsync().WaitAsync(Bound);

    /// <summary>
    /// Accepts the connection that comes from <paramref name="client"/>, closing any other: the machine's
    /// loopback is shared, and a port scan from another process may land in the accept queue first.
    /// </summary>
    public static async Task<Socket> AcceptFromAsync(TcpListener listener, EndPoint client)
    {
        using var deadline = new CancellationTokenSource(Bound);
        while (true)
        {
            Socket s = await listener.AcceptSocketAsync(deadline.Token);
            if (client.Equals(s.RemoteEndPoint))
            {
                return s;
            }

            s.Dispose();
        }
    }

    /// <summary>Accepts the first connection that starts a TLS handshake (a ClientHello record), closing any other.</summary>
    public static async Task<Socket> AcceptTlsClientAsync(TcpListener listener)
    {
        using var deadline = new CancellationTokenSource(Bound);
        var first = new byte[1];
        while (true)
        {
            Socket s = await listener.AcceptSocketAsync(deadline.Token);
            try
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token);
                wait.CancelAfter(TimeSpan.FromSeconds(3));
                if (await s.ReceiveAsync(first, SocketFlags.Peek, wait.Token) == 1 && first[0] == 0x16)
                {
                    return s;
                }
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException && !deadline.IsCancellationRequested)
            {
                // Not our client.
            }

            s.Dispose();
        }
    }

    /// <summary>A port with nothing listening on it: bound, then closed.</summary>
    public static int ClosedPort(IPAddress address)
    {
        using var s = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        s.Bind(new IPEndPoint(address, 0));
        return ((IPEndPoint)s.LocalEndPoint!).Port;
    }

    public static SocketConnectOptions Options(string host, int port, TimeSpan? timeout = null) => new()
    {
        ComputerName = host,
        Port = port,
        Timeout = timeout ?? TimeSpan.FromSeconds(5),
    };

    public static async Task<(SocketConnection Client, Socket Server)> ConnectPairAsync(TcpListener listener, string host = "127.0.0.1", SocketSessions? sessions = null)
    {
        SocketConnection client = await SocketClient.ConnectAsync(Options(host, PortOf(listener)), sessions ?? new SocketSessions(), CancellationToken.None).WaitAsync(Bound);
        return (client, await AcceptFromAsync(listener, client.GetLocalEndPoint()!));
    }

    public static async Task SendAsync(Socket socket, string text)
        => await socket.SendAsync(System.Text.Encoding.UTF8.GetBytes(text).AsMemory()).AsTask().WaitAsync(Bound);

    /// <summary>Reads from <paramref name="socket"/> until it has <paramref name="count"/> bytes or the stream ends.</summary>
    public static async Task<byte[]> ReadAsync(Socket socket, int count)
    {
        var all = new List<byte>();
        var buffer = new byte[65536];
        while (all.Count < count)
        {
            int n = await socket.ReceiveAsync(buffer.AsMemory(0, Math.Min(buffer.Length, count - all.Count))).AsTask().WaitAsync(Bound);
            if (n == 0)
            {
                break;
            }

            all.AddRange(buffer.AsSpan(0, n).ToArray());
        }

        return all.ToArray();
    }

    /// <summary>Waits (bounded) until <paramref name="condition"/> holds.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        long end = Environment.TickCount64 + (long)Bound.TotalMilliseconds;
        while (!condition())
        {
            if (Environment.TickCount64 > end)
            {
                throw new TimeoutException($"Gave up waiting for {what}.");
            }

            await Task.Yield();
            await Task.Delay(5);
        }
    }

    /// <summary>A self-signed server certificate for localhost and 127.0.0.1, with its private key.</summary>
    public static X509Certificate2 SelfSignedCertificate(string name = "localhost")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(name);
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        DateTimeOffset now = DateTimeOffset.UtcNow;
        using X509Certificate2 made = request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(30));
        return X509CertificateLoader.LoadPkcs12(made.Export(X509ContentType.Pfx), null);
    }

    /// <summary>Accepts one connection and runs the server side of a TLS handshake on it.</summary>
    public static async Task<(Socket Socket, SslStream Tls)> AcceptTlsAsync(TcpListener listener, X509Certificate2 certificate)
    {
        Socket socket = await AcceptTlsClientAsync(listener);
        var tls = new SslStream(new NetworkStream(socket, ownsSocket: false));
        await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = certificate }).WaitAsync(Bound);
        return (socket, tls);
    }
}
