using System.Net;
using System.Net.Sockets;

namespace SocketShell.Unix;

/// <summary>
/// A Unix socket address for Bind that .NET does not treat as its own file. A socket bound to a
/// <see cref="UnixDomainSocketEndPoint"/> deletes that path when it is disposed, whatever is there by
/// then; SocketShell removes its socket files itself, and only while they are still the ones it made
/// (<see cref="UnixSocketFile.Remove"/>). The address bytes are the same.
/// </summary>
internal sealed class KeptFileEndPoint : EndPoint
{
    private readonly UnixDomainSocketEndPoint _inner;

    public KeptFileEndPoint(UnixDomainSocketEndPoint inner) => _inner = inner;

    public override AddressFamily AddressFamily => AddressFamily.Unix;

    public override SocketAddress Serialize() => _inner.Serialize();

    public override EndPoint Create(SocketAddress socketAddress) => _inner.Create(socketAddress);

    public override string ToString() => _inner.ToString();
}
