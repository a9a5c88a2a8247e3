using System.Net;
using SocketShell.Listeners;

namespace SocketShell.Forward;

/// <summary>
/// Refuses a Forward listener whose target is the listener itself (same port on its own address, on
/// loopback or "localhost" when it listens on every interface): each relayed client would connect to the
/// listener again, without end.
/// </summary>
internal static class ForwardLoopGuard
{
    /// <exception cref="SocketShellException">InvalidListenerOptions: the target is the listener's own endpoint.</exception>
    public static void ThrowIfSelf(ListenerOptions options, IPEndPoint local)
    {
        if (options.Mode != ListenerMode.Forward || options.ForwardTo is not { Path: null } target || target.Port != local.Port)
        {
            return;
        }

        IPAddress[] candidates = target.Address is { } literal ? [literal]
            : string.Equals(target.Host, "localhost", StringComparison.OrdinalIgnoreCase) ? [IPAddress.Loopback, IPAddress.IPv6Loopback]
            : [];
        bool listensEverywhere = local.Address.Equals(IPAddress.Any) || local.Address.Equals(IPAddress.IPv6Any);
        foreach (IPAddress a in candidates)
        {
            IPAddress address = a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : a;
            if (address.Equals(local.Address) || (listensEverywhere && (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))))
            {
                throw new SocketShellException(
                    SocketErrorKind.InvalidListenerOptions,
                    $"ForwardTo {target} is this listener itself ({EndPointText.Format(local.Address, local.Port)}): every client would be relayed back to it without end.",
                    target.ToString());
            }
        }
    }
}
