using System.Net.Sockets;
using System.Text;
using SocketShell.Udp;
using SocketShell.Unix;
using static SocketShell.Engine.Tests.Listeners.ListenerTestHelpers;

namespace SocketShell.Engine.Tests.Unix;

/// <summary>Send-Datagram -Path and Receive-Datagram -Path over a Unix datagram socket the test makes.</summary>
public sealed class UnixDatagramTests
{
    [Fact]
    public async Task Datagrams_sent_to_a_path_arrive_whole_and_in_order_and_the_file_goes_with_the_receiver()
    {
        using var dir = new UnixTestDirectory();
        string path = dir.File("log.sock");
        var got = new List<SocketMessage>();
        Task<DatagramReceiveEnd> run;
        using (UnixDatagramReceiver receiver = UnixDatagramReceiver.Open(path, force: false, mode: null, encoding: null))
        {
            Assert.True(File.Exists(path));
            run = receiver.RunAsync(m => { got.Add(m); return ValueTask.CompletedTask; }, 3, Bound, CancellationToken.None);
            using UnixDatagramSender sender = UnixDatagramSender.Open(path);
            string line = "<13>1 2026-12-02T00:00:00Z host app - - - hello";
            DatagramResult first = await sender.SendAsync(Encoding.UTF8.GetBytes(line), CancellationToken.None);
            Assert.Equal(DatagramStatus.Sent, first.Status);
            Assert.Equal(path, first.Path);
            Assert.Equal(Encoding.UTF8.GetByteCount(line), first.BytesSent);
            await sender.SendAsync(Array.Empty<byte>(), CancellationToken.None);
            await sender.SendAsync(new byte[100_000], CancellationToken.None);
            Assert.Equal(DatagramReceiveEnd.CountReached, await run.WaitAsync(Bound));
            Assert.Equal(line, got[0].Text);
            Assert.Equal(0, got[1].Length);
            Assert.Equal(100_000, got[2].Length);
            Assert.All(got, m => Assert.Equal(TransportProtocol.Unix, m.Protocol));
            Assert.All(got, m => Assert.Equal(path, m.LocalPath));
            Assert.Null(got[0].RemotePath); // the sender is unnamed
        }

        Assert.False(File.Exists(path));
    }

    [Fact]
    public async Task A_named_sender_is_shown_and_an_idle_receiver_ends_on_its_timeout()
    {
        using var dir = new UnixTestDirectory();
        string path = dir.File("in.sock");
        using UnixDatagramReceiver receiver = UnixDatagramReceiver.Open(path, false, null, null);
        using var named = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        named.Bind(new UnixDomainSocketEndPoint(dir.File("from.sock")));
        named.SendTo(Encoding.ASCII.GetBytes("hi"), new UnixDomainSocketEndPoint(path));
        var got = new List<SocketMessage>();
        DatagramReceiveEnd end = await receiver.RunAsync(m => { got.Add(m); return ValueTask.CompletedTask; }, null, TimeSpan.FromMilliseconds(300), CancellationToken.None).WaitAsync(Bound);
        Assert.Equal(DatagramReceiveEnd.IdleTimeout, end);
        SocketMessage m = Assert.Single(got);
        Assert.Equal(dir.File("from.sock"), m.RemotePath);
    }

    [Fact]
    public void Sending_to_nothing_a_file_or_a_stream_socket_fails_clearly()
    {
        using var dir = new UnixTestDirectory();
        Assert.Equal(SocketErrorKind.PathNotFound, Assert.Throws<SocketShellException>(() => UnixDatagramSender.Open(dir.File("none"))).Kind);
        File.WriteAllText(dir.File("plain"), "x");
        Assert.Equal(SocketErrorKind.NotASocket, Assert.Throws<SocketShellException>(() => UnixDatagramSender.Open(dir.File("plain"))).Kind);
        using var stream = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        stream.Bind(new UnixDomainSocketEndPoint(dir.File("stream.sock")));
        stream.Listen();
        Assert.Equal(SocketErrorKind.ConnectionRefused, Assert.Throws<SocketShellException>(() => UnixDatagramSender.Open(dir.File("stream.sock"))).Kind);
    }

    [Fact]
    public void A_receiver_never_replaces_a_file_and_replaces_a_stale_socket_only_when_forced()
    {
        using var dir = new UnixTestDirectory();
        File.WriteAllText(dir.File("plain"), "keep");
        Assert.Equal(SocketErrorKind.PathInUse, Assert.Throws<SocketShellException>(() => UnixDatagramReceiver.Open(dir.File("plain"), true, null, null)).Kind);
        Assert.Equal("keep", File.ReadAllText(dir.File("plain")));
        string stale = dir.File("stale.sock");
        using (var dead = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified))
        {
            dead.Bind(new KeptFileEndPoint(new UnixDomainSocketEndPoint(stale))); // closed below: a stale socket file
        }

        Assert.Equal(SocketErrorKind.PathInUse, Assert.Throws<SocketShellException>(() => UnixDatagramReceiver.Open(stale, false, null, null)).Kind);
        using UnixDatagramReceiver forced = UnixDatagramReceiver.Open(stale, true, null, null);
        Assert.True(File.Exists(stale));
    }
}
