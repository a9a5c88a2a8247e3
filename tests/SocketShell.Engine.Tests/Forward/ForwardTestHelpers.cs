using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SocketShell.Listeners;
using static SocketShell.Engine.Tests.Listeners.ListenerTestHelpers;

namespace SocketShell.Engine.Tests.Forward;

/// <summary>A raw upstream server on loopback the test drives by hand (accept, read, write, reset).</summary>
internal sealed class RawUpstream : IDisposable
{
    private readonly Socket _listen;

    public RawUpstream(IPAddress? address = null)
    {
        address ??= IPAddress.Loopback;
        _listen = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        _listen.Bind(new IPEndPoint(address, 0));
        _listen.Listen(64);
    }

    public IPEndPoint EndPoint => (IPEndPoint)_listen.LocalEndPoint!;

    public ForwardTarget Target => ForwardTarget.FromEndPoint(EndPoint);

    public async Task<Socket> AcceptAsync() => await _listen.AcceptAsync().WaitAsync(Bound);

    public void Dispose() => _listen.Dispose();
}

internal static class ForwardTestHelpers
{
    public static SocketListener StartForward(ForwardTarget target, TransportProtocol protocol = TransportProtocol.Tcp, Action<ListenerOptions>? configure = null) =>
        Start(ListenerMode.Forward, protocol, o =>
        {
            o.ForwardTo = target;
            configure?.Invoke(o);
        });

    public static ForwardTarget TargetOf(SocketListener l) => l.Path is { } path ? ForwardTarget.Parse(path) : ForwardTarget.FromEndPoint(l.GetLocalEndPoint()!);

    /// <summary>Sends <paramref name="data"/> and reads the same number of bytes back, both at once (so neither side's buffers fill).</summary>
    public static async Task<byte[]> RoundTripAsync(Socket s, byte[] data)
    {
        Task send = Task.Run(async () =>
        {
            for (int at = 0; at < data.Length;)
            {
                at += await s.SendAsync(data.AsMemory(at, Math.Min(16384, data.Length - at)), SocketFlags.None);
            }
        });
        byte[] back = await ReadExactlyAsync(s, data.Length);
        await send.WaitAsync(Bound);
        return back;
    }

    /// <summary>Reads until the peer resets; returns true for a reset, false for a clean end of stream.</summary>
    public static async Task<bool> EndsWithResetAsync(Socket s)
    {
        byte[] buffer = new byte[65536];
        try
        {
            while (await s.ReceiveAsync(buffer, SocketFlags.None).WaitAsync(Bound) > 0)
            {
            }

            return false;
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset)
        {
            return true;
        }
    }

    public static X509Certificate2 SelfSigned(string name = "localhost")
    {
        using RSA key = RSA.Create(2048);
        var request = new CertificateRequest("CN=" + name, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(name);
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        using X509Certificate2 cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        return X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pkcs12), null);
    }
}
